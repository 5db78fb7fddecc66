/**
 * Two BUILT gateway replicas in child processes on the REAL Redis at `REDIS_URL`
 * (docs/ws-protocol.md#methods): a WebSocket turn on replica A and an HTTP turn on replica B on
 * one session, started together, run one after the other (the Redis session lock), both are
 * stored, the second one's model request carries the first turn, and `chat.history` on either
 * replica reads both. Under CI=true a missing Redis fails this file; locally it skips.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ensureBuiltGateway, INDEX_PATH } from '../__fixtures__/ensure-built-gateway.js';
import {
  type FakeUpstream,
  startFakeUpstream,
  type UpstreamRequestRecord,
  upstreamChunk,
  upstreamUsageChunk,
} from '../__fixtures__/fake-upstream.js';
import { type GatewayProcess, spawnGateway } from '../__fixtures__/gateway-process.js';
import { cleanUpRedis, connectRedisAdmin, REDIS_URL, uniqueRedisPrefix } from '../__fixtures__/redis-admin.js';
import { redisSessionKeys } from '../sessions/redis-session-keys.js';
import { agentTurn, historyTexts, httpTurn } from './__fixtures__/door-turns.js';
import { connectClient, type ProtocolClient, wsUrl } from './__fixtures__/protocol-client.js';

// A unique prefix per run keeps parallel runs apart; every key under it is deleted afterwards.
const prefix = uniqueRedisPrefix('ws-replicas');
const TOKEN = 'ws-replica-test-token-5c1e';
const REPLICA_SCRIPT = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  '__fixtures__',
  'run-gateway-replica.mjs',
);

const admin = await connectRedisAdmin();
let stateDir: string | undefined;
let upstream: FakeUpstream | undefined;
const replicas: GatewayProcess[] = [];
const clients: ProtocolClient[] = [];

/** An upstream request as the gateway sends it. */
type SentRequest = UpstreamRequestRecord & { body: { messages: Array<{ role: string; content: string }> } };

/** What the upstream answers: which request of the session it saw, by its message count and last message. */
const answerTo = (messages: Array<{ content: string }>) =>
  `Saw ${messages.length} messages, the last: ${messages.at(-1)?.content}`;

/** When each upstream request arrived (same order as `upstream.requests`). */
const arrivals: number[] = [];
let releaseFirst: () => void = () => undefined;
const firstReleased = new Promise<void>((resolve) => (releaseFirst = resolve));

/** Answers as a stream or one JSON body (a non-streaming HTTP caller asks the upstream for JSON). */
function answer(body: Record<string, unknown>, response: http.ServerResponse): void {
  const content = answerTo(body.messages as Array<{ content: string }>);
  if (body.stream === false) {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(
      JSON.stringify({
        id: 'chatcmpl-upstream',
        object: 'chat.completion',
        created: 1,
        model: 'up-model',
        choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
        usage: { prompt_tokens: 11, completion_tokens: 7, total_tokens: 18 },
      }),
    );
    return;
  }
  response.writeHead(200, { 'content-type': 'text/event-stream' });
  const [head, ...rest] = content.split(' ');
  response.write(upstreamChunk({ role: 'assistant', content: `${head} ` }));
  response.write(upstreamChunk({ content: rest.join(' ') }, 'stop'));
  response.write(upstreamUsageChunk());
  response.end('data: [DONE]\n\n');
}

beforeAll(async () => {
  if (admin === undefined) return;
  ensureBuiltGateway();
  stateDir = await mkdtemp(path.join(os.tmpdir(), 'clawgate-ws-replicas-'));
  upstream = await startFakeUpstream(async (record, response) => {
    arrivals.push(Date.now());
    // The first turn's answer waits until the test has seen the other replica queue behind it.
    if (upstream!.requests.indexOf(record) === 0) await firstReleased;
    answer(record.body, response);
  });
  const configPath = path.join(stateDir, 'replicas.json5');
  await writeFile(
    configPath,
    JSON.stringify({
      gateway: {
        auth: { mode: 'token', token: TOKEN },
        http: { endpoints: { chatCompletions: { enabled: true } } },
      },
      models: { providers: { up: { baseUrl: upstream.baseUrl, apiKey: 'sk-upstream-test-2' } } },
      agents: { defaults: { model: 'up/up-model' }, list: [{ id: 'main', default: true }] },
      sessions: { store: { redis: REDIS_URL } },
      logging: { level: 'silent' },
    }),
  );
  const start = () =>
    spawnGateway([REPLICA_SCRIPT, INDEX_PATH, configPath, prefix, '15000'], {
      PATH: process.env.PATH,
      CLAWGATE_STATE_DIR: stateDir,
    }).then((replica) => {
      replicas.push(replica);
      return replica;
    });
  await Promise.all([start(), start()]);
}, 120_000);

afterAll(async () => {
  releaseFirst();
  for (const client of clients) client.close();
  await Promise.all(clients.map((client) => client.closed));
  for (const replica of replicas) {
    if (replica.child.exitCode === null && replica.child.signalCode === null) replica.child.kill('SIGTERM');
    await replica.exited;
  }
  await upstream?.close();
  await cleanUpRedis(admin, prefix);
  if (stateDir !== undefined) await rm(stateDir, { recursive: true, force: true });
}, 30_000);

async function connect(url: string): Promise<ProtocolClient> {
  const client = await connectClient(wsUrl(url), TOKEN);
  clients.push(client);
  return client;
}

describe.skipIf(admin === undefined)('the WebSocket door on two replicas sharing Redis', () => {
  it('serialises a WS turn on A and an HTTP turn on B on one session; both are stored and read on either', async () => {
    const [a, b] = replicas as [GatewayProcess, GatewayProcess];
    expect(a.url).not.toBe(b.url);
    const [onA, onB] = await Promise.all([connect(a.url), connect(b.url)]);
    const sessionKey = 'ops:two-replicas';
    const keys = redisSessionKeys(prefix, sessionKey);

    const wsDone = agentTurn(onA, 'replica-ws-1', sessionKey, 'from the socket on A', 30_000);
    const httpDone = httpTurn(b.url, TOKEN, sessionKey, 'from http on B');
    // One replica holds the session's lock and waits on the upstream; the other, unable to take the
    // lock, claims first place in line: both turns are in flight at once.
    await vi.waitFor(() => expect(upstream!.requests).toHaveLength(1), { timeout: 10_000, interval: 10 });
    await vi.waitFor(async () => expect(await admin!.exists(keys.next)).toBe(1), { timeout: 10_000, interval: 10 });
    expect(upstream!.requests).toHaveLength(1);
    releaseFirst();
    const [ws, overHttp] = await Promise.all([wsDone, httpDone]);

    expect(upstream!.requests).toHaveLength(2);
    const [first, second] = upstream!.requests as [SentRequest, SentRequest];
    // The second request reached the upstream only after the first answer was complete.
    expect(arrivals[1]).toBeGreaterThanOrEqual(await first.closed);
    const firstSaid = first.body.messages.at(-1)!.content;
    const secondSaid = firstSaid === 'from the socket on A' ? 'from http on B' : 'from the socket on A';
    expect(first.body.messages).toEqual([{ role: 'user', content: firstSaid }]);
    const firstAnswer = answerTo([{ content: firstSaid }]);
    const secondAnswer = answerTo([{ content: firstSaid }, { content: firstAnswer }, { content: secondSaid }]);
    // The second turn was run on the transcript that holds the first.
    expect(second.body.messages).toEqual([
      { role: 'user', content: firstSaid },
      { role: 'assistant', content: firstAnswer },
      { role: 'user', content: secondSaid },
    ]);

    const answerOf = (said: string) => (said === firstSaid ? firstAnswer : secondAnswer);
    expect(ws.accepted.payload).toMatchObject({
      runId: 'replica-ws-1',
      sessionKey,
      agentId: 'main',
      status: 'accepted',
    });
    expect(ws.final.ok).toBe(true);
    expect(ws.final.payload).toMatchObject({
      runId: 'replica-ws-1',
      status: 'ok',
      result: { payloads: [{ text: answerOf('from the socket on A') }] },
    });
    expect([overHttp.status, overHttp.content]).toEqual([200, answerOf('from http on B')]);

    const expected = [
      ['user', firstSaid],
      ['assistant', firstAnswer],
      ['user', secondSaid],
      ['assistant', secondAnswer],
    ];
    for (const client of [onA, onB]) {
      const history = await client.request('chat.history', { sessionKey });
      expect(history.ok).toBe(true);
      expect(historyTexts(history)).toEqual(expected);
      expect([history.payload.hasMore, history.payload.totalMessages]).toEqual([false, 4]);
    }
    // Two turns stored, each once, straight from Redis.
    const stored = (await admin!.lrange(keys.transcript, 0, -1)).map((element) =>
      (JSON.parse(element) as { messages: Array<{ content: string }> }).messages.map((m) => m.content),
    );
    expect(stored).toEqual([
      [firstSaid, firstAnswer],
      [secondSaid, secondAnswer],
    ]);
  }, 60_000);
});
