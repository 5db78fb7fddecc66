/**
 * The stored form of one turn, shared by the file store (one JSONL line) and the Redis store (one
 * list element): `{"v":1,"createdAt":…,"messages":[…],"meta":{…}}`.
 */
import type { TranscriptTurn } from './session-store.js';

/** Version tag of a stored turn, so a future format can be told apart. */
const LINE_VERSION = 1;

/**
 * The JSON of one turn, without a newline (`JSON.stringify` never emits a raw one, so lines join
 * into valid JSONL).
 */
export function formatTranscriptLine(turn: TranscriptTurn): string {
  return JSON.stringify({ v: LINE_VERSION, ...turn });
}

/**
 * Parses JSONL text into turns. Lines that are not valid turns (a torn tail after a crash) are
 * skipped and counted; a last line without its newline is accepted when it is complete JSON.
 */
export function parseTranscript(text: string): { turns: TranscriptTurn[]; skippedLines: number } {
  const turns: TranscriptTurn[] = [];
  let skippedLines = 0;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const turn = parseTranscriptLine(line);
    if (turn) turns.push(turn);
    else skippedLines += 1;
  }
  return { turns, skippedLines };
}

/**
 * Parses one stored turn (a file line or a Redis element).
 *
 * @returns The turn, or `undefined` when it is not one (not JSON, another version, wrong shape).
 *   Messages that are not user/assistant messages with string content are dropped.
 */
export function parseTranscriptLine(line: string): TranscriptTurn | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (value === null || typeof value !== 'object') return undefined;
  const record = value as Record<string, unknown>;
  if (record.v !== LINE_VERSION || typeof record.createdAt !== 'string' || !Array.isArray(record.messages))
    return undefined;
  const messages = record.messages.filter(
    (message): message is TranscriptTurn['messages'][number] =>
      message !== null &&
      typeof message === 'object' &&
      (message.role === 'user' || message.role === 'assistant') &&
      typeof message.content === 'string',
  );
  const meta =
    record.meta !== null && typeof record.meta === 'object' ? (record.meta as TranscriptTurn['meta']) : undefined;
  return { createdAt: record.createdAt, messages, ...(meta ? { meta } : {}) };
}
