import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { appendFile, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFileSessionStore, sessionFilePath } from './file-session-store.js';
import type { TranscriptTurn } from './session-store.js';

let root: string;
let dir: string;

beforeEach(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'clawgate-sessions-'));
  dir = path.join(root, 'sessions');
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const turn = (index: number): TranscriptTurn => ({
  createdAt: '2026-01-01T00:00:00.000Z',
  messages: [
    { role: 'user', content: `q${index}` },
    { role: 'assistant', content: `a${index}` },
  ],
});
const contents = (messages: { content: string }[]) => messages.map((message) => message.content);

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
    const files = await readdir(dir);
    expect(files).toHaveLength(5);
    for (const file of files) expect(file).toMatch(/^[0-9a-f]{64}\.jsonl$/);
    expect(sessionFilePath(dir, '../../etc/passwd')).toBe(path.join(dir, `${sha256('../../etc/passwd')}.jsonl`));
    expect(await readdir(root)).toEqual(['sessions']);
  });

  it('trims to maxMessages on load and compacts the file past twice the limit', async () => {
    const store = createFileSessionStore({ dir });
    for (let index = 0; index < 5; index += 1) await store.append('k', turn(index));
    const file = sessionFilePath(dir, 'k');
    // 10 messages stored, more than 2 × 4: the file is rewritten with the 2 newest turns.
    expect(contents(await store.load('k', { maxMessages: 4 }))).toEqual(['q3', 'a3', 'q4', 'a4']);
    expect((await readFile(file, 'utf8')).trim().split('\n')).toHaveLength(2);
    // Below 2× the limit nothing is rewritten.
    await store.append('k', turn(5));
    expect(contents(await store.load('k', { maxMessages: 4 }))).toEqual(['q4', 'a4', 'q5', 'a5']);
    expect((await readFile(file, 'utf8')).trim().split('\n')).toHaveLength(3);
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
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
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
    const task = (name: string, ms: number) => async () => {
      log.push(`start ${name}`);
      await new Promise((resolve) => setTimeout(resolve, ms));
      log.push(`end ${name}`);
    };
    await Promise.all([store.runExclusive('a', task('a1', 30)), store.runExclusive('a', task('a2', 1)), store.runExclusive('b', task('b1', 1))]);
    expect(log).toEqual(['start a1', 'start b1', 'end b1', 'end a1', 'start a2', 'end a2']);
    await store.close();
  });

  it('creates the directory with mode 0700 and files with 0600', async () => {
    const store = createFileSessionStore({ dir });
    await store.append('k', turn(0));
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    expect((await stat(sessionFilePath(dir, 'k'))).mode & 0o777).toBe(0o600);
  });
});

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
