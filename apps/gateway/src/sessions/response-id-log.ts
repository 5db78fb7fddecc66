/**
 * The file store's remembered response ids (docs/responses-api.md#sessions): `responses.jsonl`
 * beside the transcripts, one line `{"id":…,"sessionKey":…,"agentId":…,"expiresAt":…}` per
 * `rememberResponse`, read into an {@link ExpiringResponseMap} so the ids survive a restart.
 *
 * - Append-only like the session index (`session-index.ts`): each line is one synchronous O_APPEND
 *   write, so a crash leaves at most the last line torn. Loading skips a line that does not parse,
 *   and the next line then starts on a fresh line. A later line of an id replaces the earlier ones,
 *   as a later `rememberResponse` does. JSON encoding lets ids and keys hold any character.
 * - Loaded lazily: the file is read on the first remember or recall, once; from then on the map in
 *   memory answers recalls. The store is the file's only writer (one gateway per directory, as for
 *   the transcripts).
 * - Compaction: a line whose id expired, was evicted by the bound or was replaced is dead. Once dead
 *   lines outnumber the live entries by more than {@link COMPACTION_MARGIN}, the live entries are
 *   written to a temp file that is renamed over the log (atomic on POSIX), queued behind the
 *   appends and not awaited by the call that triggered it. The file then holds more than twice the
 *   live lines, so compactions write fewer lines in all than remembers appended: constant cost per
 *   remember. The margin keeps a small log from being rewritten every few calls. A failed compaction
 *   is tried again only after another margin of appends.
 */
import { randomUUID } from 'node:crypto';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createExpiringResponseMap, type RememberedResponse } from './expiring-response-map.js';
import { createKeyedMutex } from './keyed-mutex.js';
import type { StoredResponse } from './session-store.js';
import { storedResponseOf } from './stored-response.js';
import { appendTextSync } from './write-whole-sync.js';

/** Name of the log inside the store directory (never a transcript's `<sha256>.jsonl`). */
export const RESPONSE_ID_LOG_FILE = 'responses.jsonl';

/** Dead lines beyond the live entries' count that a compaction waits for. */
export const COMPACTION_MARGIN = 1_000;

/** The remembered response ids of one store directory. */
export interface ResponseIdLog {
  /** Appends the id's line, then remembers it until `now() + ttlMs`. */
  remember(responseId: string, record: StoredResponse, ttlMs: number): Promise<void>;
  /** The id's record before its expiry, else `undefined`. */
  recall(responseId: string): Promise<StoredResponse | undefined>;
  /** Resolves once the queued appends and compactions are done. */
  drain(): Promise<void>;
}

/** Options of {@link createResponseIdLog}. */
export interface ResponseIdLogOptions {
  /** The store directory. */
  dir: string;
  /** Creates the directory (mode 0700) before the first append; called once per append, memoised by the caller. */
  ensureDirectory: () => Promise<unknown>;
  /** Ids remembered at once; past it the oldest-remembered is forgotten first. */
  maxResponses: number;
  /** The clock, in epoch ms. */
  now: () => number;
}

/**
 * Creates the log of `options.dir`; nothing is read until the first `remember` or `recall`.
 *
 * @throws TypeError when `maxResponses` is not a positive integer.
 */
export function createResponseIdLog(options: ResponseIdLogOptions): ResponseIdLog {
  const { now, ensureDirectory } = options;
  const file = path.join(options.dir, RESPONSE_ID_LOG_FILE);
  const responses = createExpiringResponseMap({ maxEntries: options.maxResponses, now });
  // Non-blank lines the file holds; those the map does not hold are dead.
  let lines = 0;
  // `true` after a last line without its newline: the next append starts a fresh line first.
  let tornTail = false;
  let loading: Promise<void> | undefined;
  let compactionQueued = false;
  // After a failed compaction, the line count the next attempt waits for.
  let retryCompactionAt = 0;
  // Loads, appends and compactions of the file, one at a time in call order.
  const queue = createKeyedMutex();
  const exclusive = <T>(task: () => Promise<T>) => queue.runExclusive('responses', task);

  function ensureLoaded(): Promise<void> {
    loading ??= exclusive(load).catch((error: unknown) => {
      // Unreadable now (permissions, I/O): the next call tries again.
      loading = undefined;
      throw error;
    });
    return loading;
  }

  async function load(): Promise<void> {
    const buffer = await readFile(file).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return Buffer.alloc(0);
      throw error;
    });
    const text = buffer.toString('utf8');
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      lines += 1;
      const entry = parseLine(line);
      // In file order, so the newest line of an id wins, even an expired one (it forgets the id).
      if (entry !== undefined) responses.remember(entry.responseId, entry.record, entry.expiresAt);
    }
    tornTail = text !== '' && !text.endsWith('\n');
    compactIfMostlyDead();
  }

  function compactIfMostlyDead(): void {
    const live = responses.size;
    if (compactionQueued || lines - live <= live + COMPACTION_MARGIN || lines < retryCompactionAt) return;
    compactionQueued = true;
    void exclusive(compact)
      // Nobody waits for it: the log stays as it was (the rename did not happen) and grows a margin more first.
      .catch(() => {
        retryCompactionAt = lines + COMPACTION_MARGIN;
      })
      .finally(() => {
        compactionQueued = false;
      });
  }

  async function compact(): Promise<void> {
    const live = responses.liveEntries();
    const temporary = `${file}.${randomUUID()}.tmp`;
    try {
      await writeFile(temporary, live.map(formatLine).join(''), { encoding: 'utf8', mode: 0o600 });
      await rename(temporary, file);
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
    lines = live.length;
    tornTail = false;
  }

  return {
    async remember(responseId, record, ttlMs) {
      // Timed at the call, as the memory and Redis stores do, not when the queue reaches it.
      const entry = { responseId, record, expiresAt: now() + ttlMs };
      const line = formatLine(entry);
      await ensureLoaded();
      await ensureDirectory();
      await exclusive(async () => {
        const text = tornTail ? `\n${line}` : line;
        // Until the write is known whole, the file may end in part of this line.
        tornTail = true;
        appendTextSync(file, text);
        tornTail = false;
        lines += 1;
        // Written through: the map learns the id only once its line is in the file.
        responses.remember(responseId, record, entry.expiresAt);
        compactIfMostlyDead();
      });
    },
    async recall(responseId) {
      await ensureLoaded();
      return responses.recall(responseId);
    },
    drain: () => queue.drain(),
  };
}

/** One line of the log, with its newline (`JSON.stringify` escapes any newline inside a string). */
function formatLine({ responseId, record, expiresAt }: RememberedResponse): string {
  return `${JSON.stringify({ id: responseId, sessionKey: record.sessionKey, agentId: record.agentId, expiresAt })}\n`;
}

/** The entry of one line, or `undefined` for a torn or foreign line. */
function parseLine(line: string): RememberedResponse | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  const record = storedResponseOf(value);
  if (record === undefined) return undefined;
  const { id, expiresAt } = value as { id?: unknown; expiresAt?: unknown };
  if (typeof id !== 'string' || typeof expiresAt !== 'number') return undefined;
  return { responseId: id, record, expiresAt };
}
