/**
 * The built-in offline model: deterministic, no network, clearly labelled. It exists so a fresh
 * gateway answers out of the box and so sessions and tool flows can be observed without an upstream.
 *
 * Behaviour (documented for users and tests):
 * - Reply: `[clawgate offline model] Turn <n>. You said: "<last user text, whitespace collapsed, cut
 *   to 80 characters with …>"` where `<n>` counts the user messages in the request (transcript + this
 *   turn), so a persisted session shows `Turn 2`, `Turn 3`, ... An image turn adds ` (<k> image(s))`.
 *   After a tool result: `[clawgate offline model] Tool <tool_call_id> returned: "<summary>"`.
 * - Tool call: when `tools` are given, `tool_choice` is not `none`, and the last message is a user
 *   message containing `call <toolname>` (case-insensitive, a configured function name), the model
 *   calls that tool instead of answering. Arguments are the first `{...}` JSON object after the
 *   trigger when it parses, else `{}`. `tool_choice: {function: {name}}` or `required` forces a call
 *   (of the named tool, or the first tool). The call id is `call_offline_<turn>_<name>`.
 * - Streaming: word by word (each word keeps its trailing space), `delayMs` between words.
 * - Usage: `prompt_tokens = ceil(characters of all message text / 4)`, `completion_tokens` = number
 *   of streamed words (a tool call counts `ceil(arguments length / 4)`, at least 1).
 * - `max_completion_tokens` (else `max_tokens`) cuts the reply to that many words, finish `length`.
 * - Embeddings (any model id, e.g. `offline/clawgate-offline-embed`): one vector of `dimensions`
 *   (default 256, at most 3072, OpenAI's largest) floats per entry, a hashed bag of words: each
 *   lowercased word (a run of letters and digits) adds 1 to component `fnv1a(word) mod dimensions`
 *   (32-bit FNV-1a over UTF-16 code units), a text without words counts as the one word it is, a
 *   token id `n` is the word `#n`; the vector is then scaled to length 1. The same entry always gives
 *   the same vector; entries that share words share components. Usage: `ceil(characters of all
 *   texts / 4)`, or one token per token id (docs/embeddings.md#the-offline-model).
 */
import type { OfflineProviderConfig } from '../config/config-schema.js';
import { invalidRequest } from '../errors.js';
import { estimateEmbeddingUsage } from './estimate-embedding-usage.js';
import type {
  ModelProvider,
  ProviderEmbeddingRequest,
  ProviderEmbeddingResult,
  ProviderMessage,
  ProviderRequest,
  ProviderResult,
  ProviderSink,
} from './model-provider.js';
import { offlineEmbedding } from './offline-embedding.js';
import { sleep } from './sleep.js';

/** The label every offline reply starts with. */
export const OFFLINE_MODEL_LABEL = '[clawgate offline model]';

const SUMMARY_LENGTH = 80;
/** Vector length when the request names none. */
export const OFFLINE_EMBEDDING_DIMENSIONS = 256;
/** Longest vector the offline model makes: OpenAI's largest (`text-embedding-3-large`). */
export const OFFLINE_MAX_EMBEDDING_DIMENSIONS = 3072;

/** Options of {@link createOfflineProvider}. */
export interface OfflineProviderOptions {
  /** Provider id (`offline` unless configured otherwise). */
  id?: string;
  /** Pause between words in ms. @defaultValue 0 */
  delayMs?: OfflineProviderConfig['delayMs'];
}

/**
 * Creates the offline provider (see the file comment for its exact behaviour).
 *
 * @example
 * const { usage } = await createOfflineProvider().stream(request, sink, { signal });
 */
export function createOfflineProvider(options: OfflineProviderOptions = {}): ModelProvider {
  const delayMs = options.delayMs ?? 0;
  return {
    id: options.id ?? 'offline',
    stream: (request, sink, { signal }) => streamOffline(request, sink, signal, delayMs),
    embed: async (request, { signal }) => embedOffline(request, signal),
    close: async () => {},
  };
}

async function streamOffline(
  request: ProviderRequest,
  sink: ProviderSink,
  signal: AbortSignal,
  delayMs: number,
): Promise<ProviderResult> {
  signal.throwIfAborted();
  const promptTokens = Math.ceil(request.messages.map(messageText).join('').length / 4);
  const turn = request.messages.filter((message) => message.role === 'user').length;
  const last = request.messages.at(-1);

  const toolCall = last?.role === 'user' ? pickToolCall(request, messageText(last)) : undefined;
  if (toolCall) {
    const id = `call_offline_${turn}_${toolCall.name}`;
    sink.toolCallStart(0, id, toolCall.name);
    sink.toolCallDelta(0, toolCall.arguments);
    const completionTokens = Math.max(1, Math.ceil(toolCall.arguments.length / 4));
    return { usage: usageOf(promptTokens, completionTokens), finishReason: 'tool_calls' };
  }

  const words = composeReply(last, turn).match(/\S+\s*/g) ?? [];
  const limit = request.parameters.max_completion_tokens ?? request.parameters.max_tokens ?? undefined;
  const emitted = typeof limit === 'number' && limit < words.length ? words.slice(0, limit) : words;
  for (const [index, word] of emitted.entries()) {
    if (index > 0 && delayMs > 0) await sleep(delayMs, signal);
    signal.throwIfAborted();
    if (!sink.text(word)) await sink.drained();
  }
  return {
    usage: usageOf(promptTokens, emitted.length),
    finishReason: emitted.length < words.length ? 'length' : 'stop',
  };
}

function embedOffline(request: ProviderEmbeddingRequest, signal: AbortSignal): ProviderEmbeddingResult {
  signal.throwIfAborted();
  const dimensions = request.dimensions ?? OFFLINE_EMBEDDING_DIMENSIONS;
  if (dimensions > OFFLINE_MAX_EMBEDDING_DIMENSIONS) {
    throw invalidRequest(`\`dimensions\` must be at most ${OFFLINE_MAX_EMBEDDING_DIMENSIONS} for the offline model.`);
  }
  return {
    embeddings: request.input.map((entry) => offlineEmbedding(entry, dimensions)),
    usage: estimateEmbeddingUsage(request.input),
  };
}

function usageOf(promptTokens: number, completionTokens: number): ProviderResult['usage'] {
  return {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
  };
}

function composeReply(last: ProviderMessage | undefined, turn: number): string {
  if (last?.role === 'tool')
    return `${OFFLINE_MODEL_LABEL} Tool ${last.tool_call_id} returned: "${summarize(last.content)}"`;
  const images =
    last?.role === 'user' && Array.isArray(last.content)
      ? last.content.filter((part) => part.type === 'image_url').length
      : 0;
  const imageNote = images > 0 ? ` (${images} image(s))` : '';
  return `${OFFLINE_MODEL_LABEL} Turn ${turn}. You said: "${summarize(last ? messageText(last) : '')}"${imageNote}`;
}

/** Whitespace collapsed, cut to {@link SUMMARY_LENGTH} characters. */
function summarize(text: string): string {
  const collapsed = text.replace(/\s+/g, ' ').trim();
  return collapsed.length > SUMMARY_LENGTH ? `${collapsed.slice(0, SUMMARY_LENGTH - 1)}…` : collapsed;
}

/** All text of a message (image parts contribute nothing). */
function messageText(message: ProviderMessage): string {
  if (typeof message.content === 'string') return message.content;
  if (message.content === null) return '';
  return message.content.map((part) => (part.type === 'text' ? part.text : '')).join('\n');
}

function pickToolCall(request: ProviderRequest, text: string): { name: string; arguments: string } | undefined {
  const tools = request.parameters.tools ?? [];
  const choice = request.parameters.tool_choice;
  if (tools.length === 0 || choice === 'none') return undefined;
  const names = tools.map((tool) => tool.function.name);
  const lower = text.toLowerCase();
  // The earliest `call <name>` in the text wins; longer names first so `get_weather_v2` beats `get_weather`.
  let best: { name: string; position: number } | undefined;
  for (const name of [...names].sort((a, b) => b.length - a.length)) {
    const position = findTrigger(lower, name.toLowerCase());
    if (position >= 0 && (best === undefined || position < best.position)) best = { name, position };
  }
  let name = best?.name;
  if (typeof choice === 'object' && choice !== null) name = choice.function.name;
  else if (choice === 'required') name ??= names[0];
  if (name === undefined) return undefined;
  const after = best ? text.slice(best.position) : text;
  return { name, arguments: extractJsonObject(after) ?? '{}' };
}

/** Index of `call <name>` as whole words, or -1. */
function findTrigger(text: string, name: string): number {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const match = new RegExp(`(?:^|[^a-z0-9_])call\\s+${escaped}(?![a-z0-9_-])`).exec(text);
  return match ? match.index : -1;
}

/** The text from the first `{` to the last `}` when it parses as a JSON object, re-serialised compactly. */
function extractJsonObject(text: string): string | undefined {
  const start = text.indexOf('{');
  const end = text.lastIndexOf('}');
  if (start < 0 || end <= start) return undefined;
  try {
    const value: unknown = JSON.parse(text.slice(start, end + 1));
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? JSON.stringify(value) : undefined;
  } catch {
    return undefined;
  }
}
