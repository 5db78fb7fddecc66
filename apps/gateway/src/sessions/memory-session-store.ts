import { createKeyedMutex } from './keyed-mutex.js';
import type { SessionStore, TranscriptTurn } from './session-store.js';
import { keepNewestTurns, trimTranscript } from './trim-transcript.js';

/**
 * A transcript store in this process's memory: for tests and `sessions.store: "memory"`. Transcripts
 * are lost on restart. Storage per session is bounded like the file store (compacted past 2× the limit
 * on load).
 *
 * @example
 * const store = createMemorySessionStore();
 */
export function createMemorySessionStore(): SessionStore {
  const sessions = new Map<string, TranscriptTurn[]>();
  const mutex = createKeyedMutex();
  return {
    async load(sessionKey, { maxMessages }) {
      const turns = sessions.get(sessionKey) ?? [];
      const total = turns.reduce((count, turn) => count + turn.messages.length, 0);
      if (total > 2 * maxMessages) sessions.set(sessionKey, keepNewestTurns(turns, maxMessages));
      // Copies, so a caller mutating the result cannot change the stored history.
      return structuredClone(trimTranscript(turns, maxMessages));
    },
    async append(sessionKey, turn) {
      const turns = sessions.get(sessionKey) ?? [];
      turns.push(structuredClone(turn));
      sessions.set(sessionKey, turns);
    },
    runExclusive: (sessionKey, task) => mutex.runExclusive(sessionKey, task),
    async close() {
      await mutex.drain();
    },
  };
}
