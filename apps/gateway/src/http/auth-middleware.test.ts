import net from 'node:net';
import { RedisRateLimitStore } from '@clawgate/auth/redis';
import { Redis } from 'ioredis';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { AUTH_HEADER, buildTestApp, testConfig, TEST_TOKEN } from '../__fixtures__/build-test-app.js';
import { createRecordingRunner } from '../__fixtures__/recording-runner.js';

const CHAT_BODY = { messages: [{ role: 'user', content: 'hi' }] };
const UNAUTHORIZED = '{"error":{"message":"Unauthorized","type":"unauthorized"}}';
const RATE_LIMITED =
  '{"error":{"message":"Too many failed authentication attempts. Please try again later.","type":"rate_limited"}}';

/** A limiter that also applies to loopback callers, so supertest (127.0.0.1) is counted. */
function limitedApp() {
  const config = testConfig({ gateway: { auth: { rateLimit: { exemptLoopback: false } } } });
  return buildTestApp({ config, runner: createRecordingRunner() }).app;
}

describe('authentication over HTTP (docs/http-contract.md#2-authentication-rate-limiting-and-scopes)', () => {
  it('refuses a missing, malformed or wrong credential with the exact 401 body', async () => {
    const app = limitedApp();
    for (const authorization of [undefined, '', 'Basic abc', `Token ${TEST_TOKEN}`, 'Bearer', 'Bearer wrong']) {
      const call = request(app).post('/v1/chat/completions');
      if (authorization !== undefined) {
        call.set('Authorization', authorization);
      }
      const response = await call.send(CHAT_BODY);
      expect(response.status, String(authorization)).toBe(401);
      expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(response.text).toBe(UNAUTHORIZED);
    }
  });

  it('accepts the token with any scheme case and surrounding spaces, and never from the query string', async () => {
    const app = limitedApp();
    for (const authorization of [`Bearer ${TEST_TOKEN}`, `bearer ${TEST_TOKEN}`, `BEARER   ${TEST_TOKEN}  `]) {
      const response = await request(app)
        .post('/v1/chat/completions')
        .set('Authorization', authorization)
        .send(CHAT_BODY);
      expect(response.status, authorization).toBe(200);
    }
    const query = await request(app).post(`/v1/chat/completions?token=${TEST_TOKEN}`).send(CHAT_BODY);
    expect(query.status).toBe(401);
  });

  it('locks a client out after 10 wrong tokens: ten 401s, then 429 with Retry-After even for the right token', async () => {
    const app = limitedApp();
    for (let attempt = 1; attempt <= 10; attempt += 1) {
      const response = await request(app)
        .post('/v1/chat/completions')
        .set('Authorization', 'Bearer wrong')
        .send(CHAT_BODY);
      expect(response.status, `attempt ${attempt}`).toBe(401);
      expect(response.text).toBe(UNAUTHORIZED);
    }
    for (const authorization of ['Bearer wrong', `Bearer ${TEST_TOKEN}`]) {
      const response = await request(app)
        .post('/v1/chat/completions')
        .set('Authorization', authorization)
        .send(CHAT_BODY);
      expect(response.status).toBe(429);
      expect(response.headers['retry-after']).toBe('300');
      expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(response.text).toBe(RATE_LIMITED);
    }
    // The models routes share the same lock.
    const models = await request(app).get('/v1/models').set(AUTH_HEADER);
    expect(models.status).toBe(429);
  });

  it('does not count requests without a credential, and a success resets the count', async () => {
    const app = limitedApp();
    for (let attempt = 0; attempt < 15; attempt += 1) {
      expect((await request(app).post('/v1/chat/completions').send(CHAT_BODY)).status).toBe(401);
    }
    for (let attempt = 0; attempt < 9; attempt += 1) {
      expect(
        (await request(app).post('/v1/chat/completions').set('Authorization', 'Bearer wrong').send(CHAT_BODY)).status,
      ).toBe(401);
    }
    expect((await request(app).post('/v1/chat/completions').set(AUTH_HEADER).send(CHAT_BODY)).status).toBe(200);
    // Reset: nine more failures still do not lock.
    for (let attempt = 0; attempt < 9; attempt += 1) {
      expect(
        (await request(app).post('/v1/chat/completions').set('Authorization', 'Bearer wrong').send(CHAT_BODY)).status,
      ).toBe(401);
    }
    expect((await request(app).post('/v1/chat/completions').set(AUTH_HEADER).send(CHAT_BODY)).status).toBe(200);
  });

  it('exempts loopback callers from the limiter by default, but still authenticates them', async () => {
    const { app } = buildTestApp({ config: testConfig(), runner: createRecordingRunner() });
    for (let attempt = 0; attempt < 12; attempt += 1) {
      expect(
        (await request(app).post('/v1/chat/completions').set('Authorization', 'Bearer wrong').send(CHAT_BODY)).status,
      ).toBe(401);
    }
    expect((await request(app).post('/v1/chat/completions').set(AUTH_HEADER).send(CHAT_BODY)).status).toBe(200);
  });

  it('answers 503 service_unavailable, never 401, when the rate-limit store is unreachable', async () => {
    // A real Redis client pointed at a port nobody listens on: every command fails at once.
    const port = await closedPort();
    const client = new Redis({
      host: '127.0.0.1',
      port,
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    client.on('error', () => undefined);
    try {
      const config = testConfig({ gateway: { auth: { rateLimit: { exemptLoopback: false } } } });
      const { app } = buildTestApp({
        config,
        runner: createRecordingRunner(),
        rateLimitStore: new RedisRateLimitStore({ client, prefix: `clawgate-test-${process.pid}:` }),
      });
      for (const headers of [AUTH_HEADER, { Authorization: 'Bearer wrong' }]) {
        const response = await request(app).post('/v1/chat/completions').set(headers).send(CHAT_BODY);
        expect(response.status).toBe(503);
        expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
        expect(response.text).toBe(
          '{"error":{"message":"authentication temporarily unavailable","type":"service_unavailable"}}',
        );
      }
    } finally {
      client.disconnect();
    }
  });
});

describe('scopes (docs/http-contract.md#2-authentication-rate-limiting-and-scopes)', () => {
  function noneApp() {
    const config = testConfig({ gateway: { auth: { mode: 'none', token: undefined } } });
    return buildTestApp({ config, runner: createRecordingRunner() }).app;
  }

  it('refuses a mode-none caller without x-openclaw-scopes with 403 missing scope: operator.write', async () => {
    const response = await request(noneApp()).post('/v1/chat/completions').send(CHAT_BODY);
    expect(response.status).toBe(403);
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(response.text).toBe('{"error":{"message":"missing scope: operator.write","type":"forbidden"}}');
  });

  it('admits a mode-none caller holding operator.write (or admin), not one holding only operator.read', async () => {
    const app = noneApp();
    for (const [scopes, status] of [
      ['operator.write', 200],
      ['operator.read, operator.write', 200],
      ['operator.admin', 200],
      ['operator.read', 403],
      ['', 403],
    ] as const) {
      const response = await request(app).post('/v1/chat/completions').set('x-openclaw-scopes', scopes).send(CHAT_BODY);
      expect(response.status, scopes).toBe(status);
    }
  });

  it('needs operator.read for the models routes', async () => {
    const app = noneApp();
    const refused = await request(app).get('/v1/models').set('x-openclaw-scopes', 'operator.write');
    expect(refused.status).toBe(403);
    expect(refused.text).toBe('{"error":{"message":"missing scope: operator.read","type":"forbidden"}}');
    const allowed = await request(app).get('/v1/models').set('x-openclaw-scopes', 'operator.read');
    expect(allowed.status).toBe(200);
  });

  it('grants token callers the full operator set', async () => {
    const { app } = buildTestApp({ config: testConfig(), runner: createRecordingRunner() });
    expect((await request(app).post('/v1/chat/completions').set(AUTH_HEADER).send(CHAT_BODY)).status).toBe(200);
    expect((await request(app).get('/v1/models').set(AUTH_HEADER)).status).toBe(200);
  });
});

describe('trusted-proxy mode (docs/http-contract.md#2-authentication-rate-limiting-and-scopes)', () => {
  function proxyApp(trustedProxies: string[]) {
    const config = testConfig({
      gateway: {
        auth: { mode: 'trusted-proxy', token: undefined, trustedProxy: { userHeader: 'x-forwarded-user' } },
        trustedProxies,
      },
    });
    return buildTestApp({ config, runner: createRecordingRunner() }).app;
  }

  it('admits a user named by a trusted peer with the scopes it forwards', async () => {
    const app = proxyApp(['127.0.0.1']);
    const allowed = await request(app)
      .post('/v1/chat/completions')
      .set({ 'x-forwarded-user': 'alice', 'x-openclaw-scopes': 'operator.write' })
      .send(CHAT_BODY);
    expect(allowed.status).toBe(200);
    const noScopes = await request(app).post('/v1/chat/completions').set('x-forwarded-user', 'alice').send(CHAT_BODY);
    expect(noScopes.status).toBe(403);
    const noUser = await request(app)
      .post('/v1/chat/completions')
      .set('x-openclaw-scopes', 'operator.write')
      .send(CHAT_BODY);
    expect(noUser.status).toBe(401);
    expect(noUser.text).toBe(UNAUTHORIZED);
  });

  it('refuses the same headers from a peer that is not a trusted proxy', async () => {
    const response = await request(proxyApp(['10.0.0.1']))
      .post('/v1/chat/completions')
      .set({ 'x-forwarded-user': 'alice', 'x-openclaw-scopes': 'operator.write' })
      .send(CHAT_BODY);
    expect(response.status).toBe(401);
    expect(response.text).toBe(UNAUTHORIZED);
  });
});

async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
