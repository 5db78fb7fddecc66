import http from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { createGatewayAuthorizer, resolveAuthConfig } from '@clawgate/auth';
import type { AgentRunner } from '../agent/agent-runner.js';
import { createAgentRunner } from '../agent/create-agent-runner.js';
import { createApp } from '../app.js';
import { GatewayError } from '../errors.js';
import { createProviderRegistry } from '../providers/provider-registry.js';
import { createMemorySessionStore } from '../sessions/memory-session-store.js';
import { AUTH_HEADER, testConfig, TEST_TOKEN } from '../__fixtures__/build-test-app.js';
import { buildRunnerApp, parseSseFrames, sseDataPayloads } from '../__fixtures__/build-runner-app.js';
import {
  delay,
  startFakeUpstream,
  upstreamChunk,
  upstreamUsageChunk,
  writeUpstreamStream,
  type UpstreamHandler,
} from '../__fixtures__/fake-upstream.js';

const USER = [{ role: 'user', content: 'hi' }];
const OFFLINE_REPLY = '[clawgate offline model] Turn 1. You said: "hi"';
const OFFLINE_WORDS = ['[clawgate ', 'offline ', 'model] ', 'Turn ', '1. ', 'You ', 'said: ', '"hi"'];
const TOOLS = [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object' } } }];
const FIXED_UUID = '00000000-0000-4000-8000-000000000001';
const FIXED_ID = `chatcmpl_${FIXED_UUID}`;

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) {
    await close();
  }
});

function offlineApp() {
  const built = buildRunnerApp({ config: testConfig(), now: () => 1_750_000_000_500, randomUUID: () => FIXED_UUID });
  closers.push(built.close);
  return built.app;
}

/** The app over a loopback upstream scripted by `handler`. */
async function upstreamApp(handler: UpstreamHandler, options: { heartbeatMs?: number; timeoutMs?: number } = {}) {
  const upstream = await startFakeUpstream(handler);
  closers.push(() => upstream.close());
  const built = buildRunnerApp({
    config: testConfig({
      gateway: { http: { sseHeartbeatMs: options.heartbeatMs ?? 15_000 } },
      models: {
        providers: {
          up: { baseUrl: upstream.baseUrl, apiKey: 'sk-upstream-secret-1', timeoutMs: options.timeoutMs ?? 5_000 },
        },
      },
      agents: { defaults: { model: 'up/up-model' } },
    }),
  });
  closers.push(built.close);
  return { app: built.app, upstream };
}

async function listen(app: http.RequestListener): Promise<number> {
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return (server.address() as AddressInfo).port;
}

/** A streaming POST that records each frame with its arrival time. */
function openStream(port: number, body: unknown) {
  const frames: Array<{ at: number; frame: string }> = [];
  let buffer = '';
  const payload = JSON.stringify(body);
  const outgoing = http.request({
    host: '127.0.0.1',
    port,
    method: 'POST',
    path: '/v1/chat/completions',
    headers: { Authorization: `Bearer ${TEST_TOKEN}`, 'Content-Length': Buffer.byteLength(payload) },
  });
  const listeners: Array<() => void> = [];
  const done = new Promise<{ status: number; headers: http.IncomingHttpHeaders }>((resolve, reject) => {
    outgoing.on('response', (response) => {
      response.setEncoding('utf8');
      response.on('data', (piece: string) => {
        buffer += piece;
        let end = buffer.indexOf('\n\n');
        while (end !== -1) {
          frames.push({ at: Date.now(), frame: buffer.slice(0, end) });
          buffer = buffer.slice(end + 2);
          end = buffer.indexOf('\n\n');
        }
        for (const listener of listeners) listener();
      });
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers }));
      response.on('error', () => resolve({ status: response.statusCode ?? 0, headers: response.headers }));
    });
    outgoing.on('error', reject);
  });
  outgoing.end(payload);
  /** Resolves once a frame matching `predicate` arrived. */
  const waitFor = (predicate: (frame: string) => boolean) =>
    new Promise<void>((resolve) => {
      const check = () => {
        if (frames.some((entry) => predicate(entry.frame))) resolve();
      };
      listeners.push(check);
      check();
    });
  return { frames, done, waitFor, destroy: () => outgoing.destroy() };
}

function chunkOf(delta: Record<string, unknown>, finishReason: string | null = null) {
  return {
    id: FIXED_ID,
    object: 'chat.completion.chunk',
    created: 1_750_000_000,
    model: 'openclaw',
    choices: [{ index: 0, delta, finish_reason: finishReason }],
  };
}

describe('non-streaming responses through the real runner (docs/http-contract.md#non-streaming-response)', () => {
  it('answers the exact chat.completion object', async () => {
    const response = await request(offlineApp())
      .post('/v1/chat/completions')
      .set(AUTH_HEADER)
      .send({ model: 'openclaw', messages: USER });
    expect(response.status).toBe(200);
    expect(response.text).toBe(
      JSON.stringify({
        id: FIXED_ID,
        object: 'chat.completion',
        created: 1_750_000_000,
        model: 'openclaw',
        choices: [{ index: 0, message: { role: 'assistant', content: OFFLINE_REPLY }, finish_reason: 'stop' }],
        usage: { prompt_tokens: 1, completion_tokens: 8, total_tokens: 9 },
      }),
    );
  });

  it('returns tool calls with finish_reason tool_calls and content null', async () => {
    const response = await request(offlineApp())
      .post('/v1/chat/completions')
      .set(AUTH_HEADER)
      .send({ tools: TOOLS, messages: [{ role: 'user', content: 'please call lookup {"q":1}' }] });
    expect(response.status).toBe(200);
    expect(response.body.choices).toEqual([
      {
        index: 0,
        message: {
          role: 'assistant',
          content: null,
          tool_calls: [
            { id: 'call_offline_1_lookup', type: 'function', function: { name: 'lookup', arguments: '{"q":1}' } },
          ],
        },
        finish_reason: 'tool_calls',
      },
    ]);
  });

  it('reports finish_reason length when the token limit cuts the reply', async () => {
    const response = await request(offlineApp())
      .post('/v1/chat/completions')
      .set(AUTH_HEADER)
      .send({ max_tokens: 2, messages: USER });
    expect(response.body.choices[0]).toEqual({
      index: 0,
      message: { role: 'assistant', content: '[clawgate offline ' },
      finish_reason: 'length',
    });
  });
});

describe('streaming responses through the real runner (docs/http-contract.md#streaming-response)', () => {
  it('sends role chunk, one chunk per word, finish chunk, [DONE], with SSE headers and one id', async () => {
    const response = await request(offlineApp())
      .post('/v1/chat/completions')
      .set(AUTH_HEADER)
      .set('Connection', 'close')
      .send({ stream: true, messages: USER });
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(response.headers['cache-control']).toBe('no-cache');
    // Node answers the client's own choice (keep-alive is covered in connection-handling.test.ts).
    expect(response.headers.connection).toBe('close');
    const frames = parseSseFrames(response.text);
    expect(frames.every((frame) => frame.startsWith('data: '))).toBe(true);
    expect(response.text).not.toContain('event:');
    expect(sseDataPayloads(response.text)).toEqual([
      chunkOf({ role: 'assistant' }),
      ...OFFLINE_WORDS.map((word) => chunkOf({ content: word })),
      chunkOf({}, 'stop'),
      '[DONE]',
    ]);
    expect(response.text.endsWith('data: [DONE]\n\n')).toBe(true);
  });

  it('adds the usage chunk with choices [] only with stream_options.include_usage', async () => {
    const app = offlineApp();
    const withUsage = await request(app)
      .post('/v1/chat/completions')
      .set(AUTH_HEADER)
      .send({ stream: true, stream_options: { include_usage: true }, messages: USER });
    const payloads = sseDataPayloads(withUsage.text);
    expect(payloads.slice(-3)).toEqual([
      chunkOf({}, 'stop'),
      {
        id: FIXED_ID,
        object: 'chat.completion.chunk',
        created: 1_750_000_000,
        model: 'openclaw',
        choices: [],
        usage: { prompt_tokens: 1, completion_tokens: 8, total_tokens: 9 },
      },
      '[DONE]',
    ]);
    const without = await request(app)
      .post('/v1/chat/completions')
      .set(AUTH_HEADER)
      .send({ stream: true, stream_options: { include_usage: false }, messages: USER });
    expect(without.text).not.toContain('"usage"');
  });

  it('echoes the request model in every chunk', async () => {
    const response = await request(offlineApp())
      .post('/v1/chat/completions')
      .set(AUTH_HEADER)
      .send({ stream: true, model: 'agent:beta', messages: USER });
    const chunks = sseDataPayloads(response.text).slice(0, -1) as Array<{ model: string; id: string }>;
    expect(new Set(chunks.map((chunk) => chunk.model))).toEqual(new Set(['agent:beta']));
    expect(new Set(chunks.map((chunk) => chunk.id))).toEqual(new Set([FIXED_ID]));
  });

  it('streams a tool call as a header chunk, then argument pieces, then finish tool_calls', async () => {
    const response = await request(offlineApp())
      .post('/v1/chat/completions')
      .set(AUTH_HEADER)
      .send({ stream: true, tools: TOOLS, messages: [{ role: 'user', content: 'please call lookup {"q":1}' }] });
    expect(sseDataPayloads(response.text)).toEqual([
      chunkOf({ role: 'assistant' }),
      chunkOf({
        tool_calls: [
          { index: 0, id: 'call_offline_1_lookup', type: 'function', function: { name: 'lookup', arguments: '' } },
        ],
      }),
      chunkOf({ tool_calls: [{ index: 0, function: { arguments: '{"q":1}' } }] }),
      chunkOf({}, 'tool_calls'),
      '[DONE]',
    ]);
  });
});

describe('OpenAI-compatible upstream over loopback HTTP (docs/http-contract.md#5-the-run)', () => {
  it('streams upstream tool calls piece by piece, two calls, and returns them whole when not streaming', async () => {
    const { app } = await upstreamApp((_record, response) =>
      writeUpstreamStream(response, [
        upstreamChunk({
          role: 'assistant',
          tool_calls: [{ index: 0, id: 'call_a', type: 'function', function: { name: 'lookup', arguments: '' } }],
        }),
        upstreamChunk({ tool_calls: [{ index: 0, function: { arguments: '{"q":' } }] }),
        upstreamChunk({ tool_calls: [{ index: 0, function: { arguments: '1}' } }] }),
        upstreamChunk({
          tool_calls: [{ index: 1, id: 'call_b', type: 'function', function: { name: 'lookup', arguments: '{}' } }],
        }),
        upstreamChunk({}, 'tool_calls'),
        upstreamUsageChunk(),
      ]),
    );
    const streamed = await request(app)
      .post('/v1/chat/completions')
      .set(AUTH_HEADER)
      .send({ stream: true, tools: TOOLS, messages: USER });
    const deltas = (
      sseDataPayloads(streamed.text).slice(1, -1) as Array<{
        choices: Array<{ delta: unknown; finish_reason: unknown }>;
      }>
    ).map((chunk) => [chunk.choices[0]?.delta, chunk.choices[0]?.finish_reason]);
    expect(deltas).toEqual([
      [
        { tool_calls: [{ index: 0, id: 'call_a', type: 'function', function: { name: 'lookup', arguments: '' } }] },
        null,
      ],
      [{ tool_calls: [{ index: 0, function: { arguments: '{"q":' } }] }, null],
      [{ tool_calls: [{ index: 0, function: { arguments: '1}' } }] }, null],
      [
        { tool_calls: [{ index: 1, id: 'call_b', type: 'function', function: { name: 'lookup', arguments: '' } }] },
        null,
      ],
      [{ tool_calls: [{ index: 1, function: { arguments: '{}' } }] }, null],
      [{}, 'tool_calls'],
    ]);
    const whole = await request(app)
      .post('/v1/chat/completions')
      .set(AUTH_HEADER)
      .send({ tools: TOOLS, messages: USER });
    expect(whole.body.choices[0]).toEqual({
      index: 0,
      message: {
        role: 'assistant',
        content: null,
        tool_calls: [
          { id: 'call_a', type: 'function', function: { name: 'lookup', arguments: '{"q":1}' } },
          { id: 'call_b', type: 'function', function: { name: 'lookup', arguments: '{}' } },
        ],
      },
      finish_reason: 'tool_calls',
    });
    expect(whole.body.usage).toEqual({ prompt_tokens: 11, completion_tokens: 7, total_tokens: 18 });
  });

  it('answers "No response from OpenClaw." when the upstream produced nothing, streamed or not', async () => {
    const { app } = await upstreamApp((_record, response) =>
      writeUpstreamStream(response, [upstreamChunk({ role: 'assistant' }), upstreamChunk({}, 'stop')]),
    );
    const whole = await request(app).post('/v1/chat/completions').set(AUTH_HEADER).send({ messages: USER });
    expect(whole.body.choices[0]).toEqual({
      index: 0,
      message: { role: 'assistant', content: 'No response from OpenClaw.' },
      finish_reason: 'stop',
    });
    const streamed = await request(app)
      .post('/v1/chat/completions')
      .set(AUTH_HEADER)
      .send({ stream: true, messages: USER });
    const deltas = (sseDataPayloads(streamed.text).slice(0, -1) as Array<{ choices: Array<{ delta: unknown }> }>).map(
      (chunk) => chunk.choices[0]?.delta,
    );
    expect(deltas).toEqual([{ role: 'assistant' }, { content: 'No response from OpenClaw.' }, {}]);
  });

  it('delivers the first content chunk to the client while the upstream is still streaming', async () => {
    let releaseUpstream!: () => void;
    const released = new Promise<void>((resolve) => (releaseUpstream = resolve));
    let upstreamFinishedAt = 0;
    const { app } = await upstreamApp(async (_record, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write(upstreamChunk({ role: 'assistant', content: 'Hello' }));
      // The upstream holds the rest back until the client saw "Hello" (or 3 s pass: then the test fails).
      await Promise.race([released, delay(3_000)]);
      upstreamFinishedAt = Date.now();
      response.write(upstreamChunk({ content: ' world' }));
      response.write(upstreamChunk({}, 'stop'));
      response.end('data: [DONE]\n\n');
    });
    const stream = openStream(await listen(app), { stream: true, messages: USER });
    await stream.waitFor((frame) => frame.includes('"content":"Hello"'));
    const firstContentAt = Date.now();
    releaseUpstream();
    await stream.done;
    expect(upstreamFinishedAt).toBeGreaterThanOrEqual(firstContentAt);
    expect(upstreamFinishedAt - firstContentAt).toBeLessThan(1_000);
    const contents = stream.frames
      .filter((entry) => entry.frame.includes('"content"'))
      .map((entry) => JSON.parse(entry.frame.slice(6)).choices[0].delta.content);
    expect(contents).toEqual(['Hello', ' world']);
    expect(stream.frames.at(-1)?.frame).toBe('data: [DONE]');
  });

  it('sends `: ping` heartbeats while the upstream is silent', async () => {
    let sawThreePings!: () => void;
    const threePings = new Promise<void>((resolve) => (sawThreePings = resolve));
    const { app } = await upstreamApp(
      async (_record, response) => {
        response.writeHead(200, { 'content-type': 'text/event-stream' });
        // Silent until the client has seen three pings (or 5 s pass: then the test fails).
        await Promise.race([threePings, delay(5_000)]);
        response.write(upstreamChunk({ content: 'late' }));
        response.write(upstreamChunk({}, 'stop'));
        response.end('data: [DONE]\n\n');
      },
      { heartbeatMs: 100 },
    );
    const stream = openStream(await listen(app), { stream: true, messages: USER });
    void stream
      .waitFor(() => stream.frames.filter((entry) => entry.frame === ': ping').length >= 3)
      .then(sawThreePings);
    await stream.done;
    const frames = stream.frames.map((entry) => entry.frame);
    const contentIndex = frames.findIndex((frame) => frame.includes('"content":"late"'));
    const pings = frames.slice(1, contentIndex);
    expect(pings.length).toBeGreaterThanOrEqual(3);
    expect(new Set(pings)).toEqual(new Set([': ping']));
    expect(frames[0]).toContain('"role":"assistant"');
    expect(frames.at(-1)).toBe('data: [DONE]');
  });

  it.each([
    [
      'upstream 401',
      {
        status: 401,
        body: {
          error: { message: 'Incorrect API key provided', type: 'invalid_request_error', code: 'invalid_api_key' },
        },
      },
      401,
      { error: { message: 'Incorrect API key provided', type: 'authentication_error', code: 'invalid_api_key' } },
      undefined,
    ],
    [
      'upstream 429',
      {
        status: 429,
        body: { error: { message: 'Rate limit reached', type: 'requests' } },
        headers: { 'retry-after': '7' },
      },
      429,
      { error: { message: 'Rate limit reached', type: 'rate_limit_error' } },
      '7',
    ],
    [
      'upstream 500',
      { status: 500, body: { error: { message: 'stack trace of someone else' } } },
      502,
      { error: { message: 'upstream provider error', type: 'api_error' } },
      undefined,
    ],
  ] as const)(
    'maps %s before any output to its status and body (non-streaming)',
    async (_name, upstreamReply, status, body, retryAfter) => {
      const { app } = await upstreamApp((_record, response) => {
        response.writeHead(upstreamReply.status, {
          'content-type': 'application/json',
          ...('headers' in upstreamReply ? upstreamReply.headers : {}),
        });
        response.end(JSON.stringify(upstreamReply.body));
      });
      const response = await request(app).post('/v1/chat/completions').set(AUTH_HEADER).send({ messages: USER });
      expect(response.status).toBe(status);
      expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(response.body).toEqual(body);
      expect(response.headers['retry-after']).toBe(retryAfter);
    },
  );

  it('maps an upstream that never answers to 504 upstream provider timeout', async () => {
    const { app } = await upstreamApp(() => undefined, { timeoutMs: 300 });
    const response = await request(app).post('/v1/chat/completions').set(AUTH_HEADER).send({ messages: USER });
    expect(response.status).toBe(504);
    expect(response.body).toEqual({ error: { message: 'upstream provider timeout', type: 'api_error' } });
  });

  it('maps a connection reset mid-stream to 502 (non-streaming) and to an error frame then [DONE] (streaming)', async () => {
    // The streaming client's partial text; a whole answer has nothing to show before the end.
    let partialDelivered = Promise.resolve();
    const { app } = await upstreamApp(async (_record, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write(upstreamChunk({ role: 'assistant', content: 'partial' }));
      // The connection is reset once the client holds what was relayed so far.
      await partialDelivered;
      response.socket?.destroy();
    });
    const whole = await request(app).post('/v1/chat/completions').set(AUTH_HEADER).send({ messages: USER });
    expect(whole.status).toBe(502);
    expect(whole.body).toEqual({ error: { message: 'upstream provider error', type: 'api_error' } });

    const streamed = openStream(await listen(app), { stream: true, messages: USER });
    partialDelivered = streamed.waitFor((frame) => frame.includes('"content":"partial"'));
    expect((await streamed.done).status).toBe(200);
    const payloads = sseDataPayloads(streamed.frames.map((entry) => `${entry.frame}\n\n`).join(''));
    expect((payloads[1] as { choices: Array<{ delta: unknown }> }).choices[0]?.delta).toEqual({ content: 'partial' });
    expect(payloads.slice(-2)).toEqual([
      { error: { message: 'upstream provider error', type: 'api_error' } },
      '[DONE]',
    ]);
  });

  it('answers a stream whose upstream says 429 before any output with a real 429, never with the key', async () => {
    const { app } = await upstreamApp((_record, response) => {
      response.writeHead(429, { 'content-type': 'application/json', 'retry-after': '3' });
      response.end(JSON.stringify({ error: { message: 'slow down, key sk-upstream-secret-1' } }));
    });
    const streamed = await request(app)
      .post('/v1/chat/completions')
      .set(AUTH_HEADER)
      .send({ stream: true, messages: USER });
    expect(streamed.status).toBe(429);
    expect(streamed.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(streamed.headers['retry-after']).toBe('3');
    expect(streamed.body).toEqual({ error: { message: 'slow down, key ***', type: 'rate_limit_error' } });
  });

  it('sends a failure after the first piece as an error frame and [DONE], the status already 200', async () => {
    const { app } = await upstreamApp((_record, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.end(`${upstreamChunk({ role: 'assistant', content: 'first' })}data: {not json\n\n`);
    });
    const streamed = await request(app)
      .post('/v1/chat/completions')
      .set(AUTH_HEADER)
      .send({ stream: true, messages: USER });
    expect(streamed.status).toBe(200);
    const payloads = sseDataPayloads(streamed.text);
    expect(payloads.at(-1)).toBe('[DONE]');
    expect(payloads.at(-2)).toMatchObject({ error: { type: 'api_error' } });
    expect(payloads.some((payload) => JSON.stringify(payload).includes('"content":"first"'))).toBe(true);
  });

  it('closes the upstream request within one second when a streaming client disconnects', async () => {
    const { app, upstream } = await upstreamApp((_record, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write(upstreamChunk({ role: 'assistant', content: 'first' }));
      // Never ends on its own: only the gateway's abort can close it.
    });
    const stream = openStream(await listen(app), { stream: true, messages: USER });
    await stream.waitFor((frame) => frame.includes('"content":"first"'));
    const disconnectedAt = Date.now();
    stream.destroy();
    const closedAt = await Promise.race([
      upstream.requests[0]!.closed,
      delay(2_000).then(() => Number.POSITIVE_INFINITY),
    ]);
    expect(closedAt - disconnectedAt).toBeLessThan(1_000);
  });

  it('closes the upstream request within one second when a non-streaming client disconnects', async () => {
    const { app, upstream } = await upstreamApp((_record, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write(upstreamChunk({ role: 'assistant', content: 'first' }));
    });
    const port = await listen(app);
    const payload = JSON.stringify({ messages: USER });
    const outgoing = http.request({
      host: '127.0.0.1',
      port,
      method: 'POST',
      path: '/v1/chat/completions',
      headers: { Authorization: `Bearer ${TEST_TOKEN}`, 'Content-Length': Buffer.byteLength(payload) },
    });
    outgoing.on('error', () => undefined);
    outgoing.end(payload);
    while (upstream.requests.length === 0) {
      await delay(10);
    }
    const disconnectedAt = Date.now();
    outgoing.destroy();
    const closedAt = await Promise.race([
      upstream.requests[0]!.closed,
      delay(2_000).then(() => Number.POSITIVE_INFINITY),
    ]);
    expect(closedAt - disconnectedAt).toBeLessThan(1_000);
  });
});

describe('shutdownSignal: runs still open at the shutdown deadline', () => {
  const SHUTDOWN_BODY = { error: { message: 'gateway is shutting down', type: 'service_unavailable' } };
  const LONG_USER = [{ role: 'user', content: 'one two three four five six seven eight nine ten eleven twelve' }];

  /** The app over the real runner with a slow offline model, a shutdown signal, and a hook at each run's start. */
  function shutdownApp() {
    const config = testConfig({
      models: { providers: { offline: { api: 'offline', delayMs: 100 } } },
      sessions: { store: 'memory' },
    });
    const sessionStore = createMemorySessionStore();
    const providers = createProviderRegistry({ config });
    const realRunner = createAgentRunner({ config, sessionStore, providers });
    let runStarted!: () => void;
    const started = new Promise<void>((resolve) => (runStarted = resolve));
    const runner: AgentRunner = {
      ...realRunner,
      run(prepared, sink, options) {
        runStarted();
        return realRunner.run(prepared, sink, options);
      },
    };
    const shutdown = new AbortController();
    const authorizer = createGatewayAuthorizer({
      auth: resolveAuthConfig(config.gateway.auth, {}),
      trustedProxies: [],
      rateLimit: false,
    });
    const app = createApp({ config, runner, authorizer, shutdownSignal: shutdown.signal });
    closers.push(async () => {
      await providers.close();
      await sessionStore.close();
    });
    const cut = () =>
      shutdown.abort(new GatewayError('gateway is shutting down', { status: 503, type: 'service_unavailable' }));
    return { app, started, cut };
  }

  it('ends an open stream with the shutdown error frame, then [DONE]', async () => {
    const { app, cut } = shutdownApp();
    const stream = openStream(await listen(app), { stream: true, messages: LONG_USER });
    await stream.waitFor((frame) => frame.includes('"content"'));
    cut();
    expect((await stream.done).status).toBe(200);
    const payloads = stream.frames.map((entry) => entry.frame);
    expect(payloads.slice(-2)).toEqual([`data: ${JSON.stringify(SHUTDOWN_BODY)}`, 'data: [DONE]']);
    // Cut mid-reply: no finish chunk.
    expect(payloads.some((frame) => frame.includes('"finish_reason":"stop"'))).toBe(false);
  });

  it('answers a non-streaming run open at the shutdown with 503 and the shutdown error', async () => {
    const { app, started, cut } = shutdownApp();
    const answer = request(app).post('/v1/chat/completions').set(AUTH_HEADER).send({ messages: LONG_USER });
    const settled = answer.then((response) => response);
    await started;
    cut();
    const response = await settled;
    expect(response.status).toBe(503);
    expect(response.body).toEqual(SHUTDOWN_BODY);
  });

  it('answers a run that starts after the shutdown at once with 503 JSON, streamed or not', async () => {
    const { app, cut } = shutdownApp();
    cut();
    const plain = await request(app).post('/v1/chat/completions').set(AUTH_HEADER).send({ messages: LONG_USER });
    expect([plain.status, plain.body]).toEqual([503, SHUTDOWN_BODY]);
    const streamed = await request(app)
      .post('/v1/chat/completions')
      .set(AUTH_HEADER)
      .send({ stream: true, messages: LONG_USER });
    expect([streamed.status, streamed.body]).toEqual([503, SHUTDOWN_BODY]);
  });
});
