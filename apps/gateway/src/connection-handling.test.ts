/**
 * How the gateway treats connections, over real sockets: an SSE reply honours the client's
 * `Connection: close`, a refused upload on a closing connection still reaches the client as a 413,
 * a socket that never finishes its headers is answered 408 and closed after
 * `gateway.http.headersTimeoutMs`, and `gateway.http.maxConnections` caps open connections.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CLI_PATH, ensureBuiltGateway } from './__fixtures__/ensure-built-gateway.js';
import { spawnGateway, type GatewayProcess } from './__fixtures__/gateway-process.js';
import { openRawSocket, rawChatRequest, within, type RawSocket } from './__fixtures__/raw-socket.js';
import { uploadInChunks, writeChunks } from './__fixtures__/upload-in-chunks.js';
import { startGateway } from './server.js';

const TOKEN = 'connection-test-token-5309';
const USER = [{ role: 'user', content: 'hello there' }];
const HEALTHZ_KEEP_ALIVE = 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n';
const HEALTHZ_CLOSE = 'GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n';
/** Far below Node's 5 s keep-alive timeout, which is how long a keep-alive answer held the socket. */
const PROMPT_CLOSE_MS = 2_000;

let stateDir: string;
const cleanups: Array<() => Promise<void>> = [];
const sockets: RawSocket[] = [];

beforeAll(async () => {
  stateDir = await mkdtemp(path.join(os.tmpdir(), 'clawgate-connections-'));
});
afterEach(async () => {
  for (const raw of sockets.splice(0)) raw.socket.destroy();
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
afterAll(async () => {
  await rm(stateDir, { recursive: true, force: true });
});

/** Starts an in-process gateway with `http` merged into `gateway.http`; returns its port. */
async function startWith(name: string, http: Record<string, unknown> = {}): Promise<number> {
  const configPath = path.join(stateDir, `${name}.json5`);
  await writeFile(
    configPath,
    JSON.stringify({
      gateway: {
        auth: { mode: 'token', token: TOKEN },
        http: { endpoints: { chatCompletions: { enabled: true } }, ...http },
      },
      sessions: { store: 'memory' },
    }),
  );
  const quiet = () => undefined;
  const gateway = await startGateway({
    configPath,
    port: 0,
    env: {},
    stateDir,
    print: quiet,
    logger: { error: quiet, warn: quiet, info: quiet, debug: quiet },
  });
  cleanups.push(() => gateway.close());
  return Number(new URL(gateway.url).port);
}

async function connect(port: number): Promise<RawSocket> {
  const raw = await openRawSocket(port);
  sockets.push(raw);
  return raw;
}

/** The header block of the first response in `text`. */
function headBlock(text: string): string {
  return text.slice(0, text.indexOf('\r\n\r\n'));
}

describe('SSE replies and Connection: close', () => {
  it('answers a streamed request that sent Connection: close with Connection: close and closes the socket right after [DONE]', async () => {
    const port = await startWith('sse-close');
    const raw = await connect(port);
    raw.socket.write(rawChatRequest(TOKEN, { stream: true, messages: USER }, { Connection: 'close' }));
    const done = await raw.waitFor((text) => text.includes('data: [DONE]\n\n'));
    expect(headBlock(done.text)).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(headBlock(done.text)).toMatch(/\r\nConnection: close(\r\n|$)/i);
    expect(headBlock(done.text)).toMatch(/\r\nContent-Type: text\/event-stream; charset=utf-8(\r\n|$)/i);
    const end = await within(raw.closed, PROMPT_CLOSE_MS);
    expect(end, 'the socket stayed open after [DONE]').not.toBe('timeout');
    if (end === 'timeout') return;
    expect(end.at - done.at).toBeLessThan(PROMPT_CLOSE_MS);
    // The chunked body was terminated properly before the close: nothing was cut.
    expect(end.text.endsWith('data: [DONE]\n\n\r\n0\r\n\r\n')).toBe(true);
  });

  it("keeps a keep-alive client's connection open after the stream, ready for its next request", async () => {
    const port = await startWith('sse-keep-alive');
    const raw = await connect(port);
    raw.socket.write(rawChatRequest(TOKEN, { stream: true, messages: USER }));
    const done = await raw.waitFor((text) => text.includes('data: [DONE]\n\n\r\n0\r\n\r\n'));
    expect(headBlock(done.text)).toMatch(/\r\nConnection: keep-alive(\r\n|$)/i);
    raw.socket.write(HEALTHZ_KEEP_ALIVE);
    const next = await raw.waitFor((text) => text.slice(done.text.length).includes('{"status":"ok"}'));
    expect(next.text.slice(done.text.length)).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
  });
});

describe('a 413 on a connection that closes (built gateway, its own process)', () => {
  const LIMIT = 64 * 1024;
  const UPLOAD = 3 * LIMIT;
  const CHUNK = 4 * 1024;
  const REFUSAL = `{"error":{"message":"Request body exceeds the limit of ${LIMIT} bytes.","type":"invalid_request_error"}}`;
  let child: GatewayProcess | undefined;
  let port = 0;

  beforeAll(async () => {
    ensureBuiltGateway();
    const configPath = path.join(stateDir, 'upload-413.json5');
    await writeFile(
      configPath,
      JSON.stringify({
        gateway: {
          auth: { mode: 'token', token: TOKEN },
          http: { maxBodyBytes: LIMIT, endpoints: { chatCompletions: { enabled: true } } },
        },
        sessions: { store: 'memory' },
      }),
    );
    // A server in another process answers while this client is still writing, as in production;
    // in one process the two take turns and the reset this guards against rarely shows.
    child = await spawnGateway([CLI_PATH, 'gateway', '--config', configPath, '--port', '0'], {
      PATH: process.env.PATH,
      CLAWGATE_STATE_DIR: stateDir,
    });
    port = Number(new URL(child.url).port);
  }, 90_000);
  afterAll(async () => {
    if (child !== undefined && child.child.exitCode === null && child.child.signalCode === null)
      child.child.kill('SIGKILL');
    await child?.exited;
  });

  it('reaches a node:http client uploading 3x maxBodyBytes with Connection: close, 5 times in a row, chunked or with a declared length', async () => {
    for (const declareLength of [false, true]) {
      for (let attempt = 0; attempt < 5; attempt++) {
        const outcome = await uploadInChunks(port, {
          token: TOKEN,
          bytes: UPLOAD,
          chunkBytes: CHUNK,
          declareLength,
          connection: 'close',
        });
        expect(outcome, `declareLength ${String(declareLength)}, attempt ${attempt}`).toEqual({
          status: 413,
          connection: 'close',
          body: REFUSAL,
        });
      }
    }
  });

  it('reaches a raw socket that sends Connection: close and keeps writing, 5 times in a row', async () => {
    for (let attempt = 0; attempt < 5; attempt++) {
      const raw = await connect(port);
      raw.socket.write(
        `POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TOKEN}\r\nConnection: close\r\nContent-Length: ${UPLOAD}\r\n\r\n`,
      );
      await writeChunks(raw.socket, UPLOAD, CHUNK);
      const end = await raw.closed;
      expect(end.error, `attempt ${attempt}`).toBeUndefined();
      expect(end.text).toMatch(/^HTTP\/1\.1 413 Payload Too Large\r\n/);
      expect(end.text.endsWith(`\r\n\r\n${REFUSAL}`)).toBe(true);
    }
  });
});

describe('gateway.http.headersTimeoutMs', () => {
  it('answers 408 and closes a socket whose headers never finish (or that sends nothing) within a bounded time', async () => {
    const port = await startWith('headers-timeout', { headersTimeoutMs: 500, requestTimeoutMs: 1_000 });
    const partial = await connect(port);
    const silent = await connect(port);
    const started = Date.now();
    partial.socket.write('POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n');
    // Without the limits wired, Node holds these sockets for its 60 s default plus a 30 s check.
    const [partialEnd, silentEnd] = await Promise.all([within(partial.closed, 5_000), within(silent.closed, 5_000)]);
    expect(partialEnd, 'the half-sent request was still open after 5 s').not.toBe('timeout');
    expect(silentEnd, 'the silent socket was still open after 5 s').not.toBe('timeout');
    if (partialEnd === 'timeout' || silentEnd === 'timeout') return;
    expect(partialEnd.text).toBe('HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n');
    expect(silentEnd.text).toBe('HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n');
    // Not before the limit: a client that is merely slow gets its whole headersTimeoutMs.
    expect(partialEnd.at - started).toBeGreaterThanOrEqual(450);
  });
});

describe('gateway.http.maxConnections', () => {
  it('refuses a third connection while two are open, and accepts a new one once one of them closes', async () => {
    const port = await startWith('max-connections', { maxConnections: 2 });
    // Two connections the server has accepted (each answered a request) and holds open (keep-alive).
    const first = await connect(port);
    const second = await connect(port);
    for (const held of [first, second]) {
      held.socket.write(HEALTHZ_KEEP_ALIVE);
      await held.waitFor((text) => text.includes('{"status":"ok"}'));
    }

    const third = await connect(port);
    third.socket.write(HEALTHZ_CLOSE);
    const refused = await within(third.closed, 5_000);
    expect(refused, 'the third connection was kept open').not.toBe('timeout');
    if (refused !== 'timeout') expect(refused.text).toBe('');

    // The two held connections still work.
    second.socket.write(HEALTHZ_KEEP_ALIVE);
    await second.waitFor((text) => text.split('{"status":"ok"}').length === 3);

    first.socket.destroy();
    await first.closed;
    // The server counts the close when it reads it; a connection made before that is still refused,
    // so try again on each refusal (each attempt waits on its own close), bounded.
    let answer = '';
    for (let attempt = 0; attempt < 50 && !answer.startsWith('HTTP/1.1 200 OK'); attempt++) {
      const fresh = await connect(port);
      fresh.socket.write(HEALTHZ_CLOSE);
      const end = await within(fresh.closed, 5_000);
      answer = end === 'timeout' ? 'timeout' : end.text;
    }
    expect(answer).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
  });
});
