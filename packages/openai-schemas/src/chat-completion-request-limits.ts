/**
 * How many items one Chat Completions request may hold. Validation work and memory grow with these
 * counts, so a gateway bounds them before the schema looks at a single element; each refusal is one
 * sentence in the style of OpenAI's own (`Invalid 'messages': array too long. …`).
 */

/** Limits checked by {@link checkChatCompletionRequestLimits}. */
export interface ChatCompletionRequestLimits {
  /** Entries of `messages`. */
  maxMessages: number;
  /** Array content parts, summed over every message. */
  maxContentParts: number;
  /** Entries of `tools`. */
  maxTools: number;
  /** Earlier assistant `tool_calls`, summed over every message. */
  maxToolCalls: number;
}

/**
 * The defaults. `messages` (2048) and `tools` (128) are OpenAI's own maxima, so no request OpenAI
 * accepts is refused; parts and tool calls allow two per message on average.
 */
export const DEFAULT_CHAT_COMPLETION_REQUEST_LIMITS: Readonly<ChatCompletionRequestLimits> = Object.freeze({
  maxMessages: 2048,
  maxContentParts: 4096,
  maxTools: 128,
  maxToolCalls: 4096,
});

function tooLong(field: string, maximum: number, length: number): string {
  return `Invalid '${field}': array too long. Expected an array with maximum length ${maximum}, but got an array with length ${length} instead.`;
}

function tooMany(what: string, maximum: number, count: number): string {
  return `Invalid 'messages': too many ${what}. Expected at most ${maximum} across all messages, but got ${count} instead.`;
}

/**
 * Checks the counts of a raw (JSON-decoded, not yet validated) request body. Costs one pass over
 * `messages`, never over anything deeper, and only where the shapes are arrays: everything else is
 * left to the schema.
 *
 * @param body - The decoded body.
 * @param limits - The limits to apply.
 * @returns The 400 message for the first limit exceeded, or `undefined`.
 * @example
 * checkChatCompletionRequestLimits({ messages: new Array(3000).fill({}) }, DEFAULT_CHAT_COMPLETION_REQUEST_LIMITS);
 * // "Invalid 'messages': array too long. Expected an array with maximum length 2048, but got an array with length 3000
 * instead."
 */
export function checkChatCompletionRequestLimits(
  body: unknown,
  limits: Readonly<ChatCompletionRequestLimits>,
): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const { messages, tools } = body as { messages?: unknown; tools?: unknown };
  if (Array.isArray(messages)) {
    if (messages.length > limits.maxMessages) return tooLong('messages', limits.maxMessages, messages.length);
    let parts = 0;
    let toolCalls = 0;
    for (const message of messages) {
      if (typeof message !== 'object' || message === null) continue;
      const { content, tool_calls: calls } = message as { content?: unknown; tool_calls?: unknown };
      if (Array.isArray(content)) parts += content.length;
      if (Array.isArray(calls)) toolCalls += calls.length;
    }
    if (parts > limits.maxContentParts) return tooMany('content parts', limits.maxContentParts, parts);
    if (toolCalls > limits.maxToolCalls) return tooMany('tool calls', limits.maxToolCalls, toolCalls);
  }
  if (Array.isArray(tools) && tools.length > limits.maxTools) return tooLong('tools', limits.maxTools, tools.length);
  return undefined;
}
