/** A value or a promise of it: stores may be synchronous (memory) or asynchronous (Redis). */
export type MaybePromise<T> = T | Promise<T>;

/** What a store knows about one key. */
export interface RateLimitState {
  /** Epoch ms until which the key is locked; absent (or in the past) when not locked. */
  lockedUntil?: number;
  /** Failures currently recorded for the key (may include ones about to leave the window). */
  attempts: number;
}

/** The outcome of recording one failed attempt. */
export interface RateLimitFailureResult extends RateLimitState {
  /**
   * `false` when the key was already locked, so the failure was not counted and the lock was
   * not extended; `true` otherwise (including the failure that caused the lock).
   */
  counted: boolean;
}

/** Parameters of {@link RateLimitStore.recordFailure}, passed on every call. */
export interface RecordFailureOptions {
  /** Current time in epoch ms (the authorizer's clock). */
  now: number;
  /** Sliding window length in ms. */
  windowMs: number;
  /** Failures inside the window that lock the key. */
  maxAttempts: number;
  /** Lock duration in ms. */
  lockoutMs: number;
}

/**
 * Storage behind the auth-failure rate limiter. Implement it to share counters elsewhere.
 *
 * Each method is one atomic operation: `recordFailure` must drop failures older than the window,
 * add this one, and lock the key when `maxAttempts` is reached, all at once, so concurrent
 * requests (or replicas) can neither lose a count nor create two locks. A key that is locked
 * must not be counted or have its lock extended. Methods may throw/reject; the authorizer then
 * rejects with `RateLimitStoreUnavailableError`.
 */
export interface RateLimitStore {
  /** Reads the lock state of `key` at time `now` (epoch ms). */
  check(key: string, now: number): MaybePromise<RateLimitState>;
  /** Records one failed attempt atomically; see {@link RecordFailureOptions}. */
  recordFailure(key: string, options: RecordFailureOptions): MaybePromise<RateLimitFailureResult>;
  /** Forgets every failure and lock of `key` (after a successful authentication). */
  reset(key: string): MaybePromise<void>;
  /**
   * Releases what the store itself holds (timers, caches). Optional: a store with nothing of its
   * own to release, such as one on a Redis client its caller owns, leaves it out.
   */
  close?(): MaybePromise<void>;
}
