/**
 * What a stored-session turn costs the file store in file-system calls, counted on `node:fs/promises`
 * (in its own test file: the module mock applies to the whole file).
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createFileSessionStore, sessionFilePath } from './file-session-store.js';
import { numberedTurn } from './__fixtures__/numbered-turn.js';

const calls = vi.hoisted(() => new Map<string, number>());

vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<Record<string, unknown>>();
  const counted: Record<string, unknown> = {};
  const count = (name: string) => calls.set(name, (calls.get(name) ?? 0) + 1);
  // Calls on an opened file count as `handle.<method>`.
  const countedHandle = (handle: object) =>
    new Proxy(handle, {
      get(target, property) {
        const value: unknown = Reflect.get(target, property, target);
        if (typeof value !== 'function' || typeof property !== 'string') return value;
        return (...args: unknown[]) => {
          count(`handle.${property}`);
          return (value as (...rest: unknown[]) => unknown).apply(target, args);
        };
      },
    });
  for (const [name, value] of Object.entries(actual)) {
    if (typeof value !== 'function') {
      counted[name] = value;
      continue;
    }
    counted[name] = (...args: unknown[]) => {
      count(name);
      const result = (value as (...rest: unknown[]) => unknown)(...args);
      return name === 'open' ? (result as Promise<object>).then(countedHandle) : result;
    };
  }
  return { ...counted, default: counted };
});

// The synchronous calls a cached turn makes (the size check and the write) count as `fs.<name>`.
vi.mock('node:fs', async (importOriginal) => {
  const actual = await importOriginal<Record<string, unknown>>();
  const counted: Record<string, unknown> = { ...actual };
  for (const name of ['writeSync', 'fstatSync', 'statSync', 'readFileSync', 'openSync']) {
    const original = actual[name] as (...rest: unknown[]) => unknown;
    counted[name] = (...args: unknown[]) => {
      calls.set(`fs.${name}`, (calls.get(`fs.${name}`) ?? 0) + 1);
      return original(...args);
    };
  }
  return { ...counted, default: counted };
});

let root: string;
beforeEach(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'clawgate-sessions-io-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const turn = numberedTurn;

describe('file session store file-system calls', () => {
  it('reads the file once; after that a turn (load + append) makes one size check and one write', async () => {
    const dir = path.join(root, 'sessions');
    const store = createFileSessionStore({ dir });
    const key = 'agent:main:openai-user:alice';
    const runTurn = (index: number) =>
      store.runExclusive(key, async () => {
        await store.load(key, { maxMessages: 200 });
        await store.append(key, turn(index));
      });
    await runTurn(0);
    await runTurn(1);
    calls.clear();
    for (let index = 2; index < 12; index += 1) await runTurn(index);
    // No read of any kind and no thread-pool call: per turn, one fstat of the descriptor opened by
    // the first append (another writer would change the size) and one write on it.
    expect(Object.fromEntries(calls)).toEqual({ 'fs.fstatSync': 10, 'fs.writeSync': 10 });
    const stored = (await readFile(sessionFilePath(dir, key), 'utf8')).trim().split('\n');
    expect(stored.map((line) => JSON.parse(line).messages[0].content)).toEqual(
      Array.from({ length: 12 }, (_, index) => `q${index}`),
    );
  });

  it('never reads the file again across background compactions', async () => {
    const dir = path.join(root, 'sessions');
    const store = createFileSessionStore({ dir });
    const key = 'agent:main:openai-user:bob';
    await store.load(key, { maxMessages: 4 });
    calls.clear();
    for (let index = 0; index < 40; index += 1) {
      await store.runExclusive(key, async () => {
        await store.load(key, { maxMessages: 4 });
        await store.append(key, turn(index));
      });
    }
    await store.close();
    // Compacted past 8 messages, so about every third turn: each rewrite checks the size (stat),
    // writes and renames a temp file, and the next append opens the new file. Nothing is read.
    expect(calls.get('readFile')).toBeUndefined();
    expect(calls.get('stat')).toBeGreaterThanOrEqual(10);
    expect(calls.get('rename')).toBe(calls.get('stat'));
    const stored = (await readFile(sessionFilePath(dir, key), 'utf8')).trim().split('\n');
    expect(stored.map((line) => JSON.parse(line).messages[0].content)).toEqual(['q36', 'q37', 'q38', 'q39']);
  });

  it('caches no session for reads of unknown keys, so they never evict a live one', async () => {
    const dir = path.join(root, 'sessions');
    const store = createFileSessionStore({ dir, maxCachedSessions: 1 });
    const key = 'agent:main:openai-user:carol';
    const runTurn = (index: number) =>
      store.runExclusive(key, async () => {
        await store.load(key, { maxMessages: 200 });
        await store.append(key, turn(index));
      });
    await runTurn(0);
    for (const unknown of ['ghost-1', 'ghost-2']) {
      expect(await store.readTurns(unknown, { maxMessages: 10 })).toEqual({ turns: [], totalMessages: 0 });
    }
    calls.clear();
    await runTurn(1);
    expect(Object.fromEntries(calls)).toEqual({ 'fs.fstatSync': 1, 'fs.writeSync': 1 });
  });
});
