import { createExpiringResponseMap } from './expiring-response-map.js';
import { frozenTurnCopy } from './frozen-turn.js';
import { createKeyedMutex } from './keyed-mutex.js';
import type { SessionStore, SessionSummary, TranscriptTurn } from './session-store.js';
import { assertResponseId, checkResponseToRemember } from './stored-response.js';
import { keepNewestTurns, trimTranscript } from './trim-transcript.js';

const STORE_NAME = 'Memory session store';

/** Options of {@link createMemorySessionStore}. */
export interface MemorySessionStoreOptions {
  /** Sessions kept; past it the least recently written one is dropped. @defaultValue 10000 */
  maxSessions?: number;
  /**
   * Response ids remembered at once (docs/responses-api.md#sessions); past it the oldest-remembered
   * one is forgotten first. @defaultValue 100000
   */
  maxResponses?: number;
  /** The clock response ids expire by, in epoch ms (tests move it instead of waiting). @defaultValue `Date.now` */
  now?: () => number;
}

/**
 * A transcript store in this process's memory: for tests and `sessions.store: "memory"`. Transcripts
 * are lost on restart. Storage per session is bounded like the file store (compacted past 2× the limit
 * on load). Remembered response ids expire by `now` and are bounded by `maxResponses`
 * (`expiring-response-map.ts`).
 *
 * @throws TypeError when `maxResponses` is not a positive integer.
 * @example
 * const store = createMemorySessionStore();
 */
export function createMemorySessionStore(options: MemorySessionStoreOptions = {}): SessionStore {
  const maxSessions = options.maxSessions ?? 10_000;
  // Map order = recency (re-inserted on every append), so the first key is the least recently used.
  const sessions = new Map<string, TranscriptTurn[]>();
  const mutex = createKeyedMutex();
  const now = options.now ?? Date.now;
  const responses = createExpiringResponseMap({ maxEntries: options.maxResponses ?? 100_000, now });
  return {
    async load(sessionKey, { maxMessages }) {
      const turns = sessions.get(sessionKey);
      if (turns === undefined) return [];
      if (countMessages(turns) > 2 * maxMessages) sessions.set(sessionKey, keepNewestTurns(turns, maxMessages));
      // A fresh array of the stored, frozen messages: nothing is copied per load, and a caller cannot
      // change the stored history through the result (see `load` in session-store.ts).
      return trimTranscript(turns, maxMessages);
    },
    async append(sessionKey, turn) {
      const turns = sessions.get(sessionKey) ?? [];
      // Copied once here, so the caller's objects stay its own and stay writable.
      turns.push(frozenTurnCopy(turn, turns.at(-1)));
      sessions.delete(sessionKey);
      sessions.set(sessionKey, turns);
      // Bounded like every in-memory structure of a long-running server: forget the stalest session.
      if (sessions.size > maxSessions) {
        const oldest = sessions.keys().next().value;
        if (oldest !== undefined) sessions.delete(oldest);
      }
    },
    async list({ limit, offset }) {
      const summaries: SessionSummary[] = [];
      // Most recent append first, which the stable sort keeps among turns of the same time.
      for (const [key, turns] of [...sessions].reverse()) {
        const newest = turns.at(-1);
        if (newest === undefined) continue;
        const agentId = newest.meta?.agentId;
        // A `createdAt` that is not a date sorts last.
        const updatedAt = Date.parse(newest.createdAt) || 0;
        summaries.push({ key, ...(agentId !== undefined ? { agentId } : {}), updatedAt });
      }
      summaries.sort((left, right) => right.updatedAt - left.updatedAt);
      return { sessions: summaries.slice(offset, offset + limit), totalCount: summaries.length };
    },
    async readTurns(sessionKey, { maxMessages }) {
      const turns = sessions.get(sessionKey) ?? [];
      return { turns: keepNewestTurns(turns, maxMessages), totalMessages: countMessages(turns) };
    },
    async rememberResponse(responseId, record, rememberOptions) {
      const checked = checkResponseToRemember(STORE_NAME, responseId, record, rememberOptions);
      responses.remember(responseId, checked.record, now() + checked.ttlMs);
    },
    async recallResponse(responseId) {
      assertResponseId(STORE_NAME, responseId);
      return responses.recall(responseId);
    },
    runExclusive: (sessionKey, task) => mutex.runExclusive(sessionKey, task),
    async close() {
      await mutex.drain();
    },
  };
}

function countMessages(turns: readonly TranscriptTurn[]): number {
  let count = 0;
  for (const turn of turns) count += turn.messages.length;
  return count;
}
