/**
 * A per-session lock shared by every process that talks to one Redis: `SET NX PX` semantics with a
 * random token per acquisition, renewed while held, released by compare-and-delete.
 *
 * Why these rules:
 * - Expiry: a replica that dies (crash, kill -9, network loss) cannot block the session for ever;
 *   its lock lapses after `ttlMs` and a waiter takes over.
 * - Renewal every `ttlMs / 3`: a long model stream keeps its lock however long it runs, and two
 *   renewals may fail (a Redis blip) before the lock lapses.
 * - A token per acquisition: release and renewal only touch the caller's own lock, and the store's
 *   append is fenced on it, so a holder whose lock lapsed cannot write after the next holder.
 * - Waiting: polling with jittered, growing delays (10 ms up to 100 ms) instead of pub/sub, which
 *   would need a second connection per store. Waiters from one process never reach this code
 *   together: the store queues them in process first, so each process polls at most once per
 *   session at a time. The first waiter in line claims a short-lived "next" slot, so a busy
 *   replica cannot starve another replica's waiter by re-taking the lock for its own queue.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { GatewayError } from '../errors.js';
import { sessionBusy, sessionStoreUnavailable } from './redis-session-errors.js';
import { redisSessionKeys, type RedisSessionKeys } from './redis-session-keys.js';
import type { RedisSessionScripts } from './redis-session-scripts.js';

/** Shortest and longest pause between two attempts of a waiter (before jitter). */
const FIRST_POLL_DELAY_MS = 10;
const LONGEST_POLL_DELAY_MS = 100;
/**
 * Life of a waiter's "first in line" claim. It is refreshed on every poll (at most ~100 ms apart),
 * so it only lapses when the waiter is gone; then the lock is free for anyone again within a second.
 */
const CLAIM_TTL_MS = 1_000;

/** Options of {@link createRedisSessionLock}. */
export interface RedisSessionLockOptions {
  /** The store's scripts (see `defineRedisSessionScripts`). */
  scripts: RedisSessionScripts;
  /** Key prefix, as for the transcripts. */
  prefix: string;
  /** Lock expiry; renewed every third of it while held. */
  ttlMs: number;
  /** How long `acquire` waits for another holder before giving up with 503 `session is busy`. */
  waitMs: number;
  /** Random source for token-independent jitter (tests may pin it). @defaultValue `Math.random` */
  random?: () => number;
}

/** A lock this process holds. */
export interface HeldRedisSessionLock {
  /** The session's Redis keys. */
  readonly keys: RedisSessionKeys;
  /** This acquisition's random token (the fencing token the append script checks). */
  readonly token: string;
  /** `true` once a renewal found the lock gone or owned by another run (it lapsed). */
  readonly lost: boolean;
  /**
   * The newest transcript elements (oldest first) read atomically with taking the lock, when
   * `acquire` was asked for them (at most `readTurns`; fewer means that is the whole transcript).
   */
  readonly newestTurns: readonly string[] | undefined;
  /**
   * Stops renewing and deletes the lock if it is still ours. Never rejects: a lock it could not delete lapses by
   * itself.
   */
  release(): Promise<void>;
}

/** Acquires session locks. */
export interface RedisSessionLock {
  /**
   * Waits until this process holds the session's lock.
   *
   * @param options.readTurns - Also read this many of the newest transcript elements in the same
   *   round trip as the successful attempt (see {@link HeldRedisSessionLock.newestTurns}).
   * @throws GatewayError 503 `session is busy` after `waitMs`, or 503 `session store unavailable`
   *   when Redis fails.
   */
  acquire(sessionKey: string, options?: { readTurns?: number }): Promise<HeldRedisSessionLock>;
}

/**
 * Creates the cross-process lock used by the Redis session store.
 *
 * @param options - See {@link RedisSessionLockOptions}.
 * @example
 * const locks = createRedisSessionLock({ scripts, prefix: 'clawgate:', ttlMs: 15_000, waitMs: 60_000 });
 * const held = await locks.acquire(sessionKey);
 * try { ... } finally { await held.release(); }
 */
export function createRedisSessionLock(options: RedisSessionLockOptions): RedisSessionLock {
  const { scripts, prefix, ttlMs, waitMs } = options;
  const random = options.random ?? Math.random;

  function hold(
    keys: RedisSessionKeys,
    token: string,
    newestTurns: readonly string[] | undefined,
  ): HeldRedisSessionLock {
    let lost = false;
    let released = false;
    const renew = async () => {
      try {
        if ((await scripts.renew(keys.lock, token, ttlMs)) === 0 && !released) {
          lost = true;
          clearInterval(timer);
        }
      } catch {
        // Redis is unreachable: try again on the next tick. If it stays away past the expiry the
        // lock lapses and the fenced append refuses this run's turn.
      }
    };
    const timer = setInterval(() => void renew(), Math.max(1, Math.floor(ttlMs / 3)));
    // The running task keeps the process alive; a renewal timer alone must not.
    timer.unref();
    return {
      keys,
      token,
      newestTurns,
      get lost() {
        return lost;
      },
      async release() {
        if (released) return;
        released = true;
        clearInterval(timer);
        await scripts.release(keys.lock, token).catch(() => undefined);
      },
    };
  }

  return {
    async acquire(sessionKey, options) {
      const keys = redisSessionKeys(prefix, sessionKey);
      const token = randomUUID();
      const readTurns = options?.readTurns;
      const deadline = performance.now() + waitMs;
      // Bounded by time: every pass either returns, throws, or sleeps until at most the deadline.
      for (let attempt = 0; ; attempt += 1) {
        let acquired: boolean;
        let newestTurns: string[] | undefined;
        try {
          if (readTurns === undefined) {
            acquired = (await scripts.acquire(keys.lock, keys.next, token, ttlMs, CLAIM_TTL_MS)) === 1;
          } else {
            newestTurns = await scripts.acquireAndRead(
              keys.lock,
              keys.next,
              keys.transcript,
              token,
              ttlMs,
              CLAIM_TTL_MS,
              readTurns,
            );
            acquired = newestTurns !== undefined;
          }
        } catch (error) {
          throw GatewayError.isInstance(error) ? error : sessionStoreUnavailable(error);
        }
        if (acquired) return hold(keys, token, newestTurns);
        const remaining = deadline - performance.now();
        if (remaining <= 0) {
          // Give up first place at once so the next waiter need not wait for the claim to lapse.
          await scripts.release(keys.next, token).catch(() => undefined);
          throw sessionBusy();
        }
        const delay = Math.min(LONGEST_POLL_DELAY_MS, FIRST_POLL_DELAY_MS * 1.5 ** attempt);
        // Full jitter in [delay/2, delay): waiters on several replicas do not poll in lockstep.
        await sleep(Math.min(remaining, delay / 2 + (random() * delay) / 2));
      }
    },
  };
}
