/**
 * Session transcripts in Redis, shared by every gateway replica (the gateway README's "Several
 * replicas with Redis").
 *
 * Storage:
 * - One list per session, `<prefix>session:{sha256(sessionKey)}`, one JSON element per turn
 *   (`{"v":1,"createdAt":…,"messages":[…],"meta":{…}}`, the file store's line format), oldest first. Like
 *   the file store's file names, the key names hold only the session key's hash.
 * - The listing (`redis-session-keys.ts`): a sorted set of the raw session keys scored by their
 *   newest turn's `createdAt`, and a hash of the newest turn's agent, both written by the append
 *   script. With `ttlSeconds`, a session whose newest turn is older than that is left out of
 *   listings (its transcript expired) and dropped from the set by later appends.
 * - A turn is appended by one Lua script that checks the run's lock token, `RPUSH`es the element,
 *   `LTRIM`s the list and refreshes the idle expiry, all atomically.
 * - Trimming keeps the newest N turns, where N is the `maxMessages` of the last `load` of that
 *   session inside the current run (every stored turn holds at least one message, so N turns hold
 *   at least N messages: `load` answers exactly as the memory and file stores do), or
 *   `maxStoredTurns` for an append without such a load.
 * - `ttlSeconds` (default: none) expires a session idle that long since its last append.
 * - Remembered response ids: one string per id, `<prefix>response:<id>` (`redis-session-keys.ts`),
 *   written with `SET … PX <ttlMs>` and read with `GET`, so every replica sees them and Redis expires
 *   them. No bound in process: Redis's own memory policy bounds them.
 *
 * Serialisation: `runExclusive` first queues in process (one keyed mutex, so a process never polls
 * Redis for its own waiters), then takes the cross-process lock of `redis-session-lock.ts`.
 * While the task runs, `append` on that session is fenced on the lock's token.
 *
 * Round trips: a stored-session run costs three, lock + read, append, release. Taking the lock also
 * reads the newest turns (as many as the last load of this store asked for), and the run's load
 * answers from them: nobody else can append while the lock is held, so they are current until the
 * run's own append. A load reads half as many turns as it wants messages (every turn the gateway
 * stores holds a prompt and a reply) and reads more only when those turns hold too few, so it
 * fetches and parses no more of the transcript than it returns.
 */
import type { Cluster, Redis } from 'ioredis';
import { GatewayError } from '../errors.js';
import { createKeyedMutex } from './keyed-mutex.js';
import { createRedisSessionClient, redactRedisUrl, REDIS_TIMEOUT_MS } from './redis-session-client.js';
import {
  sessionLockLost,
  sessionStoreClosed,
  sessionStoreUnavailable,
  SERVICE_UNAVAILABLE,
} from './redis-session-errors.js';
import { redisResponseKey, redisSessionIndexKeys, redisSessionKeys } from './redis-session-keys.js';
import { createRedisSessionLock, type HeldRedisSessionLock } from './redis-session-lock.js';
import { defineRedisSessionScripts } from './redis-session-scripts.js';
import type {
  SessionPage,
  SessionStore,
  SessionSummary,
  StoredResponse,
  TranscriptMessage,
  TranscriptTurn,
} from './session-store.js';
import { assertResponseId, checkResponseToRemember, storedResponseOf } from './stored-response.js';
import { parseTranscriptLine } from './transcript-line.js';
import { keepNewestTurns, trimTranscript } from './trim-transcript.js';

/** Starts the store's `TypeError` messages. */
const STORE_NAME = 'Redis session store';

/** Stored element format version (the same as the file store's lines). */
const ELEMENT_VERSION = 1;

/** Options shared by both ways of building a {@link createRedisSessionStore | Redis session store}. */
export interface RedisSessionStoreCommonOptions {
  /**
   * Prefix of every key the store writes (lets several gateways share one Redis database).
   * @defaultValue `'clawgate:'`
   */
  prefix?: string;
  /**
   * Expiry of a run's lock, renewed every third of it while the run lasts. It bounds how long a
   * session stays blocked after its holder died (crash, kill -9, network partition).
   * @defaultValue `15_000`
   */
  lockTtlMs?: number;
  /**
   * How long a run waits for another replica's run on the same session before failing with 503
   * `session is busy`. Waiting behind runs of the same process is not counted (as in the file store).
   * @defaultValue `60_000`
   */
  lockWaitMs?: number;
  /**
   * Delete a session idle this many seconds after its last append. `undefined`: keep for ever.
   * @defaultValue `undefined`
   */
  ttlSeconds?: number;
  /**
   * Turns kept by an append that had no `load` of the same session in its run.
   * @defaultValue `1_000`
   */
  maxStoredTurns?: number;
}

/** Options of {@link createRedisSessionStore}: a `url` (the store owns its client) or a `client`. */
export type RedisSessionStoreOptions = RedisSessionStoreCommonOptions &
  (
    | {
        /**
         * `redis://[user:password@]host:port[/db]` or `rediss://…`. The store creates, connects and quits its own
         * client.
         */
        url: string;
        client?: never;
        /** `CLIENT LIST` name of the owned client. @defaultValue `'clawgate:sessions'` */
        connectionName?: string;
      }
    | {
        url?: never;
        /**
         * An ioredis client or cluster the caller owns (never quit by `close()`). Configure it to
         * fail fast (`enableOfflineQueue: false`, `autoResendUnfulfilledCommands: false`, a
         * `commandTimeout`) or requests wait on its retry policy while Redis is away.
         */
        client: Redis | Cluster;
        connectionName?: never;
      }
  );

/** A {@link SessionStore} backed by Redis, plus start-up and readiness hooks. */
export interface RedisSessionStore extends SessionStore {
  /**
   * Connects (the first call) and resolves once Redis answers. Await it at start-up: operations
   * before that wait for the first connection attempt, and a Redis that is down is reported here
   * with its (password-redacted) address rather than as a 503 on the first request.
   *
   * @throws GatewayError 503 `service_unavailable` whose message names the redacted URL and the
   *   cause, e.g. `Redis session store: cannot connect to redis://127.0.0.1:6379 (connect ECONNREFUSED
   * 127.0.0.1:6379)`.
   */
  ready(): Promise<void>;
  /** `true` while the connection is up (for `/readyz`); no I/O. */
  isReady(): boolean;
}

/**
 * Creates the Redis session store (see the file comment for the storage and locking rules).
 *
 * @param options - See {@link RedisSessionStoreOptions}.
 * @throws TypeError when the options are invalid (both or neither of `url`/`client`, a non-Redis
 *   URL, a non-positive number).
 * @example
 * const store = createRedisSessionStore({ url: 'redis://127.0.0.1:6379' });
 * await store.ready(); // at start-up: a clear error if Redis is unreachable
 * await store.runExclusive(sessionKey, async () => {
 *   const history = await store.load(sessionKey, { maxMessages: 40 });
 *   await store.append(sessionKey, { createdAt: new Date().toISOString(), messages });
 * });
 * await store.close();
 */
export function createRedisSessionStore(options: RedisSessionStoreOptions): RedisSessionStore {
  const settings = validateOptions(options);
  const owned = options.client === undefined;
  const client: Redis | Cluster =
    options.client ??
    createRedisSessionClient({ url: options.url, connectionName: options.connectionName ?? 'clawgate:sessions' });
  const describedTarget = owned ? redactRedisUrl(options.url as string) : 'the injected client';
  let lastError: unknown;
  // An owned client is ours to watch: without a listener ioredis prints every reconnect failure.
  if (owned) client.on('error', (error: unknown) => (lastError = error));

  const scripts = defineRedisSessionScripts(client);
  const locks = createRedisSessionLock({
    scripts,
    prefix: settings.prefix,
    ttlMs: settings.lockTtlMs,
    waitMs: settings.lockWaitMs,
  });
  const mutex = createKeyedMutex();
  const indexKeys = redisSessionIndexKeys(settings.prefix);
  // The lock each session's running task holds in this process (the keyed mutex allows one).
  const held = new Map<string, HeldRedisSessionLock>();
  // `maxMessages` of the last load inside the running task, used to trim on append.
  const limits = new Map<string, number>();
  // Elements read with the lock of each running task (and how many were asked for), until the
  // task's first append makes them stale.
  const prefetched = new Map<string, { elements: readonly string[]; requested: number }>();
  // How many elements a lock acquisition reads for the run's load: sized by the last load, since
  // one gateway's runs nearly always ask for the same `maxHistoryMessages`. 0 until a first load.
  let readTurnsWithLock = 0;
  let everReady = false;
  let closed = false;
  let closing: Promise<void> | undefined;

  async function connect(): Promise<void> {
    if (client.status === 'ready') return;
    if (client.status === 'wait') {
      await client.connect().catch((error: unknown) => {
        // A concurrent caller started it: fall through and wait for the outcome.
        if (!/already connecting/i.test(String((error as Error)?.message))) throw error;
      });
    }
    // Re-read: `connect()` changed the status (TypeScript still narrows it to 'wait').
    if ((client.status as string) !== 'ready') await waitForReady(client);
  }

  async function ready(): Promise<void> {
    if (closed) throw sessionStoreClosed();
    try {
      await connect();
      await client.ping();
      everReady = true;
    } catch (error) {
      const reason = describeError(lastError ?? error);
      throw new GatewayError(`Redis session store: cannot connect to ${describedTarget} (${reason})`, {
        status: 503,
        type: SERVICE_UNAVAILABLE,
        cause: error,
      });
    }
  }

  /** Before each operation: wait for the first connection, afterwards fail fast while it is down. */
  async function ensureConnected(): Promise<void> {
    if (closed) throw sessionStoreClosed();
    if (client.status === 'ready') return;
    const status: string = client.status;
    const firstConnection = status === 'wait' || (!everReady && (status === 'connecting' || status === 'connect'));
    if (firstConnection) {
      try {
        await connect();
        everReady = true;
        return;
      } catch (error) {
        throw sessionStoreUnavailable(error);
      }
    }
    // An injected client follows its own policy (it may queue commands while reconnecting).
    if (!owned) return;
    throw sessionStoreUnavailable(lastError);
  }

  /** Runs one Redis call; any failure but our own errors becomes a 503. */
  async function guard<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      throw GatewayError.isInstance(error) ? error : sessionStoreUnavailable(error);
    }
  }

  async function load(sessionKey: string, loadOptions: { maxMessages: number }): Promise<TranscriptMessage[]> {
    assertSessionKey(sessionKey);
    const maxMessages = loadOptions?.maxMessages;
    if (!Number.isSafeInteger(maxMessages) || maxMessages < 1) {
      throw new TypeError('Redis session store: `maxMessages` must be a positive integer');
    }
    await ensureConnected();
    const lock = held.get(sessionKey);
    if (lock) limits.set(sessionKey, maxMessages);
    readTurnsWithLock = Math.ceil(maxMessages / 2);
    const early = prefetched.get(sessionKey);
    if (early !== undefined) {
      const picked = newestTurns(early.elements, early.requested, maxMessages);
      if (picked.enough) return trimTranscript(picked.turns, maxMessages);
    }
    const transcript = (lock?.keys ?? redisSessionKeys(settings.prefix, sessionKey)).transcript;
    // Half as many turns as messages first (a turn is a prompt and a reply), then, only if those
    // hold too few, the last maxMessages turns: every stored turn holds at least one message.
    const wanted = Math.ceil(maxMessages / 2);
    if (wanted < maxMessages) {
      const elements = await guard(() => client.lrange(transcript, -wanted, -1));
      const picked = newestTurns(elements, wanted, maxMessages);
      if (picked.enough) return trimTranscript(picked.turns, maxMessages);
    }
    const elements = await guard(() => client.lrange(transcript, -maxMessages, -1));
    return trimTranscript(newestTurns(elements, maxMessages, maxMessages).turns, maxMessages);
  }

  async function append(sessionKey: string, turn: TranscriptTurn): Promise<void> {
    assertSessionKey(sessionKey);
    assertTurn(turn);
    // An empty turn adds nothing to any load; skipping it keeps "one message or more per element",
    // which the trimming relies on.
    if (turn.messages.length === 0) return;
    const lock = held.get(sessionKey);
    // Outside a run: take the session for just this append, so it is still fenced.
    if (!lock) return runExclusive(sessionKey, () => append(sessionKey, turn));
    // From now on the transcript is no longer what the lock read.
    prefetched.delete(sessionKey);
    await ensureConnected();
    // `meta` (what ran the turn) is kept for operators like the file store does; load ignores it.
    const meta = (turn as { meta?: unknown }).meta;
    const element = JSON.stringify({
      v: ELEMENT_VERSION,
      createdAt: turn.createdAt,
      messages: turn.messages,
      ...(meta !== null && typeof meta === 'object' ? { meta } : {}),
    });
    const keepTurns = limits.get(sessionKey) ?? settings.maxStoredTurns;
    const now = Date.now();
    const createdAt = Date.parse(turn.createdAt);
    const agentId = (meta as { agentId?: unknown } | undefined)?.agentId;
    const listing = {
      sessionsKey: indexKeys.sessions,
      agentsKey: indexKeys.agents,
      sessionKey,
      // A `createdAt` that is not a date (the type allows any string) is listed as appended now.
      updatedAt: Number.isFinite(createdAt) ? createdAt : now,
      agentId: typeof agentId === 'string' && agentId !== '' ? agentId : undefined,
      expiredBefore: now - settings.ttlMs,
    };
    const written = await guard(() =>
      scripts.append(lock.keys.lock, lock.keys.transcript, lock.token, element, keepTurns, settings.ttlMs, listing),
    );
    if (written !== 1) throw sessionLockLost();
  }

  async function list(listOptions: { limit: number; offset: number }): Promise<SessionPage> {
    const limit = listOptions?.limit;
    const offset = listOptions?.offset;
    if (!Number.isSafeInteger(limit) || limit < 0 || !Number.isSafeInteger(offset) || offset < 0) {
      throw new TypeError('Redis session store: `limit` and `offset` must be non-negative integers');
    }
    await ensureConnected();
    // Newest turn older than the idle expiry: the transcript is gone (see the file comment).
    const oldest = settings.ttlMs > 0 ? String(Date.now() - settings.ttlMs) : '-inf';
    const [totalCount, scored] = await guard(async () => {
      const replies = await client
        .multi()
        .zcount(indexKeys.sessions, oldest, '+inf')
        .zrevrangebyscore(indexKeys.sessions, '+inf', oldest, 'WITHSCORES', 'LIMIT', offset, limit)
        .exec();
      const failed = replies?.find(([error]) => error !== null)?.[0];
      if (replies === null || failed) throw failed ?? new Error('transaction aborted');
      return [Number(replies[0]?.[1]), replies[1]?.[1] as string[]] as const;
    });
    // `LIMIT offset 0` answers nothing, as a page of 0 should.
    const keys = scored.filter((_, index) => index % 2 === 0);
    const agents = keys.length === 0 ? [] : await guard(() => client.hmget(indexKeys.agents, ...keys));
    const sessions = keys.map((key, index): SessionSummary => {
      const agentId = agents[index];
      const updatedAt = Number(scored[2 * index + 1]);
      return typeof agentId === 'string' ? { key, agentId, updatedAt } : { key, updatedAt };
    });
    return { sessions, totalCount };
  }

  async function readTurns(
    sessionKey: string,
    readOptions: { maxMessages: number },
  ): Promise<{ turns: TranscriptTurn[]; totalMessages: number }> {
    assertSessionKey(sessionKey);
    const maxMessages = readOptions?.maxMessages;
    if (!Number.isSafeInteger(maxMessages) || maxMessages < 0) {
      throw new TypeError('Redis session store: `maxMessages` must be a non-negative integer');
    }
    await ensureConnected();
    // The whole list, not only its tail: the count of stored messages needs every element (Redis
    // keeps no count). The list is what the trimming keeps: the turns of `maxHistoryMessages` after
    // a run, `maxStoredTurns` at most.
    const elements = await guard(() => client.lrange(redisSessionKeys(settings.prefix, sessionKey).transcript, 0, -1));
    const turns: TranscriptTurn[] = [];
    let totalMessages = 0;
    for (const element of elements) {
      const turn = parseTranscriptLine(element);
      if (turn === undefined) continue;
      turns.push(turn);
      totalMessages += turn.messages.length;
    }
    return { turns: keepNewestTurns(turns, maxMessages), totalMessages };
  }

  async function rememberResponse(
    responseId: string,
    record: StoredResponse,
    rememberOptions: { ttlMs: number },
  ): Promise<void> {
    const checked = checkResponseToRemember(STORE_NAME, responseId, record, rememberOptions);
    await ensureConnected();
    const key = redisResponseKey(settings.prefix, responseId);
    await guard(() => client.set(key, JSON.stringify(checked.record), 'PX', checked.ttlMs));
  }

  async function recallResponse(responseId: string): Promise<StoredResponse | undefined> {
    assertResponseId(STORE_NAME, responseId);
    await ensureConnected();
    const stored = await guard(() => client.get(redisResponseKey(settings.prefix, responseId)));
    if (stored === null) return undefined;
    try {
      return storedResponseOf(JSON.parse(stored));
    } catch {
      // Not JSON: not a value this store wrote, so it leads nowhere.
      return undefined;
    }
  }

  function runExclusive<T>(sessionKey: string, task: () => Promise<T>): Promise<T> {
    if (closed) return Promise.reject(sessionStoreClosed());
    try {
      assertSessionKey(sessionKey);
    } catch (error) {
      return Promise.reject(error);
    }
    if (typeof task !== 'function')
      return Promise.reject(new TypeError('Redis session store: `task` must be a function'));
    return mutex.runExclusive(sessionKey, async () => {
      await ensureConnected();
      const turnsToRead = readTurnsWithLock;
      const lock = await locks.acquire(sessionKey, turnsToRead > 0 ? { readTurns: turnsToRead } : undefined);
      held.set(sessionKey, lock);
      if (lock.newestTurns !== undefined)
        prefetched.set(sessionKey, { elements: lock.newestTurns, requested: turnsToRead });
      try {
        return await task();
      } finally {
        held.delete(sessionKey);
        limits.delete(sessionKey);
        prefetched.delete(sessionKey);
        await lock.release();
      }
    });
  }

  async function close(): Promise<void> {
    closing ??= (async () => {
      // Tasks already queued still run (they were accepted); new ones are refused.
      await mutex.drain();
      closed = true;
      if (!owned) return;
      const redis = client as Redis;
      if (redis.status === 'ready') await redis.quit().catch(() => undefined);
      // quit() ends a healthy connection; disconnect() also stops a reconnect loop.
      redis.disconnect();
    })();
    return closing;
  }

  return {
    load,
    append,
    list,
    readTurns,
    rememberResponse,
    recallResponse,
    runExclusive,
    close,
    ready,
    isReady: () => !closed && client.status === 'ready',
  };
}

/**
 * Parses the newest of `elements` (the last `requested` elements of a transcript, oldest first),
 * from the newest back, until they hold `maxMessages` messages: older ones are not even parsed.
 * Elements that are not turns are skipped, as the file store skips lines.
 *
 * @returns The turns, oldest first, and whether they are `enough` to answer a load of `maxMessages`:
 *   they hold that many messages, or they are the whole transcript (fewer elements than requested).
 */
function newestTurns(
  elements: readonly string[],
  requested: number,
  maxMessages: number,
): { turns: TranscriptTurn[]; enough: boolean } {
  const turns: TranscriptTurn[] = [];
  let messages = 0;
  for (let index = elements.length - 1; index >= 0 && messages < maxMessages; index -= 1) {
    const turn = parseTranscriptLine(elements[index] as string);
    if (turn === undefined) continue;
    turns.push(turn);
    messages += turn.messages.length;
  }
  turns.reverse();
  return { turns, enough: messages >= maxMessages || elements.length < requested };
}

interface ValidatedSettings {
  prefix: string;
  lockTtlMs: number;
  lockWaitMs: number;
  ttlMs: number;
  maxStoredTurns: number;
}

function validateOptions(options: RedisSessionStoreOptions): ValidatedSettings {
  if (options === null || typeof options !== 'object') {
    throw new TypeError('Redis session store: options must be an object with `url` or `client`');
  }
  const hasUrl = options.url !== undefined;
  const hasClient = options.client !== undefined;
  if (hasUrl === hasClient) {
    throw new TypeError('Redis session store: pass exactly one of `url` and `client`');
  }
  if (hasUrl && typeof options.url !== 'string') throw new TypeError('Redis session store: `url` must be a string');
  if (hasClient && typeof (options.client as { defineCommand?: unknown }).defineCommand !== 'function') {
    throw new TypeError('Redis session store: `client` must be an ioredis client or cluster');
  }
  const prefix = options.prefix ?? 'clawgate:';
  if (typeof prefix !== 'string') throw new TypeError('Redis session store: `prefix` must be a string');
  const lockTtlMs = positiveInteger('lockTtlMs', options.lockTtlMs, 15_000, 100);
  const lockWaitMs = positiveInteger('lockWaitMs', options.lockWaitMs, 60_000, 0);
  const maxStoredTurns = positiveInteger('maxStoredTurns', options.maxStoredTurns, 1_000, 1);
  const ttlSeconds = options.ttlSeconds === undefined ? 0 : positiveInteger('ttlSeconds', options.ttlSeconds, 0, 1);
  return { prefix, lockTtlMs, lockWaitMs, maxStoredTurns, ttlMs: ttlSeconds * 1_000 };
}

function positiveInteger(name: string, value: unknown, fallback: number, minimum: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < minimum) {
    throw new TypeError(`Redis session store: \`${name}\` must be an integer >= ${minimum}`);
  }
  return value;
}

function assertSessionKey(sessionKey: unknown): asserts sessionKey is string {
  if (typeof sessionKey !== 'string' || sessionKey === '') {
    throw new TypeError('Redis session store: the session key must be a non-empty string');
  }
}

function assertTurn(turn: unknown): asserts turn is TranscriptTurn {
  const record = turn as Partial<TranscriptTurn> | null;
  if (
    record === null ||
    typeof record !== 'object' ||
    typeof record.createdAt !== 'string' ||
    !Array.isArray(record.messages)
  ) {
    throw new TypeError('Redis session store: a turn needs `createdAt` (string) and `messages` (array)');
  }
  for (const message of record.messages) {
    if (
      message === null ||
      typeof message !== 'object' ||
      (message.role !== 'user' && message.role !== 'assistant') ||
      typeof message.content !== 'string'
    ) {
      throw new TypeError('Redis session store: each message needs a `role` of user/assistant and a string `content`');
    }
  }
}

/** Resolves on `ready`; rejects on the next failed attempt or after the connect timeout. */
function waitForReady(client: Redis | Cluster): Promise<void> {
  return new Promise((resolve, reject) => {
    const finish = (error?: unknown) => {
      clearTimeout(timer);
      client.off('ready', onReady);
      client.off('error', onError);
      client.off('end', onEnd);
      if (error === undefined) resolve();
      else reject(error);
    };
    const onReady = () => finish();
    const onError = (error: unknown) => finish(error);
    const onEnd = () => finish(new Error('connection ended'));
    const timer = setTimeout(() => finish(new Error('connect timed out')), REDIS_TIMEOUT_MS);
    client.once('ready', onReady);
    client.once('error', onError);
    client.once('end', onEnd);
  });
}

/** A short reason for start-up errors: the error code and message, never the URL's password. */
function describeError(error: unknown): string {
  if (error instanceof Error) return error.message.replace(/\/\/[^@\s]*@/g, '//***@');
  return String(error);
}
