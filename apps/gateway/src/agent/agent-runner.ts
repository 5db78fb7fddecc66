/**
 * The seam between the transports (HTTP endpoint, `clawgate agent` CLI) and the agent run.
 * Both transports call `prepare` (all request-level checks, no I/O to the model) and then `run`,
 * handing it a `ReplySink` for the reply's pieces; nothing here knows about HTTP.
 */
import type { ChatCompletionRequest, ChatCompletionUsage } from '@clawgate/openai-schemas';
import type { SessionKeyKind } from '@clawgate/session-key';
import type { GatewayError } from '../errors.js';
import type { TraceSpan } from '../tracing/tracing.js';
import type { ReplySink } from './reply-sink.js';
import type { TurnTimings } from './run-observer.js';

/**
 * Sampling and output fields forwarded verbatim to the upstream model
 * (docs/http-contract.md#3-request-validation).
 */
export type ForwardedParameters = Pick<
  ChatCompletionRequest,
  | 'temperature'
  | 'top_p'
  | 'frequency_penalty'
  | 'presence_penalty'
  | 'seed'
  | 'stop'
  | 'response_format'
  | 'max_completion_tokens'
  | 'max_tokens'
  | 'tools'
  | 'tool_choice'
>;

/** One turn, as the transports hand it over after auth, validation and session resolution. */
export interface AgentRunInput {
  agentId: string;
  sessionKey: string;
  /** How the session key was chosen; `ephemeral` sessions are not persisted by default. */
  sessionKind: SessionKeyKind;
  /**
   * `true` stores the turn even in an `ephemeral` session: a Responses API call with `store` not
   * `false`, whose id a later `previous_response_id` may continue (docs/responses-api.md#sessions).
   * @defaultValue `false` (ephemeral sessions follow `sessions.persistEphemeral`)
   */
  storeTurn?: boolean;
  messages: ChatCompletionRequest['messages'];
  parameters: ForwardedParameters;
  /** `x-openclaw-model`, checked against the agent's allow-list in `prepare`. */
  modelOverride?: string;
  /** `x-openclaw-message-channel`, trimmed and lowercased; default `webchat`. */
  messageChannel: string;
  /**
   * `false` when the transport answers with one JSON body (the request's `stream` was not
   * `true`), so the provider may fetch the upstream answer whole instead of as an SSE stream. The
   * sink receives the same calls either way.
   * @defaultValue `true` (stream from the upstream, as the CLI and streaming clients want)
   */
  stream?: boolean;
}

/** A turn that passed every request-level check; opaque to the transports. */
export interface PreparedRun {
  readonly input: AgentRunInput;
  /** Filled by `run` as the turn goes; absent on a hand-made one (docs/observability.md#metrics). */
  readonly timings?: TurnTimings;
}

export interface ToolCall {
  id: string;
  name: string;
  arguments: string;
}

export type FinishReason = 'stop' | 'length' | 'tool_calls';

/** What a completed turn produced, whole. */
export interface RunResult {
  finishReason: FinishReason;
  /** The whole reply text (the fallback text when the model said nothing and called no tool). */
  text: string;
  toolCalls: ToolCall[];
  usage: ChatCompletionUsage;
  /** `<provider>/<model id>` that answered (the agent's model, or the allowed override). */
  model: string;
}

/**
 * How a run ended: its result, or the failure as a `GatewayError` already mapped to the status and
 * body the client gets (docs/http-contract.md#6-responses); an abort is reported as 499
 * `client_closed_request`.
 */
export type RunOutcome = ({ ok: true } & RunResult) | { ok: false; error: GatewayError };

/** How a run is asked for: its abort signal and, when tracing is on, the span it belongs to. */
export interface RunOptions {
  signal: AbortSignal;
  /**
   * The span of the request or turn: the run adds children for the session and each model call
   * (docs/observability.md#traces). @defaultValue none: nothing is traced
   */
  trace?: TraceSpan | undefined;
}

export interface AgentRunner {
  /**
   * All checks that must fail before any response is sent: unknown agent (`Unknown agent '<id>'.`),
   * model override not allowed, missing user message, invalid images.
   * @throws GatewayError (400) with the contract's exact message.
   */
  prepare(input: AgentRunInput): PreparedRun;
  /**
   * The request-level checks that need I/O (today only remote image URLs, allowed with
   * `images.allowUrl`, whose hosts are resolved and must be public). Call after `prepare` and before
   * sending response headers so a failure is still a plain 400; `run` repeats the check (a failure
   * is then its `{ ok: false }` outcome) when this was not called.
   * @throws GatewayError (400) ``Invalid image_url content in `messages`.``
   */
  verify?(prepared: PreparedRun): Promise<void>;
  /**
   * Runs the turn: serialised per session key (stored sessions only), loads the transcript, calls
   * the provider, pushes the reply into `sink` piece by piece as it arrives, appends the completed
   * turn to the transcript, then resolves with the outcome. When the model says nothing and calls
   * no tool, the fallback text is pushed too. Aborting `signal` aborts the upstream request.
   * Never rejects: a failure is the `{ ok: false }` outcome.
   */
  run(prepared: PreparedRun, sink: ReplySink, options: RunOptions): Promise<RunOutcome>;
}
