/**
 * The methods (docs/ws-protocol.md#methods) and the events of a run
 * (docs/ws-protocol.md#events-of-a-run), end to end through a real gateway with the offline model
 * or a real loopback upstream.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  type FakeUpstream,
  startFakeUpstream,
  upstreamChunk,
  upstreamUsageChunk,
  writeUpstreamStream,
} from '../__fixtures__/fake-upstream.js';
import { connectClient, type Frame, wsUrl } from './__fixtures__/protocol-client.js';
import {
  startInProcessGateway,
  IN_PROCESS_GATEWAY_TOKEN,
  type InProcessGateway,
} from '../__fixtures__/in-process-gateway.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function start(overrides: Record<string, unknown> = {}): Promise<InProcessGateway> {
  const gateway = await startInProcessGateway(overrides);
  cleanups.push(() => gateway.stop());
  return gateway;
}

async function upstream(handler: Parameters<typeof startFakeUpstream>[0]): Promise<FakeUpstream> {
  const server = await startFakeUpstream(handler);
  cleanups.push(() => server.close());
  return server;
}

async function client(gateway: InProcessGateway, overrides: Record<string, unknown> = {}) {
  const connected = await connectClient(wsUrl(gateway.url), IN_PROCESS_GATEWAY_TOKEN, overrides);
  cleanups.push(async () => connected.close());
  return connected;
}

/** An upstream streaming `pieces`, then usage and [DONE]. */
function streaming(pieces: string[]) {
  return upstream((_request, response) =>
    writeUpstreamStream(response, [
      ...pieces.map((piece) => upstreamChunk({ content: piece })),
      upstreamChunk({}, 'stop'),
      upstreamUsageChunk(),
    ]),
  );
}

/** `{stream, data}` of agent events and `{state, …}` of chat events, without ids and clocks. */
function shape(events: Frame[]) {
  return events.map((frame) =>
    frame.event === 'agent'
      ? { agent: frame.payload.stream, data: withoutClocks(frame.payload.data), seq: frame.payload.seq }
      : { chat: frame.payload.state, ...withoutClocks(frame.payload), seq: frame.payload.seq },
  );
}

function withoutClocks(value: Frame['payload']) {
  const {
    runId: _r,
    sessionKey: _s,
    agentId: _a,
    ts: _t,
    startedAt: _st,
    endedAt: _e,
    state: _state,
    seq: _seq,
    ...rest
  } = value;
  if (rest.message) rest.message = { ...rest.message, timestamp: 'T' };
  return rest;
}

describe('health, status, models.list', () => {
  it('health: exactly its keys, the agents and the session count', async () => {
    const gateway = await start();
    const ws = await client(gateway);
    const health = (await ws.request('health')).payload;
    expect(Object.keys(health).sort()).toEqual(
      ['agents', 'channels', 'defaultAgentId', 'durationMs', 'ok', 'sessions', 'ts'].sort(),
    );
    expect(health).toMatchObject({
      ok: true,
      defaultAgentId: 'main',
      agents: [
        { agentId: 'main', isDefault: true },
        { agentId: 'beta', isDefault: false },
      ],
      sessions: { count: 0 },
      channels: {},
    });
  });

  it('status and models.list read the catalogue; a provider without one lists the models agents use', async () => {
    const up = await streaming(['x']);
    const gateway = await start({
      models: {
        providers: {
          up: {
            baseUrl: up.baseUrl,
            models: [{ id: 'big', name: 'Big Model', contextWindow: 128_000, reasoning: true, cost: { input: 1 } }],
          },
        },
      },
      agents: {
        defaults: { model: 'up/big' },
        list: [
          { id: 'main', default: true },
          { id: 'beta', model: 'offline/clawgate-offline' },
        ],
      },
    });
    const ws = await client(gateway);
    expect((await ws.request('status')).payload).toEqual({
      runtimeVersion: expect.any(String),
      sessions: { defaults: { model: 'big', contextTokens: 128_000 } },
      heartbeat: { defaultAgentId: 'main' },
      uptimeMs: expect.any(Number),
    });
    expect((await ws.request('models.list')).payload).toEqual({
      models: [
        { id: 'big', name: 'Big Model', provider: 'up', contextWindow: 128_000, reasoning: true, available: true },
        {
          id: 'clawgate-offline',
          name: 'clawgate-offline',
          provider: 'offline',
          contextWindow: null,
          reasoning: false,
          available: true,
        },
      ],
    });
  });
});

describe('agent', () => {
  it('answers accepted, streams agent and chat events in order, then the result after chat final', async () => {
    const up = await streaming(['Hello', ', "world"', '!']);
    const gateway = await start({
      models: { providers: { up: { baseUrl: up.baseUrl } } },
      agents: { defaults: { model: 'up/m1' } },
    });
    const ws = await client(gateway);
    const accepted = await ws.request(
      'agent',
      { message: 'hi', idempotencyKey: 'run-a', sessionKey: 'chat-1' },
      'req-a',
    );
    expect(accepted).toEqual({
      type: 'res',
      id: 'req-a',
      ok: true,
      payload: {
        runId: 'run-a',
        sessionKey: 'chat-1',
        agentId: 'main',
        status: 'accepted',
        acceptedAt: expect.any(Number),
      },
    });
    const events = await ws.runEvents('run-a');
    // accepted comes before the run's first event.
    expect(ws.frames.indexOf(accepted)).toBeLessThan(ws.frames.indexOf(events[0] as Frame));
    expect(shape(events)).toEqual([
      { agent: 'lifecycle', data: { phase: 'start' }, seq: 1 },
      { agent: 'assistant', data: { text: 'Hello', delta: 'Hello' }, seq: 2 },
      {
        chat: 'delta',
        deltaText: 'Hello',
        message: { role: 'assistant', content: [{ type: 'text', text: 'Hello' }], timestamp: 'T' },
        seq: 2,
      },
      { agent: 'assistant', data: { text: 'Hello, "world"', delta: ', "world"' }, seq: 3 },
      {
        chat: 'delta',
        deltaText: ', "world"',
        message: { role: 'assistant', content: [{ type: 'text', text: 'Hello, "world"' }], timestamp: 'T' },
        seq: 3,
      },
      { agent: 'assistant', data: { text: 'Hello, "world"!', delta: '!' }, seq: 4 },
      {
        chat: 'delta',
        deltaText: '!',
        message: { role: 'assistant', content: [{ type: 'text', text: 'Hello, "world"!' }], timestamp: 'T' },
        seq: 4,
      },
      { agent: 'usage', data: { inputTokens: 11, outputTokens: 7, totalTokens: 18 }, seq: 5 },
      { agent: 'lifecycle', data: { phase: 'end', stopReason: 'stop', aborted: false }, seq: 6 },
      {
        chat: 'final',
        stopReason: 'stop',
        message: { role: 'assistant', content: [{ type: 'text', text: 'Hello, "world"!' }], timestamp: 'T' },
        seq: 6,
      },
    ]);
    for (const event of events)
      expect(event.payload).toMatchObject({ runId: 'run-a', sessionKey: 'chat-1', agentId: 'main' });
    const final = await ws.waitFor((frame) => frame.id === 'req-a' && frame.payload?.status === 'ok');
    // The result comes after the chat final event.
    expect(ws.frames.indexOf(final)).toBeGreaterThan(ws.frames.indexOf(events.at(-1) as Frame));
    expect(final.payload).toEqual({
      runId: 'run-a',
      status: 'ok',
      summary: 'completed',
      result: {
        payloads: [{ text: 'Hello, "world"!' }],
        meta: {
          durationMs: expect.any(Number),
          agentMeta: { provider: 'up', model: 'm1', usage: { input: 11, output: 7, total: 18 } },
        },
      },
    });
  });

  it('runs in agent:<id>:main without a session key; the same key while running answers in_flight', async () => {
    const gateway = await start({ models: { providers: { offline: { api: 'offline', delayMs: 30 } } } });
    const ws = await client(gateway);
    const first = await ws.request('agent', { message: 'one two three', idempotencyKey: 'dup', agentId: 'beta' });
    expect(first.payload).toMatchObject({ sessionKey: 'agent:beta:main', agentId: 'beta', status: 'accepted' });
    const second = await ws.request('agent', { message: 'again', idempotencyKey: 'dup' });
    expect(second.payload).toEqual({
      runId: 'dup',
      status: 'in_flight',
      sessionKey: 'agent:beta:main',
      agentId: 'beta',
    });
    await ws.waitFor((frame) => frame.id === first.id && frame.payload?.status === 'ok');
  });

  it('refuses an unknown agent, a reserved session key and a model the agent does not allow', async () => {
    const gateway = await start();
    const ws = await client(gateway);
    expect((await ws.request('agent', { message: 'x', idempotencyKey: 'u1', agentId: 'ghost' })).error).toEqual({
      code: 'INVALID_REQUEST',
      message: 'invalid agent params: unknown agent id "ghost"',
    });
    expect((await ws.request('agent', { message: 'x', idempotencyKey: 'u2', sessionKey: 'cron:job' })).error).toEqual({
      code: 'INVALID_REQUEST',
      message: 'invalid agent params: session key is in a reserved namespace',
    });
    expect((await ws.request('agent', { message: 'x', idempotencyKey: 'u3', model: 'other/model' })).error).toEqual({
      code: 'INVALID_REQUEST',
      message: "Model 'other/model' is not allowed for agent 'main'.",
    });
    expect((await ws.request('agent', { message: 'x' })).error).toEqual({
      code: 'INVALID_REQUEST',
      message: "invalid agent params: must have required property 'idempotencyKey'",
    });
  });

  it('an upstream failure ends the run with lifecycle error, chat error and an UNAVAILABLE result', async () => {
    const up = await upstream((_request, response) => {
      response.writeHead(500, { 'content-type': 'application/json' });
      response.end('{"error":{"message":"boom"}}');
    });
    const gateway = await start({
      models: { providers: { up: { baseUrl: up.baseUrl } } },
      agents: { defaults: { model: 'up/m' } },
    });
    const ws = await client(gateway);
    const accepted = await ws.request('agent', { message: 'x', idempotencyKey: 'fail-1' });
    const events = await ws.runEvents('fail-1');
    const final = await ws.waitFor((frame) => frame.id === accepted.id && frame.ok === false);
    expect(final.error).toMatchObject({ code: 'UNAVAILABLE', retryable: true });
    expect(shape(events)).toEqual([
      { agent: 'lifecycle', data: { phase: 'start' }, seq: 1 },
      { agent: 'lifecycle', data: { phase: 'error', error: final.error?.message }, seq: 2 },
      { chat: 'error', errorMessage: final.error?.message, seq: 2 },
    ]);
    expect(final.error?.message).not.toContain('boom'.repeat(2));
  });

  it('a timeout aborts the run: status timeout, chat aborted with stop reason timeout', async () => {
    const gateway = await start({ models: { providers: { offline: { api: 'offline', delayMs: 2_000 } } } });
    const ws = await client(gateway);
    const accepted = await ws.request('agent', { message: 'a b c', idempotencyKey: 'slow-t', timeout: 1 });
    const final = await ws.waitFor((frame) => frame.id === accepted.id && frame.payload?.status === 'timeout');
    expect(final.payload).toEqual({ runId: 'slow-t', status: 'timeout', summary: 'timed out', stopReason: 'timeout' });
    const events = await ws.runEvents('slow-t');
    expect(events.at(-1)?.payload).toMatchObject({ state: 'aborted', stopReason: 'timeout' });
  });
});

describe('chat.send, chat.abort, agent.wait, chat.history, sessions.list', () => {
  it('chat.send answers started, then in_flight, then ok for the same key; history shows the turn', async () => {
    const gateway = await start({ models: { providers: { offline: { api: 'offline', delayMs: 20 } } } });
    const ws = await client(gateway);
    const params = { sessionKey: 'agent:main:web', message: 'hello', idempotencyKey: 'send-1' };
    const started = await ws.request('chat.send', params);
    expect(started.payload).toEqual({ runId: 'send-1', status: 'started' });
    expect(ws.frames.indexOf(started)).toBeLessThan(
      ws.frames.findIndex((frame) => frame.payload?.runId === 'send-1' && frame.type === 'event'),
    );
    expect((await ws.request('chat.send', params)).payload).toEqual({ runId: 'send-1', status: 'in_flight' });
    const events = await ws.runEvents('send-1');
    const finalText = events.at(-1)?.payload.message.content[0].text;
    expect((await ws.request('chat.send', params)).payload).toEqual({ runId: 'send-1', status: 'ok' });
    expect((await ws.request('agent.wait', { runId: 'send-1' })).payload).toEqual({
      runId: 'send-1',
      status: 'ok',
      startedAt: expect.any(Number),
      endedAt: expect.any(Number),
      stopReason: 'stop',
    });
    const history = (await ws.request('chat.history', { sessionKey: 'agent:main:web' })).payload;
    expect(history).toEqual({
      sessionKey: 'agent:main:web',
      messages: [
        { role: 'user', content: 'hello', timestamp: expect.any(Number) },
        {
          role: 'assistant',
          content: [{ type: 'text', text: finalText }],
          provider: 'offline',
          model: 'clawgate-offline',
          usage: { input: expect.any(Number), output: expect.any(Number), totalTokens: expect.any(Number) },
          stopReason: 'stop',
          timestamp: expect.any(Number),
        },
      ],
      hasMore: false,
      totalMessages: 2,
    });
    expect((await ws.request('chat.history', { sessionKey: 'nobody' })).payload).toEqual({
      sessionKey: 'nobody',
      messages: [],
      hasMore: false,
      totalMessages: 0,
    });
  });

  it('chat.abort aborts the running turn and its upstream request; agent.wait reports it', async () => {
    let release: () => void = () => undefined;
    const up = await upstream((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write(upstreamChunk({ content: 'partial' }));
      // Stalls until the test ends (or the gateway hangs up).
      return new Promise<void>((resolve) => (release = resolve));
    });
    cleanups.push(async () => release());
    const gateway = await start({
      models: { providers: { up: { baseUrl: up.baseUrl } } },
      agents: { defaults: { model: 'up/m' } },
    });
    const ws = await client(gateway);
    const accepted = await ws.request('agent', { message: 'x', idempotencyKey: 'abort-me', sessionKey: 's-abort' });
    await ws.waitFor((frame) => frame.event === 'chat' && frame.payload.state === 'delta');
    expect((await ws.request('chat.abort', { sessionKey: 's-abort', runId: 'other' })).payload).toEqual({
      ok: true,
      aborted: false,
      runIds: [],
    });
    expect((await ws.request('chat.abort', { sessionKey: 's-abort' })).payload).toEqual({
      ok: true,
      aborted: true,
      runIds: ['abort-me'],
    });
    await up.requests[0]?.closed;
    const final = await ws.waitFor((frame) => frame.id === accepted.id && frame.payload?.status === 'timeout');
    expect(final.payload).toEqual({ runId: 'abort-me', status: 'timeout', summary: 'aborted', stopReason: 'rpc' });
    const events = await ws.runEvents('abort-me');
    expect(shape(events.slice(-2))).toEqual([
      { agent: 'lifecycle', data: { phase: 'end', stopReason: 'rpc', aborted: true }, seq: 3 },
      { chat: 'aborted', stopReason: 'rpc', seq: 3 },
    ]);
    expect((await ws.request('agent.wait', { runId: 'abort-me', timeoutMs: 0 })).payload).toMatchObject({
      status: 'timeout',
      stopReason: 'rpc',
    });
    // Nothing of an aborted turn is stored.
    expect((await ws.request('chat.history', { sessionKey: 's-abort' })).payload.totalMessages).toBe(0);
  });

  it('agent.wait waits for a running turn, and answers timeout for one still running', async () => {
    const gateway = await start({ models: { providers: { offline: { api: 'offline', delayMs: 25 } } } });
    const ws = await client(gateway);
    await ws.request('agent', { message: 'one two three four', idempotencyKey: 'w-1' });
    expect((await ws.request('agent.wait', { runId: 'w-1', timeoutMs: 0 })).payload).toEqual({
      runId: 'w-1',
      status: 'timeout',
      startedAt: expect.any(Number),
    });
    expect((await ws.request('agent.wait', { runId: 'w-1', timeoutMs: 10_000 })).payload).toMatchObject({
      runId: 'w-1',
      status: 'ok',
    });
  });

  it('sessions.list pages the stored sessions, newest first', async () => {
    const gateway = await start();
    const ws = await client(gateway);
    for (const key of ['s-1', 's-2', 's-3']) {
      await ws.request('agent', { message: 'x', idempotencyKey: `list-${key}`, sessionKey: key });
      await ws.runEvents(`list-${key}`);
    }
    const page = (await ws.request('sessions.list', { limit: 2 })).payload;
    expect(page).toEqual({
      ts: expect.any(Number),
      count: 2,
      totalCount: 3,
      hasMore: true,
      nextOffset: 2,
      sessions: [
        { key: 's-3', agentId: 'main', updatedAt: expect.any(Number) },
        { key: 's-2', agentId: 'main', updatedAt: expect.any(Number) },
      ],
    });
    expect((await ws.request('sessions.list', { limit: 2, offset: 2 })).payload).toMatchObject({
      count: 1,
      hasMore: false,
      nextOffset: null,
      sessions: [{ key: 's-1' }],
    });
  });
});
