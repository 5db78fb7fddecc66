/**
 * Append-only JSONL transcripts, one file per session under `dir`, with an in-memory copy of the
 * active sessions so a turn costs one write and no read.
 *
 * - File name: `sha256(sessionKey)` in hex + `.jsonl`, so no key (`../../etc/passwd`, NUL bytes,
 *   very long keys) can name a path outside `dir`.
 * - One turn = one line written with one write to the file opened with O_APPEND: a crash leaves at
 *   most the last line torn. Reading ignores a line that does not parse (the torn tail), and the next append
 *   starts a fresh line first so it is never glued onto the fragment.
 * - No fsync: `append` resolves once the kernel accepted the write, so a killed process loses
 *   nothing a client was answered from; a power cut may lose the last turns, an accepted trade for
 *   append latency.
 * - Cache: a session's file is read and parsed once, when a `load` first touches it; its turns are
 *   then kept, frozen, in a least-recently-used cache bounded by session count and total size
 *   (`maxCachedSessions`, `maxCachedBytes`), together with its file name, whether the file ends
 *   with a newline, and the file opened for appending. A `load` of a cached session reads no file;
 *   an append is one `write` on that descriptor (opening, writing and closing the path each turn
 *   cost three thread-pool round trips, most of a turn's CPU). Appends are written through: the
 *   cache changes only after the write succeeded. An evicted session's descriptor is closed and
 *   the session is simply read again when next used. Open descriptors are thus bounded by
 *   `maxCachedSessions` (Node raises the soft descriptor limit to the hard one at start-up).
 * - Compaction: when a load finds more than 2× `maxMessages` stored, the newest turns holding at
 *   least `maxMessages` messages are rewritten to a temp file that is renamed over the old one
 *   (atomic on POSIX). It runs in the background, after the load and without the request waiting
 *   for it; a failed one is dropped and the next load tries again.
 * - Ordering: every read and write of one session file (appends, first reads, compactions) runs on
 *   that session's own queue in call order, separate from `runExclusive`, so a background compaction
 *   never races an append and concurrent appends land in call order.
 * - Listing: `index.jsonl` in the same directory maps keys to files (`session-index.ts`); a session
 *   is listed with its file's mtime as `updatedAt`, and the agent of its last line.
 *
 * - Response ids: `rememberResponse` appends a line to `responses.jsonl` in the same directory, read
 *   back on first use and compacted when mostly dead (`response-id-log.ts`).
 *
 * One gateway per directory: several gateways share sessions through the Redis store, not through
 * a shared `dir`. A turn another process appends (a `clawgate agent` run beside the gateway) is
 * seen all the same: each load compares the file's size with the size the cache knows (one
 * `fstat`) and reads the file again when it changed; a compaction that finds the size changed
 * behind its back drops the cached copy instead of rewriting from it. Files must not be deleted
 * or renamed while the store runs: a cached session keeps appending to the file it opened.
 */
import { createHash, randomUUID } from 'node:crypto';
import { fstatSync, statSync } from 'node:fs';
import { appendFile, mkdir, open, readFile, rename, rm, stat, writeFile, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { createBoundedLruCache } from './bounded-lru-cache.js';
import { frozenTurnCopy } from './frozen-turn.js';
import { createKeyedMutex } from './keyed-mutex.js';
import { readLastTurn } from './read-last-turn.js';
import { createResponseIdLog } from './response-id-log.js';
import { createSessionIndex } from './session-index.js';
import type { SessionStore, SessionSummary, TranscriptTurn } from './session-store.js';
import { assertResponseId, checkResponseToRemember } from './stored-response.js';
import { formatTranscriptLine, parseTranscript } from './transcript-line.js';
import { keepNewestTurns, trimTranscript } from './trim-transcript.js';
import { writeWholeSync } from './write-whole-sync.js';

const STORE_NAME = 'File session store';

/** Options of {@link createFileSessionStore}. */
export interface FileSessionStoreOptions {
  /** Directory of the JSONL files (created on first write, mode 0700). Usually `<stateDir>/sessions`. */
  dir: string;
  /** Sessions kept in the in-memory cache. @defaultValue `1_000` */
  maxCachedSessions?: number;
  /**
   * Total size of the cached sessions, counted as the bytes of their files (the parsed turns take
   * about 1.3× that in heap for ~60-character messages, less for longer ones). A session larger
   * than this alone is never cached: each of its loads reads the file, as without a cache.
   * @defaultValue `64 * 1024 * 1024`
   */
  maxCachedBytes?: number;
  /**
   * Response ids remembered at once (docs/responses-api.md#sessions); past it the oldest-remembered
   * one is forgotten first. @defaultValue `100_000`
   */
  maxResponses?: number;
  /** The clock response ids expire by, in epoch ms (tests move it instead of waiting). @defaultValue `Date.now` */
  now?: () => number;
}

/** What the store knows about one session file, kept between turns. */
interface CachedSession {
  /** The file's path (its name is a sha256, worth computing once). */
  readonly file: string;
  /** Every turn the file holds, oldest first, frozen (handed out by `load` without copying). */
  turns: TranscriptTurn[];
  /** Messages in `turns`, for the compaction threshold. */
  messages: number;
  /** The file's size as this store left it: the cache weight, and a changed size means another writer. */
  bytes: number;
  /** `false` after a torn last line: the next append starts a new line first. */
  endsWithNewline: boolean;
  /** The file opened for appending (O_APPEND), from the first append on; closed when the entry leaves. */
  handle: FileHandle | undefined;
  /** A compaction is queued, so further loads need not queue another. */
  compactionQueued: boolean;
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
 * Creates the file-backed store (see the file comment for the crash-safety and caching rules).
 *
 * @throws TypeError when `maxCachedSessions` or `maxResponses` is not a positive integer or
 *   `maxCachedBytes` not a non-negative one (0 keeps no transcript in memory: every turn reads the
 *   file, as before the cache).
 * @example
 * const store = createFileSessionStore({ dir: path.join(stateDir, 'sessions') });
 */
export function createFileSessionStore(options: FileSessionStoreOptions): SessionStore {
  const dir = path.resolve(options.dir);
  const runs = createKeyedMutex();
  // One queue per session file; see "Ordering" in the file comment.
  const fileOperations = createKeyedMutex();
  const maxCachedSessions = options.maxCachedSessions ?? 1_000;
  const maxCachedBytes = options.maxCachedBytes ?? 64 * 1024 * 1024;
  if (!Number.isSafeInteger(maxCachedSessions) || maxCachedSessions < 1) {
    throw new TypeError('File session store: `maxCachedSessions` must be a positive integer');
  }
  if (!Number.isSafeInteger(maxCachedBytes) || maxCachedBytes < 0) {
    throw new TypeError('File session store: `maxCachedBytes` must be a non-negative integer');
  }
  const cache = createBoundedLruCache<CachedSession>({
    maxEntries: maxCachedSessions,
    maxWeight: maxCachedBytes,
    onRemove: (sessionKey, session) => closeHandle(sessionKey, session),
  });
  let directoryReady: Promise<unknown> | undefined;
  const ensureDirectory = () => (directoryReady ??= mkdir(dir, { recursive: true, mode: 0o700 }));
  const index = createSessionIndex(dir, (sessionKey) => sessionFilePath(dir, sessionKey));
  const responseIds = createResponseIdLog({
    dir,
    ensureDirectory,
    maxResponses: options.maxResponses ?? 100_000,
    now: options.now ?? Date.now,
  });

  /**
   * Closes the session's descriptor once the session's queued file operations are done (a write in
   * flight on it finishes first); the next append of the session opens the file again.
   */
  function closeHandle(sessionKey: string, session: CachedSession): void {
    const handle = session.handle;
    if (handle === undefined) return;
    session.handle = undefined;
    void fileOperations.runExclusive(sessionKey, () => handle.close()).catch(() => undefined);
  }

  /** Opens the session's file for appending and keeps the descriptor while the session is cached. */
  async function openHandle(sessionKey: string, session: CachedSession): Promise<FileHandle> {
    const handle = await open(session.file, 'a', 0o600);
    session.handle = handle;
    // Left the cache while the file was opening: nothing else would close it.
    if (cache.peek(sessionKey) !== session) closeHandle(sessionKey, session);
    return handle;
  }

  /** Reads the session's file into a cache entry (on the session's queue, after any pending write). */
  function readThrough(sessionKey: string): Promise<CachedSession> {
    return fileOperations.runExclusive(sessionKey, () => cachedOrRead(sessionKey, true));
  }

  /**
   * The session's cache entry, or its file read into a new one. Run it on the session's queue.
   *
   * @param cacheEmpty - Also cache a session without a file (a load is followed by an append).
   */
  async function cachedOrRead(sessionKey: string, cacheEmpty: boolean): Promise<CachedSession> {
    // Another load may have read it while this one waited in the queue.
    const cached = cache.get(sessionKey);
    if (cached !== undefined) return cached;
    const session = await readSession(sessionFilePath(dir, sessionKey));
    if (cacheEmpty || session.bytes > 0) cache.set(sessionKey, session, session.bytes);
    return session;
  }

  /** The listed form of a session, with the agent of its newest turn (from the cache when current). */
  async function summaryOf(entry: { key: string; file: string; size: number; updatedAt: number }) {
    const cached = cache.peek(entry.key);
    const newest =
      cached !== undefined && cached.bytes === entry.size
        ? cached.turns.at(-1)
        : await readLastTurn(entry.file).catch(() => undefined);
    const agentId = newest?.meta?.agentId;
    const summary: SessionSummary = { key: entry.key, updatedAt: entry.updatedAt };
    if (typeof agentId === 'string') summary.agentId = agentId;
    return summary;
  }

  /** Queues a compaction behind the session's pending file operations; the caller does not wait. */
  function queueCompaction(sessionKey: string, session: CachedSession, maxMessages: number): void {
    if (session.compactionQueued) return;
    session.compactionQueued = true;
    void fileOperations
      .runExclusive(sessionKey, () => compact(sessionKey, session, maxMessages))
      // Nothing to report to: the request that caused it is answered already. The file is intact
      // (the rename did not happen) and the next load queues another attempt.
      .catch(() => undefined)
      .finally(() => {
        session.compactionQueued = false;
      });
  }

  /**
   * Rewrites the session's file with its newest turns. `session` may have left the cache (or never
   * fitted in it); it is used only while the file still has the size it knew.
   */
  async function compact(sessionKey: string, session: CachedSession, maxMessages: number): Promise<void> {
    if (session.messages <= 2 * maxMessages) return;
    const current = () => cache.peek(sessionKey) === session;
    // Every append queued earlier has landed. If the size still matches, the file holds exactly
    // `session.turns`; if not, someone wrote it behind this entry's back (an append made after it
    // was evicted, another process): rewriting from it would drop those turns, so forget it instead
    // and let the next load read the file again.
    const size = await stat(session.file).then(
      (stats) => stats.size,
      () => undefined,
    );
    if (size !== session.bytes) {
      if (current()) cache.delete(sessionKey);
      return;
    }
    const kept = keepNewestTurns(session.turns, maxMessages);
    session.bytes = await rewrite(session.file, kept);
    // The descriptor still points at the replaced file.
    closeHandle(sessionKey, session);
    session.turns = kept;
    session.messages = countMessages(kept);
    session.endsWithNewline = true;
    if (current()) cache.setWeight(sessionKey, session.bytes);
  }

  return {
    async load(sessionKey, { maxMessages }) {
      let cached = cache.get(sessionKey);
      if (cached !== undefined && !cached.compactionQueued && fileSizeNow(cached) !== cached.bytes) {
        // Someone else appended (a `clawgate agent` turn while the gateway runs): read it again.
        cache.delete(sessionKey);
        cached = undefined;
      }
      const session = cached ?? (await readThrough(sessionKey));
      // Compaction also drops skipped (torn) lines; below the threshold they are harmless.
      if (session.messages > 2 * maxMessages) queueCompaction(sessionKey, session, maxMessages);
      // A fresh array of the cached, frozen messages: no copy, no parse (see `load` in session-store.ts).
      return trimTranscript(session.turns, maxMessages);
    },
    async append(sessionKey, turn) {
      // Both taken now: the caller may change `turn` once this returns a promise.
      const line = `${formatTranscriptLine(turn)}\n`;
      const stored = frozenTurnCopy(turn, cache.peek(sessionKey)?.turns.at(-1));
      await ensureDirectory();
      await fileOperations.runExclusive(sessionKey, async () => {
        // Indexed before the session's first line is written (see `session-index.ts`); a Set lookup
        // once the session is known.
        if (!index.has(sessionKey)) await index.add(sessionKey);
        // Looked up on the queue, not before it: a read queued ahead of this append may have just
        // cached the session, and the entry must learn about this line.
        const session = cache.get(sessionKey);
        if (session === undefined) {
          // Not cached (never loaded, evicted, or too large): as before the cache, per call.
          const file = sessionFilePath(dir, sessionKey);
          const text = (await endsWithNewline(file)) ? line : `\n${line}`;
          await appendFile(file, text, { encoding: 'utf8', mode: 0o600 });
          return;
        }
        const text = session.endsWithNewline ? line : `\n${line}`;
        try {
          const handle = session.handle ?? (await openHandle(sessionKey, session));
          // One synchronous write with O_APPEND (repeated only if the kernel took part of it): the
          // line is in the kernel before the turn goes on, so a process killed after this loses
          // nothing. Synchronous because a few hundred bytes into the page cache take ~5 µs, while
          // the thread-pool round trip of an async write cost ~30 µs of CPU per turn; pino writes
          // every log line the same way.
          writeWholeSync(handle.fd, Buffer.from(text, 'utf8'));
        } catch (error) {
          // A failed write may still have written part of the line: learn the file afresh next time.
          if (cache.peek(sessionKey) === session) cache.delete(sessionKey);
          throw error;
        }
        if (cache.peek(sessionKey) !== session) return;
        session.turns.push(stored);
        session.messages += stored.messages.length;
        session.bytes += Buffer.byteLength(text, 'utf8');
        session.endsWithNewline = true;
        cache.setWeight(sessionKey, session.bytes);
      });
    },
    async list({ limit, offset }) {
      const found = await Promise.all(
        (await index.keys()).map(async (key) => {
          const file = sessionFilePath(dir, key);
          // An entry whose file is missing (a crash before the first turn) or empty is no session.
          const stats = await stat(file).catch(() => undefined);
          if (stats === undefined || !stats.isFile() || stats.size === 0) return undefined;
          return { key, file, size: stats.size, updatedAt: Math.floor(stats.mtimeMs) };
        }),
      );
      const sessions = found.filter((entry) => entry !== undefined).sort((a, b) => b.updatedAt - a.updatedAt);
      // Only the page's own sessions need their agent.
      const page = await Promise.all(sessions.slice(offset, offset + limit).map(summaryOf));
      return { sessions: page, totalCount: sessions.length };
    },
    readTurns(sessionKey, { maxMessages }) {
      // On the session's queue like a load's first read: after the writes and compactions queued before it.
      return fileOperations.runExclusive(sessionKey, async () => {
        const cached = cache.peek(sessionKey);
        // Another process appended since it was cached (no compaction runs now: it is on this queue).
        if (cached !== undefined && fileSizeNow(cached) !== cached.bytes) cache.delete(sessionKey);
        // A session without a file is not cached: reading unknown keys must not evict live sessions.
        const session = await cachedOrRead(sessionKey, false);
        return { turns: keepNewestTurns(session.turns, maxMessages), totalMessages: session.messages };
      });
    },
    async rememberResponse(responseId, record, rememberOptions) {
      const checked = checkResponseToRemember(STORE_NAME, responseId, record, rememberOptions);
      await responseIds.remember(responseId, checked.record, checked.ttlMs);
    },
    async recallResponse(responseId) {
      assertResponseId(STORE_NAME, responseId);
      return responseIds.recall(responseId);
    },
    runExclusive: (sessionKey, task) => runs.runExclusive(sessionKey, task),
    async close() {
      await runs.drain();
      // Background compactions the last runs queued, then the descriptors the cache holds.
      await fileOperations.drain();
      cache.clear();
      await fileOperations.drain();
      await responseIds.drain();
    },
  };
}

/**
 * The size of a cached session's file right now, from its open descriptor (or its path): one
 * `fstat`, ~1 µs, so a turn another process appended is noticed at the next load.
 */
function fileSizeNow(session: CachedSession): number {
  try {
    if (session.handle !== undefined) return fstatSync(session.handle.fd).size;
    return statSync(session.file, { throwIfNoEntry: false })?.size ?? 0;
  } catch {
    // A descriptor closed under us (eviction racing this load): treat the entry as stale.
    return -1;
  }
}

/** Reads and parses a session file; a missing file is an empty session. */
async function readSession(file: string): Promise<CachedSession> {
  const buffer = await readFile(file).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return Buffer.alloc(0);
    throw error;
  });
  const text = buffer.toString('utf8');
  const turns: TranscriptTurn[] = [];
  for (const turn of parseTranscript(text).turns) turns.push(frozenTurnCopy(turn, turns.at(-1)));
  return {
    file,
    turns,
    messages: countMessages(turns),
    bytes: buffer.length,
    endsWithNewline: text === '' || text.endsWith('\n'),
    handle: undefined,
    compactionQueued: false,
  };
}

function countMessages(turns: readonly TranscriptTurn[]): number {
  let count = 0;
  for (const turn of turns) count += turn.messages.length;
  return count;
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

/**
 * Replaces `file` with exactly `turns`, atomically (temp file in the same dir + rename).
 *
 * @returns The new file's size in bytes.
 */
async function rewrite(file: string, turns: readonly TranscriptTurn[]): Promise<number> {
  const temporary = `${file}.${randomUUID()}.tmp`;
  const buffer = Buffer.from(turns.map((turn) => `${formatTranscriptLine(turn)}\n`).join(''), 'utf8');
  try {
    await writeFile(temporary, buffer, { mode: 0o600 });
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
  return buffer.length;
}
