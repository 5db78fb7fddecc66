import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { startTcpRelay } from '../__fixtures__/tcp-relay.js';
import { cleanUpRedis, connectRedisAdmin, REDIS_URL, uniqueRedisPrefix } from '../__fixtures__/redis-admin.js';
import { GatewayError } from '../errors.js';
import { redisResponseKey, redisSessionIndexKeys, redisSessionKeys } from './redis-session-keys.js';
import {
  createRedisSessionStore,
  type RedisSessionStore,
  type RedisSessionStoreCommonOptions,
} from './redis-session-store.js';
import type { SessionStore, TranscriptTurn } from './session-store.js';
import { describeResponseIds } from './__fixtures__/response-id-conformance.js';
import { describeSessionListing } from './__fixtures__/session-listing-conformance.js';

const redisUrl = REDIS_URL;
// A unique prefix per run keeps parallel runs apart; every key under it is deleted afterwards.
const prefix = uniqueRedisPrefix('sessions');

const admin = await connectRedisAdmin();
const stores: RedisSessionStore[] = [];

function newStore(options: RedisSessionStoreCommonOptions = {}): RedisSessionStore {
  const store = createRedisSessionStore({ url: redisUrl, prefix, ...options });
  stores.push(store);
  return store;
}

function turn(user: string, assistant: string, createdAt = '2026-01-01T00:00:00.000Z'): TranscriptTurn {
  return {
    createdAt,
    messages: [
      { role: 'user', content: user },
      { role: 'assistant', content: assistant },
    ],
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function rejection(promise: Promise<unknown>): Promise<GatewayError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(GatewayError.isInstance(error)).toBe(true);
  return error as GatewayError;
}

afterAll(async () => {
  for (const store of stores) await store.close().catch(() => undefined);
  await cleanUpRedis(admin, prefix);
});

describe.skipIf(admin === undefined)('createRedisSessionStore: SessionStore conformance (real Redis)', () => {
  it('gives [] for an unknown key and returns appended turns in order', async () => {
    const store = newStore();
    await store.ready();
    expect(await store.load('unknown', { maxMessages: 10 })).toEqual([]);
    await store.runExclusive('conformance-a', async () => {
      await store.append('conformance-a', turn('hi', 'hello'));
      await store.append('conformance-a', {
        createdAt: '2026-01-01T00:00:01.000Z',
        messages: [
          { role: 'user', content: 'weather?' },
          {
            role: 'assistant',
            content: '',
            toolCalls: [{ id: 'call_1', name: 'weather', arguments: '{"city":"Oslo"}' }],
          },
        ],
      });
    });
    expect(await store.load('conformance-a', { maxMessages: 10 })).toEqual([
      { role: 'user', content: 'hi' },
      { role: 'assistant', content: 'hello' },
      { role: 'user', content: 'weather?' },
      { role: 'assistant', content: '', toolCalls: [{ id: 'call_1', name: 'weather', arguments: '{"city":"Oslo"}' }] },
    ]);
  });

  it('returns the last maxMessages messages, never starting with an assistant reply', async () => {
    const store = newStore();
    for (let index = 1; index <= 4; index += 1) await store.append('conformance-trim', turn(`u${index}`, `a${index}`));
    expect(await store.load('conformance-trim', { maxMessages: 4 })).toEqual([
      { role: 'user', content: 'u3' },
      { role: 'assistant', content: 'a3' },
      { role: 'user', content: 'u4' },
      { role: 'assistant', content: 'a4' },
    ]);
    // An odd limit cuts a turn in half: the orphaned reply is dropped, as in the memory store.
    expect(await store.load('conformance-trim', { maxMessages: 3 })).toEqual([
      { role: 'user', content: 'u4' },
      { role: 'assistant', content: 'a4' },
    ]);
    expect(await store.load('conformance-trim', { maxMessages: 1 })).toEqual([]);
  });

  it('trims storage to the last load limit in the same run, atomically with the append', async () => {
    const store = newStore();
    const key = 'conformance-storage';
    for (let index = 1; index <= 5; index += 1) {
      await store.runExclusive(key, async () => {
        await store.load(key, { maxMessages: 4 });
        await store.append(key, turn(`u${index}`, `a${index}`));
      });
    }
    const stored = await admin!.lrange(redisSessionKeys(prefix, key).transcript, 0, -1);
    // 4 turns (8 messages) are kept: at least maxMessages messages' worth.
    expect(stored.map((element) => JSON.parse(element).messages[0].content)).toEqual(['u2', 'u3', 'u4', 'u5']);
    expect(JSON.parse(stored[0]!)).toEqual({ v: 1, ...turn('u2', 'a2') });
    const meta = { agentId: 'main', model: 'offline/echo', messageChannel: 'webchat', finishReason: 'stop' };
    await store.append(key, { ...turn('u6', 'a6'), meta } as TranscriptTurn);
    expect(JSON.parse((await admin!.lrange(redisSessionKeys(prefix, key).transcript, -1, -1))[0]!)).toEqual({
      v: 1,
      ...turn('u6', 'a6'),
      meta,
    });
    expect(await store.load(key, { maxMessages: 4 })).toEqual([
      { role: 'user', content: 'u5' },
      { role: 'assistant', content: 'a5' },
      { role: 'user', content: 'u6' },
      { role: 'assistant', content: 'a6' },
    ]);
  });

  it('keeps sessions apart for any key string and returns copies', async () => {
    const store = newStore();
    const keys = ['agent:main:openai-user:alice', '../../etc/passwd', 'nul\u0000byte', '{tag}*?', 'ü🙂'.repeat(1_000)];
    for (const [index, key] of keys.entries()) await store.append(key, turn(`q${index}`, `r${index}`));
    for (const [index, key] of keys.entries()) {
      const messages = await store.load(key, { maxMessages: 10 });
      expect(messages).toEqual([
        { role: 'user', content: `q${index}` },
        { role: 'assistant', content: `r${index}` },
      ]);
      messages[0]!.content = 'mutated';
      expect((await store.load(key, { maxMessages: 10 }))[0]!.content).toBe(`q${index}`);
    }
  });

  it('expires an idle session after ttlSeconds and skips empty turns', async () => {
    const store = newStore({ ttlSeconds: 120 });
    await store.append('conformance-ttl', turn('u', 'a'));
    await store.append('conformance-ttl', { createdAt: '2026-01-01T00:00:00.000Z', messages: [] });
    const key = redisSessionKeys(prefix, 'conformance-ttl').transcript;
    const ttl = await admin!.pttl(key);
    expect(ttl).toBeGreaterThan(119_000);
    expect(ttl).toBeLessThanOrEqual(120_000);
    expect(await admin!.llen(key)).toBe(1);
    // Without ttlSeconds nothing expires.
    await newStore().append('conformance-no-ttl', turn('u', 'a'));
    expect(await admin!.pttl(redisSessionKeys(prefix, 'conformance-no-ttl').transcript)).toBe(-1);
  });

  it('rejects bad input with clear errors', async () => {
    const store = newStore();
    await expect(store.load('k', { maxMessages: 0 })).rejects.toThrow('`maxMessages` must be a positive integer');
    await expect(store.load('', { maxMessages: 1 })).rejects.toThrow('the session key must be a non-empty string');
    await expect(store.append('k', { createdAt: 1 } as unknown as TranscriptTurn)).rejects.toThrow(
      'a turn needs `createdAt` (string) and `messages` (array)',
    );
    await expect(
      store.append('k', { createdAt: 'x', messages: [{ role: 'system', content: 'x' }] } as unknown as TranscriptTurn),
    ).rejects.toThrow('each message needs a `role` of user/assistant and a string `content`');
    expect(() => createRedisSessionStore({ url: 'http://127.0.0.1:6379' })).toThrow(
      'Redis session store: `url` must be a redis:// or rediss:// URL',
    );
    expect(() => createRedisSessionStore({} as never)).toThrow('pass exactly one of `url` and `client`');
    expect(() => createRedisSessionStore({ client: {} as Redis })).toThrow(
      '`client` must be an ioredis client or cluster',
    );
    expect(() => createRedisSessionStore({ url: redisUrl, lockTtlMs: 10 })).toThrow(
      '`lockTtlMs` must be an integer >= 100',
    );
  });

  it('serialises runs on one key in process, runs other keys in parallel, survives a failing task', async () => {
    const store = newStore();
    const events: string[] = [];
    let b1Ended!: () => void;
    const b1Done = new Promise<void>((resolve) => (b1Ended = resolve));
    const task =
      (name: string, until: Promise<unknown> = Promise.resolve()) =>
      async () => {
        events.push(`${name}:start`);
        await until;
        events.push(`${name}:end`);
        return name;
      };
    const failing = store.runExclusive('parallel-a', async () => {
      throw new Error('task failed');
    });
    const results = await Promise.allSettled([
      failing,
      // a1 stays inside until b1 (another key) has run; the deadline only turns a hang into a failure.
      store.runExclusive('parallel-a', task('a1', Promise.race([b1Done, sleep(2_000)]))),
      store.runExclusive('parallel-a', task('a2')),
      store.runExclusive('parallel-b', task('b1')).finally(b1Ended),
    ]);
    expect(
      results.map((result) => (result.status === 'fulfilled' ? result.value : (result.reason as Error).message)),
    ).toEqual(['task failed', 'a1', 'a2', 'b1']);
    // b1 ran while a1 was running; a2 only after a1 ended.
    expect(events.indexOf('b1:end')).toBeLessThan(events.indexOf('a1:end'));
    expect(events.indexOf('a2:start')).toBeGreaterThan(events.indexOf('a1:end'));
    expect(await admin!.exists(redisSessionKeys(prefix, 'parallel-a').lock)).toBe(0);
  });

  it('close() waits for running tasks, refuses new ones and quits only its own client', async () => {
    const connectionName = `clawgate-test-${randomUUID()}`;
    const store = createRedisSessionStore({ url: redisUrl, prefix, connectionName });
    await store.ready();
    const namedConnections = async () =>
      String(await admin!.call('CLIENT', 'LIST'))
        .split('\n')
        .filter((line: string) => line.includes(`name=${connectionName}`)).length;
    expect(await namedConnections()).toBe(1);
    let finished = false;
    let entered!: () => void;
    const taskRunning = new Promise<void>((resolve) => (entered = resolve));
    const running = store.runExclusive('close-wait', async () => {
      entered();
      await sleep(50);
      finished = true;
    });
    await taskRunning;
    await store.close();
    expect(finished).toBe(true);
    await running;
    expect(await namedConnections()).toBe(0);
    expect(store.isReady()).toBe(false);
    const closed = await rejection(store.load('close-wait', { maxMessages: 1 }));
    expect([closed.status, closed.toJSON()]).toEqual([
      503,
      { error: { message: 'session store is closed', type: 'service_unavailable' } },
    ]);

    const injected = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
    const borrowing = createRedisSessionStore({ client: injected, prefix });
    await borrowing.append('close-injected', turn('u', 'a'));
    await borrowing.close();
    expect(await injected.ping()).toBe('PONG');
    injected.disconnect();
  });
});

// Each store lists its own sessions: a prefix of its own, under the file's (cleaned up with it).
const listingPrefix = () => `${prefix}listing-${randomUUID()}:`;

describeSessionListing('createRedisSessionStore (real Redis)', {
  skip: admin === undefined,
  create: () => newStore({ prefix: listingPrefix() }),
});

describe.skipIf(admin === undefined)('createRedisSessionStore: listing (real Redis)', () => {
  it('keeps the listing in a sorted set and a hash, written by the append', async () => {
    const storePrefix = listingPrefix();
    const store = newStore({ prefix: storePrefix });
    const meta = { agentId: 'main', model: 'offline/echo', messageChannel: 'webchat', finishReason: 'stop' };
    await store.append('with-agent', { ...turn('u', 'a', '2026-03-01T00:00:00.000Z'), meta });
    await store.append('without-agent', turn('u', 'a', 'not a date'));
    const { sessions, agents } = redisSessionIndexKeys(storePrefix);
    expect(await admin!.zscore(sessions, 'with-agent')).toBe(String(Date.parse('2026-03-01T00:00:00.000Z')));
    // A `createdAt` that is not a date is listed as appended now.
    expect(Math.abs(Number(await admin!.zscore(sessions, 'without-agent')) - Date.now())).toBeLessThan(5_000);
    expect(await admin!.hgetall(agents)).toEqual({ 'with-agent': 'main' });
    // A newest turn without an agent removes the session's agent.
    await store.append('with-agent', turn('u', 'a', '2026-03-02T00:00:00.000Z'));
    expect(await admin!.hgetall(agents)).toEqual({});
    await expect(store.list({ limit: -1, offset: 0 })).rejects.toThrow('must be non-negative integers');
    await expect(store.readTurns('k', { maxMessages: 1.5 })).rejects.toThrow('must be a non-negative integer');
  });

  it('leaves sessions older than ttlSeconds out of listings, and later appends drop them from Redis', async () => {
    const storePrefix = listingPrefix();
    const store = newStore({ prefix: storePrefix, ttlSeconds: 60 });
    const now = Date.now();
    const meta = { agentId: 'main', model: 'offline/echo', messageChannel: 'webchat', finishReason: 'stop' };
    await store.append('expired', { ...turn('u', 'a', new Date(now - 120_000).toISOString()), meta });
    expect(await store.list({ limit: 10, offset: 0 })).toEqual({ sessions: [], totalCount: 0 });
    await store.append('live', { ...turn('u', 'a', new Date(now).toISOString()), meta });
    expect(await store.list({ limit: 10, offset: 0 })).toEqual({
      sessions: [{ key: 'live', agentId: 'main', updatedAt: now }],
      totalCount: 1,
    });
    const { sessions, agents } = redisSessionIndexKeys(storePrefix);
    expect(await admin!.zrange(sessions, 0, -1)).toEqual(['live']);
    expect(await admin!.hkeys(agents)).toEqual(['live']);
  });

  it('reads turns with one LRANGE, outside any run', async () => {
    const client = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
    const commands: string[] = [];
    const send = client.sendCommand.bind(client);
    client.sendCommand = ((command: { name: string }, ...rest: unknown[]) => {
      commands.push(command.name);
      return (send as (...args: unknown[]) => unknown)(command, ...rest);
    }) as typeof client.sendCommand;
    const store = createRedisSessionStore({ client, prefix: listingPrefix() });
    stores.push(store);
    await store.ready();
    for (let index = 0; index < 3; index += 1) await store.append('counted', turn(`u${index}`, `a${index}`));
    commands.length = 0;
    const { turns, totalMessages } = await store.readTurns('counted', { maxMessages: 2 });
    expect([turns.map((stored) => stored.messages[0]?.content), totalMessages]).toEqual([['u2'], 6]);
    expect(commands).toEqual(['lrange']);
    await store.close();
    client.disconnect();
  });
});

describe.skipIf(admin === undefined)('createRedisSessionStore: round trips (real Redis)', () => {
  /** A store on its own client, with every command it sends counted by name. */
  function countingStore(): { store: RedisSessionStore; commands: string[] } {
    const client = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
    const commands: string[] = [];
    const send = client.sendCommand.bind(client);
    client.sendCommand = ((command: { name: string }, ...rest: unknown[]) => {
      commands.push(command.name);
      return (send as (...args: unknown[]) => unknown)(command, ...rest);
    }) as typeof client.sendCommand;
    const store = createRedisSessionStore({ client, prefix });
    stores.push(store);
    return { store, commands };
  }

  it('costs three round trips per stored-session turn: lock and read, append, release', async () => {
    const { store, commands } = countingStore();
    await store.ready();
    const key = `round-trips-${randomUUID()}`;
    const runTurn = (index: number) =>
      store.runExclusive(key, async () => {
        const history = await store.load(key, { maxMessages: 200 });
        await store.append(key, turn(`u${index}`, `seen ${history.length}`));
      });
    // The first run of a store does not know yet how much a load wants.
    await runTurn(0);
    commands.length = 0;
    for (let index = 1; index <= 3; index += 1) await runTurn(index);
    expect(commands.filter((name) => name !== 'evalsha').length).toBe(0);
    expect(commands).toHaveLength(9);
    // Every run saw every earlier turn (the read went with the lock, not a stale copy).
    expect((await store.load(key, { maxMessages: 200 })).map((message) => message.content)).toEqual([
      'u0',
      'seen 0',
      'u1',
      'seen 2',
      'u2',
      'seen 4',
      'u3',
      'seen 6',
    ]);
  });

  it("answers a load after the run's own append, and a load wanting more than the lock read, from Redis", async () => {
    const { store } = countingStore();
    const key = `round-trips-stale-${randomUUID()}`;
    await store.runExclusive(key, async () => {
      await store.load(key, { maxMessages: 4 });
      for (let index = 1; index <= 4; index += 1) await store.append(key, turn(`u${index}`, `a${index}`));
    });
    await store.runExclusive(key, async () => {
      // The lock read 2 turns (a limit of 4 messages); this load wants 8.
      expect((await store.load(key, { maxMessages: 8 })).map((message) => message.content)).toEqual([
        'u1',
        'a1',
        'u2',
        'a2',
        'u3',
        'a3',
        'u4',
        'a4',
      ]);
      await store.append(key, turn('u5', 'a5'));
      expect((await store.load(key, { maxMessages: 2 })).map((message) => message.content)).toEqual(['u5', 'a5']);
    });
  });

  it('reads further back when the turns hold one message each', async () => {
    const { store } = countingStore();
    const key = `round-trips-single-${randomUUID()}`;
    await store.runExclusive(key, async () => {
      await store.load(key, { maxMessages: 4 });
      for (let index = 1; index <= 6; index += 1) {
        await store.append(key, {
          createdAt: '2026-01-01T00:00:00.000Z',
          messages: [{ role: 'user', content: `u${index}` }],
        });
      }
    });
    // With the lock (it read 2 elements) and without a run (a first read of 2, then 4).
    const inRun = await store.runExclusive(key, () => store.load(key, { maxMessages: 4 }));
    const outside = await store.load(key, { maxMessages: 4 });
    for (const messages of [inRun, outside])
      expect(messages.map((message) => message.content)).toEqual(['u3', 'u4', 'u5', 'u6']);
  });
});

describe.skipIf(admin === undefined)('createRedisSessionStore: several replicas (real Redis)', () => {
  it('never overlaps runs on one session from two processes and keeps one ordered transcript', async () => {
    const replicas = [newStore(), newStore()];
    await Promise.all(replicas.map((store) => store.ready()));
    const key = `replicas-${randomUUID()}`;
    const spans: { name: string; enter: number; exit: number }[] = [];
    const runs = Array.from({ length: 6 }, (_, index) => {
      const store = replicas[index % 2]!;
      const name = `r${index % 2}-${index}`;
      return store.runExclusive(key, async () => {
        const enter = performance.now();
        const history = await store.load(key, { maxMessages: 100 });
        await sleep(30);
        await store.append(key, turn(name, `seen ${history.length}`));
        spans.push({ name, enter, exit: performance.now() });
      });
    });
    await Promise.all(runs);
    spans.sort((left, right) => left.enter - right.enter);
    for (let index = 1; index < spans.length; index += 1) {
      expect(spans[index]!.enter).toBeGreaterThanOrEqual(spans[index - 1]!.exit);
    }
    const transcript = await replicas[0]!.load(key, { maxMessages: 100 });
    // Turns are stored in run order and each run saw every earlier turn.
    expect(transcript.filter((message) => message.role === 'user').map((message) => message.content)).toEqual(
      spans.map((span) => span.name),
    );
    expect(transcript.filter((message) => message.role === 'assistant').map((message) => message.content)).toEqual(
      spans.map((_, index) => `seen ${index * 2}`),
    );
    expect(new Set(spans.map((span) => span.name.slice(0, 2)))).toEqual(new Set(['r0', 'r1']));
  });

  it('lets a waiting replica in before a busy replica re-takes the lock for its own queue', async () => {
    const [busy, waiting] = [newStore(), newStore()];
    // Connected first, so the waiter's timing depends only on the lock, not on its TCP handshake.
    await Promise.all([busy.ready(), waiting.ready()]);
    const key = `fair-${randomUUID()}`;
    const order: string[] = [];
    let entered!: () => void;
    const busyHolds = new Promise<void>((resolve) => (entered = resolve));
    let letGo!: () => void;
    const firstRunMayEnd = new Promise<void>((resolve) => (letGo = resolve));
    // The busy replica's first run holds the lock until the other replica is in line; its other
    // three runs are queued behind it in process.
    const busyRuns = Array.from({ length: 4 }, (_, index) =>
      busy.runExclusive(key, async () => {
        order.push(`busy${index}`);
        if (index === 0) {
          entered();
          await firstRunMayEnd;
        }
      }),
    );
    await busyHolds;
    const waitingRun = waiting.runExclusive(key, async () => {
      order.push('waiting');
    });
    // The waiter is first in line once its claim is in Redis.
    await vi.waitFor(async () => expect(await admin!.exists(redisSessionKeys(prefix, key).next)).toBe(1), {
      timeout: 5_000,
      interval: 5,
    });
    letGo();
    await Promise.all([...busyRuns, waitingRun]);
    expect(order).toEqual(['busy0', 'waiting', 'busy1', 'busy2', 'busy3']);
  });

  it('takes over the lock of a holder that died after its TTL', async () => {
    const dyingClient = new Redis(redisUrl, {
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
      retryStrategy: () => null,
    });
    dyingClient.on('error', () => undefined);
    const dying = createRedisSessionStore({ client: dyingClient, prefix, lockTtlMs: 300 });
    const survivor = newStore({ lockTtlMs: 300 });
    const key = `dead-holder-${randomUUID()}`;
    let entered!: () => void;
    const holding = new Promise<void>((resolve) => (entered = resolve));
    let wake!: () => void;
    const woken = new Promise<void>((resolve) => (wake = resolve));
    const never = dying.runExclusive(key, async () => {
      entered();
      await woken;
      await dying.append(key, turn('ghost', 'ghost'));
    });
    await holding;
    // The process "dies": its connection goes away without releasing the lock.
    dyingClient.disconnect();
    const started = performance.now();
    await survivor.runExclusive(key, async () => {
      await survivor.append(key, turn('survivor', 'ok'));
    });
    const waited = performance.now() - started;
    expect(waited).toBeGreaterThan(150);
    expect(waited).toBeLessThan(1_500);
    wake();
    const lateAppend = await rejection(never);
    expect(lateAppend.status).toBe(503);
    expect(await survivor.load(key, { maxMessages: 10 })).toEqual([
      { role: 'user', content: 'survivor' },
      { role: 'assistant', content: 'ok' },
    ]);
  });

  it('fences a holder whose lock expired: its append is refused and the transcript stays ordered', async () => {
    const stale = newStore({ lockTtlMs: 150 });
    const fresh = newStore({ lockTtlMs: 150 });
    await Promise.all([stale.ready(), fresh.ready()]);
    const key = `fenced-${randomUUID()}`;
    let loaded!: () => void;
    const staleLoaded = new Promise<void>((resolve) => (loaded = resolve));
    let resume!: () => void;
    const staleResume = new Promise<void>((resolve) => (resume = resolve));
    const staleRun = stale.runExclusive(key, async () => {
      await stale.load(key, { maxMessages: 10 });
      loaded();
      await staleResume;
      await stale.append(key, turn('stale', 'late'));
    });
    await staleLoaded;
    // Block the event loop past the TTL: the stale holder cannot renew, so Redis expires its lock.
    const blockedUntil = performance.now() + 400;
    while (performance.now() < blockedUntil) {
      // busy wait (bounded by time)
    }
    await fresh.runExclusive(key, async () => {
      await fresh.load(key, { maxMessages: 10 });
      await fresh.append(key, turn('fresh', 'first'));
    });
    resume();
    const refused = await rejection(staleRun);
    expect([refused.status, refused.toJSON()]).toEqual([
      503,
      { error: { message: 'session lock lost; the turn was not stored', type: 'service_unavailable' } },
    ]);
    expect(await fresh.load(key, { maxMessages: 10 })).toEqual([
      { role: 'user', content: 'fresh' },
      { role: 'assistant', content: 'first' },
    ]);
  });

  it('gives up with 503 session is busy after lockWaitMs and frees its place in line', async () => {
    const holder = newStore();
    const impatient = newStore({ lockWaitMs: 200 });
    const key = `busy-${randomUUID()}`;
    let release!: () => void;
    let entered!: () => void;
    const inside = new Promise<void>((resolve) => (entered = resolve));
    const holding = holder.runExclusive(
      key,
      () =>
        new Promise<void>((resolve) => {
          release = resolve;
          entered();
        }),
    );
    await inside;
    const started = performance.now();
    const busy = await rejection(impatient.runExclusive(key, async () => 'never'));
    const waited = performance.now() - started;
    expect([busy.status, busy.retryAfterSeconds, busy.toJSON()]).toEqual([
      503,
      1,
      { error: { message: 'session is busy', type: 'service_unavailable' } },
    ]);
    expect(waited).toBeGreaterThanOrEqual(190);
    expect(waited).toBeLessThan(1_000);
    expect(await admin!.exists(redisSessionKeys(prefix, key).next)).toBe(0);
    release();
    await holding;
  });
});

// Each store remembers ids under a prefix of its own, under the file's (cleaned up with it).
const responsesPrefix = () => `${prefix}responses-${randomUUID()}:`;
const prefixOf = new Map<SessionStore, string>();

describeResponseIds('createRedisSessionStore (real Redis)', {
  skip: admin === undefined,
  create: () => {
    const storePrefix = responsesPrefix();
    const store = newStore({ prefix: storePrefix });
    prefixOf.set(store, storePrefix);
    return store;
  },
  // An expiry time in the past deletes the key at once, as its TTL running out would.
  expire: async (store, responseId) => {
    expect(await admin!.pexpireat(redisResponseKey(prefixOf.get(store)!, responseId), 1)).toBe(1);
  },
});

describe.skipIf(admin === undefined)('createRedisSessionStore: response ids (real Redis)', () => {
  it('stores an id as a JSON string under the prefix, with the TTL as its PX expiry', async () => {
    const storePrefix = responsesPrefix();
    const store = newStore({ prefix: storePrefix });
    await store.rememberResponse('resp_1', { sessionKey: 'agent:main:x', agentId: 'main' }, { ttlMs: 120_000 });
    const key = redisResponseKey(storePrefix, 'resp_1');
    expect(key).toBe(`${storePrefix}response:resp_1`);
    expect(await admin!.keys(`${storePrefix}*`)).toEqual([key]);
    expect(JSON.parse((await admin!.get(key))!)).toEqual({ sessionKey: 'agent:main:x', agentId: 'main' });
    const ttl = await admin!.pttl(key);
    expect(ttl).toBeGreaterThan(119_000);
    expect(ttl).toBeLessThanOrEqual(120_000);
    // Remembered again: the record and the expiry are replaced.
    await store.rememberResponse('resp_1', { sessionKey: 'agent:main:y', agentId: 'main' }, { ttlMs: 300_000 });
    expect(await admin!.pttl(key)).toBeGreaterThan(299_000);
    expect(await store.recallResponse('resp_1')).toEqual({ sessionKey: 'agent:main:y', agentId: 'main' });
  });

  it('lets Redis expire an id by itself when its PX runs out', async () => {
    const storePrefix = responsesPrefix();
    const store = newStore({ prefix: storePrefix });
    await store.rememberResponse('resp_short', { sessionKey: 's', agentId: 'main' }, { ttlMs: 20 });
    // Waits on the key's expiry itself (Redis's clock), not on a fixed delay.
    await vi.waitFor(async () => expect(await admin!.exists(redisResponseKey(storePrefix, 'resp_short'))).toBe(0), {
      timeout: 5_000,
      interval: 10,
    });
    expect(await store.recallResponse('resp_short')).toBeUndefined();
  });

  it("lets replicas on one Redis recall and replace each other's ids", async () => {
    const storePrefix = responsesPrefix();
    const first = newStore({ prefix: storePrefix });
    const second = newStore({ prefix: storePrefix });
    await first.rememberResponse('resp_shared', { sessionKey: 's1', agentId: 'main' }, { ttlMs: 60_000 });
    expect(await second.recallResponse('resp_shared')).toEqual({ sessionKey: 's1', agentId: 'main' });
    await second.rememberResponse('resp_shared', { sessionKey: 's2', agentId: 'helper' }, { ttlMs: 60_000 });
    expect(await first.recallResponse('resp_shared')).toEqual({ sessionKey: 's2', agentId: 'helper' });
    // Another prefix is another gateway: it knows none of them.
    expect(await newStore({ prefix: responsesPrefix() }).recallResponse('resp_shared')).toBeUndefined();
  });

  it('recalls nothing from a value it did not write', async () => {
    const storePrefix = responsesPrefix();
    const store = newStore({ prefix: storePrefix });
    await admin!.set(redisResponseKey(storePrefix, 'not-json'), '{torn', 'PX', 60_000);
    await admin!.set(redisResponseKey(storePrefix, 'no-agent'), '{"sessionKey":"s"}', 'PX', 60_000);
    expect(await store.recallResponse('not-json')).toBeUndefined();
    expect(await store.recallResponse('no-agent')).toBeUndefined();
  });
});

/** A TCP relay to the real Redis that the test can cut and restore, on a fixed port. */

describe('createRedisSessionStore: Redis unavailable', () => {
  it('reports a closed port clearly at start-up and answers operations with a quick 503', async () => {
    const store = createRedisSessionStore({ url: 'redis://:hunter2@127.0.0.1:1', prefix });
    stores.push(store);
    const startup = await rejection(store.ready());
    expect(startup.status).toBe(503);
    expect(startup.message).toMatch(
      /^Redis session store: cannot connect to redis:\/\/:\*\*\*@127\.0\.0\.1:1 \(.*ECONNREFUSED/,
    );
    expect(startup.message).not.toContain('hunter2');
    for (const operation of [
      () => store.load('k', { maxMessages: 5 }),
      () => store.append('k', turn('u', 'a')),
      () => store.runExclusive('k', async () => 'never'),
      () => store.rememberResponse('resp', { sessionKey: 'k', agentId: 'main' }, { ttlMs: 60_000 }),
      () => store.recallResponse('resp'),
    ]) {
      const started = performance.now();
      const error = await rejection(operation());
      expect(performance.now() - started).toBeLessThan(1_000);
      expect([error.status, error.toJSON()]).toEqual([
        503,
        { error: { message: 'session store unavailable', type: 'service_unavailable' } },
      ]);
    }
    expect(store.isReady()).toBe(false);
  });

  it.skipIf(admin === undefined)('fails fast while Redis is lost and recovers by itself', async () => {
    const relay = await startTcpRelay({
      host: new URL(redisUrl).hostname,
      port: Number(new URL(redisUrl).port || 6379),
    });
    const target = new URL(redisUrl);
    target.host = `127.0.0.1:${relay.port}`;
    const store = createRedisSessionStore({ url: target.toString(), prefix });
    stores.push(store);
    await store.ready();
    await store.append('lost', turn('before', 'ok'));
    await relay.cut();
    // ioredis notices the closed socket asynchronously; wait for it (bounded).
    await vi.waitFor(() => expect(store.isReady()).toBe(false), { timeout: 5_000, interval: 10 });
    const started = performance.now();
    const lost = await rejection(store.load('lost', { maxMessages: 5 }));
    expect(performance.now() - started).toBeLessThan(500);
    expect([lost.status, lost.toJSON()]).toEqual([
      503,
      { error: { message: 'session store unavailable', type: 'service_unavailable' } },
    ]);
    expect((await rejection(store.runExclusive('lost', async () => 'never'))).status).toBe(503);
    await relay.restore();
    // Reconnection is ioredis' own (at most 2 s apart); poll, bounded in count and time.
    let recovered = false;
    for (let attempt = 0; attempt < 60 && !recovered; attempt += 1) {
      await sleep(100);
      recovered = store.isReady();
    }
    expect(recovered).toBe(true);
    await store.runExclusive('lost', () => store.append('lost', turn('after', 'ok')));
    expect((await store.load('lost', { maxMessages: 10 })).map((message) => message.content)).toEqual([
      'before',
      'ok',
      'after',
      'ok',
    ]);
    await store.close();
    await relay.cut();
  });
});
