import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionMessageToolCall,
  ChatCompletionToolCallDelta,
  ChatCompletionUsage,
  FinishReason,
  UpstreamChatCompletion,
  UpstreamChatCompletionChunk,
  UpstreamUsage,
} from '@clawgate/openai-schemas';

// Responses are validated with the tolerant upstream schemas (so an OpenClaw or other
// OpenAI-compatible server that sends `null` where clawgate omits a field still works), then
// reduced to the strict public types here: `null` → absent, missing ids → '', unknown enum strings
// → the nearest documented value. Fields outside the typed shape (`reasoning_content`, …) are dropped.

const FINISH_REASONS: ReadonlySet<string> = new Set<FinishReason>([
  'stop',
  'length',
  'tool_calls',
  'content_filter',
  'function_call',
]);

/** A provider-specific finish reason (vLLM's `abort`, …) is reported as `stop`, the generic "ended". */
function toFinishReason(value: string | null | undefined): FinishReason | null {
  if (value === null || value === undefined) return null;
  return FINISH_REASONS.has(value) ? (value as FinishReason) : 'stop';
}

function toUsage(usage: UpstreamUsage | null | undefined): ChatCompletionUsage | undefined {
  if (usage === null || usage === undefined) return undefined;
  const promptTokens = usage.prompt_tokens ?? 0;
  const completionTokens = usage.completion_tokens ?? 0;
  return {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: usage.total_tokens ?? promptTokens + completionTokens,
  };
}

type UpstreamDelta = NonNullable<UpstreamChatCompletionChunk['choices'][number]['delta']>;

function toToolCallDelta(
  call: NonNullable<UpstreamDelta['tool_calls']>[number],
  position: number,
): ChatCompletionToolCallDelta {
  const delta: ChatCompletionToolCallDelta = { index: call.index ?? position };
  if (typeof call.id === 'string') delta.id = call.id;
  if (call.type === 'function') delta.type = 'function';
  if (call.function !== null && call.function !== undefined) {
    const fn: NonNullable<ChatCompletionToolCallDelta['function']> = {};
    if (typeof call.function.name === 'string') fn.name = call.function.name;
    if (typeof call.function.arguments === 'string') fn.arguments = call.function.arguments;
    delta.function = fn;
  }
  return delta;
}

/**
 * Reduces a tolerant upstream chunk to the public {@link ChatCompletionChunk} shape.
 *
 * @param chunk - A chunk that passed `upstreamChatCompletionChunkSchema`.
 * @returns The typed chunk.
 */
export function toChatCompletionChunk(chunk: UpstreamChatCompletionChunk): ChatCompletionChunk {
  const result: ChatCompletionChunk = {
    id: chunk.id ?? '',
    object: 'chat.completion.chunk',
    created: Math.trunc(chunk.created ?? 0),
    model: chunk.model ?? '',
    choices: chunk.choices.map((choice, position) => {
      const source = choice.delta ?? {};
      const delta: ChatCompletionChunk['choices'][number]['delta'] = {};
      if (source.role === 'assistant') delta.role = 'assistant';
      if (typeof source.content === 'string') delta.content = source.content;
      if (Array.isArray(source.tool_calls)) delta.tool_calls = source.tool_calls.map(toToolCallDelta);
      return { index: choice.index ?? position, delta, finish_reason: toFinishReason(choice.finish_reason) };
    }),
  };
  const usage = toUsage(chunk.usage);
  if (usage !== undefined) result.usage = usage;
  return result;
}

/**
 * Reduces a tolerant upstream completion to the public {@link ChatCompletion} shape.
 *
 * @param completion - A body that passed `upstreamChatCompletionSchema`.
 * @returns The typed completion.
 */
export function toChatCompletion(completion: UpstreamChatCompletion): ChatCompletion {
  const result: ChatCompletion = {
    id: completion.id ?? '',
    object: 'chat.completion',
    created: Math.trunc(completion.created ?? 0),
    model: completion.model ?? '',
    choices: completion.choices.map((choice, position) => {
      const message: ChatCompletion['choices'][number]['message'] = {
        role: 'assistant',
        content: choice.message.content ?? null,
      };
      if (Array.isArray(choice.message.tool_calls)) {
        message.tool_calls = choice.message.tool_calls.map(
          (call): ChatCompletionMessageToolCall => ({
            id: call.id ?? '',
            type: 'function',
            function: { name: call.function.name ?? '', arguments: call.function.arguments ?? '' },
          }),
        );
      }
      // A complete response always has a reason; a server that leaves it out most likely meant "stop".
      return {
        index: choice.index ?? position,
        message,
        finish_reason: toFinishReason(choice.finish_reason) ?? 'stop',
      };
    }),
  };
  const usage = toUsage(completion.usage);
  if (usage !== undefined) result.usage = usage;
  return result;
}
