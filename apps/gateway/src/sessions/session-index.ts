/**
 * The file store's index of session keys: `index.jsonl` beside the transcripts, one line
 * `{"key":…,"file":…}` per session. Transcript files are named by a hash of their key
 * (`file-session-store.ts`), so only the index can tell which sessions the directory holds.
 *
 * - An entry is appended the first time a store writes a turn of a session the index does not
 *   have, before that turn's line: a crash in between leaves an entry without a file (listing skips
 *   it), never a file without an entry.
 * - Sessions written before the index existed have no entry, so listing does not show them, until
 *   their next turn adds one.
 * - Append-only like the transcripts: each entry is one write with O_APPEND, a torn last line is
 *   skipped, and the next entry then starts on a fresh line.
 * - Another process (a `clawgate agent` run beside the gateway) appends entries of its own: each
 *   read compares the file's size with the bytes already read (one `stat`) and parses only the lines
 *   added since; when nothing was added it reads nothing.
 * - An entry is written synchronously (open, one write of ~100 bytes, close: about 15 µs): through
 *   the thread pool, reading and appending cost a session's first turn about seven round trips,
 *   one session at a time, which 256 sessions starting at once queued behind each other.
 *   An entry two processes added at once is there twice; keys are kept once.
 * - The `file` field is for people reading the directory; the store derives the file from the key.
 */
import { statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import path from 'node:path';
import { createKeyedMutex } from './keyed-mutex.js';
import { appendTextSync } from './write-whole-sync.js';

/** Name of the index file inside the store directory (never a transcript's `<sha256>.jsonl`). */
const SESSION_INDEX_FILE = 'index.jsonl';

/** The sessions a store directory holds, by key. */
export interface SessionIndex {
  /** `true` when the key is known to be indexed; no I/O (so `false` until the index was first read). */
  has(sessionKey: string): boolean;
  /** Appends an entry for `sessionKey`, unless the index (read up to date first) has one. */
  add(sessionKey: string): Promise<void>;
  /** Every indexed key, in the order first indexed, after reading what was appended since the last read. */
  keys(): Promise<string[]>;
}

/**
 * Creates the index of `dir`; nothing is read until the first `add` or `keys`.
 *
 * @param dir - The store directory (created by the store before any `add`).
 * @param fileOf - The transcript path of a key, whose base name the entry records.
 */
export function createSessionIndex(dir: string, fileOf: (sessionKey: string) => string): SessionIndex {
  const file = path.join(dir, SESSION_INDEX_FILE);
  const keys = new Set<string>();
  // Bytes of the file parsed so far (whole lines only) and whether more bytes follow them.
  let parsedBytes = 0;
  let tornTail = false;
  // Reads and writes of the index, one at a time in call order (one queue, under one key).
  const queue = createKeyedMutex();
  const exclusive = <T>(task: () => Promise<T>) => queue.runExclusive('index', task);

  /** The index file's size now (0 when it does not exist yet). */
  function sizeNow(): number {
    return statSync(file, { throwIfNoEntry: false })?.size ?? 0;
  }

  /** Parses the lines appended since the last read; the whole file again if it shrank (replaced). */
  async function refresh(): Promise<void> {
    let handle;
    try {
      handle = await open(file, 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      keys.clear();
      parsedBytes = 0;
      tornTail = false;
      return;
    }
    try {
      // Size and bytes from one open file, so a rename over the index cannot mix two versions.
      const { size } = await handle.stat();
      if (size < parsedBytes) {
        keys.clear();
        parsedBytes = 0;
      }
      if (size === parsedBytes) {
        tornTail = false;
        return;
      }
      const buffer = Buffer.alloc(size - parsedBytes);
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, parsedBytes);
      // Up to the last newline: a line without one is torn (or still being written by another process).
      const end = buffer.subarray(0, bytesRead).lastIndexOf(0x0a) + 1;
      for (const line of buffer.subarray(0, end).toString('utf8').split('\n')) {
        const key = parseEntry(line);
        if (key !== undefined) keys.add(key);
      }
      parsedBytes += end;
      tornTail = parsedBytes < size;
    } finally {
      await handle.close();
    }
  }

  return {
    has: (sessionKey) => keys.has(sessionKey),
    add: (sessionKey) =>
      exclusive(async () => {
        if (keys.has(sessionKey)) return;
        // Another process may have indexed it since the last read.
        if (sizeNow() !== parsedBytes) await refresh();
        if (keys.has(sessionKey)) return;
        const line = `${JSON.stringify({ key: sessionKey, file: path.basename(fileOf(sessionKey)) })}\n`;
        const text = tornTail ? `\n${line}` : line;
        const before = sizeNow();
        appendTextSync(file, text);
        keys.add(sessionKey);
        // Our line alone was added: it need not be read back. Otherwise the next read parses it.
        if (sizeNow() === before + Buffer.byteLength(text)) {
          parsedBytes = before + Buffer.byteLength(text);
          tornTail = false;
        }
      }),
    keys: () =>
      exclusive(async () => {
        if (sizeNow() !== parsedBytes) await refresh();
        return [...keys];
      }),
  };
}

/** The key of one index line, or `undefined` for a blank, torn or foreign line. */
function parseEntry(line: string): string | undefined {
  if (line.trim() === '') return undefined;
  try {
    const value: unknown = JSON.parse(line);
    const key = (value as { key?: unknown } | null)?.key;
    return typeof key === 'string' ? key : undefined;
  } catch {
    return undefined;
  }
}
