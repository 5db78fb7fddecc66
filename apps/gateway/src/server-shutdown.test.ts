/**
 * Graceful shutdown of the BUILT `clawgate gateway` on SIGTERM: in-flight streams finish, new
 * connections are refused, a request still running at the deadline is told so (an SSE error frame
 * and `[DONE]`, or a 503), and the exit code is 0.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_PATH, ensureBuiltGateway } from './__fixtures__/ensure-built-gateway.js';
import { spawnGateway, streamCompletion, tryGet, type GatewayProcess } from './__fixtures__/gateway-process.js';
import { startGateway } from './server.js';

const TOKEN = 'shutdown-test-token-1234';
/** What a run still open at the shutdown deadline ends with. */
const SHUTDOWN_BODY = '{"error":{"message":"gateway is shutting down","type":"service_unavailable"}}';
const SHUTDOWN_FRAME = `data: ${SHUTDOWN_BODY}\n\n`;
/** 26 words at 200 ms apart: about 7 s of streaming, far past a 300 ms deadline. */
const LONG_MESSAGE = 'a b c d e f g h i j k l m n o p q r s t u v w x y z';
const OFFLINE_LONG_REPLY = `[clawgate offline model] Turn 1. You said: "${LONG_MESSAGE}"`;
let stateDir: string;
const children: GatewayProcess[] = [];

beforeAll(async () => {
  ensureBuiltGateway();
  stateDir = await mkdtemp(path.join(os.tmpdir(), 'clawgate-shutdown-'));
}, 90_000);

afterAll(async () => {
  for (const gateway of children) {
    if (gateway.child.exitCode === null && gateway.child.signalCode === null) gateway.child.kill('SIGKILL');
    await gateway.exited;
  }
  await rm(stateDir, { recursive: true, force: true });
});

async function startChild(
  name: string,
  options: { delayMs: number; shutdownTimeoutMs?: number },
): Promise<GatewayProcess> {
  const configPath = path.join(stateDir, `${name}.json5`);
  await writeFile(
    configPath,
    JSON.stringify({
      gateway: {
        auth: { mode: 'token', token: TOKEN },
        http: { endpoints: { chatCompletions: { enabled: true } } },
        ...(options.shutdownTimeoutMs === undefined ? {} : { shutdownTimeoutMs: options.shutdownTimeoutMs }),
      },
      models: { providers: { offline: { api: 'offline', delayMs: options.delayMs } } },
      sessions: { store: 'memory' },
    }),
  );
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, CLAWGATE_STATE_DIR: stateDir };
  const gateway = await spawnGateway([CLI_PATH, 'gateway', '--config', configPath, '--port', '0'], env);
  children.push(gateway);
  return gateway;
}

function logRecords(stderr: string): Array<Record<string, unknown>> {
  return stderr
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('SIGTERM', () => {
  it('lets an in-flight stream finish with [DONE], refuses new connections, and exits 0', async () => {
    const gateway = await startChild('drain', { delayMs: 80 });
    const words = 'one two three four five six seven eight';
    let signalled!: () => void;
    const signalSent = new Promise<void>((resolve) => (signalled = resolve));
    const stream = streamCompletion(gateway.url, TOKEN, { messages: [{ role: 'user', content: words }] }, () => {
      gateway.child.kill('SIGTERM');
      signalled();
    });
    await signalSent;
    // The listener closes as the signal is handled; give it a moment, bounded.
    let fresh: number | string = 0;
    for (let attempt = 0; attempt < 50; attempt++) {
      fresh = await tryGet(gateway.url, '/healthz');
      if (fresh === 'ECONNREFUSED') break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(fresh).toBe('ECONNREFUSED');
    const outcome = await stream;
    expect(outcome.status).toBe(200);
    expect(outcome.done).toBe(true);
    expect(outcome.content).toBe(`[clawgate offline model] Turn 1. You said: "${words}"`);
    const exit = await gateway.exited;
    expect(exit).toEqual({ code: 0, signal: null });
    const records = logRecords(gateway.output().stderr);
    expect(records.find((record) => record.msg === 'gateway started')).toMatchObject({
      level: 30,
      url: gateway.url,
      authMode: 'token',
      sessionStore: 'memory',
      rateLimitStore: 'memory',
      chatCompletions: true,
      agents: ['main'],
    });
    expect(records.find((record) => record.msg === 'shutdown started')).toMatchObject({ deadlineMs: 10_000 });
    expect(records.find((record) => record.msg === 'shutdown complete')).toMatchObject({ timedOut: false });
    expect(
      records.find((record) => record.msg === 'request completed' && record.path === '/v1/chat/completions'),
    ).toMatchObject({ status: 200, stream: true });
    expect(gateway.output().stderr).not.toContain(TOKEN);
  });

  it('ends a stream that outlives gateway.shutdownTimeoutMs with the shutdown error frame and [DONE] at the deadline, and exits 0', async () => {
    const gateway = await startChild('deadline', { delayMs: 200, shutdownTimeoutMs: 300 });
    let signalledAt = 0;
    const outcome = await streamCompletion(
      gateway.url,
      TOKEN,
      { messages: [{ role: 'user', content: LONG_MESSAGE }] },
      () => {
        signalledAt = Date.now();
        gateway.child.kill('SIGTERM');
      },
    );
    const endedAfter = Date.now() - signalledAt;
    expect(outcome.status).toBe(200);
    // A clean end a client can read: the error says why, then [DONE], then the socket closes.
    expect(outcome.cut).toBe(false);
    expect(outcome.done).toBe(true);
    expect(outcome.text.endsWith(`${SHUTDOWN_FRAME}data: [DONE]\n\n`)).toBe(true);
    expect(outcome.text.split(SHUTDOWN_FRAME).length).toBe(2);
    // Some words went out before the deadline; the whole reply (about 7 s) did not.
    expect(outcome.content.length).toBeGreaterThan(0);
    expect(outcome.content.length).toBeLessThan(OFFLINE_LONG_REPLY.length);
    expect(OFFLINE_LONG_REPLY.startsWith(outcome.content)).toBe(true);
    // 300 ms deadline.
    expect(endedAfter).toBeGreaterThanOrEqual(250);
    expect(endedAfter).toBeLessThan(3_000);
    expect(await gateway.exited).toEqual({ code: 0, signal: null });
    const records = logRecords(gateway.output().stderr);
    expect(records.find((record) => record.msg === 'shutdown complete')).toMatchObject({ timedOut: true });
    const line = records.find((record) => record.msg === 'request completed' && record.path === '/v1/chat/completions');
    expect(line).toMatchObject({ status: 200, stream: true, errorType: 'service_unavailable' });
    expect(line).not.toHaveProperty('aborted');
  });

  it('answers a non-streaming request still running at the deadline with 503 and the shutdown error, and exits 0', async () => {
    const gateway = await startChild('deadline-json', { delayMs: 200, shutdownTimeoutMs: 300 });
    const answer = postCompletion(gateway.url, { messages: [{ role: 'user', content: LONG_MESSAGE }] });
    // Once its request is on the wire, a stream on a second connection says when runs are under way.
    await answer.sent;
    const stream = streamCompletion(gateway.url, TOKEN, { messages: [{ role: 'user', content: LONG_MESSAGE }] }, () => {
      gateway.child.kill('SIGTERM');
    });
    expect(await answer.response).toEqual({
      status: 503,
      contentType: 'application/json; charset=utf-8',
      body: SHUTDOWN_BODY,
    });
    expect((await stream).text.endsWith(`${SHUTDOWN_FRAME}data: [DONE]\n\n`)).toBe(true);
    expect(await gateway.exited).toEqual({ code: 0, signal: null });
    const records = logRecords(gateway.output().stderr);
    expect(records.find((record) => record.msg === 'request completed' && record.stream === false)).toMatchObject({
      status: 503,
      errorType: 'service_unavailable',
    });
  });
});

/** Posts a non-streaming completion on its own connection. */
function postCompletion(
  url: string,
  body: Record<string, unknown>,
): { sent: Promise<void>; response: Promise<{ status: number; contentType: string | undefined; body: string }> } {
  let sent!: () => void;
  const sentPromise = new Promise<void>((resolve) => (sent = resolve));
  const response = new Promise<{ status: number; contentType: string | undefined; body: string }>((resolve, reject) => {
    const request = http.request(`${url}/v1/chat/completions`, {
      method: 'POST',
      agent: false,
      headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
    });
    request.on('error', reject);
    request.on('finish', () => sent());
    request.on('response', (incoming) => {
      let text = '';
      incoming.setEncoding('utf8');
      incoming.on('data', (piece: string) => (text += piece));
      incoming.on('end', () =>
        resolve({ status: incoming.statusCode ?? 0, contentType: incoming.headers['content-type'], body: text }),
      );
      incoming.on('error', reject);
    });
    request.end(JSON.stringify(body));
  });
  return { sent: sentPromise, response };
}

describe('RunningGateway.shutdown (in process)', () => {
  it('turns readiness off at once and closes idle keep-alive sockets while a stream drains', async () => {
    const configPath = path.join(stateDir, 'in-process.json5');
    await writeFile(
      configPath,
      JSON.stringify({
        gateway: { auth: { mode: 'token', token: TOKEN }, http: { endpoints: { chatCompletions: { enabled: true } } } },
        models: { providers: { offline: { api: 'offline', delayMs: 60 } } },
        sessions: { store: 'memory' },
      }),
    );
    const lines: string[] = [];
    const gateway = await startGateway({
      configPath,
      port: 0,
      env: {},
      stateDir,
      print: () => undefined,
      logger: silent(lines),
    });
    expect(gateway.isReady()).toBe(true);
    expect(await tryGet(gateway.url, '/readyz')).toBe(200);

    // An idle keep-alive connection: one answered request, then nothing.
    const { port } = new URL(gateway.url);
    const idle = net.connect(Number(port), '127.0.0.1');
    idle.on('error', () => undefined);
    const idleClosed = new Promise<void>((resolve) => idle.once('close', () => resolve()));
    const firstAnswer = new Promise<string>((resolve) => idle.once('data', (data) => resolve(data.toString('utf8'))));
    idle.write('GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n');
    expect(await firstAnswer).toMatch(/^HTTP\/1\.1 200 OK/);

    let shutdown!: Promise<unknown>;
    const stream = streamCompletion(
      gateway.url,
      TOKEN,
      { messages: [{ role: 'user', content: 'drain me please' }] },
      () => {
        shutdown = gateway.shutdown({ deadlineMs: 5_000 });
      },
    );
    // Readiness turns off before the stream is over; the idle socket is closed by the server.
    await idleClosed;
    expect(gateway.isReady()).toBe(false);
    const outcome = await stream;
    expect(outcome.done).toBe(true);
    expect(await shutdown).toMatchObject({ timedOut: false });
    expect(lines).toContain('shutdown started');
    expect(lines).toContain('shutdown complete');
  });
});

/** A logger that records messages only. */
function silent(lines: string[]) {
  const record = (_object: Record<string, unknown>, message: string) => void lines.push(message);
  return { error: record, warn: record, info: record, debug: record };
}
