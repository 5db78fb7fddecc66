/**
 * The errors the Redis session store raises. All are 503 `service_unavailable` (the request may
 * succeed when retried) and their messages never name the Redis address or credentials: they reach
 * HTTP clients. The Redis error is kept as `cause` for logs.
 */
import { GatewayError } from '../errors.js';

/** The wire `type` of every Redis session store error. */
export const SERVICE_UNAVAILABLE = 'service_unavailable';

/**
 * Redis did not answer (down, unreachable, timed out, reconnecting).
 *
 * @param cause - The ioredis error, kept for logs.
 * @returns A 503 `GatewayError` with message `session store unavailable`.
 */
export function sessionStoreUnavailable(cause?: unknown): GatewayError {
  return new GatewayError('session store unavailable', { status: 503, type: SERVICE_UNAVAILABLE, cause });
}

/**
 * Another run held the session for longer than `lockWaitMs`. `Retry-After: 1` invites a retry:
 * the other run is alive (its lock is being renewed), so the session frees up eventually.
 *
 * @returns A 503 `GatewayError` with message `session is busy`.
 */
export function sessionBusy(): GatewayError {
  return new GatewayError('session is busy', { status: 503, type: SERVICE_UNAVAILABLE, retryAfterSeconds: 1 });
}

/**
 * The run's lock expired (and may now belong to another run) before its turn was stored, so the
 * turn was refused rather than interleaved with another run's turns.
 *
 * @returns A 503 `GatewayError` with message `session lock lost; the turn was not stored`.
 */
export function sessionLockLost(): GatewayError {
  return new GatewayError('session lock lost; the turn was not stored', { status: 503, type: SERVICE_UNAVAILABLE });
}

/**
 * The store was closed (the gateway is shutting down).
 *
 * @returns A 503 `GatewayError` with message `session store is closed`.
 */
export function sessionStoreClosed(): GatewayError {
  return new GatewayError('session store is closed', { status: 503, type: SERVICE_UNAVAILABLE });
}
