/**
 * The protocol after `hello-ok` (docs/ws-protocol.md#frames-and-errors,
 * docs/ws-protocol.md#limits-and-keepalive): request errors, scopes, per-connection `seq`, frame
 * size limits, slow consumers, keepalive and `tick`, and the shutdown sequence.
 */
import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { startFakeUpstream, upstreamChunk, writeUpstreamStream } from '../__fixtures__/fake-upstream.js';
import { connectClient, openSocket, wsUrl } from './__fixtures__/protocol-client.js';
import { IN_PROCESS_GATEWAY_TOKEN, useInProcessGateways } from '../__fixtures__/in-process-gateway.js';

const start = useInProcessGateways();

describe('requests after hello-ok', () => {
  it('ignores text that is not JSON and stays usable', async () => {
    const gateway = await start();
    const client = await connectClient(wsUrl(gateway.url), IN_PROCESS_GATEWAY_TOKEN);
    client.send('not json {');
    expect((await client.request('health')).ok).toBe(true);
    client.close();
  });

  it('answers a req without id on id "invalid", with the validator wording', async () => {
    const gateway = await start();
    const client = await connectClient(wsUrl(gateway.url), IN_PROCESS_GATEWAY_TOKEN);
    client.send({ type: 'req', method: 'health' });
    expect(await client.waitFor((frame) => frame.id === 'invalid')).toEqual({
      type: 'res',
      id: 'invalid',
      ok: false,
      error: { code: 'INVALID_REQUEST', message: "invalid request frame: must have required property 'id'" },
    });
    client.close();
  });

  it('refuses an unknown method, bad params and a missing scope with the exact errors', async () => {
    const gateway = await start();
    const client = await connectClient(wsUrl(gateway.url), IN_PROCESS_GATEWAY_TOKEN, { scopes: ['operator.read'] });
    expect((await client.request('config.apply', {})).error).toEqual({
      code: 'INVALID_REQUEST',
      message: 'unknown method: config.apply',
    });
    expect((await client.request('__proto__', {})).error?.message).toBe('unknown method: __proto__');
    expect((await client.request('sessions.list', { limit: 'ten' })).error).toEqual({
      code: 'INVALID_REQUEST',
      message: 'invalid sessions.list params: /limit must be number',
    });
    expect((await client.request('chat.history', {})).error).toEqual({
      code: 'INVALID_REQUEST',
      message: "invalid chat.history params: must have required property 'sessionKey'",
    });
    expect((await client.request('agent', { message: 'hi', idempotencyKey: 'k' })).error).toEqual({
      code: 'FORBIDDEN',
      message: 'missing scope: operator.write',
      details: { code: 'MISSING_SCOPE', missingScope: 'operator.write', requiredScopes: ['operator.write'] },
    });
    client.close();
  });

  it('needs operator.admin for a second connect, which changes nothing', async () => {
    const gateway = await start();
    const plain = await connectClient(wsUrl(gateway.url), IN_PROCESS_GATEWAY_TOKEN);
    expect((await plain.request('connect', {})).error).toMatchObject({
      code: 'FORBIDDEN',
      message: 'missing scope: operator.admin',
    });
    plain.close();
    const admin = await connectClient(wsUrl(gateway.url), IN_PROCESS_GATEWAY_TOKEN, { scopes: ['operator.admin'] });
    const again = await admin.request('connect', {});
    expect(again.payload).toMatchObject({ type: 'hello-ok', server: { connId: admin.hello.server.connId } });
    expect((await admin.request('agent.wait', { runId: 'none', timeoutMs: 0 })).payload).toEqual({
      runId: 'none',
      status: 'timeout',
    });
    admin.close();
  });

  it('numbers every event of a connection 1, 2, 3… across runs and ticks', async () => {
    const gateway = await start({ gateway: { ws: { tickIntervalMs: 20 } } });
    const client = await connectClient(wsUrl(gateway.url), IN_PROCESS_GATEWAY_TOKEN);
    await client.request('agent', { message: 'one', idempotencyKey: 'seq-1' });
    await client.runEvents('seq-1');
    await client.waitFor((frame) => frame.event === 'tick');
    const seqs = client.frames
      .filter((frame) => frame.type === 'event' && frame.event !== 'connect.challenge')
      .map((frame) => frame.seq);
    expect(seqs.length).toBeGreaterThan(5);
    expect(seqs).toEqual(seqs.map((_seq, index) => index + 1));
    client.close();
  });
});

describe('limits', () => {
  it('closes 1009 for a frame over 64 KiB before the handshake', async () => {
    const gateway = await start();
    const client = await openSocket(wsUrl(gateway.url));
    client.send('x'.repeat(64 * 1024 + 1));
    expect((await client.closed).code).toBe(1009);
  });

  it('after the handshake takes frames up to gateway.ws.maxPayload, and closes 1009 above it', async () => {
    const gateway = await start({ gateway: { ws: { maxPayload: 200_000 } } });
    const client = await connectClient(wsUrl(gateway.url), IN_PROCESS_GATEWAY_TOKEN);
    expect(client.hello.policy.maxPayload).toBe(200_000);
    // 150 KB: above the handshake limit, below the configured one: answered.
    const big = await client.request('chat.history', { sessionKey: 'k', limit: 1, pad: 'x'.repeat(150_000) });
    expect(big.error?.message).toBe("invalid chat.history params: must NOT have additional property 'pad'");
    client.send('x'.repeat(200_001));
    expect((await client.closed).code).toBe(1009);
  });

  it('closes a watcher that does not read 1008 "slow consumer", while the run goes on for its starter', async () => {
    // 1,500 deltas of 10 characters: each event carries the text so far, so one run sends about
    // 22 MB, past what the kernel's socket buffers and a 256 KiB limit absorb for a reader that stopped, while each
    // event stays small.
    const upstream = await startFakeUpstream((_request, response) => {
      const frames = Array.from({ length: 1_500 }, () => upstreamChunk({ content: 'y'.repeat(10) }));
      writeUpstreamStream(response, [...frames, upstreamChunk({}, 'stop')]);
    });
    const gateway = await start({
      gateway: { ws: { maxBufferedBytes: 256 * 1024 } },
      models: { providers: { up: { baseUrl: upstream.baseUrl } } },
      agents: { defaults: { model: 'up/model' } },
    });
    try {
      const watcher = await connectClient(wsUrl(gateway.url), IN_PROCESS_GATEWAY_TOKEN);
      await watcher.request('chat.history', { sessionKey: 'slow' });
      // The watcher stops reading: its socket's receive buffer fills, then the gateway's send buffer.
      const watcherSocket = (watcher.ws as unknown as { _socket: import('node:net').Socket })._socket;
      watcherSocket.pause();
      const starter = await connectClient(wsUrl(gateway.url), IN_PROCESS_GATEWAY_TOKEN);
      await starter.request('agent', { message: 'go', idempotencyKey: 'slow-1', sessionKey: 'slow' });
      const events = await starter.runEvents('slow-1');
      expect(events.at(-1)?.payload).toMatchObject({
        state: 'final',
        message: { content: [{ text: 'y'.repeat(15_000) }] },
      });
      watcherSocket.resume();
      expect(await watcher.closed).toEqual({ code: 1008, reason: 'slow consumer' });
      starter.close();
    } finally {
      await upstream.close();
    }
  });
});

describe('keepalive', () => {
  it('pings, keeps a client that answers, terminates one that does not, and sends tick {ts}', async () => {
    const gateway = await start({ gateway: { ws: { pingIntervalMs: 50, tickIntervalMs: 50 } } });
    const answering = await connectClient(wsUrl(gateway.url), IN_PROCESS_GATEWAY_TOKEN);
    let pings = 0;
    answering.ws.on('ping', () => (pings += 1));
    const silent = await connectClient(wsUrl(gateway.url), IN_PROCESS_GATEWAY_TOKEN, {}, { autoPong: false });
    expect((await silent.closed).code).toBe(1006);
    const tick = await answering.waitFor((frame) => frame.event === 'tick');
    expect(tick.payload).toEqual({ ts: expect.any(Number) });
    expect(pings).toBeGreaterThan(0);
    expect(answering.ws.readyState).toBe(WebSocket.OPEN);
    answering.close();
  });
});

describe('shutdown', () => {
  it('sends shutdown, lets a running turn finish, then closes 1012; new turns are refused', async () => {
    const gateway = await start({ models: { providers: { offline: { api: 'offline', delayMs: 40 } } } });
    const client = await connectClient(wsUrl(gateway.url), IN_PROCESS_GATEWAY_TOKEN);
    const accepted = await client.request('agent', { message: 'a b c d', idempotencyKey: 'drain-1' });
    expect(accepted.payload.status).toBe('accepted');
    await client.waitFor((frame) => frame.event === 'chat' && frame.payload.state === 'delta');
    const stopping = gateway.gateway.shutdown({ deadlineMs: 10_000 });
    const notice = await client.waitFor((frame) => frame.event === 'shutdown');
    expect(notice.payload).toEqual({ reason: 'gateway stopping', restartExpectedMs: null });
    const refused = await client.request('chat.send', { sessionKey: 's', message: 'x', idempotencyKey: 'late' });
    expect(refused.error).toEqual({ code: 'UNAVAILABLE', message: 'gateway is shutting down', retryable: true });
    const final = await client.waitFor((frame) => frame.id === accepted.id && frame.payload?.status === 'ok');
    expect(final.payload.summary).toBe('completed');
    expect(await client.closed).toEqual({ code: 1012, reason: 'gateway restarting' });
    expect((await stopping).timedOut).toBe(false);
  });

  it('at the deadline ends open runs with the shutdown error and closes 1012', async () => {
    const gateway = await start({ models: { providers: { offline: { api: 'offline', delayMs: 5_000 } } } });
    const client = await connectClient(wsUrl(gateway.url), IN_PROCESS_GATEWAY_TOKEN);
    const accepted = await client.request('agent', { message: 'a b c', idempotencyKey: 'cut-1' });
    await client.waitFor((frame) => frame.event === 'agent' && frame.payload.stream === 'assistant');
    const result = await gateway.gateway.shutdown({ deadlineMs: 50 });
    expect(result.timedOut).toBe(true);
    const final = await client.waitFor((frame) => frame.id === accepted.id && frame.ok === false);
    expect(final.error).toEqual({ code: 'UNAVAILABLE', message: 'gateway is shutting down', retryable: true });
    const events = await client.runEvents('cut-1');
    expect(events.at(-1)?.payload).toMatchObject({ state: 'error', errorMessage: 'gateway is shutting down' });
    expect((await client.closed).code).toBe(1012);
  });
});
