/**
 * Several replicas against the REAL Redis at `REDIS_URL`: two built gateways in child processes
 * share transcripts, session serialisation and the auth-failure limiter; a killed replica loses no
 * completed turn. Also Redis missing at start (exit 1) and Redis lost while running (503, recovery).
 * Under CI=true a missing Redis fails this file; locally it skips.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { cleanUpRedis, connectRedisAdmin, REDIS_URL, uniqueRedisPrefix } from './__fixtures__/redis-admin.js';
import { CLI_PATH, ensureBuiltGateway, INDEX_PATH } from './__fixtures__/ensure-built-gateway.js';
import { spawnGateway, streamCompletion, type GatewayProcess } from './__fixtures__/gateway-process.js';
import { startTcpRelay } from './__fixtures__/tcp-relay.js';
import { startGateway, type RunningGateway } from './server.js';
import { redisSessionKeys } from './sessions/redis-session-keys.js';

const redisUrl = REDIS_URL;
// A unique prefix per run keeps parallel runs apart; every key under it is deleted afterwards.
const prefix = uniqueRedisPrefix('replicas');
const TOKEN = 'replica-test-token-8d3b';
const MAX_ATTEMPTS = 3;
const REPLICA_SCRIPT = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  '__fixtures__',
  'run-gateway-replica.mjs',
);

const admin = await connectRedisAdmin();
let stateDir: string;
const replicas: GatewayProcess[] = [];
const inProcess: RunningGateway[] = [];

function replicaConfig(url: string, rateLimitExemptLoopback: boolean, delayMs: number): string {
  return JSON.stringify({
    gateway: {
      auth: {
        mode: 'token',
        token: TOKEN,
        rateLimit: {
          maxAttempts: MAX_ATTEMPTS,
          windowMs: 60_000,
          lockoutMs: 60_000,
          exemptLoopback: rateLimitExemptLoopback,
          store: { redis: url },
        },
      },
      http: { endpoints: { chatCompletions: { enabled: true } } },
    },
    models: { providers: { offline: { api: 'offline', delayMs } } },
    sessions: { store: { redis: url } },
  });
}

async function startReplica(configPath: string): Promise<GatewayProcess> {
  const replica = await spawnGateway([REPLICA_SCRIPT, INDEX_PATH, configPath, prefix, '1000'], {
    PATH: process.env.PATH,
    CLAWGATE_STATE_DIR: stateDir,
  });
  replicas.push(replica);
  return replica;
}

beforeAll(async () => {
  ensureBuiltGateway();
  stateDir = await mkdtemp(path.join(os.tmpdir(), 'clawgate-replicas-'));
}, 90_000);

afterAll(async () => {
  for (const replica of replicas) {
    if (replica.child.exitCode === null && replica.child.signalCode === null) replica.child.kill('SIGKILL');
    await replica.exited;
  }
  for (const gateway of inProcess) await gateway.close();
  if (admin !== undefined) {
    await cleanUpRedis(admin, prefix);
  }
  await rm(stateDir, { recursive: true, force: true });
});

async function chat(url: string, user: string, content: string, token = TOKEN) {
  const response = await fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ user, messages: [{ role: 'user', content }] }),
  });
  const body = (await response.json()) as {
    choices?: Array<{ message: { content: string } }>;
    error?: { type: string; message: string };
  };
  return { status: response.status, headers: response.headers, body, content: body.choices?.[0]?.message.content };
}

const reply = (turn: number, text: string) => `[clawgate offline model] Turn ${turn}. You said: "${text}"`;

/** The stored transcript of `user` on agent `main`, read straight from Redis. */
async function storedTurns(user: string): Promise<Array<{ user: string; assistant: string }>> {
  const key = redisSessionKeys(prefix, `agent:main:openai-user:${user}`).transcript;
  const elements = await admin!.lrange(key, 0, -1);
  return elements.map((element) => {
    const parsed = JSON.parse(element) as { messages: Array<{ role: string; content: string }> };
    return { user: parsed.messages[0]!.content, assistant: parsed.messages[1]!.content };
  });
}

describe.skipIf(admin === undefined)('two replicas sharing Redis', () => {
  let a: GatewayProcess;
  let b: GatewayProcess;

  beforeAll(async () => {
    const configPath = path.join(stateDir, 'replicas.json5');
    await writeFile(configPath, replicaConfig(redisUrl, false, 15));
    [a, b] = await Promise.all([startReplica(configPath), startReplica(configPath)]);
    expect(a.url).not.toBe(b.url);
  }, 30_000);

  it('(a) keeps one ordered transcript when a conversation alternates between the replicas', async () => {
    const seen: string[] = [];
    for (let turn = 1; turn <= 6; turn++) {
      const result = await chat(turn % 2 === 1 ? a.url : b.url, 'alice', `message ${turn}`);
      expect(result.status).toBe(200);
      seen.push(result.content!);
    }
    expect(seen).toEqual([1, 2, 3, 4, 5, 6].map((turn) => reply(turn, `message ${turn}`)));
    expect(await storedTurns('alice')).toEqual(
      [1, 2, 3, 4, 5, 6].map((turn) => ({ user: `message ${turn}`, assistant: reply(turn, `message ${turn}`) })),
    );
  });

  it('(b) serialises concurrent turns on one session from both replicas: every turn once, none interleaved', async () => {
    const texts = Array.from({ length: 8 }, (_, index) => `concurrent ${index}`);
    const results = await Promise.all(texts.map((text, index) => chat(index % 2 === 0 ? a.url : b.url, 'bob', text)));
    expect(results.map((result) => result.status)).toEqual(texts.map(() => 200));
    const turnOf = (content: string) => Number(/Turn (\d+)\./.exec(content)![1]);
    // Interleaved runs would read the same transcript and answer the same turn number twice.
    expect(results.map((result) => turnOf(result.content!)).sort((x, y) => x - y)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    const stored = await storedTurns('bob');
    expect(stored).toHaveLength(8);
    expect(new Set(stored.map((turn) => turn.user))).toEqual(new Set(texts));
    for (const [index, turn] of stored.entries()) expect(turn.assistant).toBe(reply(index + 1, turn.user));
  });

  it('(d) loses no completed turn when a replica is killed mid-stream; the other continues', async () => {
    expect((await chat(a.url, 'dave', 'first')).content).toBe(reply(1, 'first'));
    expect((await chat(b.url, 'dave', 'second')).content).toBe(reply(2, 'second'));
    const long = Array.from({ length: 60 }, (_, index) => `w${index}`).join(' ');
    const cut = await streamCompletion(
      a.url,
      TOKEN,
      { user: 'dave', messages: [{ role: 'user', content: long }] },
      () => {
        a.child.kill('SIGKILL');
      },
    );
    expect(cut.done).toBe(false);
    expect(await a.exited).toEqual({ code: null, signal: 'SIGKILL' });
    // The dead replica's lock expires (1 s in this test) and the survivor takes over.
    const next = await chat(b.url, 'dave', 'third');
    expect(next.status).toBe(200);
    expect(next.content).toBe(reply(3, 'third'));
    expect(await storedTurns('dave')).toEqual([
      { user: 'first', assistant: reply(1, 'first') },
      { user: 'second', assistant: reply(2, 'second') },
      { user: 'third', assistant: reply(3, 'third') },
    ]);
  });

  it('(c) locks a brute-forcer spread across replicas after exactly maxAttempts failures', async () => {
    // Replica A was killed above: start a fresh one on the same Redis.
    const configPath = path.join(stateDir, 'replicas.json5');
    a = await startReplica(configPath);
    const urls = [a.url, b.url];
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const result = await chat(urls[attempt % 2]!, 'mallory', 'let me in', `wrong-${attempt}`);
      expect([result.status, result.body]).toEqual([401, { error: { message: 'Unauthorized', type: 'unauthorized' } }]);
    }
    for (const url of urls) {
      // Locked on both replicas, even with the right token.
      const locked = await chat(url, 'mallory', 'let me in', TOKEN);
      expect(locked.status).toBe(429);
      expect(locked.body).toEqual({
        error: { message: 'Too many failed authentication attempts. Please try again later.', type: 'rate_limited' },
      });
      expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(55);
      expect(Number(locked.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    }
  }, 20_000);
});

describe('Redis at start-up', () => {
  it('unreachable: exit 1 with the config key and the redacted URL (sessions.store, gateway.auth.rateLimit.store)', async () => {
    ensureBuiltGateway();
    const cases = [
      ['sessions.store', { sessions: { store: { redis: 'redis://:hunter2@127.0.0.1:1' } } }],
      [
        'gateway.auth.rateLimit.store',
        {
          gateway: {
            auth: { mode: 'token', token: TOKEN, rateLimit: { store: { redis: 'redis://:hunter2@127.0.0.1:1' } } },
          },
        },
      ],
    ] as const;
    // In parallel: each waits about 2 s for a first connection before giving up.
    await Promise.all(
      cases.map(async ([key, config]) => {
        const dir = await mkdtemp(path.join(os.tmpdir(), 'clawgate-redis-start-'));
        try {
          const configPath = path.join(dir, 'config.json5');
          await writeFile(configPath, JSON.stringify(config));
          const error = await spawnGateway([CLI_PATH, 'gateway', '--config', configPath, '--port', '0'], {
            PATH: process.env.PATH,
            CLAWGATE_STATE_DIR: dir,
          }).then(
            () => new Error('started'),
            (caught: Error) => caught,
          );
          expect(error.message).toMatch(/^gateway exited with 1 before listening/);
          expect(error.message).toContain(`clawgate gateway: ${key}: `);
          expect(error.message).toContain(
            'cannot connect to redis://:***@127.0.0.1:1 (connect ECONNREFUSED 127.0.0.1:1)',
          );
          expect(error.message).not.toContain('hunter2');
        } finally {
          await rm(dir, { recursive: true, force: true });
        }
      }),
    );
  });
});

describe.skipIf(admin === undefined)('Redis lost while running', () => {
  it('answers 503 service_unavailable (never 401), /readyz 503, and recovers by itself', async () => {
    const target = new URL(redisUrl);
    const relay = await startTcpRelay({ host: target.hostname, port: Number(target.port || 6379) });
    target.host = `127.0.0.1:${relay.port}`;
    const configPath = path.join(stateDir, 'relay.json5');
    await writeFile(configPath, replicaConfig(target.toString(), false, 0));
    const gateway = await startGateway({
      configPath,
      port: 0,
      env: {},
      stateDir,
      print: () => undefined,
      redis: { keyPrefix: `${prefix}relay:` },
    });
    inProcess.push(gateway);
    expect((await chat(gateway.url, 'erin', 'before')).content).toBe(reply(1, 'before'));

    // The response goes out before the run releases its session lock; cut only once it is released,
    // or the next turn would wait for the lock's expiry (correct, but slow for a test).
    const lockKey = redisSessionKeys(`${prefix}relay:`, 'agent:main:openai-user:erin').lock;
    await vi.waitFor(async () => expect(await admin!.exists(lockKey)).toBe(0), { timeout: 5_000, interval: 10 });
    await relay.cut();
    await vi.waitFor(() => expect(gateway.isReady()).toBe(false), { timeout: 5_000, interval: 10 });
    const ready = await fetch(`${gateway.url}/readyz`);
    expect([ready.status, await ready.json()]).toEqual([503, { status: 'not ready' }]);
    const lost = await chat(gateway.url, 'erin', 'during');
    expect(lost.status).toBe(503);
    expect(lost.body.error?.type).toBe('service_unavailable');
    const streamed = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({ stream: true, user: 'erin', messages: [{ role: 'user', content: 'during' }] }),
    });
    expect(streamed.status).toBe(503);
    expect(((await streamed.json()) as { error: { type: string } }).error.type).toBe('service_unavailable');
    // A wrong credential cannot be counted either: still 503, not 401.
    expect((await chat(gateway.url, 'erin', 'during', 'wrong')).status).toBe(503);

    await relay.restore();
    let status = 0;
    for (let attempt = 0; attempt < 80 && status !== 200; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      status = (await fetch(`${gateway.url}/readyz`)).status;
    }
    expect(status).toBe(200);
    expect((await chat(gateway.url, 'erin', 'after')).content).toBe(reply(2, 'after'));
    await gateway.shutdown({ deadlineMs: 1_000 });
    await relay.cut();
  }, 20_000);
});
