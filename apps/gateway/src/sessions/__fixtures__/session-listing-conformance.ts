/**
 * The `list` and `readTurns` behaviour every session store shares, as one suite each store's test
 * file runs with its own way to make a store and to date a session.
 */
import { describe, expect, it } from 'vitest';
import type { SessionStore, TranscriptTurn, TranscriptTurnMeta } from '../session-store.js';

/** How the suite drives one store implementation. */
export interface ListingSubject {
  /** A new store that holds no session yet. */
  create(): SessionStore | Promise<SessionStore>;
  /**
   * Appends `turn`, whose `createdAt` is `at`, so that the session's `updatedAt` becomes `at` (the
   * file store sets the file's mtime). @defaultValue a plain append
   */
  appendAt?(store: SessionStore, sessionKey: string, turn: TranscriptTurn, at: number): Promise<void>;
  /** Skip the suite (Redis not running outside CI). */
  skip?: boolean;
}

const T1 = Date.UTC(2026, 0, 1, 10, 0, 1);
const T2 = Date.UTC(2026, 0, 1, 10, 0, 2);
const T3 = Date.UTC(2026, 0, 1, 10, 0, 3);

const metaOf = (agentId: string, index: number): TranscriptTurnMeta => ({
  agentId,
  model: 'offline/clawgate-offline',
  messageChannel: 'webchat',
  finishReason: 'stop',
  usage: { prompt_tokens: index, completion_tokens: 2, total_tokens: index + 2 },
});

/** Turn `index` (`q<index>`, `a<index>`) at `at`, with `agentId`'s meta unless `agentId` is undefined. */
function turnAt(index: number, at: number, agentId?: string): TranscriptTurn {
  return {
    createdAt: new Date(at).toISOString(),
    messages: [
      { role: 'user', content: `q${index}` },
      { role: 'assistant', content: `a${index}` },
    ],
    ...(agentId === undefined ? {} : { meta: metaOf(agentId, index) }),
  };
}

/**
 * Registers the suite.
 *
 * @param name - The store, for the test names.
 * @param subject - See {@link ListingSubject}.
 */
export function describeSessionListing(name: string, subject: ListingSubject): void {
  const appendAt =
    subject.appendAt ?? ((store: SessionStore, key: string, turn: TranscriptTurn) => store.append(key, turn));

  /** Three sessions, appended in another order than their times: c (T3, main), b (T2, helper), a (T1, no agent). */
  async function threeSessions(): Promise<SessionStore> {
    const store = await subject.create();
    await appendAt(store, 'session-b', turnAt(0, T1, 'main'), T1);
    await appendAt(store, 'session-c', turnAt(1, T3, 'main'), T3);
    await appendAt(store, 'session-a', turnAt(2, T1), T1);
    // The newest turn decides: b's agent and time are its second turn's.
    await appendAt(store, 'session-b', turnAt(3, T2, 'helper'), T2);
    return store;
  }

  describe.skipIf(subject.skip ?? false)(`${name}: list and readTurns`, () => {
    it('lists nothing in an empty store', async () => {
      const store = await subject.create();
      expect(await store.list({ limit: 10, offset: 0 })).toEqual({ sessions: [], totalCount: 0 });
    });

    it('lists sessions newest first, with the agent and time of their newest turn', async () => {
      const store = await threeSessions();
      expect(await store.list({ limit: 10, offset: 0 })).toEqual({
        sessions: [
          { key: 'session-c', agentId: 'main', updatedAt: T3 },
          { key: 'session-b', agentId: 'helper', updatedAt: T2 },
          { key: 'session-a', updatedAt: T1 },
        ],
        totalCount: 3,
      });
    });

    it('pages with offset and limit, counting every session', async () => {
      const store = await threeSessions();
      expect(await store.list({ limit: 1, offset: 1 })).toEqual({
        sessions: [{ key: 'session-b', agentId: 'helper', updatedAt: T2 }],
        totalCount: 3,
      });
      expect((await store.list({ limit: 2, offset: 0 })).sessions.map((session) => session.key)).toEqual([
        'session-c',
        'session-b',
      ]);
      expect(await store.list({ limit: 5, offset: 3 })).toEqual({ sessions: [], totalCount: 3 });
      expect(await store.list({ limit: 0, offset: 0 })).toEqual({ sessions: [], totalCount: 3 });
    });

    it('reads no turns of an unknown session', async () => {
      const store = await threeSessions();
      expect(await store.readTurns('session-unknown', { maxMessages: 10 })).toEqual({ turns: [], totalMessages: 0 });
    });

    it('reads the newest turns holding maxMessages, oldest first, with time and meta, and the total', async () => {
      const store = await subject.create();
      const turns = [0, 1, 2, 3].map((index) => turnAt(index, T1 + index * 1_000, 'main'));
      for (const [index, turn] of turns.entries()) await appendAt(store, 'history', turn, T1 + index * 1_000);
      // 3 messages need the two newest turns (4 messages): whole turns, never a reply without its prompt.
      expect(await store.readTurns('history', { maxMessages: 3 })).toEqual({
        turns: [turns[2], turns[3]],
        totalMessages: 8,
      });
      expect(await store.readTurns('history', { maxMessages: 2 })).toEqual({ turns: [turns[3]], totalMessages: 8 });
      expect(await store.readTurns('history', { maxMessages: 100 })).toEqual({ turns, totalMessages: 8 });
    });
  });
}
