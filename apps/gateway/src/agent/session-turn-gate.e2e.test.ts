/**
 * Busy sessions end to end (docs/http-contract.md#busy-sessions): a gateway on a real socket whose
 * upstream holds every answer until the test lets it go, so the line of turns on one session is
 * exactly what the test builds. Every wait is on an event (a response, an upstream request, a frame).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  type FakeUpstream,
  startFakeUpstream,
  upstreamChunk,
  writeUpstreamStream,
} from '../__fixtures__/fake-upstream.js';
import { IN_PROCESS_GATEWAY_TOKEN, useInProcessGateways } from '../__fixtures__/in-process-gateway.js';
import { cleanUpRedis, connectRedisAdmin, REDIS_URL, uniqueRedisPrefix } from '../__fixtures__/redis-admin.js';
import { silentLogger } from '../http/http-logger.js';
import { startGateway } from '../server.js';
import { connectClient, requestId, wsUrl } from '../ws/__fixtures__/protocol-client.js';

// 200 requests and their transcript on a busy 2-core machine: generous headroom.
vi.setConfig({ testTimeout: 90_000 });

const SESSION = 'busy-session';
const HEADERS = {
  authorization: `Bearer ${IN_PROCESS_GATEWAY_TOKEN}`,
  'content-type': 'application/json',
  'x-openclaw-session-key': SESSION,
};

/** The exact wire body of a `session_busy` refusal with `message` (keys in this order, no other field). */
const busyBody = (message: string) =>
  `{"error":{"message":${JSON.stringify(message)},"type":"rate_limit_error","code":"session_busy"}}`;
/** The body of a turn refused because the line is full (`reason` says how full). */
const queueFullBody = (reason: string) => busyBody(`This session is busy: ${reason}. Retry later.`);
/** The body of a turn that waited `seconds`. */
const timedOutBody = (seconds: string) => busyBody(`This session stayed busy for ${seconds} s. Retry later.`);

const replyTo = (prompt: string) => `reply to ${prompt}`;

/** An upstream request the test has not answered yet. */
interface HeldAnswer {
  /** The newest user message the gateway sent (this turn's prompt). */
  prompt: string;
  /** Every message the gateway sent (the session's history, then the prompt). */
  messages: Array<{ role: string; content: string }>;
  /** Answers `reply to <prompt>`. */
  answer(): void;
}

/** A loopback upstream that holds every answer until the test lets it go. */
interface HoldingUpstream extends FakeUpstream {
  /** The next request to arrive (or the oldest one still held). */
  next(): Promise<HeldAnswer>;
  /** Answers every held request, and from now on every request as it arrives. */
  answerEverything(): void;
}

async function startHoldingUpstream(): Promise<HoldingUpstream> {
  const arrived: HeldAnswer[] = [];
  const waiting: Array<(held: HeldAnswer) => void> = [];
  const open = new Set<http.ServerResponse>();
  let answering = false;
  const upstream = await startFakeUpstream((record, response) => {
    const messages = record.body.messages as HeldAnswer['messages'];
    const prompt = messages.at(-1)?.content ?? '';
    open.add(response);
    const held: HeldAnswer = {
      prompt,
      messages,
      answer() {
        open.delete(response);
        writeUpstreamStream(response, [
          upstreamChunk({ role: 'assistant', content: replyTo(prompt) }),
          upstreamChunk({}, 'stop'),
        ]);
      },
    };
    const waiter = waiting.shift();
    if (answering) held.answer();
    else if (waiter) waiter(held);
    else arrived.push(held);
  });
  return {
    ...upstream,
    next: () => {
      const held = arrived.shift();
      return held ? Promise.resolve(held) : new Promise((resolve) => waiting.push(resolve));
    },
    answerEverything() {
      answering = true;
      for (const held of arrived.splice(0)) held.answer();
    },
    close: () => {
      for (const response of open) response.destroy();
      return upstream.close();
    },
  };
}

let upstream: Awaited<ReturnType<typeof startHoldingUpstream>> | undefined;
afterEach(async () => {
  await upstream?.close();
  upstream = undefined;
});
const start = useInProcessGateways();

async function holdingGateway(sessions: Record<string, unknown>, http: Record<string, unknown> = {}) {
  upstream = await startHoldingUpstream();
  const gateway = await start({
    gateway: { http: { ...http, endpoints: { chatCompletions: { enabled: true }, responses: { enabled: true } } } },
    models: { providers: { up: { baseUrl: upstream.baseUrl } } },
    agents: { defaults: { model: 'up/model' } },
    sessions,
  });
  return { gateway, upstream };
}

interface Answer {
  prompt: string;
  status: number;
  retryAfter: string | null;
  text: string;
}

/** One turn on {@link SESSION}; resolves with the whole answer. */
async function chat(url: string, prompt: string, extra: Record<string, unknown> = {}): Promise<Answer> {
  const response = await fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: HEADERS,
    body: JSON.stringify({ messages: [{ role: 'user', content: prompt }], ...extra }),
  });
  return {
    prompt,
    status: response.status,
    retryAfter: response.headers.get('retry-after'),
    text: await response.text(),
  };
}

/** Counts settled promises; `reached(n)` resolves once `n` have settled. */
function settleCounter() {
  let count = 0;
  const waiters: Array<{ target: number; resolve: () => void }> = [];
  return {
    add() {
      count += 1;
      for (const waiter of waiters.filter((entry) => entry.target <= count)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    },
    reached(target: number) {
      return target <= count ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ target, resolve }));
    },
  };
}

/** The session's stored turns as `[prompt, reply]`, read back through `chat.history` over WebSocket. */
async function storedTurns(url: string): Promise<Array<[string, string]>> {
  const client = await connectClient(wsUrl(url), IN_PROCESS_GATEWAY_TOKEN);
  try {
    const history = await client.request('chat.history', { sessionKey: SESSION, limit: 1000 });
    const messages = history.payload.messages as Array<
      { role: 'user'; content: string } | { role: 'assistant'; content: Array<{ text: string }> }
    >;
    const turns: Array<[string, string]> = [];
    for (let index = 0; index < messages.length; index += 2) {
      const [user, assistant] = [messages[index], messages[index + 1]];
      if (user?.role !== 'user' || assistant?.role !== 'assistant') throw new Error(`unpaired message at ${index}`);
      turns.push([user.content, assistant.content.map((part) => part.text).join('')]);
    }
    return turns;
  } finally {
    client.close();
  }
}

/**
 * Sends `turns` concurrent turns on one session of a gateway with `maxQueuedTurns`, waits until every
 * turn beyond the line has been refused, then lets the upstream answer. Resolves with every answer and
 * the prompts in the order the upstream saw them.
 */
async function burst(url: string, holding: HoldingUpstream, turns: number, maxQueuedTurns: number) {
  const settled = settleCounter();
  const answers = Array.from({ length: turns }, (_, index) => chat(url, `turn ${index}`).finally(() => settled.add()));
  // Nothing is served while the upstream holds the first answer, so every settled answer is a refusal.
  await settled.reached(turns - (maxQueuedTurns + 1));
  holding.answerEverything();
  const all = await Promise.all(answers);
  const upstreamMessages = holding.requests.map((request) => request.body.messages as HeldAnswer['messages']);
  const upstreamOrder = upstreamMessages.map((messages) => messages.at(-1)?.content ?? '');
  // Each served turn saw every turn served before it, and only those: one history, in order.
  expect(upstreamMessages.map((messages) => messages.slice(0, -1).map((message) => message.content))).toEqual(
    upstreamOrder.map((_, index) => upstreamOrder.slice(0, index).flatMap((prompt) => [prompt, replyTo(prompt)])),
  );
  return { answers: all, upstreamOrder };
}

/** Checks a burst's outcome: `served` answered 200 with their own reply, the rest refused exactly. */
function expectBurstOutcome(answers: Answer[], served: number, maxQueuedTurns: number) {
  const ok = answers.filter((answer) => answer.status === 200);
  const refused = answers.filter((answer) => answer.status !== 200);
  expect([ok.length, refused.length]).toEqual([served, answers.length - served]);
  for (const answer of ok) {
    const body = JSON.parse(answer.text) as { choices: Array<{ message: { content: string } }> };
    expect(body.choices[0]?.message.content).toBe(replyTo(answer.prompt));
  }
  for (const answer of refused) {
    expect([answer.status, answer.retryAfter, answer.text]).toEqual([
      429,
      '1',
      queueFullBody(`${maxQueuedTurns} turns are already waiting for it`),
    ]);
  }
  return ok.map((answer) => answer.prompt);
}

describe('a burst on one session', () => {
  it('serves the running turn and 10 waiters, refuses the other 189 at once, stores exactly 11 turns', async () => {
    const { gateway, upstream: holding } = await holdingGateway({ maxQueuedTurns: 10 });
    const { answers, upstreamOrder } = await burst(gateway.url, holding, 200, 10);
    const servedPrompts = expectBurstOutcome(answers, 11, 10);
    expect([...upstreamOrder].sort()).toEqual([...servedPrompts].sort());
    expect(holding.requests).toHaveLength(11);
    // Nothing lost or duplicated: the transcript is the served turns, in the order they ran.
    expect(await storedTurns(gateway.url)).toEqual(upstreamOrder.map((prompt) => [prompt, replyTo(prompt)]));

    // The session is free again: a later turn is served, with the whole history.
    const later = await chat(gateway.url, 'later');
    expect([later.status, JSON.parse(later.text).choices[0].message.content]).toEqual([200, replyTo('later')]);
    expect(holding.requests.at(-1)?.body.messages).toHaveLength(2 * 11 + 1);
    expect((await storedTurns(gateway.url)).at(-1)).toEqual(['later', replyTo('later')]);
    expect(await storedTurns(gateway.url)).toHaveLength(12);
  });

  it('refuses a turn that waited queueTimeoutMs, stores nothing for it, and serves the next one', async () => {
    const { gateway, upstream: holding } = await holdingGateway({ maxQueuedTurns: 10, queueTimeoutMs: 250 });
    const first = chat(gateway.url, 'first');
    const running = await holding.next();
    // Behind a turn the upstream holds, this one can only wait until its limit.
    const waited = await chat(gateway.url, 'waited');
    expect([waited.status, waited.retryAfter, waited.text]).toEqual([429, '1', timedOutBody('0.25')]);
    running.answer();
    expect((await first).status).toBe(200);
    const next = chat(gateway.url, 'next');
    (await holding.next()).answer();
    expect((await next).status).toBe(200);
    expect(await storedTurns(gateway.url)).toEqual([
      ['first', replyTo('first')],
      ['next', replyTo('next')],
    ]);
    expect(
      holding.requests.map((request) => (request.body.messages as HeldAnswer['messages']).at(-1)?.content),
    ).toEqual(['first', 'next']);
  });
});

describe('a refused turn at each door', () => {
  it('streamed chat: 429 and JSON while nothing was sent, an error frame and [DONE] once headers are out', async () => {
    // The heartbeat (50 ms) sends a waiting stream's headers long before its wait limit refuses it; the 3 s
    // leave a busy machine time to ask for (and refuse) the turn behind it meanwhile.
    const { gateway, upstream: holding } = await holdingGateway(
      { maxQueuedTurns: 1, queueTimeoutMs: 3_000 },
      { sseHeartbeatMs: 50 },
    );
    const first = chat(gateway.url, 'first');
    const running = await holding.next();
    // Its headers come at the heartbeat, when it has long taken its place in the line.
    const waiting = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: HEADERS,
      body: JSON.stringify({ stream: true, messages: [{ role: 'user', content: 'waiting' }] }),
    });
    expect(waiting.status).toBe(200);
    const full = await chat(gateway.url, 'full', { stream: true });
    expect([full.status, full.retryAfter, full.text]).toEqual([
      429,
      '1',
      queueFullBody('1 turn is already waiting for it'),
    ]);

    const streamed = await waiting.text();
    const frames = streamed.split('\n\n').filter((frame) => frame.startsWith('data: '));
    expect(frames.slice(-2)).toEqual([`data: ${timedOutBody('3')}`, 'data: [DONE]']);
    expect(streamed).not.toContain('"content"');
    running.answer();
    expect((await first).status).toBe(200);
    expect(await storedTurns(gateway.url)).toEqual([['first', replyTo('first')]]);
  });

  it('/v1/responses: a streamed turn refused after its headers ends with response.failed session_busy', async () => {
    const { gateway, upstream: holding } = await holdingGateway(
      { maxQueuedTurns: 1, queueTimeoutMs: 3_000 },
      { sseHeartbeatMs: 50 },
    );
    const first = chat(gateway.url, 'first');
    const running = await holding.next();
    const response = await fetch(`${gateway.url}/v1/responses`, {
      method: 'POST',
      headers: HEADERS,
      body: JSON.stringify({ model: 'openclaw', input: 'waiting', stream: true }),
    });
    expect(response.status).toBe(200);
    const text = await response.text();
    const failed = text.split('\n\n').find((frame) => frame.startsWith('event: response.failed'));
    const data = JSON.parse(failed?.split('\ndata: ')[1] ?? '{}') as { response?: { error?: unknown } };
    expect(data.response?.error).toEqual({
      code: 'session_busy',
      message: 'This session stayed busy for 3 s. Retry later.',
    });
    running.answer();
    expect((await first).status).toBe(200);
  });

  it('WebSocket agent: UNAVAILABLE, retryable, retryAfterMs 1000', async () => {
    const { gateway, upstream: holding } = await holdingGateway({ maxQueuedTurns: 0 });
    const first = chat(gateway.url, 'first');
    const running = await holding.next();
    const client = await connectClient(wsUrl(gateway.url), IN_PROCESS_GATEWAY_TOKEN);
    const id = requestId('busy');
    client.send({
      type: 'req',
      id,
      method: 'agent',
      params: { message: 'over ws', idempotencyKey: 'busy-ws-1', sessionKey: SESSION },
    });
    const refused = await client.waitFor((frame) => frame.type === 'res' && frame.id === id && frame.ok === false);
    expect(refused.error).toEqual({
      code: 'UNAVAILABLE',
      message: 'This session is busy: another turn is already running on it. Retry later.',
      retryable: true,
      retryAfterMs: 1000,
    });
    client.close();
    running.answer();
    expect((await first).status).toBe(200);
  });
});

const admin = await connectRedisAdmin();

describe.skipIf(admin === undefined)('a burst on one session with the Redis store', () => {
  const prefix = uniqueRedisPrefix('busy-sessions');

  it('caps this replica’s waiters the same way: 11 of 50 served, 39 refused, 11 turns stored', async () => {
    upstream = await startHoldingUpstream();
    const stateDir = await mkdtemp(path.join(os.tmpdir(), 'clawgate-busy-redis-'));
    const configPath = path.join(stateDir, 'clawgate.json5');
    await writeFile(
      configPath,
      JSON.stringify({
        gateway: {
          auth: { mode: 'token', token: IN_PROCESS_GATEWAY_TOKEN },
          http: { endpoints: { chatCompletions: { enabled: true } } },
        },
        models: { providers: { up: { baseUrl: upstream.baseUrl } } },
        agents: { defaults: { model: 'up/model' } },
        sessions: { store: { redis: REDIS_URL }, maxQueuedTurns: 10 },
      }),
    );
    const gateway = await startGateway({
      configPath,
      stateDir,
      port: 0,
      env: {},
      print: () => undefined,
      logger: silentLogger,
      redis: { keyPrefix: prefix },
    });
    try {
      const { answers, upstreamOrder } = await burst(gateway.url, upstream, 50, 10);
      expectBurstOutcome(answers, 11, 10);
      expect(await storedTurns(gateway.url)).toEqual(upstreamOrder.map((prompt) => [prompt, replyTo(prompt)]));
    } finally {
      await gateway.close();
      await cleanUpRedis(admin, prefix);
      await rm(stateDir, { recursive: true, force: true });
    }
  });
});
