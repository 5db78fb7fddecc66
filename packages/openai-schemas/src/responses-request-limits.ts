/**
 * How many items one Responses API request may hold, checked on the raw body before the schema
 * looks at a single element (the same idea as `chat-completion-request-limits.ts`).
 */

/** Limits checked by {@link checkResponsesRequestLimits}. */
export interface ResponsesRequestLimits {
  /** Entries of `input`. */
  maxInputItems: number;
  /** Array content parts, summed over every input item. */
  maxContentParts: number;
  /** Entries of `tools`. */
  maxTools: number;
}

/** The defaults: OpenAI's own maxima for items (2048) and tools (128), two parts per item on average. */
export const DEFAULT_RESPONSES_REQUEST_LIMITS: Readonly<ResponsesRequestLimits> = Object.freeze({
  maxInputItems: 2048,
  maxContentParts: 4096,
  maxTools: 128,
});

function tooLong(field: string, maximum: number, length: number): string {
  return `Invalid '${field}': array too long. Expected an array with maximum length ${maximum}, but got an array with length ${length} instead.`;
}

/**
 * Checks the counts of a raw (JSON-decoded, not yet validated) request body: one pass over `input`,
 * never deeper.
 *
 * @returns The 400 message for the first limit exceeded, or `undefined`.
 * @example
 * checkResponsesRequestLimits({ input: new Array(3000).fill({}) }, DEFAULT_RESPONSES_REQUEST_LIMITS);
 * // "Invalid 'input': array too long. Expected an array with maximum length 2048, but got an array with length 3000
 * instead."
 */
export function checkResponsesRequestLimits(
  body: unknown,
  limits: Readonly<ResponsesRequestLimits>,
): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const { input, tools } = body as { input?: unknown; tools?: unknown };
  if (Array.isArray(input)) {
    if (input.length > limits.maxInputItems) return tooLong('input', limits.maxInputItems, input.length);
    let parts = 0;
    for (const item of input) {
      if (typeof item !== 'object' || item === null) continue;
      const { content, output } = item as { content?: unknown; output?: unknown };
      if (Array.isArray(content)) parts += content.length;
      if (Array.isArray(output)) parts += output.length;
    }
    if (parts > limits.maxContentParts) {
      return `Invalid 'input': too many content parts. Expected at most ${limits.maxContentParts} across all items, but got ${parts} instead.`;
    }
  }
  if (Array.isArray(tools) && tools.length > limits.maxTools) return tooLong('tools', limits.maxTools, tools.length);
  return undefined;
}
