/**
 * The SSE frames of one streamed chat completion, as strings. Everything that is the same in every
 * chunk of a stream (`id`, `object`, `created`, `model`, the choice's `index`) is serialised once
 * when the stream starts; each content delta then costs one `JSON.stringify` of its text and one
 * string concatenation, and the frame is byte for byte what `JSON.stringify` of the whole chunk
 * object gives (keys in OpenAI's order: id, object, created, model, choices; some clients diff raw text).
 */
import type { ChatCompletionUsage } from '@clawgate/openai-schemas';
import type { FinishReason } from '../agent/agent-runner.js';
import type { CompletionIdentity } from '../agent/build-chat-completion-body.js';

/** Builds the `data: …\n\n` frames of one stream. */
export interface ChatCompletionFrames {
  /** `delta: {role: "assistant"}`, the first frame of every stream. */
  role(): string;
  content(text: string): string;
  toolCallStart(index: number, id: string, name: string): string;
  toolCallDelta(index: number, argumentsPiece: string): string;
  /** `delta: {}` with the finish reason. */
  finish(finishReason: FinishReason): string;
  /** `choices: []` with `usage` (sent when the client asked for `stream_options.include_usage`). */
  usage(usage: ChatCompletionUsage): string;
}

/**
 * Serialises the stream's identity once and returns the frame builders.
 *
 * @param identity - The completion's id, `created` and echoed model.
 * @example
 * const frames = createChatCompletionFrames({ id: 'chatcmpl_1', created: 1, model: 'openclaw' });
 * frames.content('Hi'); // 'data:
 * {"id":"chatcmpl_1",…,"choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":null}]}\n\n'
 */
export function createChatCompletionFrames(identity: CompletionIdentity): ChatCompletionFrames {
  const head = `data: {"id":${JSON.stringify(identity.id)},"object":"chat.completion.chunk","created":${JSON.stringify(identity.created)},"model":${JSON.stringify(identity.model)},"choices":`;
  const deltaHead = `${head}[{"index":0,"delta":`;
  const openTail = ',"finish_reason":null}]}\n\n';
  return {
    role: () => `${deltaHead}{"role":"assistant"}${openTail}`,
    content: (text) => `${deltaHead}{"content":${JSON.stringify(text)}}${openTail}`,
    toolCallStart: (index, id, name) =>
      `${deltaHead}{"tool_calls":[{"index":${index},"id":${JSON.stringify(id)},"type":"function","function":{"name":${JSON.stringify(name)},"arguments":""}}]}${openTail}`,
    toolCallDelta: (index, argumentsPiece) =>
      `${deltaHead}{"tool_calls":[{"index":${index},"function":{"arguments":${JSON.stringify(argumentsPiece)}}}]}${openTail}`,
    finish: (finishReason) => `${deltaHead}{},"finish_reason":${JSON.stringify(finishReason)}}]}\n\n`,
    usage: (usage) => `${head}[],"usage":${JSON.stringify(usage)}}\n\n`,
  };
}
