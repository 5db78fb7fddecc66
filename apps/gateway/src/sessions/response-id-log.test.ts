import { appendFile, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFileSessionStore, type FileSessionStoreOptions } from './file-session-store.js';
import { COMPACTION_MARGIN, RESPONSE_ID_LOG_FILE } from './response-id-log.js';
import type { SessionStore } from './session-store.js';
import { numberedTurn } from './__fixtures__/numbered-turn.js';
import { describeResponseIds } from './__fixtures__/response-id-conformance.js';

let root: string;
let dir: string;
let clock: number;
const stores: SessionStore[] = [];

beforeEach(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'clawgate-responses-'));
  dir = path.join(root, 'sessions');
  clock = Date.UTC(2026, 0, 1);
});
afterEach(async () => {
  for (const store of stores.splice(0)) await store.close();
  await rm(root, { recursive: true, force: true });
});

/** A file store on the test's directory whose response ids expire by the test's clock. */
function newStore(options: Partial<FileSessionStoreOptions> = {}): SessionStore {
  const store = createFileSessionStore({ dir, now: () => clock, ...options });
  stores.push(store);
  return store;
}

const record = (sessionKey: string) => ({ sessionKey, agentId: 'main' });
const logFile = () => path.join(dir, RESPONSE_ID_LOG_FILE);
const logLines = async () => (await readFile(logFile(), 'utf8')).split('\n').filter((line) => line !== '');
const loggedIds = async () => (await logLines()).map((line) => JSON.parse(line).id);

describe('file session store response ids', () => {
  it('appends one JSON line per remembered id, and a new store on the directory recalls them', async () => {
    const first = newStore();
    await first.rememberResponse('resp_1', record('s1'), { ttlMs: 1_000 });
    await first.rememberResponse('resp_2', { sessionKey: 's2', agentId: 'helper' }, { ttlMs: 5_000 });
    expect(await logLines()).toEqual([
      JSON.stringify({ id: 'resp_1', sessionKey: 's1', agentId: 'main', expiresAt: clock + 1_000 }),
      JSON.stringify({ id: 'resp_2', sessionKey: 's2', agentId: 'helper', expiresAt: clock + 5_000 }),
    ]);
    expect((await stat(logFile())).mode & 0o777).toBe(0o600);
    await first.close();

    const restarted = newStore();
    expect(await restarted.recallResponse('resp_1')).toEqual(record('s1'));
    expect(await restarted.recallResponse('resp_2')).toEqual({ sessionKey: 's2', agentId: 'helper' });
    // The TTL runs from the first store's remember, not from the restart.
    clock += 1_000;
    expect(await restarted.recallResponse('resp_1')).toBeUndefined();
    expect(await newStore().recallResponse('resp_1')).toBeUndefined();
    expect(await newStore().recallResponse('resp_2')).toEqual({ sessionKey: 's2', agentId: 'helper' });
  });

  it('reads and writes nothing until a response id is remembered', async () => {
    const store = newStore();
    await store.append('k', numberedTurn(0));
    expect(await store.recallResponse('resp_1')).toBeUndefined();
    expect((await readdir(dir)).includes(RESPONSE_ID_LOG_FILE)).toBe(false);
  });

  it('lets the last line of an id win after a restart, an expired one forgetting it', async () => {
    await mkdir(dir, { recursive: true });
    const line = (id: string, sessionKey: string, expiresAt: number) =>
      `${JSON.stringify({ id, sessionKey, agentId: 'main', expiresAt })}\n`;
    await writeFile(
      logFile(),
      line('kept', 'old', clock + 10) +
        line('kept', 'new', clock + 10) +
        line('gone', 'old', clock + 10) +
        line('gone', 'new', clock - 1) +
        'not json\n{"id":"foreign"}\n',
    );
    const store = newStore();
    expect(await store.recallResponse('kept')).toEqual(record('new'));
    expect(await store.recallResponse('gone')).toBeUndefined();
    expect(await store.recallResponse('foreign')).toBeUndefined();
  });

  it('skips a torn last line and starts the next line on a fresh one', async () => {
    const first = newStore();
    await first.rememberResponse('before', record('s'), { ttlMs: 60_000 });
    await first.close();
    await appendFile(logFile(), '{"id":"torn","sessionKey":"s","age');

    const second = newStore();
    expect(await second.recallResponse('before')).toEqual(record('s'));
    expect(await second.recallResponse('torn')).toBeUndefined();
    await second.rememberResponse('after', record('s'), { ttlMs: 60_000 });
    const lines = await logLines();
    expect(lines).toHaveLength(3);
    expect(lines[1]).toBe('{"id":"torn","sessionKey":"s","age');
    expect(JSON.parse(lines[2] as string).id).toBe('after');
    await second.close();
    expect(await newStore().recallResponse('after')).toEqual(record('s'));
  });

  it('forgets the oldest-remembered id past maxResponses, before and after a restart', async () => {
    const first = newStore({ maxResponses: 2 });
    for (const id of ['a', 'b', 'c']) await first.rememberResponse(id, record(id), { ttlMs: 60_000 });
    expect(await first.recallResponse('a')).toBeUndefined();
    expect(await first.recallResponse('b')).toEqual(record('b'));
    await first.close();
    // `a` remembered again is the newest line, so the reload keeps it and drops `b`.
    await newStore({ maxResponses: 3 }).rememberResponse('a', record('a2'), { ttlMs: 60_000 });
    const restarted = newStore({ maxResponses: 2 });
    expect(await restarted.recallResponse('b')).toBeUndefined();
    expect(await restarted.recallResponse('c')).toEqual(record('c'));
    expect(await restarted.recallResponse('a')).toEqual(record('a2'));
  });

  it(`compacts once dead lines outnumber live ones by over ${COMPACTION_MARGIN}, keeping the live ones`, async () => {
    // With 2 live entries the log may hold 2 + 2 + margin lines; the line after that compacts it.
    const threshold = 2 * 2 + COMPACTION_MARGIN;
    const first = newStore({ maxResponses: 2 });
    for (let index = 0; index < threshold; index += 1) {
      await first.rememberResponse(`r${index}`, record(`s${index}`), { ttlMs: 60_000 });
    }
    // close() waits for queued compactions: there was none.
    await first.close();
    expect(await logLines()).toHaveLength(threshold);

    const second = newStore({ maxResponses: 2 });
    await second.rememberResponse(`r${threshold}`, record(`s${threshold}`), { ttlMs: 60_000 });
    await second.close();
    expect(await loggedIds()).toEqual([`r${threshold - 1}`, `r${threshold}`]);
    // Not on every call: the next line is appended to the compacted log.
    const third = newStore({ maxResponses: 2 });
    await third.rememberResponse('next', record('next'), { ttlMs: 60_000 });
    await third.close();
    expect(await loggedIds()).toEqual([`r${threshold - 1}`, `r${threshold}`, 'next']);
    expect(await newStore({ maxResponses: 2 }).recallResponse(`r${threshold}`)).toEqual(record(`s${threshold}`));
    expect((await readdir(dir)).filter((file) => file.endsWith('.tmp'))).toEqual([]);
  });

  it('drops expired lines in a compaction', async () => {
    const store = newStore();
    const expiring = 2 * COMPACTION_MARGIN;
    for (let index = 0; index < expiring; index += 1) {
      await store.rememberResponse(`short${index}`, record('short'), { ttlMs: 10 });
    }
    clock += 10;
    // Each remember sweeps a few expired entries, so dead lines soon outnumber live ones by the margin.
    const kept = COMPACTION_MARGIN / 2;
    for (let index = 0; index < kept; index += 1) {
      await store.rememberResponse(`kept${index}`, record('kept'), { ttlMs: 60_000 });
    }
    await store.close();
    expect(await loggedIds()).toEqual(Array.from({ length: kept }, (_, index) => `kept${index}`));
    expect(await newStore().recallResponse(`kept${kept - 1}`)).toEqual(record('kept'));
  });
});

describeResponseIds('file session store', {
  create: () => newStore(),
  expire: async (_store, _responseId, ttlMs) => {
    clock += ttlMs;
  },
});
