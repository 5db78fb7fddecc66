import { createKeyedMutex } from './keyed-mutex.js';
import type { SessionStore, TranscriptMessage, TranscriptTurn } from './session-store.js';
import { keepNewestTurns, trimTranscript } from './trim-transcript.js';

/** Options of {@link createMemorySessionStore}. */
export interface MemorySessionStoreOptions {
  /** Sessions kept; past it the least recently written one is dropped. @defaultValue 10000 */
  maxSessions?: number;
}

/**
 * A transcript store in this process's memory: for tests and `sessions.store: "memory"`. Transcripts
 * are lost on restart. Storage per session is bounded like the file store (compacted past 2× the limit
 * on load).
 *
 * @example
 * const store = createMemorySessionStore();
 */
export function createMemorySessionStore(options: MemorySessionStoreOptions = {}): SessionStore {
  const maxSessions = options.maxSessions ?? 10_000;
  // Map order = recency (re-inserted on every append), so the first key is the least recently used.
  const sessions = new Map<string, TranscriptTurn[]>();
  const mutex = createKeyedMutex();
  return {
    async load(sessionKey, { maxMessages }) {
      const turns = sessions.get(sessionKey);
      if (turns === undefined) return [];
      let total = 0;
      for (const turn of turns) total += turn.messages.length;
      if (total > 2 * maxMessages) sessions.set(sessionKey, keepNewestTurns(turns, maxMessages));
      // Copies, so a caller mutating the result cannot change the stored history. Field by field
      // rather than structuredClone: the shape is known, and this runs on every stored-session turn.
      return trimTranscript(turns, maxMessages).map(copyMessage);
    },
    async append(sessionKey, turn) {
      const turns = sessions.get(sessionKey) ?? [];
      turns.push(copyTurn(turn));
      sessions.delete(sessionKey);
      sessions.set(sessionKey, turns);
      // Bounded like every in-memory structure of a long-running server: forget the stalest session.
      if (sessions.size > maxSessions) {
        const oldest = sessions.keys().next().value;
        if (oldest !== undefined) sessions.delete(oldest);
      }
    },
    runExclusive: (sessionKey, task) => mutex.runExclusive(sessionKey, task),
    async close() {
      await mutex.drain();
    },
  };
}

function copyMessage(message: TranscriptMessage): TranscriptMessage {
  if (message.role === 'user') return { role: 'user', content: message.content };
  const copy: TranscriptMessage = { role: 'assistant', content: message.content };
  if (message.toolCalls !== undefined) copy.toolCalls = message.toolCalls.map((call) => ({ id: call.id, name: call.name, arguments: call.arguments }));
  return copy;
}

function copyTurn(turn: TranscriptTurn): TranscriptTurn {
  const copy: TranscriptTurn = { createdAt: turn.createdAt, messages: turn.messages.map(copyMessage) };
  if (turn.meta !== undefined) copy.meta = { ...turn.meta };
  return copy;
}
