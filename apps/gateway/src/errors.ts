/**
 * The gateway's one error family. Everything that ends a request with a known status is a
 * `GatewayError`; the final error middleware (and the SSE error frame) serialise it with `toJSON()`.
 * Anything else that escapes is a 500 `internal error`
 * (docs/http-contract.md#1-request-pipeline-and-errors).
 */
import { createErrorBody, type OpenAIErrorBody } from '@clawgate/openai-schemas';

const marker = Symbol.for('@clawgate/gateway.GatewayError');

/**
 * How an upstream call failed, for the run's fallbacks (docs/http-contract.md#model-fallbacks):
 * `connect` (no connection: refused, DNS, unreachable, connect timeout; the request never left),
 * `reset` (the connection broke before an answer), `timeout` (no answer in time), `server` (5xx),
 * `rate-limit` (429), `auth` (401/403).
 */
export type UpstreamFailure = 'connect' | 'reset' | 'timeout' | 'server' | 'rate-limit' | 'auth';

export interface GatewayErrorOptions {
  status: number;
  type: string;
  code?: string;
  /** The request field at fault (`previous_response_id`), as OpenAI names it. */
  param?: string;
  /** Set on an upstream failure another model may answer instead (never sent to clients). */
  upstreamFailure?: UpstreamFailure;
  /** Seconds for a `Retry-After` header (429 from the limiter or passed on from an upstream). */
  retryAfterSeconds?: number;
  cause?: unknown;
}

export class GatewayError extends Error {
  readonly [marker] = true;
  readonly status: number;
  readonly type: string;
  readonly code: string | undefined;
  readonly param: string | undefined;
  readonly upstreamFailure: UpstreamFailure | undefined;
  readonly retryAfterSeconds: number | undefined;

  constructor(message: string, options: GatewayErrorOptions) {
    super(message, { cause: options.cause });
    this.name = 'GatewayError';
    this.status = options.status;
    this.type = options.type;
    this.code = options.code;
    this.param = options.param;
    this.upstreamFailure = options.upstreamFailure;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }

  static isInstance(error: unknown): error is GatewayError {
    return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[marker] === true;
  }

  /**
   * OpenAI-shaped wire body: `code` only when known, never `null` fields
   * (docs/http-contract.md#1-request-pipeline-and-errors).
   */
  toJSON(): OpenAIErrorBody {
    return createErrorBody({ message: this.message, type: this.type, code: this.code, param: this.param });
  }
}

/** 400 `invalid_request_error` with the contract's exact message. */
export function invalidRequest(message: string, cause?: unknown): GatewayError {
  return new GatewayError(message, { status: 400, type: 'invalid_request_error', cause });
}

/** 500 for anything unexpected; the message never carries internals. */
export function internalError(cause?: unknown): GatewayError {
  return new GatewayError('internal error', { status: 500, type: 'api_error', cause });
}
