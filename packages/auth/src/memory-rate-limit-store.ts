import type {
  RateLimitFailureResult,
  RateLimitState,
  RateLimitStore,
  RecordFailureOptions,
} from './rate-limit-store.js';

/** Options of {@link MemoryRateLimitStore}. */
export interface MemoryRateLimitStoreOptions {
  /**
   * Most keys kept. Beyond it the least recently failed unlocked key is evicted first; a locked
   * key (the oldest lock) is evicted only when every other kept key is locked, so memory stays
   * bounded under a flood and new clients can still be tracked.
   * @defaultValue 10_000
   */
  maxEntries?: number;
  /**
   * How often expired windows and locks are swept, in ms. The timer is `unref()`ed so it never
   * keeps the process alive.
   * @defaultValue 60_000
   */
  pruneIntervalMs?: number;
  /**
   * Clock for the background sweep (the authorizer passes its own `now` to every call).
   * @defaultValue Date.now
   */
  now?: () => number;
}

interface UnlockedEntry {
  /** Failure times (epoch ms), oldest first; the live ones start at `head`. */
  attempts: number[];
  /** Index of the oldest failure still in the window (earlier slots are spent, dropped in batches). */
  head: number;
  /** When the newest failure leaves the window and the entry is useless. */
  expiresAt: number;
}

interface LockedEntry {
  lockedUntil: number;
  attempts: number;
}

/**
 * The in-process rate-limit store: the default, for a single gateway process.
 *
 * Synchronous, bounded by `maxEntries`, swept on an unref'ed timer. Keys live in two
 * insertion-ordered maps so the oldest unlocked key is found in O(1) when evicting: a flood
 * of new client IPs cannot push out the locks that stop a brute-force attempt.
 *
 * @example
 * ```ts
 * const store = new MemoryRateLimitStore({ maxEntries: 50_000 });
 * const authorizer = createGatewayAuthorizer({ auth, rateLimit: { store } });
 * // on shutdown
 * store.close();
 * ```
 */
export class MemoryRateLimitStore implements RateLimitStore {
  private readonly unlocked = new Map<string, UnlockedEntry>();
  private readonly locked = new Map<string, LockedEntry>();
  private readonly maxEntries: number;
  private readonly now: () => number;
  private timer: ReturnType<typeof setInterval> | undefined;

  /**
   * @param options - Capacity, sweep interval and clock.
   * @throws {TypeError} When `maxEntries` or `pruneIntervalMs` is not a positive integer.
   */
  constructor(options: MemoryRateLimitStoreOptions = {}) {
    const maxEntries = options.maxEntries ?? 10_000;
    const pruneIntervalMs = options.pruneIntervalMs ?? 60_000;
    if (!Number.isSafeInteger(maxEntries) || maxEntries < 1) {
      throw new TypeError('MemoryRateLimitStore maxEntries must be a positive integer');
    }
    if (!Number.isSafeInteger(pruneIntervalMs) || pruneIntervalMs < 1) {
      throw new TypeError('MemoryRateLimitStore pruneIntervalMs must be a positive integer');
    }
    this.maxEntries = maxEntries;
    this.now = options.now ?? Date.now;
    this.timer = setInterval(() => this.prune(), pruneIntervalMs);
    this.timer.unref();
  }

  /** Number of keys currently held (unlocked and locked). */
  get size(): number {
    return this.unlocked.size + this.locked.size;
  }

  /** {@inheritDoc RateLimitStore.check} */
  check(key: string, now: number): RateLimitState {
    const lock = this.locked.get(key);
    if (lock !== undefined) {
      if (lock.lockedUntil > now) return { lockedUntil: lock.lockedUntil, attempts: lock.attempts };
      // The lock ran out: the key starts afresh (its window was cleared when it locked).
      this.locked.delete(key);
      return { attempts: 0 };
    }
    const entry = this.unlocked.get(key);
    return { attempts: entry === undefined ? 0 : entry.attempts.length - entry.head };
  }

  /** {@inheritDoc RateLimitStore.recordFailure} */
  recordFailure(key: string, options: RecordFailureOptions): RateLimitFailureResult {
    const { now, windowMs, maxAttempts, lockoutMs } = options;
    const lock = this.locked.get(key);
    if (lock !== undefined) {
      // Failures while locked neither count nor extend the lock.
      if (lock.lockedUntil > now) {
        return { lockedUntil: lock.lockedUntil, attempts: lock.attempts, counted: false };
      }
      this.locked.delete(key);
    }
    const previous = this.unlocked.get(key);
    // Re-inserting moves the key to the young end of the map, which drives eviction order.
    this.unlocked.delete(key);
    const windowStart = now - windowMs;
    // Failure times only grow, so those out of the window are a prefix: step over them instead of
    // copying the list on every failure (with a large maxAttempts, a brute-forcer's list is long).
    let attempts = previous?.attempts ?? [];
    let head = previous?.head ?? 0;
    while (head < attempts.length && (attempts[head] as number) <= windowStart) head += 1;
    if (head >= 64 && head * 2 >= attempts.length) {
      attempts = attempts.slice(head);
      head = 0;
    }
    attempts.push(now);
    const count = attempts.length - head;
    if (count >= maxAttempts) {
      const lockedUntil = now + lockoutMs;
      this.locked.set(key, { lockedUntil, attempts: count });
      this.evict(key);
      return { lockedUntil, attempts: count, counted: true };
    }
    this.unlocked.set(key, { attempts, head, expiresAt: now + windowMs });
    this.evict(key);
    return { attempts: count, counted: true };
  }

  /** {@inheritDoc RateLimitStore.reset} */
  reset(key: string): void {
    this.unlocked.delete(key);
    this.locked.delete(key);
  }

  /**
   * Drops expired windows and locks. Runs on the timer; callable directly.
   *
   * @param now - Current time in epoch ms.
   * @defaultValue now - the store's clock
   */
  prune(now: number = this.now()): void {
    for (const [key, entry] of this.unlocked) {
      if (entry.expiresAt <= now) this.unlocked.delete(key);
    }
    for (const [key, entry] of this.locked) {
      if (entry.lockedUntil <= now) this.locked.delete(key);
    }
  }

  /** Stops the sweep timer and forgets every key. Safe to call twice. */
  close(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    this.unlocked.clear();
    this.locked.clear();
  }

  /**
   * Brings the store back to `maxEntries`. The key just written is spared: evicting it would let
   * a new client fail forever without ever locking while the store is full of locks, so in that
   * case the oldest lock (the one closest to ending) goes instead.
   */
  private evict(currentKey: string): void {
    while (this.size > this.maxEntries) {
      // Map iteration order is insertion order, so the first keys are the oldest.
      const victim = firstKeyExcept(this.unlocked, currentKey) ?? firstKeyExcept(this.locked, currentKey);
      if (victim === undefined) return;
      this.unlocked.delete(victim);
      this.locked.delete(victim);
    }
  }
}

function firstKeyExcept(map: Map<string, unknown>, excluded: string): string | undefined {
  for (const key of map.keys()) {
    if (key !== excluded) return key;
  }
  return undefined;
}
