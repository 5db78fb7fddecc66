/**
 * The `rememberResponse`/`recallResponse` behaviour every session store shares
 * (docs/responses-api.md#sessions), as one suite each store's test file runs with its own way to
 * make a store and to let an id's TTL pass.
 */
import { describe, expect, it } from 'vitest';
import type { SessionStore, StoredResponse } from '../session-store.js';

/** How the suite drives one store implementation. */
export interface ResponseIdSubject {
  /** A new store that remembers no response id yet. */
  create(): SessionStore | Promise<SessionStore>;
  /**
   * Lets the TTL of `responseId`, remembered with `ttlMs`, pass (moves the store's clock, or expires
   * the Redis key).
   */
  expire(store: SessionStore, responseId: string, ttlMs: number): Promise<void>;
  /** Skip the suite (Redis not running outside CI). */
  skip?: boolean;
}

const TTL_MS = 60_000;
const record = (sessionKey: string, agentId = 'main'): StoredResponse => ({ sessionKey, agentId });

/**
 * Registers the shared suite.
 *
 * @param name - Names the `describe` block, e.g. `memory session store`.
 */
export function describeResponseIds(name: string, subject: ResponseIdSubject): void {
  describe.skipIf(subject.skip ?? false)(`${name}: rememberResponse and recallResponse`, () => {
    it('recalls a remembered id and knows no other', async () => {
      const store = await subject.create();
      await store.rememberResponse('resp_1', record('agent:main:openresponses-user:alice'), { ttlMs: TTL_MS });
      expect(await store.recallResponse('resp_1')).toEqual(record('agent:main:openresponses-user:alice'));
      expect(await store.recallResponse('resp_unknown')).toBeUndefined();
    });

    it('replaces the record of an id remembered again', async () => {
      const store = await subject.create();
      await store.rememberResponse('resp_again', record('first'), { ttlMs: TTL_MS });
      await store.rememberResponse('resp_again', record('second', 'helper'), { ttlMs: TTL_MS });
      expect(await store.recallResponse('resp_again')).toEqual(record('second', 'helper'));
    });

    it('forgets an id once its TTL passed, and only that id', async () => {
      const store = await subject.create();
      await store.rememberResponse('resp_short', record('short'), { ttlMs: 1_000 });
      await store.rememberResponse('resp_long', record('long'), { ttlMs: TTL_MS });
      expect(await store.recallResponse('resp_short')).toEqual(record('short'));
      await subject.expire(store, 'resp_short', 1_000);
      expect(await store.recallResponse('resp_short')).toBeUndefined();
      expect(await store.recallResponse('resp_long')).toEqual(record('long'));
    });

    it('keeps ids and session keys of any characters apart', async () => {
      const store = await subject.create();
      const awkward = ['../../etc/passwd', 'line\nbreak', 'nul\u0000byte', '{tag}*?"\\', 'ü🙂'.repeat(500)];
      for (const [index, text] of awkward.entries()) {
        await store.rememberResponse(text, record(`${text}#${index}`, `agent-${index}`), { ttlMs: TTL_MS });
      }
      for (const [index, text] of awkward.entries()) {
        expect(await store.recallResponse(text)).toEqual(record(`${text}#${index}`, `agent-${index}`));
      }
    });

    it("keeps its own copy: changing the caller's record or a recalled one changes nothing stored", async () => {
      const store = await subject.create();
      const mine = { ...record('kept'), extra: 'not stored' };
      await store.rememberResponse('resp_copy', mine, { ttlMs: TTL_MS });
      mine.sessionKey = 'changed after remember';
      const recalled = await store.recallResponse('resp_copy');
      expect(recalled).toEqual(record('kept'));
      if (recalled !== undefined) recalled.sessionKey = 'changed after recall';
      expect(await store.recallResponse('resp_copy')).toEqual(record('kept'));
    });

    it('refuses an empty id, a record without its strings and a TTL that is not a positive integer', async () => {
      const store = await subject.create();
      const remember = (responseId: unknown, stored: unknown, ttlMs: unknown) =>
        store.rememberResponse(responseId as string, stored as StoredResponse, { ttlMs: ttlMs as number });
      await expect(remember('', record('k'), TTL_MS)).rejects.toThrow('the response id must be a non-empty string');
      await expect(remember('r', { sessionKey: 'k' }, TTL_MS)).rejects.toThrow('a string `sessionKey` and `agentId`');
      for (const ttlMs of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, '60000']) {
        await expect(remember('r', record('k'), ttlMs)).rejects.toThrow('`ttlMs` must be a positive integer');
      }
      await expect(store.recallResponse('')).rejects.toThrow(TypeError);
      expect(await store.recallResponse('r')).toBeUndefined();
    });
  });
}
