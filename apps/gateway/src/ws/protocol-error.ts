/**
 * The error object of the WebSocket protocol's `res` frames
 * (docs/ws-protocol.md#frames-and-errors): `{ code, message, details?, retryable?, retryAfterMs? }`.
 * A method handler throws a {@link ProtocolFailure}; the connection answers it as `ok: false`.
 */
import type { GatewayError } from '../errors.js';

/** The error codes this gateway sends (OpenClaw's wire names). */
export type ProtocolErrorCode = 'INVALID_REQUEST' | 'FORBIDDEN' | 'NOT_PAIRED' | 'UNAVAILABLE';

/** The `error` of a `res` frame with `ok: false`. */
export interface ProtocolError {
  code: ProtocolErrorCode;
  message: string;
  details?: Record<string, unknown>;
  retryable?: boolean;
  retryAfterMs?: number;
}

const marker = Symbol.for('@clawgate/gateway.ProtocolFailure');

/** Thrown by a method handler to answer its request with `ok: false` and this error. */
export class ProtocolFailure extends Error {
  readonly [marker] = true;
  readonly error: ProtocolError;

  constructor(error: ProtocolError) {
    super(error.message);
    this.name = 'ProtocolFailure';
    this.error = error;
  }

  static isInstance(value: unknown): value is ProtocolFailure {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[marker] === true;
  }
}

/** `INVALID_REQUEST` with `message` (and `details` when given). */
export function invalidRequestError(message: string, details?: Record<string, unknown>): ProtocolError {
  return details === undefined ? { code: 'INVALID_REQUEST', message } : { code: 'INVALID_REQUEST', message, details };
}

/** `UNAVAILABLE`, retryable: the gateway cannot serve this now (shutting down, store down, upstream down). */
export function unavailableError(message: string, retryAfterMs?: number): ProtocolError {
  return {
    code: 'UNAVAILABLE',
    message,
    retryable: true,
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  };
}

/**
 * A run's `GatewayError` as a protocol error: the request's own fault (4xx but 429) is
 * `INVALID_REQUEST`, a missing permission `FORBIDDEN`, everything else (upstream down, 429, 5xx,
 * timeouts, shutdown) `UNAVAILABLE` and retryable, with the upstream's `Retry-After` passed on.
 */
export function fromGatewayError(error: GatewayError): ProtocolError {
  if (error.status === 403) return { code: 'FORBIDDEN', message: error.message };
  if (error.status >= 400 && error.status < 500 && error.status !== 429 && error.status !== 408)
    return invalidRequestError(error.message);
  return unavailableError(
    error.message,
    error.retryAfterSeconds === undefined ? undefined : error.retryAfterSeconds * 1000,
  );
}
