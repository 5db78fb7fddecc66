/**
 * The one interface every model backend implements. The agent run builds a `ProviderRequest`
 * (OpenAI chat shape, model id without the provider prefix) and consumes `ProviderEvent`s as they
 * arrive; nothing here knows about sessions or HTTP clients.
 */
import type { ChatCompletionUsage } from '@clawgate/openai-schemas';
import type { FinishReason, ForwardedParameters } from '../agent/agent-runner.js';

/** A content part sent upstream: text, or an image as a data URI (or an allowed remote URL). */
export type ProviderContentPart =
  | { type: 'text'; text: string }
  | { type: 'image_url'; image_url: { url: string } };

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
  /** Sampling fields, `tools` and `tool_choice`, forwarded verbatim (contract §3). */
  parameters: ForwardedParameters;
  /**
   * `false` when the caller only wants the whole answer: a provider may then ask its upstream for
   * one non-streamed response (much cheaper to read). Events are the same either way.
   * @defaultValue `true` (stream from the upstream)
   */
  stream?: boolean;
}

/**
 * What a provider yields, in order: any mix of text deltas and tool-call pieces, then one `usage`,
 * then one `finish`. Failures are thrown from the iterator as `GatewayError`s (contract §6).
 */
export type ProviderEvent =
  | { type: 'text-delta'; text: string }
  /** A new tool call; `index` counts calls of this response from 0. */
  | { type: 'tool-call-start'; index: number; id: string; name: string }
  | { type: 'tool-call-delta'; index: number; arguments: string }
  | { type: 'usage'; usage: ChatCompletionUsage }
  | { type: 'finish'; finishReason: FinishReason };

/** A model backend (`openai-completions`, `offline`, ...). */
export interface ModelProvider {
  /** The provider id from the configuration (`local`, `offline`). */
  readonly id: string;
  /**
   * Streams one completion. Aborting `signal` stops the iteration and closes the upstream request.
   *
   * @throws GatewayError mapped per contract §6 (thrown while iterating).
   */
  stream(request: ProviderRequest, options: { signal: AbortSignal }): AsyncIterable<ProviderEvent>;
  /** Releases connections (keep-alive pools). */
  close(): Promise<void>;
}
