import http from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { AUTH_HEADER, buildTestApp, testConfig, TEST_TOKEN } from '../__fixtures__/build-test-app.js';
import { createRecordingRunner, RECORDED_REPLY } from '../__fixtures__/recording-runner.js';
import { BODY_ERROR_MESSAGES, createBodyMiddleware } from './body-middleware.js';

const MISSING_USER_MESSAGE = '{"error":{"message":"Missing user message in `messages`.","type":"invalid_request_error"}}';

function appWith(httpOverrides: Record<string, unknown> = {}) {
  const config = testConfig({ gateway: { http: httpOverrides } });
  return buildTestApp({ config, runner: createRecordingRunner() }).app;
}

const servers: http.Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

async function listen(app: http.RequestListener): Promise<number> {
  const server = http.createServer(app);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

describe('request body (contract §1 step 4)', () => {
  it('refuses a body over the default 20 MiB limit with 413 and the exact body', async () => {
    const response = await request(appWith())
      .post('/v1/chat/completions')
      .set(AUTH_HEADER)
      .set('Content-Type', 'application/json')
      .send(`{"messages":"${'x'.repeat(20 * 1024 * 1024)}"}`);
    expect(response.status).toBe(413);
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(response.text).toBe(
      '{"error":{"message":"Request body exceeds the limit of 20971520 bytes.","type":"invalid_request_error"}}',
    );
  });

  it('accepts a body of exactly the limit and refuses one byte more, also without Content-Length (chunked)', async () => {
    const port = await listen(appWith({ maxBodyBytes: 1024 }));
    const exact = `{"messages":[{"role":"user","content":"${'a'.repeat(1024 - 43)}"}]}`;
    expect(Buffer.byteLength(exact)).toBe(1024);
    const ok = await rawPost(port, [exact], { chunked: true });
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.body).choices[0].message.content).toBe(RECORDED_REPLY);
    const tooLarge = await rawPost(port, [exact.slice(0, 600), `${exact.slice(600)} `], { chunked: true });
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.body).toBe(
      `{"error":{"message":"${BODY_ERROR_MESSAGES.tooLarge(1024)}","type":"invalid_request_error"}}`,
    );
  });

  it('refuses a declared Content-Length over the limit before reading the body', async () => {
    const port = await listen(appWith({ maxBodyBytes: 100 }));
    const response = await rawPost(port, ['{}'], { headers: { 'Content-Length': '101' }, endAfterHeaders: true });
    expect(response.status).toBe(413);
  });

  it('answers 408 when the body does not arrive within the deadline, then closes the connection', async () => {
    const port = await listen(appWith({ bodyTimeoutMs: 200 }));
    const started = Date.now();
    const response = await rawPost(port, ['{"messages":'], { keepOpen: true });
    expect(response.status).toBe(408);
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(response.headers.connection).toBe('close');
    expect(response.body).toBe(
      '{"error":{"message":"Request body was not received within 200 ms.","type":"invalid_request_error"}}',
    );
  });

  it('answers 400 for invalid JSON', async () => {
    for (const body of ['{', '{"messages":[}', 'nul', "{'a':1}", '{"a":1}x', '\u0000']) {
      const response = await request(appWith()).post('/v1/chat/completions').set(AUTH_HEADER).set('Content-Type', 'application/json').send(body);
      expect(response.status, body).toBe(400);
      expect(response.text).toBe('{"error":{"message":"Invalid JSON in request body.","type":"invalid_request_error"}}');
    }
  });

  it('treats an empty or blank body as {} (so the missing-message 400 follows)', async () => {
    for (const body of ['', '   \n']) {
      const response = await request(appWith()).post('/v1/chat/completions').set(AUTH_HEADER).send(body);
      expect(response.status).toBe(400);
      expect(response.text).toBe(MISSING_USER_MESSAGE);
    }
  });

  it('does not require a Content-Type, and accepts a UTF-8 byte-order mark', async () => {
    const port = await listen(appWith());
    const json = '{"messages":[{"role":"user","content":"hi"}]}';
    for (const [chunks, contentType] of [
      [[json], undefined],
      [[json], 'text/plain'],
      [['\uFEFF' + json], 'application/json'],
    ] as const) {
      const response = await rawPost(port, [...chunks], contentType === undefined ? {} : { headers: { 'Content-Type': contentType } });
      expect(response.status).toBe(200);
    }
  });

  it('refuses bad limits at construction', () => {
    expect(() => createBodyMiddleware({ maxBytes: 0, timeoutMs: 1 })).toThrow('maxBytes must be a positive integer, received 0');
    expect(() => createBodyMiddleware({ maxBytes: 1, timeoutMs: 1.5 })).toThrow('timeoutMs must be a positive integer, received 1.5');
  });
});

/** A POST written by hand, so tests control chunking and stalls exactly. */
function rawPost(
  port: number,
  chunks: string[],
  options: { chunked?: boolean; headers?: Record<string, string>; keepOpen?: boolean; endAfterHeaders?: boolean } = {},
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const total = chunks.reduce((sum, chunk) => sum + Buffer.byteLength(chunk), 0);
    const outgoing = http.request({
      host: '127.0.0.1',
      port,
      method: 'POST',
      path: '/v1/chat/completions',
      headers: {
        Authorization: `Bearer ${TEST_TOKEN}`,
        ...(options.chunked || options.keepOpen ? {} : { 'Content-Length': String(total) }),
        ...options.headers,
      },
    });
    outgoing.on('response', (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (piece: string) => (body += piece));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }));
    });
    outgoing.on('error', reject);
    if (options.endAfterHeaders) {
      outgoing.flushHeaders();
      return;
    }
    for (const chunk of chunks) {
      outgoing.write(chunk);
    }
    if (!options.keepOpen) {
      outgoing.end();
    }
  });
}
