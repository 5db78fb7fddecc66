import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { AUTH_HEADER, buildTestApp, testConfig } from './__fixtures__/build-test-app.js';
import { createRecordingRunner, RECORDED_REPLY } from './__fixtures__/recording-runner.js';

const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'permissions-policy': 'camera=(), microphone=(self), geolocation=()',
};

const CHAT_BODY = { model: 'openclaw', messages: [{ role: 'user', content: 'hi' }] };

function expectSecurityHeaders(headers: Record<string, string>) {
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) {
    expect(headers[name]).toBe(value);
  }
  expect(headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  expect(headers['x-powered-by']).toBeUndefined();
}

function enabledApp() {
  return buildTestApp({ config: testConfig(), runner: createRecordingRunner() }).app;
}

describe('routing (docs/http-contract.md#1-request-pipeline-and-errors)', () => {
  it('does not mount the endpoint or the models routes when chat completions is disabled (the default)', async () => {
    const config = testConfig({ gateway: { http: { endpoints: { chatCompletions: { enabled: false } } } } });
    const { app } = buildTestApp({ config, runner: createRecordingRunner() });
    for (const [method, path] of [
      ['post', '/v1/chat/completions'],
      ['get', '/v1/chat/completions'],
      ['get', '/v1/models'],
      ['get', '/v1/models/openclaw'],
    ] as const) {
      const response = await request(app)[method](path).set(AUTH_HEADER).send();
      expect(response.status).toBe(404);
      expect(response.headers['content-type']).toBe('text/plain; charset=utf-8');
      expect(response.text).toBe('Not Found');
      expect(response.headers.allow).toBeUndefined();
      expectSecurityHeaders(response.headers);
    }
  });

  it('answers unknown paths, wrong case and a trailing slash with the plain-text 404, never HTML', async () => {
    const app = enabledApp();
    for (const path of [
      '/',
      '/v1',
      '/v1/chat/completions/',
      '/V1/chat/completions',
      '/v1/Chat/Completions',
      '/v1/modelsx',
      '/v1/models.json',
      '/%',
    ]) {
      const response = await request(app).post(path).set(AUTH_HEADER).send(CHAT_BODY);
      expect(response.status, path).toBe(404);
      expect(response.headers['content-type']).toBe('text/plain; charset=utf-8');
      expect(response.text).toBe('Not Found');
      expectSecurityHeaders(response.headers);
    }
  });

  it('ignores the query string when matching the path', async () => {
    const response = await request(enabledApp())
      .post('/v1/chat/completions?api-version=1&x')
      .set(AUTH_HEADER)
      .send(CHAT_BODY);
    expect(response.status).toBe(200);
    expect(response.body.choices[0].message.content).toBe(RECORDED_REPLY);
  });

  it('answers every method but POST with 405, Allow: POST and text/plain before authentication', async () => {
    const app = enabledApp();
    for (const method of ['get', 'put', 'patch', 'delete', 'options'] as const) {
      // No credential at all: the method check comes first, so this is 405, not 401.
      const response = await request(app)[method]('/v1/chat/completions');
      expect(response.status).toBe(405);
      expect(response.headers.allow).toBe('POST');
      expect(response.headers['content-type']).toBe('text/plain; charset=utf-8');
      expect(response.text).toBe('Method Not Allowed');
      expectSecurityHeaders(response.headers);
    }
    const head = await request(app).head('/v1/chat/completions');
    expect(head.status).toBe(405);
    expect(head.headers.allow).toBe('POST');
  });

  it('does not count wrong-method requests with a wrong token as authentication failures', async () => {
    const config = testConfig({ gateway: { auth: { rateLimit: { exemptLoopback: false, maxAttempts: 2 } } } });
    const { app } = buildTestApp({ config, runner: createRecordingRunner() });
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const response = await request(app).get('/v1/chat/completions').set('Authorization', 'Bearer wrong');
      expect(response.status).toBe(405);
    }
    const response = await request(app).post('/v1/chat/completions').set(AUTH_HEADER).send(CHAT_BODY);
    expect(response.status).toBe(200);
  });

  it('gives every request its own x-request-id', async () => {
    const app = enabledApp();
    const ids = new Set<string>();
    for (let index = 0; index < 5; index += 1) {
      const response = await request(app).post('/v1/chat/completions').set(AUTH_HEADER).send(CHAT_BODY);
      ids.add(String(response.headers['x-request-id']));
    }
    expect(ids.size).toBe(5);
  });

  it('puts the security headers on 401, 400, JSON 200 and SSE 200 responses', async () => {
    const app = enabledApp();
    const unauthorized = await request(app).post('/v1/chat/completions').send(CHAT_BODY);
    expect(unauthorized.status).toBe(401);
    expectSecurityHeaders(unauthorized.headers);
    const invalid = await request(app).post('/v1/chat/completions').set(AUTH_HEADER).send('{');
    expect(invalid.status).toBe(400);
    expectSecurityHeaders(invalid.headers);
    const ok = await request(app).post('/v1/chat/completions').set(AUTH_HEADER).send(CHAT_BODY);
    expect(ok.status).toBe(200);
    expectSecurityHeaders(ok.headers);
    const stream = await request(app)
      .post('/v1/chat/completions')
      .set(AUTH_HEADER)
      .send({ ...CHAT_BODY, stream: true });
    expect(stream.status).toBe(200);
    expect(stream.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expectSecurityHeaders(stream.headers);
  });
});

describe('unexpected errors (docs/http-contract.md#1-request-pipeline-and-errors)', () => {
  it('maps an exception that escapes to 500 internal error and keeps serving', async () => {
    let fail = true;
    const runner = createRecordingRunner({
      prepare: () => {
        if (fail) {
          throw new Error('secret internal detail');
        }
      },
    });
    const { app } = buildTestApp({ config: testConfig(), runner });
    const failed = await request(app).post('/v1/chat/completions').set(AUTH_HEADER).send(CHAT_BODY);
    expect(failed.status).toBe(500);
    expect(failed.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(failed.text).toBe('{"error":{"message":"internal error","type":"api_error"}}');
    expectSecurityHeaders(failed.headers);
    fail = false;
    const next = await request(app).post('/v1/chat/completions').set(AUTH_HEADER).send(CHAT_BODY);
    expect(next.status).toBe(200);
  });
});

describe('non-streaming response shape (docs/http-contract.md#non-streaming-response)', () => {
  it('answers the exact chat.completion object with a fixed clock and id source', async () => {
    let counter = 0;
    const { app } = buildTestApp({
      config: testConfig(),
      runner: createRecordingRunner(),
      now: () => 1_700_000_000_999,
      randomUUID: () => `00000000-0000-4000-8000-00000000000${counter++}`,
    });
    const response = await request(app)
      .post('/v1/chat/completions')
      .set(AUTH_HEADER)
      .send({ messages: CHAT_BODY.messages });
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
    // Request ids and completion ids come from the same source; the completion id is `chatcmpl_<uuid>`.
    expect(response.body).toEqual({
      id: expect.stringMatching(/^chatcmpl_00000000-0000-4000-8000-00000000000\d$/),
      object: 'chat.completion',
      created: 1_700_000_000,
      model: 'openclaw',
      choices: [{ index: 0, message: { role: 'assistant', content: RECORDED_REPLY }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 },
    });
    expect(Object.keys(response.body)).toEqual(['id', 'object', 'created', 'model', 'choices', 'usage']);
  });

  it('echoes the request model exactly as sent, even an empty string', async () => {
    const app = enabledApp();
    for (const model of ['', 'OpenClaw:BETA', 'agent:main', 'openclaw/default']) {
      const response = await request(app)
        .post('/v1/chat/completions')
        .set(AUTH_HEADER)
        .send({ ...CHAT_BODY, model });
      expect(response.status, model).toBe(200);
      expect(response.body.model).toBe(model);
    }
  });
});
