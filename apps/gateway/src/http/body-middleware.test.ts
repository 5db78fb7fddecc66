import http from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { AUTH_HEADER, buildTestApp, testConfig, TEST_TOKEN } from '../__fixtures__/build-test-app.js';
import { openRawSocket } from '../__fixtures__/raw-socket.js';
import { createRecordingRunner, RECORDED_REPLY } from '../__fixtures__/recording-runner.js';
import { uploadInChunks, writeChunks } from '../__fixtures__/upload-in-chunks.js';
import { BODY_ERROR_MESSAGES, createBodyMiddleware } from './body-middleware.js';

/** A small limit, so an upload several times over it takes a few chunks. */
const SMALL_LIMIT = 64 * 1024;
const SMALL_LIMIT_413 = `{"error":{"message":"${BODY_ERROR_MESSAGES.tooLarge(SMALL_LIMIT)}","type":"invalid_request_error"}}`;
/** Three times the limit: still within what the body step discards before it answers. */
const UPLOAD_BYTES = 3 * SMALL_LIMIT;
const UPLOAD_CHUNK_BYTES = 4 * 1024;

const MISSING_USER_MESSAGE =
  '{"error":{"message":"Missing user message in `messages`.","type":"invalid_request_error"}}';

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

describe('request body (docs/http-contract.md#1-request-pipeline-and-errors, step 4)', () => {
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

  it('with Connection: close, answers the 413 only once the whole upload was read, so the close cannot reset a client still writing', async () => {
    const port = await listen(appWith({ maxBodyBytes: SMALL_LIMIT }));
    const raw = await openRawSocket(port);
    raw.socket.write(
      `POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TEST_TOKEN}\r\nConnection: close\r\nContent-Length: ${UPLOAD_BYTES}\r\n\r\n`,
    );
    let written = 0;
    let writtenWhenAnswered: number | undefined;
    void raw
      .waitFor((text) => text.length > 0)
      .then(
        () => (writtenWhenAnswered = written),
        () => undefined,
      );
    // One event-loop turn after each piece, so this in-process server can read and answer in between.
    await writeChunks(raw.socket, UPLOAD_BYTES, UPLOAD_CHUNK_BYTES, {
      onWrite: (handed) => (written = handed),
      turnEachChunk: true,
    });
    const end = await raw.closed;
    expect(writtenWhenAnswered).toBe(UPLOAD_BYTES);
    expect(end.error).toBeUndefined();
    expect(end.text).toMatch(/^HTTP\/1\.1 413 Payload Too Large\r\n/);
    expect(end.text).toMatch(/\r\nConnection: close\r\n/i);
    expect(end.text.endsWith(`\r\n\r\n${SMALL_LIMIT_413}`)).toBe(true);
  });

  it('answers a keep-alive client 413 and keeps the connection for its next request', async () => {
    const port = await listen(appWith({ maxBodyBytes: SMALL_LIMIT }));
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const sockets = new Set<unknown>();
      for (let attempt = 0; attempt < 3; attempt++) {
        const outcome = await uploadInChunks(port, {
          token: TEST_TOKEN,
          bytes: UPLOAD_BYTES,
          chunkBytes: UPLOAD_CHUNK_BYTES,
          declareLength: attempt % 2 === 0,
          agent,
          onSocket: (socket) => sockets.add(socket),
        });
        expect(outcome).toEqual({ status: 413, connection: 'keep-alive', body: SMALL_LIMIT_413 });
      }
      const ok = await rawPost(port, ['{"messages":[{"role":"user","content":"hi"}]}'], { agent });
      expect(ok.status).toBe(200);
      // One connection served every request: the refusals did not cost the client its socket.
      expect(sockets.size).toBe(1);
    } finally {
      agent.destroy();
    }
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
      const response = await request(appWith())
        .post('/v1/chat/completions')
        .set(AUTH_HEADER)
        .set('Content-Type', 'application/json')
        .send(body);
      expect(response.status, body).toBe(400);
      expect(response.text).toBe(
        '{"error":{"message":"Invalid JSON in request body.","type":"invalid_request_error"}}',
      );
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
      [[`\uFEFF${json}`], 'application/json'],
    ] as const) {
      const response = await rawPost(
        port,
        [...chunks],
        contentType === undefined ? {} : { headers: { 'Content-Type': contentType } },
      );
      expect(response.status).toBe(200);
    }
  });

  it('refuses bad limits at construction', () => {
    expect(() => createBodyMiddleware({ maxBytes: 0, timeoutMs: 1 })).toThrow(
      'maxBytes must be a positive integer, received 0',
    );
    expect(() => createBodyMiddleware({ maxBytes: 1, timeoutMs: 1.5 })).toThrow(
      'timeoutMs must be a positive integer, received 1.5',
    );
  });
});

/** A POST written by hand, so tests control chunking and stalls exactly. */
function rawPost(
  port: number,
  chunks: string[],
  options: {
    chunked?: boolean;
    headers?: Record<string, string>;
    keepOpen?: boolean;
    endAfterHeaders?: boolean;
    agent?: http.Agent;
  } = {},
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const total = chunks.reduce((sum, chunk) => sum + Buffer.byteLength(chunk), 0);
    const outgoing = http.request({
      host: '127.0.0.1',
      port,
      method: 'POST',
      path: '/v1/chat/completions',
      ...(options.agent === undefined ? {} : { agent: options.agent }),
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
