/**
 * The gateway's own tracing surface (docs/observability.md#traces): what the request path, the run
 * and the providers call, implemented with OpenTelemetry in `otel-tracing.ts`. The hot path only
 * ever sees these types and an `if (trace !== undefined)`: with tracing off nothing here is
 * allocated and no OpenTelemetry module is loaded.
 *
 * Every string a caller hands over (span names, failures) is bounded: a route, an error type, a
 * failure kind. Session keys, users, tokens and message text never go through these methods, except
 * the messages and reply of a model call, which the implementation records only with
 * `logging.includeContent`.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { ProviderMessage } from '../providers/model-provider.js';

/** One span of a trace. Ended once; later `end` calls do nothing. */
export interface TraceSpan {
  /** 32 lowercase hex digits, as W3C `traceparent` writes it. */
  readonly traceId: string;
  /** 16 lowercase hex digits. */
  readonly spanId: string;
  /** Starts an internal child span (`auth`, `session.load`, …). */
  startChild(name: string): TraceSpan;
  /** Starts the CLIENT child span of one call to a model (GenAI semantic conventions). */
  startModelCall(call: ModelCallStart): ModelCallSpan;
  /**
   * Ends the span. A `failure` sets its status to ERROR with that description and `error.type`:
   * it must be bounded (an error type, a failure kind, a status), never a message.
   */
  end(failure?: string): void;
}

/** What a model call is, known before it is made. */
export interface ModelCallStart {
  operation: 'chat' | 'embeddings';
  /** The provider id of the configuration (`gen_ai.provider.name`). */
  providerId: string;
  /** The model id the upstream receives (`gen_ai.request.model`). */
  model: string;
  /** The conversation sent; recorded only when content is included. */
  messages?: readonly ProviderMessage[];
}

/** How a model call answered. */
export interface ModelCallAnswer {
  /** The `model` the upstream's answer named (`gen_ai.response.model`), when it named one. */
  responseModel?: string;
  inputTokens: number;
  outputTokens?: number;
  finishReason?: string;
  /** The reply text; recorded only when content is included. */
  outputText?: string;
}

/** The span of one upstream call. */
export interface ModelCallSpan extends TraceSpan {
  /** W3C trace-context headers (`traceparent`, `tracestate`) naming this span as the parent. */
  readonly propagationHeaders: Readonly<Record<string, string>>;
  /** Records the answer's model, usage and finish reason, and ends the span. */
  answered(answer: ModelCallAnswer): void;
}

/** The SERVER span of one HTTP request. */
export interface RequestSpan extends TraceSpan {
  /** Records the agent that served the request (a configured id). */
  setAgent(agentId: string): void;
  /**
   * Records the response status and ends the span: status ERROR for a 5xx, or for a `failure` that
   * ended a response whose status was already sent (a stream's error frame).
   */
  finish(status: number, failure: string | undefined): void;
}

/** The HTTP request a {@link RequestSpan} is started for: its method and headers (`traceparent`). */
export interface TracedRequest {
  method?: string | undefined;
  headers: IncomingHttpHeaders;
}

/** Tracing, when configured: the roots of every trace the gateway starts. */
export interface Tracing {
  /**
   * Starts the span of one HTTP request, continuing the client's W3C `traceparent` when it sent one.
   *
   * @param route - The matched route (`/v1/chat/completions`), or `undefined` for an unknown path.
   * @param path - The request's path without its query.
   */
  startRequestSpan(request: TracedRequest, route: string | undefined, path: string): RequestSpan;
  /** Starts the span of one WebSocket turn (`chat.send`, `agent`). */
  startTurnSpan(method: string): TraceSpan;
  /** Exports every span still buffered, then stops exporting. Never rejects. */
  shutdown(): Promise<void>;
}
