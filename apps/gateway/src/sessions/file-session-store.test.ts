import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { appendFile, mkdir, mkdtemp, readdir, readFile, readlink, rm, stat, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFileSessionStore, sessionFilePath } from './file-session-store.js';
import type { SessionStore, TranscriptTurn } from './session-store.js';
import { numberedTurn } from './__fixtures__/numbered-turn.js';
import { describeSessionListing } from './__fixtures__/session-listing-conformance.js';

let root: string;
let dir: string;

beforeEach(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'clawgate-sessions-'));
  dir = path.join(root, 'sessions');
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const turn = numberedTurn;
const contents = (messages: { content: string }[]) => messages.map((message) => message.content);
const line = (stored: TranscriptTurn) => JSON.stringify({ v: 1, ...stored });
const lines = async (file: string) => (await readFile(file, 'utf8')).split('\n').filter((text) => text !== '');

describe('file session store', () => {
  it('round-trips turns, oldest first, with tool calls', async () => {
    const store = createFileSessionStore({ dir });
    await store.append('agent:main:openai-user:alice', turn(0));
    await store.append('agent:main:openai-user:alice', {
      createdAt: '2026-01-01T00:00:01.000Z',
      messages: [
        { role: 'user', content: 'call it' },
        { role: 'assistant', content: '', toolCalls: [{ id: 'c1', name: 'get_time', arguments: '{}' }] },
      ],
    });
    expect(await store.load('agent:main:openai-user:alice', { maxMessages: 100 })).toEqual([
      { role: 'user', content: 'q0' },
      { role: 'assistant', content: 'a0' },
      { role: 'user', content: 'call it' },
      { role: 'assistant', content: '', toolCalls: [{ id: 'c1', name: 'get_time', arguments: '{}' }] },
    ]);
    expect(await store.load('agent:main:openai-user:bob', { maxMessages: 100 })).toEqual([]);
  });

  it('names files by the sha256 of the key, so hostile keys stay inside the directory', async () => {
    const store = createFileSessionStore({ dir });
    for (const key of ['../../etc/passwd', '/abs/path', 'a\0b', '..', 'x'.repeat(5000)]) {
      await store.append(key, turn(1));
      expect(contents(await store.load(key, { maxMessages: 10 }))).toEqual(['q1', 'a1']);
    }
    const files = (await readdir(dir)).filter((file) => file !== 'index.jsonl');
    expect(files).toHaveLength(5);
    for (const file of files) expect(file).toMatch(/^[0-9a-f]{64}\.jsonl$/);
    expect(sessionFilePath(dir, '../../etc/passwd')).toBe(path.join(dir, `${sha256('../../etc/passwd')}.jsonl`));
    expect(await readdir(root)).toEqual(['sessions']);
  });

  it('trims to maxMessages on load and compacts the file past twice the limit, in the background', async () => {
    const store = createFileSessionStore({ dir });
    for (let index = 0; index < 5; index += 1) await store.append('k', turn(index));
    const file = sessionFilePath(dir, 'k');
    // 10 messages stored, more than 2 × 4: the load answers at once and queues the rewrite.
    expect(contents(await store.load('k', { maxMessages: 4 }))).toEqual(['q3', 'a3', 'q4', 'a4']);
    // A rewrite takes several thread-pool round trips; the load did not wait for any of them.
    expect(await lines(file)).toHaveLength(5);
    // close() waits for background work: the file now holds exactly the 2 newest turns.
    await store.close();
    expect(await lines(file)).toEqual([line(turn(3)), line(turn(4))]);
    // Below 2× the limit nothing is rewritten; the cache follows the compacted file.
    await store.append('k', turn(5));
    expect(contents(await store.load('k', { maxMessages: 4 }))).toEqual(['q4', 'a4', 'q5', 'a5']);
    await store.close();
    expect(await lines(file)).toEqual([line(turn(3)), line(turn(4)), line(turn(5))]);
    expect(contents(await createFileSessionStore({ dir }).load('k', { maxMessages: 100 }))).toEqual([
      'q3',
      'a3',
      'q4',
      'a4',
      'q5',
      'a5',
    ]);
  });

  it('compacts in order with appends made while the compaction is queued', async () => {
    const store = createFileSessionStore({ dir });
    // Cached first, so the appends go through a kept-open descriptor, which must follow the rename.
    await store.load('k', { maxMessages: 100 });
    for (let index = 0; index < 5; index += 1) await store.append('k', turn(index));
    await store.load('k', { maxMessages: 2 });
    // Queued behind the compaction on the session's file queue: neither is lost or reordered.
    await Promise.all([store.append('k', turn(5)), store.append('k', turn(6))]);
    expect(contents(await store.load('k', { maxMessages: 100 }))).toEqual(['q4', 'a4', 'q5', 'a5', 'q6', 'a6']);
    await store.close();
    expect(await lines(sessionFilePath(dir, 'k'))).toEqual([line(turn(4)), line(turn(5)), line(turn(6))]);
  });

  it('never starts a trimmed transcript with an assistant message', async () => {
    const store = createFileSessionStore({ dir });
    for (let index = 0; index < 3; index += 1) await store.append('k', turn(index));
    expect(contents(await store.load('k', { maxMessages: 3 }))).toEqual(['q2', 'a2']);
  });

  it('ignores a torn last line and starts the next append on a fresh line', async () => {
    const store = createFileSessionStore({ dir });
    await store.append('k', turn(0));
    const file = sessionFilePath(dir, 'k');
    await appendFile(file, '{"v":1,"createdAt":"2026-01-01T00:00:00.000Z","messages":[{"role":"user","con');
    expect(contents(await store.load('k', { maxMessages: 100 }))).toEqual(['q0', 'a0']);
    await store.append('k', turn(1));
    expect(contents(await store.load('k', { maxMessages: 100 }))).toEqual(['q0', 'a0', 'q1', 'a1']);
    const lines = (await readFile(file, 'utf8')).split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[3]).toBe('');
  });

  it('skips lines that are not turns instead of failing the load', async () => {
    await createFileSessionStore({ dir }).append('k', turn(0));
    await appendFile(sessionFilePath(dir, 'k'), 'garbage\n[1,2]\n{"v":2}\n');
    const store = createFileSessionStore({ dir });
    await store.append('k', turn(1));
    expect(contents(await store.load('k', { maxMessages: 100 }))).toEqual(['q0', 'a0', 'q1', 'a1']);
  });

  it('keeps every completed turn when the writer is SIGKILLed mid-way', async () => {
    const script = fileURLToPath(new URL('./__fixtures__/append-turns.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', script, dir, 'agent:main:crash', '100000'], {
      cwd: path.dirname(script),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let lastReported = -1;
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.on('exit', (_code, signal) => resolve(signal)),
    );
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`child made no progress: ${stderr}`)), 15_000);
      let buffered = '';
      child.stdout.on('data', (chunk: Buffer) => {
        buffered += chunk.toString();
        const matches = [...buffered.matchAll(/appended (\d+)\n/g)];
        const last = matches.at(-1);
        if (last) lastReported = Number(last[1]);
        if (lastReported >= 300) {
          clearTimeout(timer);
          child.kill('SIGKILL');
          resolve();
        }
      });
    });
    expect(await exited).toBe('SIGKILL');

    const store = createFileSessionStore({ dir });
    const messages = await store.load('agent:main:crash', { maxMessages: 1_000_000 });
    const questions = messages.filter((message) => message.role === 'user').map((message) => message.content);
    // Every reported turn is there, in order, nothing in between lost (the one in flight may or may not be).
    expect(questions.length).toBeGreaterThanOrEqual(lastReported + 1);
    expect(questions).toEqual(Array.from({ length: questions.length }, (_, index) => `question ${index}`));
    expect(messages).toHaveLength(questions.length * 2);

    await store.append('agent:main:crash', turn(999));
    const after = await store.load('agent:main:crash', { maxMessages: 1_000_000 });
    expect(contents(after.slice(-2))).toEqual(['q999', 'a999']);
    expect(after).toHaveLength(messages.length + 2);
  });

  it('serialises tasks per key and runs different keys in parallel', async () => {
    const store = createFileSessionStore({ dir });
    const log: string[] = [];
    let b1Ended!: () => void;
    const b1Done = new Promise<void>((resolve) => (b1Ended = resolve));
    const task =
      (name: string, until: Promise<unknown> = Promise.resolve()) =>
      async () => {
        log.push(`start ${name}`);
        await until;
        log.push(`end ${name}`);
      };
    // a1 stays inside until b1 (another key) has run; the deadline only turns a hang into a failure.
    const a1Until = Promise.race([b1Done, new Promise((resolve) => setTimeout(resolve, 2_000))]);
    await Promise.all([
      store.runExclusive('a', task('a1', a1Until)),
      store.runExclusive('a', task('a2')),
      store.runExclusive('b', task('b1')).finally(b1Ended),
    ]);
    expect(log).toEqual(['start a1', 'start b1', 'end b1', 'end a1', 'start a2', 'end a2']);
    await store.close();
  });

  it('creates the directory with mode 0700 and files with 0600', async () => {
    const store = createFileSessionStore({ dir });
    await store.append('k', turn(0));
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    expect((await stat(sessionFilePath(dir, 'k'))).mode & 0o777).toBe(0o600);
    expect((await stat(path.join(dir, 'index.jsonl'))).mode & 0o777).toBe(0o600);
  });
});

describe('file session store cache', () => {
  it('answers from memory while the file keeps its size, and reads it again once another process appended', async () => {
    const store = createFileSessionStore({ dir });
    await store.append('k', turn(0));
    expect(contents(await store.load('k', { maxMessages: 10 }))).toEqual(['q0', 'a0']);
    await store.append('k', turn(1));
    // Rewritten behind the store's back with other turns of the same size: the cache does not read
    // the file again (only its size is checked), so the answer still comes from memory.
    const file = sessionFilePath(dir, 'k');
    await writeFile(file, `${line(turn(7))}\n${line(turn(8))}\n`);
    expect(contents(await store.load('k', { maxMessages: 10 }))).toEqual(['q0', 'a0', 'q1', 'a1']);
    // Another process appends (a `clawgate agent` turn): the size changed, so the file is read again.
    await appendFile(file, `${line(turn(9))}\n`);
    expect(contents(await store.load('k', { maxMessages: 10 }))).toEqual(['q7', 'a7', 'q8', 'a8', 'q9', 'a9']);
    await store.append('k', turn(2));
    expect(await lines(file)).toEqual([7, 8, 9, 2].map((index) => line(turn(index))));
    await store.close();
    // A new store (a restart) reads what is on disk.
    expect(contents(await createFileSessionStore({ dir }).load('k', { maxMessages: 10 }))).toEqual([
      'q7',
      'a7',
      'q8',
      'a8',
      'q9',
      'a9',
      'q2',
      'a2',
    ]);
  });

  it('hands out frozen messages in a fresh array, so callers cannot change the cached history', async () => {
    const store = createFileSessionStore({ dir });
    const original = turn(0);
    await store.load('k', { maxMessages: 10 });
    await store.append('k', original);
    original.messages[0]!.content = 'changed after append';
    const loaded = await store.load('k', { maxMessages: 10 });
    expect(() => {
      loaded[0]!.content = 'changed after load';
    }).toThrow(TypeError);
    loaded.length = 0;
    expect(contents(await store.load('k', { maxMessages: 10 }))).toEqual(['q0', 'a0']);
  });

  it('evicts the least recently used session past maxCachedSessions and reads it again, correctly', async () => {
    const store = createFileSessionStore({ dir, maxCachedSessions: 2 });
    for (const key of ['a', 'b', 'c']) {
      await store.load(key, { maxMessages: 10 });
      await store.append(key, turn(0));
    }
    // Another turn of the same size written in place behind the store's back shows only where the
    // session was read again (the size check cannot see it).
    for (const key of ['a', 'c']) await writeFile(sessionFilePath(dir, key), `${line(turn(8))}\n`);
    expect(contents(await store.load('a', { maxMessages: 10 }))).toEqual(['q8', 'a8']);
    expect(contents(await store.load('c', { maxMessages: 10 }))).toEqual(['q0', 'a0']);
    // Reading `a` again evicted `b`, the least recently used; appends to it still land in its file.
    await store.append('b', turn(1));
    expect(contents(await store.load('b', { maxMessages: 10 }))).toEqual(['q0', 'a0', 'q1', 'a1']);
    expect(await lines(sessionFilePath(dir, 'b'))).toEqual([line(turn(0)), line(turn(1))]);
    // Descriptors are kept for cached sessions only, and close() closes them all.
    for (const key of ['a', 'b', 'c', 'd', 'e']) {
      await store.load(key, { maxMessages: 10 });
      await store.append(key, turn(2));
    }
    // An evicted session's descriptor is closed on its own file queue: bounded wait for it.
    let open = await openFilesIn(dir);
    for (let attempt = 0; attempt < 100 && open > 2; attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      open = await openFilesIn(dir);
    }
    // The two cached sessions (`d`, `e`) hold one each.
    expect(open).toBe(2);
    await store.close();
    expect(await openFilesIn(dir)).toBe(0);
  });

  it('evicts by total size past maxCachedBytes, and never caches a session larger than that', async () => {
    const size = Buffer.byteLength(`${line(turn(0))}\n`);
    const store = createFileSessionStore({ dir, maxCachedBytes: 2 * size + 1 });
    for (const key of ['a', 'b']) {
      await store.load(key, { maxMessages: 10 });
      await store.append(key, turn(0));
    }
    // `b` grows to two lines: the budget now holds it alone, so `a` goes.
    await store.append('b', turn(1));
    // Same-size turns written in place: seen only where the session is read again.
    await writeFile(sessionFilePath(dir, 'a'), `${line(turn(8))}\n`);
    await writeFile(sessionFilePath(dir, 'b'), `${line(turn(7))}\n${line(turn(8))}\n`);
    expect(contents(await store.load('b', { maxMessages: 10 }))).toEqual(['q0', 'a0', 'q1', 'a1']);
    expect(contents(await store.load('a', { maxMessages: 10 }))).toEqual(['q8', 'a8']);

    // Three lines never fit: every load reads the file, and appends still work.
    for (let index = 0; index < 3; index += 1) await store.append('big', turn(index));
    expect(contents(await store.load('big', { maxMessages: 10 }))).toEqual(['q0', 'a0', 'q1', 'a1', 'q2', 'a2']);
    await appendFile(sessionFilePath(dir, 'big'), `${line(turn(8))}\n`);
    expect(contents(await store.load('big', { maxMessages: 10 }))).toEqual([
      'q0',
      'a0',
      'q1',
      'a1',
      'q2',
      'a2',
      'q8',
      'a8',
    ]);
    await store.append('big', turn(9));
    // And it is still compacted past twice the limit.
    expect(contents(await store.load('big', { maxMessages: 2 }))).toEqual(['q9', 'a9']);
    await store.close();
    expect(await lines(sessionFilePath(dir, 'big'))).toEqual([line(turn(9))]);
  });

  it('does not compact from a cached copy when another process appended: the turn survives', async () => {
    const store = createFileSessionStore({ dir });
    await store.load('k', { maxMessages: 2 });
    for (let index = 0; index < 3; index += 1) await store.append('k', turn(index));
    // Another writer: one more line the cache does not know. The load sees the size change, reads
    // the file again and compacts from what the file holds, so turn 8 is kept.
    await appendFile(sessionFilePath(dir, 'k'), `${line(turn(8))}\n`);
    expect(contents(await store.load('k', { maxMessages: 2 }))).toEqual(['q8', 'a8']);
    await store.close();
    expect(await lines(sessionFilePath(dir, 'k'))).toEqual([line(turn(8))]);
  });

  it('keeps concurrent appends on one key in call order, cached or not', async () => {
    const store = createFileSessionStore({ dir });
    const indexes = Array.from({ length: 40 }, (_, index) => index);
    // `cold` is never loaded (each append checks the file's last byte); `warm` is cached.
    await store.load('warm', { maxMessages: 1_000 });
    await Promise.all(
      indexes.flatMap((index) => [store.append('cold', turn(index)), store.append('warm', turn(index))]),
    );
    for (const key of ['cold', 'warm']) {
      expect(await lines(sessionFilePath(dir, key))).toEqual(indexes.map((index) => line(turn(index))));
      expect(contents(await store.load(key, { maxMessages: 1_000 }))).toEqual(
        indexes.flatMap((index) => [`q${index}`, `a${index}`]),
      );
    }
  });

  it('starts a new line after a torn tail found by the first read, and only once', async () => {
    await createFileSessionStore({ dir }).append('k', turn(0));
    await appendFile(sessionFilePath(dir, 'k'), '{"v":1,"createdAt":"2026-01-01T00:00:00.000Z","mess');
    const store = createFileSessionStore({ dir });
    expect(contents(await store.load('k', { maxMessages: 10 }))).toEqual(['q0', 'a0']);
    await store.append('k', turn(1));
    await store.append('k', turn(2));
    expect((await readFile(sessionFilePath(dir, 'k'), 'utf8')).split('\n')).toEqual([
      line(turn(0)),
      '{"v":1,"createdAt":"2026-01-01T00:00:00.000Z","mess',
      line(turn(1)),
      line(turn(2)),
      '',
    ]);
    expect(contents(await createFileSessionStore({ dir }).load('k', { maxMessages: 10 }))).toEqual([
      'q0',
      'a0',
      'q1',
      'a1',
      'q2',
      'a2',
    ]);
  });

  it('rejects cache bounds that are not integers, and with a zero byte budget caches nothing', async () => {
    expect(() => createFileSessionStore({ dir, maxCachedSessions: 0 })).toThrow(
      '`maxCachedSessions` must be a positive integer',
    );
    expect(() => createFileSessionStore({ dir, maxCachedBytes: 1.5 })).toThrow(
      '`maxCachedBytes` must be a non-negative integer',
    );
    const store = createFileSessionStore({ dir, maxCachedBytes: 0 });
    await store.load('k', { maxMessages: 10 });
    await store.append('k', turn(0));
    await appendFile(sessionFilePath(dir, 'k'), `${line(turn(8))}\n`);
    expect(contents(await store.load('k', { maxMessages: 10 }))).toEqual(['q0', 'a0', 'q8', 'a8']);
  });

  it('forgets a cached session whose append failed, and reads its file again', async () => {
    const store = createFileSessionStore({ dir });
    await mkdir(dir);
    expect(await store.load('k', { maxMessages: 10 })).toEqual([]);
    // The path becomes a directory before the session's first append opens it: the append fails.
    const file = sessionFilePath(dir, 'k');
    await mkdir(file);
    await expect(store.append('k', turn(1))).rejects.toThrow();
    await rm(file, { recursive: true });
    await writeFile(file, `${line(turn(5))}\n`);
    expect(contents(await store.load('k', { maxMessages: 10 }))).toEqual(['q5', 'a5']);
  });
});

/** Descriptors of this process open on files in `directory` (Linux `/proc`). */
async function openFilesIn(directory: string): Promise<number> {
  const descriptors = await readdir('/proc/self/fd');
  const targets = await Promise.all(descriptors.map((fd) => readlink(`/proc/self/fd/${fd}`).catch(() => '')));
  return targets.filter((target) => target.startsWith(`${directory}${path.sep}`)).length;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

const storeDirs = new Map<SessionStore, string>();
describeSessionListing('file session store', {
  create() {
    const storeDir = path.join(root, `listing-${storeDirs.size}`);
    const store = createFileSessionStore({ dir: storeDir });
    storeDirs.set(store, storeDir);
    return store;
  },
  // A session's time is its file's mtime.
  async appendAt(store, sessionKey, stored, at) {
    await store.append(sessionKey, stored);
    await utimes(sessionFilePath(storeDirs.get(store) as string, sessionKey), at / 1_000, at / 1_000);
  },
});

describe('file session store listing', () => {
  const meta = (agentId: string) => ({ agentId, model: 'offline/m', messageChannel: 'cli', finishReason: 'stop' });
  const keys = async (store: SessionStore) =>
    (await store.list({ limit: 100, offset: 0 })).sessions.map((session) => session.key).sort();
  const indexLines = async () => (await lines(path.join(dir, 'index.jsonl'))).map((text) => JSON.parse(text));

  it('sees sessions and turns another process appended (a `clawgate agent` run beside the gateway)', async () => {
    const gateway = createFileSessionStore({ dir });
    await gateway.append('gateway-session', { ...turn(0), meta: meta('main') });
    // Cached from here on.
    await gateway.load('gateway-session', { maxMessages: 10 });
    expect(await gateway.list({ limit: 10, offset: 0 })).toMatchObject({
      sessions: [{ key: 'gateway-session', agentId: 'main' }],
      totalCount: 1,
    });
    // The CLI: a second store on the same directory, with its own copy of the index.
    const cli = createFileSessionStore({ dir });
    await cli.append('cli-session', { ...turn(1), meta: meta('cli-agent') });
    await cli.append('gateway-session', { ...turn(2), meta: meta('other') });
    await cli.close();
    const { sessions, totalCount } = await gateway.list({ limit: 10, offset: 0 });
    expect(totalCount).toBe(2);
    // Agents from the files' last lines: the gateway's cached copy of its session is stale.
    expect(Object.fromEntries(sessions.map((session) => [session.key, session.agentId]))).toEqual({
      'gateway-session': 'other',
      'cli-session': 'cli-agent',
    });
    expect(await gateway.readTurns('cli-session', { maxMessages: 10 })).toEqual({
      turns: [{ ...turn(1), meta: meta('cli-agent') }],
      totalMessages: 2,
    });
    // Each session is indexed once, whichever store added it.
    await gateway.append('cli-session', turn(3));
    expect((await indexLines()).map((entry) => entry.key)).toEqual(['gateway-session', 'cli-session']);
  });

  it('keeps its index across a restart', async () => {
    const before = createFileSessionStore({ dir });
    for (const key of ['one', '../two', 'three\u0000']) await before.append(key, turn(0));
    await before.close();
    expect(await indexLines()).toEqual([
      { key: 'one', file: path.basename(sessionFilePath(dir, 'one')) },
      { key: '../two', file: path.basename(sessionFilePath(dir, '../two')) },
      { key: 'three\u0000', file: path.basename(sessionFilePath(dir, 'three\u0000')) },
    ]);
    const after = createFileSessionStore({ dir });
    expect(await keys(after)).toEqual(['../two', 'one', 'three\u0000']);
  });

  it('indexes a session before its first turn: an entry whose file never came is not listed', async () => {
    const store = createFileSessionStore({ dir });
    await store.append('fine', turn(0));
    // The first write of `broken` fails (its path is a directory), after its index entry.
    await mkdir(sessionFilePath(dir, 'broken'));
    await expect(store.append('broken', turn(1))).rejects.toThrow();
    expect((await indexLines()).map((entry) => entry.key)).toEqual(['fine', 'broken']);
    expect(await store.list({ limit: 10, offset: 0 })).toMatchObject({ sessions: [{ key: 'fine' }], totalCount: 1 });
  });

  it('lists a session written before the index existed only once a new turn indexes it', async () => {
    await mkdir(dir);
    await writeFile(sessionFilePath(dir, 'legacy'), `${line(turn(0))}\n`);
    const store = createFileSessionStore({ dir });
    expect(await store.list({ limit: 10, offset: 0 })).toEqual({ sessions: [], totalCount: 0 });
    await store.append('legacy', turn(1));
    expect(await keys(store)).toEqual(['legacy']);
    expect((await store.readTurns('legacy', { maxMessages: 10 })).totalMessages).toBe(4);
  });

  it('skips a torn index line and starts the next entry on a fresh line', async () => {
    await createFileSessionStore({ dir }).append('first', turn(0));
    const index = path.join(dir, 'index.jsonl');
    await appendFile(index, '{"key":"tor');
    const store = createFileSessionStore({ dir });
    expect(await keys(store)).toEqual(['first']);
    await store.append('second', turn(1));
    expect((await readFile(index, 'utf8')).split('\n').slice(1)).toEqual([
      '{"key":"tor',
      JSON.stringify({ key: 'second', file: path.basename(sessionFilePath(dir, 'second')) }),
      '',
    ]);
    expect(await keys(createFileSessionStore({ dir }))).toEqual(['first', 'second']);
  });

  it('reads turns another process appended to a cached session', async () => {
    const store = createFileSessionStore({ dir });
    await store.append('k', turn(0));
    await store.load('k', { maxMessages: 10 });
    await appendFile(sessionFilePath(dir, 'k'), `${line(turn(1))}\n`);
    expect(await store.readTurns('k', { maxMessages: 10 })).toEqual({ turns: [turn(0), turn(1)], totalMessages: 4 });
  });
});
