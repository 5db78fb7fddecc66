/**
 * Browser clients through `createApp`, with an `Origin` header set by the test client as a browser
 * would (docs/http-contract.md#cross-origin-requests): preflights, actual requests on every answer
 * kind, `*`, and nothing at all when CORS is off or the origin is not allowed.
 */
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { AUTH_HEADER, buildTestApp, testConfig } from '../__fixtures__/build-test-app.js';
import { createRecordingRunner, type RecordingRunner } from '../__fixtures__/recording-runner.js';
import { CORS_ALLOWED_REQUEST_HEADERS, createCorsSteps } from './cors-middleware.js';

const APP_ORIGIN = 'https://app.example.com';
const OTHER_ORIGIN = 'https://evil.example.net';
const CHAT_BODY = { model: 'openclaw', messages: [{ role: 'user', content: 'hi' }] };
const ALLOWED_HEADERS = CORS_ALLOWED_REQUEST_HEADERS.join(', ');
/** What a browser asks for before a chat request with a bearer token, a JSON body and an agent. */
const REQUESTED_HEADERS = 'authorization,content-type,x-openclaw-agent-id';

/** An app with chat completions and responses on, and `cors` as `gateway.http.cors` (none: the default). */
function corsApp(cors?: Record<string, unknown>, auth: Record<string, unknown> = {}) {
  const runner = createRecordingRunner();
  const config = testConfig({
    gateway: {
      auth,
      http: { endpoints: { responses: { enabled: true } }, ...(cors === undefined ? {} : { cors }) },
    },
  });
  return { app: buildTestApp({ config, runner }).app, runner };
}

/** The CORS headers of an answer (and `vary`), so a test can assert that set exactly. */
function corsHeaders(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers).filter(([name]) => name.startsWith('access-control-') || name === 'vary'),
  );
}

function preflight(app: ReturnType<typeof corsApp>['app'], path: string, origin: string, method = 'POST') {
  return request(app)
    .options(path)
    .set('Origin', origin)
    .set('Access-Control-Request-Method', method)
    .set('Access-Control-Request-Headers', REQUESTED_HEADERS);
}

/** The headers every actual answer to an allowed exact origin carries. */
const ACTUAL_FOR_APP_ORIGIN = {
  'access-control-allow-origin': APP_ORIGIN,
  'access-control-expose-headers': 'x-request-id, retry-after',
  vary: 'Origin',
};

function expectRouteNotRun(runner: RecordingRunner): void {
  expect(runner.inputs).toHaveLength(0);
}

describe('CORS preflight from an allowed origin', () => {
  it.each(['/v1/chat/completions', '/v1/responses', '/v1/embeddings'])(
    'answers 204 on %s with exactly the CORS headers, before auth and without running the route',
    async (path) => {
      const { app, runner } = corsApp({ allowedOrigins: [APP_ORIGIN] });
      const response = await preflight(app, path, APP_ORIGIN);
      expect(response.status).toBe(204);
      expect(corsHeaders(response.headers)).toEqual({
        'access-control-allow-origin': APP_ORIGIN,
        'access-control-allow-methods': 'POST, OPTIONS',
        'access-control-allow-headers': ALLOWED_HEADERS,
        'access-control-max-age': '600',
        vary: 'Origin',
      });
      expect(response.text).toBe('');
      // Step 0 still ran: the preflight has its request id and the security headers like any answer.
      expect(response.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
      expect(response.headers['x-content-type-options']).toBe('nosniff');
      expectRouteNotRun(runner);
    },
  );

  it.each(['/v1/models', '/v1/models/openclaw', '/healthz', '/readyz'])(
    'answers 204 with GET, OPTIONS on %s',
    async (path) => {
      const { app } = corsApp({ allowedOrigins: [APP_ORIGIN] });
      const response = await preflight(app, path, APP_ORIGIN, 'GET');
      expect(response.status).toBe(204);
      expect(response.headers['access-control-allow-origin']).toBe(APP_ORIGIN);
      expect(response.headers['access-control-allow-methods']).toBe('GET, OPTIONS');
      expect(response.headers['access-control-allow-headers']).toBe(ALLOWED_HEADERS);
    },
  );

  it('allows the OpenAI SDK x-stainless-* headers the preflight asks for, and nothing else it adds', async () => {
    const { app } = corsApp({ allowedOrigins: [APP_ORIGIN], maxAgeSeconds: 0 });
    const response = await request(app)
      .options('/v1/chat/completions')
      .set('Origin', APP_ORIGIN)
      .set('Access-Control-Request-Method', 'POST')
      .set('Access-Control-Request-Headers', 'authorization,content-type,x-custom,x-stainless-os,x-stainless-timeout');
    expect(response.status).toBe(204);
    expect(response.headers['access-control-allow-headers']).toBe(
      `${ALLOWED_HEADERS}, x-stainless-os, x-stainless-timeout`,
    );
    expect(response.headers['access-control-max-age']).toBe('0');
  });

  it('does not count as an authentication failure, however many come', async () => {
    const { app } = corsApp({ allowedOrigins: [APP_ORIGIN] }, { rateLimit: { exemptLoopback: false, maxAttempts: 1 } });
    for (let attempt = 0; attempt < 3; attempt += 1) {
      expect((await preflight(app, '/v1/chat/completions', APP_ORIGIN)).status).toBe(204);
    }
    const response = await request(app).post('/v1/chat/completions').set(AUTH_HEADER).send(CHAT_BODY);
    expect(response.status).toBe(200);
  });
});

describe('CORS on the actual requests of an allowed origin', () => {
  it('marks a JSON 200, a 401, a 400 and a 429 (whose Retry-After the page may read)', async () => {
    const { app } = corsApp(
      { allowedOrigins: ['https://other.example.com', APP_ORIGIN] },
      { rateLimit: { exemptLoopback: false, maxAttempts: 1 } },
    );
    const ok = await request(app)
      .post('/v1/chat/completions')
      .set('Origin', APP_ORIGIN)
      .set(AUTH_HEADER)
      .send(CHAT_BODY);
    expect(ok.status).toBe(200);
    expect(ok.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(corsHeaders(ok.headers)).toEqual(ACTUAL_FOR_APP_ORIGIN);

    const invalid = await request(app)
      .post('/v1/chat/completions')
      .set('Origin', APP_ORIGIN)
      .set(AUTH_HEADER)
      .send('{');
    expect(invalid.status).toBe(400);
    expect(corsHeaders(invalid.headers)).toEqual(ACTUAL_FOR_APP_ORIGIN);

    // A wrong token counts as a failure (a missing one does not): the next request is locked out.
    const wrongToken = { Origin: APP_ORIGIN, Authorization: 'Bearer wrong' };
    const unauthorized = await request(app).post('/v1/chat/completions').set(wrongToken).send(CHAT_BODY);
    expect(unauthorized.status).toBe(401);
    expect(corsHeaders(unauthorized.headers)).toEqual(ACTUAL_FOR_APP_ORIGIN);

    const limited = await request(app).post('/v1/chat/completions').set(wrongToken).send(CHAT_BODY);
    expect(limited.status).toBe(429);
    expect(limited.headers['retry-after']).toMatch(/^\d+$/);
    expect(corsHeaders(limited.headers)).toEqual(ACTUAL_FOR_APP_ORIGIN);
  });

  it.each([
    ['/v1/chat/completions', { ...CHAT_BODY, stream: true }],
    ['/v1/responses', { model: 'openclaw', input: 'hi', stream: true }],
  ])('marks the SSE stream of %s, next to the SSE headers', async (path, body) => {
    const { app } = corsApp({ allowedOrigins: [APP_ORIGIN] });
    const response = await request(app).post(path).set('Origin', APP_ORIGIN).set(AUTH_HEADER).send(body);
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(response.headers['x-accel-buffering']).toBe('no');
    expect(corsHeaders(response.headers)).toEqual(ACTUAL_FOR_APP_ORIGIN);
    expect(response.text).toContain('data: ');
  });

  it('marks GET /v1/models, GET /v1/models/<id> and the probes', async () => {
    const { app } = corsApp({ allowedOrigins: [APP_ORIGIN] });
    for (const path of ['/v1/models', '/v1/models/openclaw', '/healthz', '/readyz']) {
      const response = await request(app).get(path).set('Origin', APP_ORIGIN).set(AUTH_HEADER);
      expect(response.status, path).toBe(200);
      expect(corsHeaders(response.headers), path).toEqual(ACTUAL_FOR_APP_ORIGIN);
    }
  });

  it('treats an OPTIONS without Access-Control-Request-Method as a request like any other: 405, marked', async () => {
    const { app } = corsApp({ allowedOrigins: [APP_ORIGIN] });
    const response = await request(app).options('/v1/chat/completions').set('Origin', APP_ORIGIN);
    expect(response.status).toBe(405);
    expect(response.headers.allow).toBe('POST');
    expect(corsHeaders(response.headers)).toEqual(ACTUAL_FOR_APP_ORIGIN);
  });

  it('leaves requests without Origin, and unknown paths, untouched', async () => {
    const { app } = corsApp({ allowedOrigins: [APP_ORIGIN] });
    const noOrigin = await request(app).post('/v1/chat/completions').set(AUTH_HEADER).send(CHAT_BODY);
    expect(noOrigin.status).toBe(200);
    expect(corsHeaders(noOrigin.headers)).toEqual({});
    const unknown = await request(app).get('/v1/nothing').set('Origin', APP_ORIGIN);
    expect(unknown.status).toBe(404);
    expect(corsHeaders(unknown.headers)).toEqual({});
  });
});

describe('CORS with allowedOrigins ["*"]', () => {
  it('says * on preflights and answers, with no Vary and never Allow-Credentials', async () => {
    const { app } = corsApp({ allowedOrigins: ['*'], maxAgeSeconds: 3600 });
    const pre = await preflight(app, '/v1/chat/completions', OTHER_ORIGIN);
    expect(pre.status).toBe(204);
    expect(corsHeaders(pre.headers)).toEqual({
      'access-control-allow-origin': '*',
      'access-control-allow-methods': 'POST, OPTIONS',
      'access-control-allow-headers': ALLOWED_HEADERS,
      'access-control-max-age': '3600',
    });
    const answers = [
      await request(app).post('/v1/chat/completions').set('Origin', OTHER_ORIGIN).set(AUTH_HEADER).send(CHAT_BODY),
      await request(app).post('/v1/chat/completions').set('Origin', 'null').send(CHAT_BODY),
      await request(app).get('/v1/models').set('Origin', OTHER_ORIGIN).set(AUTH_HEADER),
    ];
    expect(answers.map((answer) => answer.status)).toEqual([200, 401, 200]);
    for (const answer of answers) {
      expect(corsHeaders(answer.headers)).toEqual({
        'access-control-allow-origin': '*',
        'access-control-expose-headers': 'x-request-id, retry-after',
      });
    }
  });
});

describe('no CORS header at all', () => {
  it('for an origin that is not allowed: its preflight gets the usual 405 and the browser blocks it', async () => {
    const { app, runner } = corsApp({ allowedOrigins: [APP_ORIGIN] });
    for (const origin of [OTHER_ORIGIN, 'https://app.example.com.evil.net', 'http://app.example.com']) {
      const pre = await preflight(app, '/v1/chat/completions', origin);
      expect(pre.status).toBe(405);
      expect(pre.headers.allow).toBe('POST');
      expect(corsHeaders(pre.headers)).toEqual({});
      const models = await preflight(app, '/v1/models', origin, 'GET');
      expect(models.status).toBe(405);
      expect(models.headers.allow).toBe('GET');
      expect(corsHeaders(models.headers)).toEqual({});
      const answer = await request(app)
        .post('/v1/chat/completions')
        .set('Origin', origin)
        .set(AUTH_HEADER)
        .send(CHAT_BODY);
      expect(answer.status).toBe(200);
      expect(corsHeaders(answer.headers)).toEqual({});
    }
    expect(runner.inputs).toHaveLength(3);
  });

  it('when CORS is off (the default), on every answer to a request with Origin', async () => {
    const { app } = corsApp();
    const answers = [
      await preflight(app, '/v1/chat/completions', APP_ORIGIN),
      await preflight(app, '/v1/models', APP_ORIGIN, 'GET'),
      await request(app).post('/v1/chat/completions').set('Origin', APP_ORIGIN).set(AUTH_HEADER).send(CHAT_BODY),
      await request(app)
        .post('/v1/chat/completions')
        .set('Origin', APP_ORIGIN)
        .set(AUTH_HEADER)
        .send({ ...CHAT_BODY, stream: true }),
      await request(app).post('/v1/chat/completions').set('Origin', APP_ORIGIN).send(CHAT_BODY),
      await request(app).get('/v1/models').set('Origin', APP_ORIGIN).set(AUTH_HEADER),
      await request(app).get('/healthz').set('Origin', APP_ORIGIN),
    ];
    expect(answers.map((answer) => answer.status)).toEqual([405, 405, 200, 200, 401, 200, 200]);
    for (const answer of answers) expect(corsHeaders(answer.headers)).toEqual({});
  });

  it('is no step at all when the list is empty, so the default costs nothing per request', () => {
    expect(createCorsSteps({ allowedOrigins: [], maxAgeSeconds: 600, allow: 'POST' })).toEqual([]);
    expect(createCorsSteps({ allowedOrigins: [APP_ORIGIN], maxAgeSeconds: 600, allow: 'POST' })).toHaveLength(1);
  });
});
