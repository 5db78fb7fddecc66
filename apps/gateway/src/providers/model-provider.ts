/**
 * The one interface every model backend implements. The agent run builds a `ProviderRequest`
 * (OpenAI chat shape, model id without the provider prefix) and hands a `ProviderSink` that the
 * provider pushes its output into as it arrives; nothing here knows about sessions or HTTP clients.
 */
import type { ChatCompletionUsage, EmbeddingUsage } from '@clawgate/openai-schemas';
import type { FinishReason, ForwardedParameters } from '../agent/agent-runner.js';
import type { ReplySink } from '../agent/reply-sink.js';

/** A content part sent upstream: text, or an image as a data URI (or an allowed remote URL). */
export type ProviderContentPart = { type: 'text'; text: string } | { type: 'image_url'; image_url: { url: string } };

/** A function call made by the assistant, in OpenAI's wire shape. */
export interface ProviderToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

/** One message of the upstream conversation (OpenAI chat shape, only the roles we send). */
export type ProviderMessage =
  | { role: 'system'; content: string }
  | { role: 'user'; content: string | ProviderContentPart[] }
  | { role: 'assistant'; content: string | null; tool_calls?: ProviderToolCall[] }
  | { role: 'tool'; content: string; tool_call_id: string };

/** What a provider is asked to do. */
export interface ProviderRequest {
  /** The model id as the upstream knows it (`openai/gpt-4o` for `openrouter/openai/gpt-4o`). */
  model: string;
  messages: ProviderMessage[];
  /** Sampling fields, `tools` and `tool_choice`, forwarded verbatim (docs/http-contract.md#3-request-validation). */
  parameters: ForwardedParameters;
  /**
   * `false` when the caller only wants the whole answer: a provider may then ask its upstream for
   * one non-streamed response (much cheaper to read). The sink receives the same calls either way.
   * @defaultValue `true` (stream from the upstream)
   */
  stream?: boolean;
}

/**
 * One piece of a provider's output, as a value: what {@link ProviderSink} receives as calls, for
 * code that wants a list (tests, adapters). The provider itself never allocates these.
 */
export type ProviderEvent =
  | { type: 'text-delta'; text: string }
  /** A new tool call; `index` counts calls of this response from 0. */
  | { type: 'tool-call-start'; index: number; id: string; name: string }
  | { type: 'tool-call-delta'; index: number; arguments: string }
  | { type: 'usage'; usage: ChatCompletionUsage }
  | { type: 'finish'; finishReason: FinishReason };

/**
 * Where a provider pushes its output as it arrives (see {@link ReplySink}): when a method returns
 * `false`, the provider stops reading its upstream until `drained()` resolves.
 */
export type ProviderSink = ReplySink;

/** How an answer ended: the upstream's usage (or an estimate) and the finish reason. */
export interface ProviderResult {
  usage: ChatCompletionUsage;
  finishReason: FinishReason;
  /** The `model` the upstream's answer named, when it named one (a trace's `gen_ai.response.model`). */
  responseModel?: string;
}

/** How a provider call is made: its abort signal and the trace-context headers of its span. */
export interface ProviderCallOptions {
  signal: AbortSignal;
  /**
   * W3C `traceparent` (and `tracestate`) to send upstream, when tracing is on
   * (docs/observability.md#traces). @defaultValue none
   */
  traceHeaders?: Readonly<Record<string, string>>;
}

/** What a provider is asked to embed (docs/embeddings.md#what-the-upstream-receives). */
export interface ProviderEmbeddingRequest {
  /** The model id as the upstream knows it (`text-embedding-3-small` for `openai/text-embedding-3-small`). */
  model: string;
  /** The entries to embed, at least one: texts, or token-id lists. Each gets one vector, in this order. */
  input: string[] | number[][];
  /** Length of each vector, for models that can shorten theirs. @defaultValue the model's own */
  dimensions?: number;
}

/** What an embedding request produced. */
export interface ProviderEmbeddingResult {
  /** One float vector per input entry, in the order of the entries. */
  embeddings: number[][];
  /** The upstream's token counts, or an estimate when it sent none. */
  usage: EmbeddingUsage;
}

/** A model backend (`openai-completions`, `offline`, ...). */
export interface ModelProvider {
  /** The provider id from the configuration (`local`, `offline`). */
  readonly id: string;
  /**
   * Runs one completion, pushing its output into `sink` as it arrives; resolves with how it ended
   * once the answer is complete. Aborting `signal` stops it and closes the upstream request (the
   * promise then rejects with `signal.reason`).
   *
   * @throws GatewayError with the status and body the gateway answers upstream failures with (as the promise's
   * rejection).
   */
  stream(request: ProviderRequest, sink: ProviderSink, options: ProviderCallOptions): Promise<ProviderResult>;
  /**
   * Embeds every input entry; absent when the backend has no embeddings (the endpoint then answers
   * 400 naming the provider). Aborting `signal` closes the upstream request (the promise then
   * rejects with `signal.reason`).
   *
   * @throws GatewayError mapped like `stream`'s upstream failures (as the promise's rejection); a 502
   *   when the upstream's answer does not hold one float vector per entry.
   */
  embed?(request: ProviderEmbeddingRequest, options: ProviderCallOptions): Promise<ProviderEmbeddingResult>;
  /** Releases connections (keep-alive pools). */
  close(): Promise<void>;
}
