/**
 * The real `openclaw-node` client (0.14.0) against the gateway's WebSocket door
 * (docs/ws-protocol.md#handshake): it signs a v2 device block with its own ed25519
 * identity, requires `hello-ok`, runs turns with `agent` and reads `agent` events, and calls
 * `health`, `sessions.list`, `chat.history`, `chat.abort` and `agent.wait`.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { type ChatChunk, type HelloOk, OpenClawClient, type ProtocolResponse } from 'openclaw-node';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { startFakeUpstream, upstreamChunk, type UpstreamRequestRecord } from '../__fixtures__/fake-upstream.js';
import { ADVERTISED_METHODS, TOKEN_MISMATCH_ERROR } from './__fixtures__/protocol-expectations.js';
import {
  startInProcessGateway,
  IN_PROCESS_GATEWAY_TOKEN,
  type InProcessGateway,
} from '../__fixtures__/in-process-gateway.js';

// openclaw-node uses the global WebSocket (Node 22+); Node 20 has none, so `ws` stands in.
beforeAll(() => {
  const scope = globalThis as { WebSocket?: unknown };
  if (scope.WebSocket === undefined) scope.WebSocket = WebSocket;
});

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const reply = (turn: number, said: string) => `[clawgate offline model] Turn ${turn}. You said: "${said}"`;
/** The offline model streams word by word, each word keeping its trailing space. */
const words = (text: string) => text.match(/\S+\s*/g) ?? [];

async function gatewayWith(overrides: Record<string, unknown> = {}): Promise<InProcessGateway> {
  const gateway = await startInProcessGateway(overrides);
  cleanups.push(() => gateway.stop());
  return gateway;
}

/** The payloads this file reads fields of (`toEqual` checks each one whole). */
interface History {
  messages: Array<{ role: string; content: unknown }>;
  hasMore: boolean;
  totalMessages: number;
}
interface SessionList {
  sessions: Array<{ key: string; updatedAt: number }>;
}
interface WaitResult {
  startedAt: number;
  endedAt: number;
}

/** Runs `create` without the client's warning about a token over `ws://` (this loopback test's own choice). */
function quietly<T>(create: () => T): T {
  const emitWarning = process.emitWarning;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    if (rest[0] !== 'InsecureTransportWarning') Reflect.apply(emitWarning, process, [warning, ...rest]);
  }) as typeof process.emitWarning;
  try {
    return create();
  } finally {
    process.emitWarning = emitWarning;
  }
}

/** A client with its own device identity file in a temp dir; disconnected after the test. */
async function newClient(
  gateway: InProcessGateway,
  token = IN_PROCESS_GATEWAY_TOKEN,
  storedIdentity?: Record<string, unknown>,
) {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'clawgate-openclaw-node-'));
  const deviceIdentityPath = path.join(dir, 'device-identity.json');
  if (storedIdentity !== undefined) await writeFile(deviceIdentityPath, JSON.stringify(storedIdentity));
  const client = quietly(
    () =>
      new OpenClawClient({ url: gateway.url.replace(/^http/, 'ws'), token, deviceIdentityPath, autoReconnect: false }),
  );
  client.on('error', () => undefined);
  cleanups.push(async () => {
    await client.disconnect();
    await rm(dir, { recursive: true, force: true });
  });
  return { client, deviceIdentityPath };
}

/** Runs `chat()` to its end and returns every chunk. */
async function chatChunks(
  client: OpenClawClient,
  message: string,
  options: Parameters<OpenClawClient['chat']>[1] = {},
) {
  const chunks: ChatChunk[] = [];
  for await (const chunk of client.chat(message, options)) chunks.push(chunk);
  return chunks;
}

/** Every response the client got that no request of its own was waiting for (`protocol:response`). */
function recordResponses(client: OpenClawClient) {
  const all: ProtocolResponse[] = [];
  const waiters: Array<{
    predicate: (response: ProtocolResponse) => boolean;
    resolve(response: ProtocolResponse): void;
  }> = [];
  client.on('protocol:response', (response: ProtocolResponse) => {
    all.push(response);
    for (const waiter of [...waiters]) {
      if (!waiter.predicate(response)) continue;
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve(response);
    }
  });
  return {
    all,
    waitFor(predicate: (response: ProtocolResponse) => boolean): Promise<ProtocolResponse> {
      const seen = all.find(predicate);
      return seen !== undefined
        ? Promise.resolve(seen)
        : new Promise((resolve) => waiters.push({ predicate, resolve }));
    },
  };
}

/** Connects a client the gateway refuses: the rejection, the close and the refusal frame. */
async function refusedConnect(client: OpenClawClient) {
  const responses = recordResponses(client);
  const connecting = client.connect();
  // connect() has created the socket by now; the close code is only on the socket's own event.
  const socket = (
    client as unknown as {
      ws: { addEventListener(type: 'close', listener: (event: { code: number; reason: unknown }) => void): void };
    }
  ).ws;
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.addEventListener('close', (event) => resolve({ code: event.code, reason: String(event.reason) })),
  );
  await expect(connecting).rejects.toThrow('WebSocket closed before handshake completed');
  expect(client.isConnected).toBe(false);
  return { closed: await closed, responses: responses.all };
}

const textOf = (chunks: ChatChunk[]) =>
  chunks
    .filter((chunk) => chunk.type === 'text')
    .map((chunk) => chunk.text)
    .join('');

describe('openclaw-node against the WebSocket door', () => {
  it('connects with its signed device block: hello-ok advertises every method, no device token', async () => {
    const gateway = await gatewayWith();
    const { client, deviceIdentityPath } = await newClient(gateway);
    const hello: HelloOk = await client.connect();

    expect(client.isConnected).toBe(true);
    expect(client.availableMethods).toEqual(ADVERTISED_METHODS);
    expect(Object.keys(hello).sort()).toEqual(['auth', 'features', 'policy', 'protocol', 'server', 'snapshot', 'type']);
    expect(hello.type).toBe('hello-ok');
    expect(hello.protocol).toBe(4);
    expect(hello.features?.events).toEqual(['connect.challenge', 'agent', 'chat', 'tick', 'health', 'shutdown']);
    expect(hello.auth).toEqual({ method: 'token', role: 'operator', scopes: ['operator.read', 'operator.write'] });
    expect(hello.snapshot?.sessionDefaults).toEqual({
      defaultAgentId: 'main',
      mainKey: 'main',
      mainSessionKey: 'agent:main:main',
    });
    expect(hello.policy).toEqual({
      maxPayload: 25 * 1024 * 1024,
      maxBufferedBytes: 50 * 1024 * 1024,
      tickIntervalMs: 30_000,
    });
    // The client generated and kept its identity; with no pairing the gateway issues no device token to persist.
    const stored = JSON.parse(await readFile(deviceIdentityPath, 'utf8')) as Record<string, unknown>;
    expect(stored).toMatchObject({ version: 1, deviceId: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(stored).not.toHaveProperty('deviceToken');
  });

  it('chat() streams a turn whose text chunks concatenate to the reply stored in chat.history', async () => {
    const gateway = await gatewayWith();
    const { client } = await newClient(gateway);
    await client.connect();

    const chunks = await chatChunks(client, 'hello there', { sessionKey: 'ops:desk-1' });
    const expected = reply(1, 'hello there');
    expect(chunks.map((chunk) => chunk.type)).toEqual([
      'agent_start',
      ...words(expected).map(() => 'text'),
      'agent_end',
      'done',
    ]);
    expect(chunks.filter((chunk) => chunk.type === 'text').map((chunk) => chunk.text)).toEqual(words(expected));
    expect(textOf(chunks)).toBe(expected);
    const runId = chunks[0]!.runId;
    expect(new Set(chunks.map((chunk) => chunk.runId))).toEqual(new Set([runId]));

    const history = (await client.sessions.history('ops:desk-1')) as unknown as History;
    expect(history).toEqual({
      sessionKey: 'ops:desk-1',
      messages: [
        { role: 'user', content: 'hello there', timestamp: expect.any(Number) },
        {
          role: 'assistant',
          content: [{ type: 'text', text: expected }],
          provider: 'offline',
          model: 'clawgate-offline',
          // Offline usage: ceil(11 characters / 4) prompt tokens, one completion token per word.
          usage: { input: 3, output: 9, totalTokens: 12 },
          stopReason: 'stop',
          timestamp: expect.any(Number),
        },
      ],
      hasMore: false,
      totalMessages: 2,
    });
    expect(history.messages[1]!.content).toEqual([{ type: 'text', text: textOf(chunks) }]);
  });

  it('health() answers exactly its keys, with the configured agents and the stored session count', async () => {
    const gateway = await gatewayWith();
    const { client } = await newClient(gateway);
    await client.connect();
    const before = Date.now();
    const empty = (await client.health()) as { ts: number; durationMs: number };
    expect(Object.keys(empty)).toEqual(['ok', 'ts', 'durationMs', 'defaultAgentId', 'agents', 'sessions', 'channels']);
    expect(empty).toEqual({
      ok: true,
      ts: expect.any(Number),
      durationMs: expect.any(Number),
      defaultAgentId: 'main',
      agents: [
        { agentId: 'main', isDefault: true },
        { agentId: 'beta', isDefault: false },
      ],
      sessions: { count: 0 },
      channels: {},
    });
    expect(empty.ts).toBeGreaterThanOrEqual(before);
    expect(empty.ts).toBeLessThanOrEqual(Date.now());
    expect(empty.durationMs).toBeGreaterThanOrEqual(0);

    await chatChunks(client, 'one', { sessionKey: 'ops:health' });
    expect((await client.health()).sessions).toEqual({ count: 1 });
  });

  it('sessions.list() lists stored sessions newest first with their agents, and pages', async () => {
    const gateway = await gatewayWith();
    const { client } = await newClient(gateway);
    await client.connect();
    expect(await client.sessions.list()).toEqual({
      ts: expect.any(Number),
      count: 0,
      totalCount: 0,
      hasMore: false,
      nextOffset: null,
      sessions: [],
    });

    await chatChunks(client, 'first', { sessionKey: 'ops:older' });
    await chatChunks(client, 'second', { agentId: 'beta', sessionKey: 'agent:beta:newer' });
    const listed = (await client.sessions.list()) as unknown as SessionList;
    expect(listed).toEqual({
      ts: expect.any(Number),
      count: 2,
      totalCount: 2,
      hasMore: false,
      nextOffset: null,
      sessions: [
        { key: 'agent:beta:newer', agentId: 'beta', updatedAt: expect.any(Number) },
        { key: 'ops:older', agentId: 'main', updatedAt: expect.any(Number) },
      ],
    });
    expect(listed.sessions[0]!.updatedAt).toBeGreaterThanOrEqual(listed.sessions[1]!.updatedAt);

    expect(await client.sessions.list({ limit: 1 })).toEqual({
      ts: expect.any(Number),
      count: 1,
      totalCount: 2,
      hasMore: true,
      nextOffset: 1,
      sessions: [{ key: 'agent:beta:newer', agentId: 'beta', updatedAt: listed.sessions[0]!.updatedAt }],
    });
  });

  it('sessions.history(key) gives the whole conversation in order, a limited tail, and [] for an unknown key', async () => {
    const gateway = await gatewayWith();
    const { client } = await newClient(gateway);
    await client.connect();
    expect(textOf(await chatChunks(client, 'alpha', { sessionKey: 'ops:story' }))).toBe(reply(1, 'alpha'));
    expect(textOf(await chatChunks(client, 'beta', { sessionKey: 'ops:story' }))).toBe(reply(2, 'beta'));

    const all = (await client.sessions.history('ops:story')) as unknown as History;
    expect(all.messages.map((message) => [message.role, message.content])).toEqual([
      ['user', 'alpha'],
      ['assistant', [{ type: 'text', text: reply(1, 'alpha') }]],
      ['user', 'beta'],
      ['assistant', [{ type: 'text', text: reply(2, 'beta') }]],
    ]);
    expect([all.hasMore, all.totalMessages]).toEqual([false, 4]);

    const tail = (await client.sessions.history('ops:story', { limit: 2 })) as unknown as History;
    expect(tail.messages.map((message) => message.role)).toEqual(['user', 'assistant']);
    expect(tail.messages[1]!.content).toEqual([{ type: 'text', text: reply(2, 'beta') }]);
    expect([tail.hasMore, tail.totalMessages]).toEqual([true, 4]);

    expect(await client.sessions.history('ops:nobody')).toEqual({
      sessionKey: 'ops:nobody',
      messages: [],
      hasMore: false,
      totalMessages: 0,
    });
  });

  it('agentWait(runId) after a turn answers ok with its times; an unknown run times out', async () => {
    const gateway = await gatewayWith();
    const { client } = await newClient(gateway);
    await client.connect();
    const before = Date.now();
    const chunks = await chatChunks(client, 'wait for me', { sessionKey: 'ops:wait' });
    const runId = chunks[0]!.runId;

    const waited = (await client.agentWait(runId)) as unknown as WaitResult;
    expect(waited).toEqual({
      runId,
      status: 'ok',
      startedAt: expect.any(Number),
      endedAt: expect.any(Number),
      stopReason: 'stop',
    });
    expect(waited.startedAt).toBeGreaterThanOrEqual(before);
    expect(waited.endedAt).toBeGreaterThanOrEqual(waited.startedAt);
    expect(waited.endedAt).toBeLessThanOrEqual(Date.now());

    expect(await client.agentWait('no-such-run', { timeoutMs: 0 })).toEqual({
      runId: 'no-such-run',
      status: 'timeout',
    });
  });

  it('chatAbort(sessionKey) stops a slow turn, ends it as aborted and closes the upstream request', async () => {
    let gotRequest: (record: UpstreamRequestRecord) => void = () => undefined;
    const requested = new Promise<UpstreamRequestRecord>((resolve) => (gotRequest = resolve));
    // One chunk, then nothing: the turn stays open until it is aborted.
    const upstream = await startFakeUpstream((record, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write(upstreamChunk({ role: 'assistant', content: 'Partial ' }));
      gotRequest(record);
    });
    cleanups.push(() => upstream.close());
    const gateway = await gatewayWith({
      models: { providers: { up: { baseUrl: upstream.baseUrl, apiKey: 'sk-upstream-test-1' } } },
      agents: { defaults: { model: 'up/up-model' } },
    });
    const { client } = await newClient(gateway);
    await client.connect();
    const responses = recordResponses(client);

    const chunks: ChatChunk[] = [];
    let firstText: () => void = () => undefined;
    const sawText = new Promise<void>((resolve) => (firstText = resolve));
    const chatting = (async () => {
      for await (const chunk of client.chat('take your time', { sessionKey: 'ops:slow' })) {
        chunks.push(chunk);
        if (chunk.type === 'text') firstText();
      }
    })();

    const record = await requested;
    expect(record.body.messages).toEqual([{ role: 'user', content: 'take your time' }]);
    await sawText;
    const runId = chunks[0]!.runId;
    expect(chunks).toEqual([
      { type: 'agent_start', text: '', runId },
      { type: 'text', text: 'Partial ', runId },
    ]);

    expect(await client.chatAbort('ops:slow')).toEqual({ ok: true, aborted: true, runIds: [runId] });
    expect(await record.closed).toEqual(expect.any(Number));
    await chatting;
    // The agent request's answers: `accepted`, then the aborted end.
    const final = await responses.waitFor(
      (response) => response.id === runId && response.payload?.status !== 'accepted',
    );
    expect(final).toEqual({
      type: 'res',
      id: runId,
      ok: true,
      payload: { runId, status: 'timeout', summary: 'aborted', stopReason: 'rpc' },
    });
    expect(responses.all.filter((response) => response.id === runId).map((response) => response.payload)).toEqual([
      { runId, sessionKey: 'ops:slow', agentId: 'main', status: 'accepted', acceptedAt: expect.any(Number) },
      final.payload,
    ]);

    const waited = (await client.agentWait(runId)) as unknown as WaitResult;
    expect(waited).toEqual({
      runId,
      status: 'timeout',
      startedAt: expect.any(Number),
      endedAt: expect.any(Number),
      stopReason: 'rpc',
    });
    // Nothing half-finished is stored.
    expect(await client.sessions.history('ops:slow')).toEqual({
      sessionKey: 'ops:slow',
      messages: [],
      hasMore: false,
      totalMessages: 0,
    });
    expect(await client.chatAbort('ops:slow')).toEqual({ ok: true, aborted: false, runIds: [] });
  });

  it('a wrong token: connect() rejects, the gateway answers the mismatch and closes with 1008', async () => {
    const gateway = await gatewayWith();
    const { client } = await newClient(gateway, 'not-the-token');
    const refused = await refusedConnect(client);

    expect(refused.closed).toEqual({ code: 1008, reason: TOKEN_MISMATCH_ERROR.message });
    expect(refused.responses).toEqual([
      {
        type: 'res',
        id: expect.any(String),
        ok: false,
        error: TOKEN_MISMATCH_ERROR,
      },
    ]);
  });

  it("the device signature is verified: an identity whose private key is not its public key's is refused", async () => {
    const gateway = await gatewayWith();
    const { client: genuine, deviceIdentityPath } = await newClient(gateway);
    const stored = JSON.parse(await readFile(deviceIdentityPath, 'utf8')) as Record<string, unknown>;
    const otherKey = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const { client } = await newClient(gateway, IN_PROCESS_GATEWAY_TOKEN, { ...stored, privateKeyPem: otherKey });
    const refused = await refusedConnect(client);

    expect(refused.closed).toEqual({ code: 1008, reason: 'device signature does not verify' });
    expect(refused.responses).toEqual([
      {
        type: 'res',
        id: expect.any(String),
        ok: false,
        error: {
          code: 'INVALID_REQUEST',
          message: 'device signature does not verify',
          details: { code: 'DEVICE_AUTH_SIGNATURE_INVALID' },
        },
      },
    ]);
    // The same identity with its own key connects.
    await genuine.connect();
    expect(genuine.isConnected).toBe(true);
  });
});
