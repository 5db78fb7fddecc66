/**
 * How long to wait before reconnecting: exponential backoff with jitter, so many pages whose gateway
 * restarted do not all come back in the same millisecond
 * (https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/, "equal jitter").
 */

/** The backoff's bounds. */
export interface ReconnectBackoff {
  /** The first wait's ceiling, in ms. */
  initialMs: number;
  /** No wait is longer, in ms. */
  maxMs: number;
}

/**
 * The wait before the next attempt: the ceiling `initialMs · 2^failedAttempts` (at most `maxMs`),
 * of which half is fixed and half random.
 *
 * @param options.failedAttempts - Attempts since the last successful handshake (0 for the first retry).
 * @param options.random - A number in [0, 1).
 * @example
 * nextReconnectDelay({ backoff: { initialMs: 500, maxMs: 15_000 }, failedAttempts: 2, random: () => 0 }); // 1000
 */
export function nextReconnectDelay(options: {
  backoff: ReconnectBackoff;
  failedAttempts: number;
  random: () => number;
}): number {
  const { backoff, failedAttempts, random } = options;
  // 2^30 already passes any sensible maxMs; capping the exponent keeps the product finite.
  const ceiling = Math.min(backoff.maxMs, backoff.initialMs * 2 ** Math.min(failedAttempts, 30));
  return Math.round(ceiling / 2 + (ceiling / 2) * random());
}
