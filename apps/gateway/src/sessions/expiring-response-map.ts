/**
 * The in-process map of remembered response ids behind the memory and file stores'
 * `rememberResponse`/`recallResponse` (docs/responses-api.md#sessions): bounded, and expiring
 * without a timer per entry.
 *
 * - Bound: at most `maxEntries`; past it the oldest-remembered entry is evicted first. The `Map`'s
 *   insertion order is the order of remembering (a replaced id is re-inserted), so the oldest entry
 *   is always the first key: O(1).
 * - Expiry: an expired entry is dropped when a recall meets it, and each remember also drops up to
 *   {@link SWEEP_PER_REMEMBER} expired entries from the front. The gateway gives every id the same
 *   TTL (`previousResponseTtlMs`), so the front is also what expires first and the sweep, removing
 *   more per call than a call adds, keeps up. An entry with a longer TTL at the front holds the sweep
 *   back; expired entries behind it then wait for a recall, for the front to expire, or for the bound.
 */
import type { StoredResponse } from './session-store.js';

/** Expired entries one remember may drop from the front: more than the one it adds, and O(1). */
const SWEEP_PER_REMEMBER = 4;

/** One remembered id, as a compaction of the file store's log writes it back. */
export interface RememberedResponse {
  responseId: string;
  record: StoredResponse;
  /** Epoch ms from which the id is forgotten. */
  expiresAt: number;
}

/** A bounded map of response ids to their records, each until its own expiry time. */
export interface ExpiringResponseMap {
  /**
   * Stores `record` for `responseId` until `expiresAt` as the newest entry, replacing any earlier
   * one; an `expiresAt` already passed forgets the id. Evicts the oldest entries past the bound.
   */
  remember(responseId: string, record: StoredResponse, expiresAt: number): void;
  /** A copy of the record of `responseId` before its expiry; `undefined` otherwise (unknown, expired, evicted). */
  recall(responseId: string): StoredResponse | undefined;
  /** The entries not yet expired, oldest-remembered first. O(n): for compactions, not for every call. */
  liveEntries(): RememberedResponse[];
  /** Entries held, expired ones not yet dropped included. */
  readonly size: number;
}

/** Options of {@link createExpiringResponseMap}. */
export interface ExpiringResponseMapOptions {
  /** Most entries kept (≥ 1). */
  maxEntries: number;
  /** The clock, in epoch ms (injected so tests move time instead of waiting). */
  now: () => number;
}

/**
 * Creates an empty {@link ExpiringResponseMap}.
 *
 * @throws TypeError when `maxEntries` is not a positive integer.
 * @example
 * const responses = createExpiringResponseMap({ maxEntries: 100_000, now: Date.now });
 * responses.remember('resp_1', { sessionKey, agentId: 'main' }, Date.now() + ttlMs);
 */
export function createExpiringResponseMap(options: ExpiringResponseMapOptions): ExpiringResponseMap {
  const { maxEntries, now } = options;
  if (!Number.isSafeInteger(maxEntries) || maxEntries < 1) {
    throw new TypeError('`maxResponses` must be a positive integer');
  }
  const entries = new Map<string, { record: StoredResponse; expiresAt: number }>();

  function sweepFront(time: number): void {
    for (let swept = 0; swept < SWEEP_PER_REMEMBER; swept += 1) {
      const oldest = entries.entries().next();
      if (oldest.done || oldest.value[1].expiresAt > time) return;
      entries.delete(oldest.value[0]);
    }
  }

  return {
    remember(responseId, record, expiresAt) {
      const time = now();
      // Deleted first so a replaced id moves to the back: it is now the newest remembered.
      entries.delete(responseId);
      sweepFront(time);
      if (expiresAt <= time) return;
      entries.set(responseId, { record: { sessionKey: record.sessionKey, agentId: record.agentId }, expiresAt });
      while (entries.size > maxEntries) {
        const oldest = entries.keys().next();
        if (oldest.done) break;
        entries.delete(oldest.value);
      }
    },
    recall(responseId) {
      const entry = entries.get(responseId);
      if (entry === undefined) return undefined;
      if (entry.expiresAt <= now()) {
        entries.delete(responseId);
        return undefined;
      }
      // A copy: the caller may change it without changing what the store remembers.
      return { sessionKey: entry.record.sessionKey, agentId: entry.record.agentId };
    },
    liveEntries() {
      const time = now();
      const live: RememberedResponse[] = [];
      for (const [responseId, { record, expiresAt }] of entries) {
        if (expiresAt > time) live.push({ responseId, record, expiresAt });
      }
      return live;
    },
    get size() {
      return entries.size;
    },
  };
}
