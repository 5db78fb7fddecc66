/**
 * Append-only JSONL transcripts, one file per session under `dir`.
 *
 * - File name: `sha256(sessionKey)` in hex + `.jsonl`, so no key (`../../etc/passwd`, NUL bytes,
 *   very long keys) can name a path outside `dir`.
 * - One turn = one line written with a single `appendFile` (O_APPEND): a crash leaves at most the
 *   last line torn. Load ignores a line that does not parse (the torn tail), and the next append
 *   starts a fresh line first so it is never glued onto the fragment.
 * - No fsync: a killed process loses nothing the kernel has accepted; a power cut may lose the last
 *   turns, an accepted trade for append latency.
 * - Compaction: when a load finds more than 2× `maxMessages` stored, the newest turns are rewritten to
 *   a temp file that is renamed over the old one (atomic on POSIX).
 */
import { createHash, randomUUID } from 'node:crypto';
import { appendFile, mkdir, open, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createKeyedMutex } from './keyed-mutex.js';
import type { SessionStore, TranscriptTurn } from './session-store.js';
import { keepNewestTurns, trimTranscript } from './trim-transcript.js';

/** Version tag of a stored line, so a future format can be told apart. */
const LINE_VERSION = 1;

/** Options of {@link createFileSessionStore}. */
export interface FileSessionStoreOptions {
  /** Directory of the JSONL files (created on first write, mode 0700). Usually `<stateDir>/sessions`. */
  dir: string;
}

/**
 * The path a session's transcript is stored at.
 *
 * @param dir - The store directory.
 * @param sessionKey - Any string.
 * @returns `<dir>/<sha256 hex>.jsonl`.
 */
export function sessionFilePath(dir: string, sessionKey: string): string {
  return path.join(dir, `${createHash('sha256').update(sessionKey, 'utf8').digest('hex')}.jsonl`);
}

/**
 * Creates the file-backed store (see the file comment for the crash-safety rules).
 *
 * @example
 * const store = createFileSessionStore({ dir: path.join(stateDir, 'sessions') });
 */
export function createFileSessionStore(options: FileSessionStoreOptions): SessionStore {
  const dir = path.resolve(options.dir);
  const mutex = createKeyedMutex();
  let directoryReady: Promise<unknown> | undefined;
  const ensureDirectory = () => (directoryReady ??= mkdir(dir, { recursive: true, mode: 0o700 }));

  return {
    async load(sessionKey, { maxMessages }) {
      const file = sessionFilePath(dir, sessionKey);
      const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return '';
        throw error;
      });
      const { turns } = parseTranscript(text);
      const total = turns.reduce((count, turn) => count + turn.messages.length, 0);
      // Compaction also drops skipped (torn) lines; below the threshold they are harmless.
      if (total > 2 * maxMessages) {
        await rewrite(file, keepNewestTurns(turns, maxMessages));
      }
      return trimTranscript(turns, maxMessages);
    },
    async append(sessionKey, turn) {
      await ensureDirectory();
      const file = sessionFilePath(dir, sessionKey);
      const line = JSON.stringify({ v: LINE_VERSION, ...turn });
      const prefix = (await endsWithNewline(file)) ? '' : '\n';
      await appendFile(file, `${prefix}${line}\n`, { encoding: 'utf8', mode: 0o600 });
    },
    runExclusive: (sessionKey, task) => mutex.runExclusive(sessionKey, task),
    async close() {
      await mutex.drain();
    },
  };
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
    const turn = parseLine(line);
    if (turn) turns.push(turn);
    else skippedLines += 1;
  }
  return { turns, skippedLines };
}

function parseLine(line: string): TranscriptTurn | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (value === null || typeof value !== 'object') return undefined;
  const record = value as Record<string, unknown>;
  if (record.v !== LINE_VERSION || typeof record.createdAt !== 'string' || !Array.isArray(record.messages)) return undefined;
  const messages = record.messages.filter(
    (message): message is TranscriptTurn['messages'][number] =>
      message !== null &&
      typeof message === 'object' &&
      (message.role === 'user' || message.role === 'assistant') &&
      typeof message.content === 'string',
  );
  const meta = record.meta !== null && typeof record.meta === 'object' ? (record.meta as TranscriptTurn['meta']) : undefined;
  return { createdAt: record.createdAt, messages, ...(meta ? { meta } : {}) };
}

/** `true` for a missing or empty file or one whose last byte is `\n`. */
async function endsWithNewline(file: string): Promise<boolean> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return true;
    throw error;
  }
  try {
    const { size } = await handle.stat();
    if (size === 0) return true;
    const buffer = Buffer.alloc(1);
    await handle.read(buffer, 0, 1, size - 1);
    return buffer[0] === 0x0a;
  } finally {
    await handle.close();
  }
}

/** Replaces `file` with exactly `turns`, atomically (temp file in the same dir + rename). */
async function rewrite(file: string, turns: readonly TranscriptTurn[]): Promise<void> {
  const temporary = `${file}.${randomUUID()}.tmp`;
  const text = turns.map((turn) => `${JSON.stringify({ v: LINE_VERSION, ...turn })}\n`).join('');
  try {
    await writeFile(temporary, text, { encoding: 'utf8', mode: 0o600 });
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}
