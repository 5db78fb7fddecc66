import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readLastTurn } from './read-last-turn.js';
import { formatTranscriptLine } from './transcript-line.js';
import { numberedTurn } from './__fixtures__/numbered-turn.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'clawgate-last-turn-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('readLastTurn', () => {
  it('gives the last turn, skipping a torn tail, and nothing for a missing or empty file', async () => {
    const file = path.join(dir, 'session.jsonl');
    expect(await readLastTurn(file)).toBeUndefined();
    await writeFile(file, '');
    expect(await readLastTurn(file)).toBeUndefined();
    await appendFile(file, `${formatTranscriptLine(numberedTurn(0))}\n`);
    expect(await readLastTurn(file)).toEqual(numberedTurn(0));
    await appendFile(file, `${formatTranscriptLine(numberedTurn(1))}\n`);
    expect(await readLastTurn(file)).toEqual(numberedTurn(1));
    await appendFile(file, '{"v":1,"createdAt":"2026-01-01T00:00:00.000Z","mess');
    expect(await readLastTurn(file)).toEqual(numberedTurn(1));
  });

  it('reads further back when the last line is longer than the first window', async () => {
    const file = path.join(dir, 'session.jsonl');
    const long = { ...numberedTurn(2), messages: [{ role: 'user' as const, content: 'x'.repeat(100_000) }] };
    await writeFile(file, `${formatTranscriptLine(numberedTurn(0))}\n${formatTranscriptLine(long)}\n`);
    expect(await readLastTurn(file)).toEqual(long);
    // A torn tail longer than the window, after the long line.
    await appendFile(file, `{"v":1,"messages":"${'y'.repeat(40_000)}`);
    expect(await readLastTurn(file)).toEqual(long);
  });
});
