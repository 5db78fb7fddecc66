import { type ClawgateError, ConnectionError, RateLimitError, TimeoutError } from './clawgate-error.js';

/** First backoff ceiling; doubled per attempt (500 ms, 1 s, 2 s, …). */
export const INITIAL_RETRY_DELAY_MS = 500;
/** Backoff ceiling for a single wait when the server gave no `Retry-After`. */
export const MAX_RETRY_DELAY_MS = 8_000;
/**
 * Longest `Retry-After` the client waits for by itself. The gateway's authentication lockout asks for
 * minutes; sleeping that long inside one call would look like a hang, so the error is thrown at once
 * with `retryAfterMs` and the caller decides.
 */
export const MAX_RETRY_AFTER_MS = 60_000;

// Codes (Node/undici) that prove no TCP connection was made, so the server never saw the request.
// Anything after the connection opened (ECONNRESET, "other side closed", "terminated") could have
// happened after the body was read, so it does not qualify.
const NOT_CONNECTED_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/**
 * Tells whether a network failure provably happened before any byte of the request reached the
 * server: the runtime's error (or its `cause` chain, or the members of an `AggregateError` from
 * happy-eyeballs connection attempts) carries a "could not connect" code. Browsers hide the reason,
 * so there this is always `false`.
 *
 * @param error - What `fetch` rejected with.
 * @returns `true` only when the connection was never established.
 */
export function isConnectFailure(error: unknown): boolean {
  const seen = new Set<unknown>();
  const pending: unknown[] = [error];
  // Bounded walk: causes can form cycles in hand-made errors.
  while (pending.length > 0 && seen.size < 16) {
    const current = pending.shift();
    if (typeof current !== 'object' || current === null || seen.has(current)) continue;
    seen.add(current);
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && NOT_CONNECTED_CODES.has(code)) return true;
    pending.push((current as { cause?: unknown }).cause);
    const members = (current as { errors?: unknown }).errors;
    if (Array.isArray(members)) pending.push(...members);
  }
  return false;
}

/** What {@link shouldRetry} needs to know about a failed attempt. */
export interface RetryCandidate {
  /** The typed error of the attempt. */
  error: ClawgateError;
  /**
   * Whether repeating the request is harmless even if the server processed it (GET). A chat
   * completion is not: the gateway appends the turn to the session transcript and may have called
   * the model, so a blind retry can duplicate the turn or double-bill the upstream.
   */
  idempotent: boolean;
  /** For a {@link ConnectionError}: whether the connection was never established. */
  connectFailed: boolean;
}

/**
 * Decides whether a failed attempt may be repeated.
 *
 * - Always: 429 and 503 (the server refused before doing the work), and connection failures that
 *   never reached the server.
 * - Idempotent requests only: every other 5xx, 408, any connection failure and timeouts.
 * - Never: other 4xx and caller aborts.
 *
 * @param candidate - See {@link RetryCandidate}.
 * @returns `true` when another attempt is safe and may help.
 */
export function shouldRetry(candidate: RetryCandidate): boolean {
  const { error, idempotent, connectFailed } = candidate;
  if (ConnectionError.isInstance(error)) return idempotent || connectFailed;
  if (TimeoutError.isInstance(error)) return idempotent;
  if (RateLimitError.isInstance(error) || error.status === 503) return true;
  if (error.status === undefined) return false;
  return idempotent && (error.status >= 500 || error.status === 408);
}

/**
 * How long to wait before retry number `attempt` (0-based): the server's `Retry-After` when it gave
 * one, else exponential backoff with full jitter (a uniform random wait between 0 and
 * `min(MAX_RETRY_DELAY_MS, INITIAL_RETRY_DELAY_MS * 2^attempt)`), which spreads out many clients
 * that failed together instead of having them retry in lockstep.
 *
 * @param options - The attempt index, the server's `Retry-After` in ms, and a random source.
 * @param options.attempt - 0 for the first retry.
 * @param options.retryAfterMs - From the failed response, if present.
 * @param options.random - Returns a number in [0, 1). @defaultValue `Math.random`
 * @returns The wait in ms, or `undefined` when `Retry-After` exceeds {@link MAX_RETRY_AFTER_MS}
 *   (give up and throw instead of waiting).
 */
export function computeRetryDelay(options: {
  attempt: number;
  retryAfterMs?: number | undefined;
  random?: () => number;
}): number | undefined {
  const { attempt, retryAfterMs, random = Math.random } = options;
  if (retryAfterMs !== undefined) {
    return retryAfterMs <= MAX_RETRY_AFTER_MS ? retryAfterMs : undefined;
  }
  const ceiling = Math.min(MAX_RETRY_DELAY_MS, INITIAL_RETRY_DELAY_MS * 2 ** attempt);
  return Math.floor(random() * ceiling);
}
