/**
 * Operating the app in-process: the request log (fields, hashing, no secrets, no content unless
 * asked), request ids, the health probes, `verify` before headers and the store-outage refusal.
 */
import { Writable } from 'node:stream';
import { createGatewayAuthorizer, resolveAuthConfig } from '@clawgate/auth';
import { pino } from 'pino';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { createAgentRunner } from './agent/create-agent-runner.js';
import { createApp } from './app.js';
import { parseConfig } from './config/parse-config.js';
import { SECURITY_HEADERS } from './http/response-headers-middleware.js';
import { createLogger, REDACTED_LOG_PATHS } from './logging/create-logger.js';
import { hashSessionKey } from './logging/hash-session-key.js';
import { createProviderRegistry } from './providers/provider-registry.js';
import { createMemorySessionStore } from './sessions/memory-session-store.js';

const TOKEN = 'operations-token-5f2c9a7e';
const AUTH = { Authorization: `Bearer ${TOKEN}` };
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A pino logger at `level` whose JSON lines land in the returned array. */
function captureLogger(level = 'info') {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(
        ...chunk
          .toString('utf8')
          .split('\n')
          .filter((line) => line !== ''),
      );
      callback();
    },
  });
  const logger = pino({ level, redact: { paths: [...REDACTED_LOG_PATHS], censor: '[Redacted]' } }, sink);
  return { logger, lines, records: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>) };
}

function buildApp(
  options: {
    config?: Record<string, unknown>;
    logLevel?: string;
    isReady?: () => boolean;
    storesAvailable?: () => boolean;
    draining?: () => boolean;
  } = {},
) {
  const config = parseConfig(
    {
      gateway: {
        auth: { mode: 'token', token: TOKEN },
        http: { endpoints: { chatCompletions: { enabled: true } } },
      },
      sessions: { store: 'memory' },
      ...options.config,
    },
    {},
  );
  const capture = captureLogger(options.logLevel ?? config.logging.level);
  const authorizer = createGatewayAuthorizer({
    auth: resolveAuthConfig(config.gateway.auth, {}),
    trustedProxies: [],
    rateLimit: false,
  });
  const runner = createAgentRunner({
    config,
    sessionStore: createMemorySessionStore(),
    providers: createProviderRegistry({ config }),
  });
  const app = createApp({
    config,
    runner,
    authorizer,
    logger: capture.logger,
    ...(options.isReady === undefined ? {} : { isReady: options.isReady }),
    ...(options.storesAvailable === undefined ? {} : { storesAvailable: options.storesAvailable }),
    ...(options.draining === undefined ? {} : { draining: options.draining }),
  });
  return { app, ...capture };
}

/** supertest resolves before the `close` listener of the request log ran; wait for the line. */
async function waitForLines(lines: string[], count: number): Promise<void> {
  for (let attempt = 0; attempt < 100 && lines.length < count; attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('the request log', () => {
  it('writes one line per request with id, method, path without query, status, duration, agent, session hash and stream', async () => {
    const { app, lines, records } = buildApp();
    const response = await request(app)
      .post('/v1/chat/completions?debug=1')
      .set(AUTH)
      .set('x-request-id', 'client-req.42_A')
      .send({ model: 'openclaw/main', user: 'alice', messages: [{ role: 'user', content: 'my very private prompt' }] });
    expect(response.status).toBe(200);
    expect(response.headers['x-request-id']).toBe('client-req.42_A');
    await waitForLines(lines, 1);
    expect(lines).toHaveLength(1);
    const record = records()[0]!;
    expect(record).toMatchObject({
      level: 30,
      msg: 'request completed',
      requestId: 'client-req.42_A',
      method: 'POST',
      path: '/v1/chat/completions',
      status: 200,
      agentId: 'main',
      sessionKeyHash: hashSessionKey('agent:main:openai-user:alice'),
      stream: false,
    });
    expect(record.sessionKeyHash).toMatch(/^[0-9a-f]{12}$/);
    expect(typeof record.durationMs).toBe('number');
    expect(record.durationMs as number).toBeGreaterThanOrEqual(0);
    expect(record).not.toHaveProperty('errorType');
    const raw = lines.join('\n');
    expect(raw).not.toContain(TOKEN);
    expect(raw).not.toContain('alice');
    expect(raw).not.toContain('private prompt');
    expect(raw).not.toContain('offline model');
  });

  it('logs the agent, session and stream of a Responses turn, and the agent of an embeddings request', async () => {
    const { app, lines, records } = buildApp({
      config: {
        gateway: {
          auth: { mode: 'token', token: TOKEN },
          http: { endpoints: { responses: { enabled: true } } },
        },
        agents: { defaults: { embeddingModel: 'offline/embed' }, list: [{ id: 'main' }, { id: 'beta' }] },
      },
    });
    await request(app)
      .post('/v1/responses')
      .set(AUTH)
      .send({ model: 'openclaw/beta', input: 'private words', user: 'bob' })
      .expect(200);
    await request(app)
      .post('/v1/embeddings')
      .set(AUTH)
      .send({ model: 'openclaw/beta', input: 'private words' })
      .expect(200);
    await waitForLines(lines, 2);
    const [responses, embeddings] = records();
    expect(responses).toMatchObject({
      path: '/v1/responses',
      status: 200,
      agentId: 'beta',
      sessionKeyHash: hashSessionKey('agent:beta:openresponses-user:bob'),
      stream: false,
    });
    expect(embeddings).toMatchObject({ path: '/v1/embeddings', status: 200, agentId: 'beta' });
    expect(embeddings).not.toHaveProperty('sessionKeyHash');
    expect(lines.join('\n')).not.toContain('private words');
  });

  it('marks streamed requests and names the error type of a refusal, never the secret that was tried', async () => {
    const { app, lines, records } = buildApp();
    await request(app)
      .post('/v1/chat/completions')
      .set(AUTH)
      .send({ stream: true, messages: [{ role: 'user', content: 'hi' }] })
      .expect(200);
    const wrongSecret = 'wrong-secret-7c1d0e2b';
    await request(app).post('/v1/chat/completions').set('Authorization', `Bearer ${wrongSecret}`).send({}).expect(401);
    await request(app).post('/v1/chat/completions').set(AUTH).send({ messages: 'nope' }).expect(400);
    await waitForLines(lines, 3);
    const [streamed, unauthorized, invalid] = records();
    expect(streamed).toMatchObject({ status: 200, stream: true, agentId: 'main' });
    expect(unauthorized).toMatchObject({ status: 401, errorType: 'unauthorized', path: '/v1/chat/completions' });
    expect(unauthorized).not.toHaveProperty('agentId');
    expect(invalid).toMatchObject({ status: 400, errorType: 'invalid_request_error' });
    expect(lines.join('\n')).not.toContain(wrongSecret);
    expect(lines.join('\n')).not.toContain(TOKEN);
  });

  it('logs prompt and reply at debug only when logging.includeContent is true', async () => {
    const body = { messages: [{ role: 'user', content: 'content marker 314' }] };
    const off = buildApp({ config: { logging: { level: 'debug' } } });
    await request(off.app).post('/v1/chat/completions').set(AUTH).send(body).expect(200);
    await waitForLines(off.lines, 1);
    expect(off.lines.join('\n')).not.toContain('content marker 314');

    const on = buildApp({ config: { logging: { level: 'debug', includeContent: true } } });
    await request(on.app)
      .post('/v1/chat/completions')
      .set(AUTH)
      .send({ ...body, stream: true })
      .expect(200);
    await waitForLines(on.lines, 2);
    const content = on.records().find((record) => record.msg === 'run content');
    expect(content).toMatchObject({ level: 20, messages: body.messages });
    expect(content?.response).toBe('[clawgate offline model] Turn 1. You said: "content marker 314"');
    expect(on.lines.join('\n')).not.toContain(TOKEN);
  });

  it('replaces a malformed or oversized x-request-id with a fresh UUID', async () => {
    const { app } = buildApp();
    for (const incoming of ['has space', 'quote"', 'a'.repeat(129), '']) {
      const response = await request(app).get('/healthz').set('x-request-id', incoming);
      expect(response.headers['x-request-id']).toMatch(UUID);
    }
    const kept = await request(app).get('/healthz').set('x-request-id', 'a'.repeat(128));
    expect(kept.headers['x-request-id']).toBe('a'.repeat(128));
  });

  it('redacts secret-looking fields as a second line of defence', async () => {
    const chunks: string[] = [];
    const logger = createLogger({
      level: 'info',
      destination: { write: (chunk: string) => void chunks.push(chunk) },
    });
    logger.info(
      {
        headers: { authorization: 'Bearer leaked-token-1' },
        password: 'leaked-password-2',
        provider: { apiKey: 'leaked-key-3' },
        store: { redisUrl: 'redis://:leaked-redis-4@127.0.0.1:6379' },
        gateway: { auth: { token: 'leaked-token-5' } },
      },
      'careless line',
    );
    const raw = chunks.join('');
    expect(raw).toContain('careless line');
    for (const secret of ['leaked-token-1', 'leaked-password-2', 'leaked-key-3', 'leaked-redis-4', 'leaked-token-5']) {
      expect(raw).not.toContain(secret);
    }
    expect(raw.match(/\[Redacted\]/g)).toHaveLength(5);
  });
});

describe('health probes', () => {
  it('GET /healthz is 200 {"status":"ok"} without auth, with the security headers, query ignored', async () => {
    const { app } = buildApp();
    const response = await request(app).get('/healthz?probe=1');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ status: 'ok' });
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
    for (const [name, value] of Object.entries(SECURITY_HEADERS))
      expect(response.headers[name.toLowerCase()]).toBe(value);
  });

  it('GET /readyz follows isReady (200 ready / 503 not ready)', async () => {
    let ready = false;
    const { app, lines, records } = buildApp({ isReady: () => ready, config: { logging: { level: 'debug' } } });
    const notReady = await request(app).get('/readyz');
    expect(notReady.status).toBe(503);
    expect(notReady.body).toEqual({ status: 'not ready' });
    expect(notReady.headers['x-content-type-options']).toBe('nosniff');
    ready = true;
    const isReady = await request(app).get('/readyz');
    expect(isReady.status).toBe(200);
    expect(isReady.body).toEqual({ status: 'ready' });
    // A failing probe is a warning; a passing one only shows at debug.
    await waitForLines(lines, 2);
    expect(records().map((record) => [record.path, record.status, record.level])).toEqual([
      ['/readyz', 503, 40],
      ['/readyz', 200, 20],
    ]);
  });

  it('says Connection: close on every response while draining, so keep-alive clients reconnect elsewhere', async () => {
    let draining = false;
    const { app } = buildApp({ draining: () => draining });
    expect((await request(app).get('/healthz').set('Connection', 'keep-alive')).headers.connection).toBe('keep-alive');
    draining = true;
    expect((await request(app).get('/healthz').set('Connection', 'keep-alive')).headers.connection).toBe('close');
    const chat = await request(app)
      .post('/v1/chat/completions')
      .set(AUTH)
      .set('Connection', 'keep-alive')
      .send({ messages: [{ role: 'user', content: 'hi' }] });
    expect([chat.status, chat.headers.connection]).toEqual([200, 'close']);
  });

  it('answers other methods with 405, Allow: GET, and stays mounted when chat completions is disabled', async () => {
    const { app } = buildApp({ config: { gateway: { auth: { mode: 'token', token: TOKEN } } } });
    for (const path of ['/healthz', '/readyz']) {
      const response = await request(app).post(path);
      expect(response.status).toBe(405);
      expect(response.headers.allow).toBe('GET');
      expect(response.text).toBe('Method Not Allowed');
      expect(response.headers['referrer-policy']).toBe('no-referrer');
      expect((await request(app).get(path)).status).toBe(200);
    }
    expect((await request(app).post('/v1/chat/completions').set(AUTH).send({})).status).toBe(404);
  });
});

describe('checks before the first header', () => {
  it('refuses a remote image whose host is private with a plain 400, even when streaming', async () => {
    const { app } = buildApp({
      config: {
        gateway: {
          auth: { mode: 'token', token: TOKEN },
          http: { endpoints: { chatCompletions: { enabled: true, images: { allowUrl: true } } } },
        },
      },
    });
    for (const stream of [true, false]) {
      const response = await request(app)
        .post('/v1/chat/completions')
        .set(AUTH)
        .send({
          stream,
          messages: [
            {
              role: 'user',
              content: [
                { type: 'text', text: 'look' },
                { type: 'image_url', image_url: { url: 'http://localhost/cat.png' } },
              ],
            },
          ],
        });
      expect(response.status).toBe(400);
      expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(response.body).toEqual({
        error: { message: 'Invalid image_url content in `messages`.', type: 'invalid_request_error' },
      });
    }
  });

  it('refuses a turn with 503 service_unavailable (not a 200 stream) while a shared store is away', async () => {
    let available = false;
    const { app, lines, records } = buildApp({ storesAvailable: () => available });
    const response = await request(app)
      .post('/v1/chat/completions')
      .set(AUTH)
      .send({ stream: true, messages: [{ role: 'user', content: 'hi' }] });
    expect(response.status).toBe(503);
    expect(response.headers['retry-after']).toBe('1');
    expect(response.body).toEqual({ error: { message: 'session store unavailable', type: 'service_unavailable' } });
    await waitForLines(lines, 1);
    expect(records()[0]).toMatchObject({ status: 503, errorType: 'service_unavailable', level: 40 });
    available = true;
    expect(
      (
        await request(app)
          .post('/v1/chat/completions')
          .set(AUTH)
          .send({ messages: [{ role: 'user', content: 'hi' }] })
      ).status,
    ).toBe(200);
  });
});
