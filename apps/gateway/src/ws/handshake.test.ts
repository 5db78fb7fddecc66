/**
 * Every row of the handshake table (docs/ws-protocol.md#handshake), against a real gateway and the
 * `ws` client: exact error objects, close codes and reasons.
 */
import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { openRawSocket } from '../__fixtures__/raw-socket.js';
import { connectClient, connectParams, openSocket, requestId, wsUrl } from './__fixtures__/protocol-client.js';
import { ADVERTISED_METHODS, TOKEN_MISMATCH_ERROR } from './__fixtures__/protocol-expectations.js';
import { IN_PROCESS_GATEWAY_TOKEN, useInProcessGateways } from '../__fixtures__/in-process-gateway.js';

const start = useInProcessGateways();

/** A client's text frame (https://www.rfc-editor.org/rfc/rfc6455#section-5.2: masked, payload under 64 KiB), to write several in one TCP write. */
function maskedTextFrame(text: string): Buffer {
  const payload = Buffer.from(text);
  const mask = Buffer.from([1, 2, 3, 4]);
  const header =
    payload.length < 126
      ? Buffer.from([0x81, 0x80 | payload.length])
      : Buffer.from([0x81, 0xfe, payload.length >> 8, payload.length & 0xff]);
  const masked = Buffer.from(payload.map((byte, index) => byte ^ (mask[index % 4] as number)));
  return Buffer.concat([header, mask, masked]);
}

/** Sends `connect` with `params` and returns its answer and how the socket then closed. */
async function connectWith(url: string, params: unknown, options = {}) {
  const client = await openSocket(wsUrl(url), options);
  const id = requestId('connect');
  client.send({ type: 'req', id, method: 'connect', ...(params === undefined ? {} : { params }) });
  const response = await client.waitFor((frame) => frame.id === id);
  return { response, close: await client.closed, client };
}

describe('WebSocket handshake', () => {
  it('sends connect.challenge first, unprompted: a uuid nonce and a timestamp, without seq', async () => {
    const gateway = await start();
    const before = Date.now();
    const client = await openSocket(wsUrl(gateway.url, '/any/path?x=1'));
    expect(client.frames[0]).toEqual({
      type: 'event',
      event: 'connect.challenge',
      payload: { nonce: expect.stringMatching(/^[0-9a-f-]{36}$/), ts: expect.any(Number) },
    });
    expect(client.challenge.ts).toBeGreaterThanOrEqual(before);
    client.close();
  });

  it('answers hello-ok with exactly its seven keys, protocol 4 and the requested scopes', async () => {
    const gateway = await start();
    const client = await connectClient(wsUrl(gateway.url), IN_PROCESS_GATEWAY_TOKEN, { scopes: ['operator.read'] });
    expect(Object.keys(client.hello).sort()).toEqual(
      ['auth', 'features', 'policy', 'protocol', 'server', 'snapshot', 'type'].sort(),
    );
    expect(client.hello).toMatchObject({
      type: 'hello-ok',
      protocol: 4,
      server: { version: expect.any(String), connId: expect.stringMatching(/^[0-9a-f-]{36}$/) },
      features: {
        methods: ADVERTISED_METHODS,
        events: ['connect.challenge', 'agent', 'chat', 'tick', 'health', 'shutdown'],
      },
      snapshot: {
        presence: [],
        stateVersion: { presence: 0, health: expect.any(Number) },
        uptimeMs: expect.any(Number),
        healthOk: true,
        sessionDefaults: { defaultAgentId: 'main', mainKey: 'main', mainSessionKey: 'agent:main:main' },
        authMode: 'token',
      },
      auth: { method: 'token', role: 'operator', scopes: ['operator.read'] },
      policy: { maxPayload: 25 * 1024 * 1024, maxBufferedBytes: 50 * 1024 * 1024, tickIntervalMs: 30_000 },
    });
    expect(client.hello).not.toHaveProperty('auth.deviceToken');
    client.close();
  });

  it('accepts the secret as auth.password too, and grants only operator scopes it knows', async () => {
    const gateway = await start();
    const client = await connectClient(wsUrl(gateway.url), undefined, {
      auth: { password: IN_PROCESS_GATEWAY_TOKEN },
      scopes: ['operator.write', 'operator.pairing', 'something.else'],
    });
    expect(client.hello.auth.scopes).toEqual(['operator.write']);
    client.close();
  });

  it('refuses a protocol range without 4: INVALID_REQUEST with the ranges, close 1002', async () => {
    const gateway = await start();
    const { response, close } = await connectWith(
      gateway.url,
      connectParams({ minProtocol: 1, maxProtocol: 3, auth: { token: IN_PROCESS_GATEWAY_TOKEN } }),
    );
    expect(response.error).toEqual({
      code: 'INVALID_REQUEST',
      message: 'protocol mismatch',
      details: { code: 'PROTOCOL_MISMATCH', clientMinProtocol: 1, clientMaxProtocol: 3, expectedProtocol: 4 },
    });
    expect(close).toEqual({ code: 1002, reason: 'protocol mismatch' });
  });

  it('refuses a wrong token with the exact error, then closes 1008 with the message as reason', async () => {
    const gateway = await start();
    const { response, close } = await connectWith(gateway.url, connectParams({ auth: { token: 'wrong' } }));
    expect(response).toEqual({ type: 'res', id: response.id, ok: false, error: TOKEN_MISMATCH_ERROR });
    expect(close).toEqual({ code: 1008, reason: TOKEN_MISMATCH_ERROR.message });
  });

  it('refuses no credential and no device as NOT_PAIRED, close 1008', async () => {
    const gateway = await start();
    const { response, close } = await connectWith(gateway.url, connectParams());
    expect(response.error).toEqual({
      code: 'NOT_PAIRED',
      message: 'device identity required',
      details: { code: 'DEVICE_IDENTITY_REQUIRED' },
    });
    expect(close).toEqual({ code: 1008, reason: 'device identity required' });
  });

  it('refuses role node (no pairing) as NOT_PAIRED and an unknown role as invalid', async () => {
    const gateway = await start();
    const node = await connectWith(
      gateway.url,
      connectParams({ role: 'node', auth: { token: IN_PROCESS_GATEWAY_TOKEN } }),
    );
    expect(node.response.error?.code).toBe('NOT_PAIRED');
    expect(node.close.code).toBe(1008);
    const admin = await connectWith(
      gateway.url,
      connectParams({ role: 'admin', auth: { token: IN_PROCESS_GATEWAY_TOKEN } }),
    );
    expect(admin.response.error).toEqual({ code: 'INVALID_REQUEST', message: 'invalid role' });
    expect(admin.close).toEqual({ code: 1008, reason: 'invalid role' });
  });

  it.each([
    [
      'an unknown key',
      connectParams({ auth: { token: IN_PROCESS_GATEWAY_TOKEN }, extra: 1 }),
      "must NOT have additional property 'extra'",
    ],
    [
      'an unknown client id',
      connectParams({
        auth: { token: IN_PROCESS_GATEWAY_TOKEN },
        client: { id: 'curl', version: '1', platform: 'x', mode: 'cli' },
      }),
      '/client/id must be equal to one of the allowed values',
    ],
    ['no params', undefined, "must have required property 'params'"],
    [
      'a missing client',
      { minProtocol: 4, maxProtocol: 4, auth: { token: IN_PROCESS_GATEWAY_TOKEN } },
      "must have required property 'client'",
    ],
  ])('refuses connect with %s: invalid connect params, close 1008', async (_name, params, problem) => {
    const gateway = await start();
    const { response, close } = await connectWith(gateway.url, params);
    expect(response.error).toEqual({ code: 'INVALID_REQUEST', message: `invalid connect params: ${problem}` });
    expect(close).toEqual({ code: 1008, reason: `invalid connect params: ${problem}` });
  });

  it('refuses a first request other than connect, close 1008', async () => {
    const gateway = await start();
    const client = await openSocket(wsUrl(gateway.url));
    const response = await client.request('health', {});
    expect(response.error).toEqual({
      code: 'INVALID_REQUEST',
      message: 'invalid handshake: first request must be connect',
    });
    expect(await client.closed).toEqual({ code: 1008, reason: 'invalid handshake: first request must be connect' });
  });

  it('closes 1008 on a res frame first, and 1000 on text that is not JSON', async () => {
    const gateway = await start();
    const res = await openSocket(wsUrl(gateway.url));
    res.send({ type: 'res', id: 'x', ok: true, payload: {} });
    expect(await res.closed).toEqual({ code: 1008, reason: 'invalid request frame' });
    const text = await openSocket(wsUrl(gateway.url));
    text.send('hello?');
    expect((await text.closed).code).toBe(1000);
  });

  it('closes 1000 when no connect arrives within the handshake timeout', async () => {
    const gateway = await start({ gateway: { ws: { handshakeTimeoutMs: 150 } } });
    const client = await openSocket(wsUrl(gateway.url));
    expect(await client.closed).toEqual({ code: 1000, reason: 'handshake timeout' });
  });

  it('closes 1008 when more than 15 frames queue behind the connect', async () => {
    const gateway = await start();
    const client = await openSocket(wsUrl(gateway.url));
    // One TCP write holding connect and 16 more frames, so they all arrive while connect is checked.
    const frame = (value: unknown) => maskedTextFrame(JSON.stringify(value));
    const buffers = [
      frame({
        type: 'req',
        id: 'c',
        method: 'connect',
        params: connectParams({ auth: { token: IN_PROCESS_GATEWAY_TOKEN } }),
      }),
    ];
    for (let index = 0; index < 16; index += 1) buffers.push(frame({ type: 'req', id: `h${index}`, method: 'health' }));
    (client.ws as unknown as { _socket: import('node:net').Socket })._socket.write(Buffer.concat(buffers));
    expect(await client.closed).toEqual({ code: 1008, reason: 'too many pending handshake frames' });
  });

  it('answers frames queued behind connect once hello-ok is out, in order', async () => {
    const gateway = await start();
    const client = await openSocket(wsUrl(gateway.url));
    client.send({
      type: 'req',
      id: 'c',
      method: 'connect',
      params: connectParams({ auth: { token: IN_PROCESS_GATEWAY_TOKEN } }),
    });
    client.send({ type: 'req', id: 'h1', method: 'health' });
    const health = await client.waitFor((frame) => frame.id === 'h1');
    expect(health.ok).toBe(true);
    expect(client.frames.map((frame) => frame.id ?? frame.event)).toEqual(['connect.challenge', 'c', 'h1']);
    client.close();
  });

  it('refuses a page from another origin (1008) and admits its own origin and allowedOrigins', async () => {
    const gateway = await start({ gateway: { ws: { allowedOrigins: ['https://app.example.com'] } } });
    const evil = await connectWith(gateway.url, connectParams({ auth: { token: IN_PROCESS_GATEWAY_TOKEN } }), {
      origin: 'https://evil.example.com',
    });
    expect(evil.response.error).toEqual({
      code: 'INVALID_REQUEST',
      message: 'origin not allowed',
      details: { code: 'CONTROL_UI_ORIGIN_NOT_ALLOWED' },
    });
    expect(evil.close).toEqual({ code: 1008, reason: 'origin not allowed' });
    const own = await connectClient(wsUrl(gateway.url), IN_PROCESS_GATEWAY_TOKEN, {}, { origin: gateway.url });
    expect(own.hello.type).toBe('hello-ok');
    own.close();
    const allowed = await connectClient(
      wsUrl(gateway.url),
      IN_PROCESS_GATEWAY_TOKEN,
      {},
      { origin: 'https://app.example.com' },
    );
    expect(allowed.hello.type).toBe('hello-ok');
    allowed.close();
  });

  it('verifies a device block: a valid signature is admitted, a bad one refused with DEVICE_AUTH_*', async () => {
    const gateway = await start();
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const raw = publicKey.export({ type: 'spki', format: 'der' }).subarray(12);
    const deviceId = createHash('sha256').update(raw).digest('hex');
    const scopes = ['operator.read'];
    const deviceFor = (nonce: string, signedNonce = nonce) => {
      const signedAt = Date.now();
      const payload = [
        'v2',
        deviceId,
        'test',
        'test',
        'operator',
        scopes.join(','),
        signedAt,
        IN_PROCESS_GATEWAY_TOKEN,
        signedNonce,
      ];
      return {
        id: deviceId,
        publicKey: raw.toString('base64url'),
        signature: sign(null, Buffer.from(payload.join('|')), privateKey).toString('base64url'),
        signedAt,
        nonce,
      };
    };
    const good = await openSocket(wsUrl(gateway.url));
    const hello = await good.request(
      'connect',
      connectParams({ scopes, auth: { token: IN_PROCESS_GATEWAY_TOKEN }, device: deviceFor(good.challenge.nonce) }),
    );
    expect(hello.payload?.type).toBe('hello-ok');
    good.close();

    const bad = await openSocket(wsUrl(gateway.url));
    const refused = await bad.request(
      'connect',
      connectParams({
        scopes,
        auth: { token: IN_PROCESS_GATEWAY_TOKEN },
        device: deviceFor(bad.challenge.nonce, 'other-nonce'),
      }),
    );
    expect(refused.error).toEqual({
      code: 'INVALID_REQUEST',
      message: expect.stringMatching(/^device signature/),
      details: { code: 'DEVICE_AUTH_SIGNATURE_INVALID' },
    });
    expect((await bad.closed).code).toBe(1008);
  });

  it('answers an upgrade without Sec-WebSocket-Key with 400, and 404 when gateway.ws.enabled is false', async () => {
    const gateway = await start();
    const port = Number(new URL(gateway.url).port);
    const raw = await openRawSocket(port);
    raw.socket.write(
      'GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n\r\n',
    );
    expect((await raw.closed).text).toMatch(/^HTTP\/1\.1 400 /);

    const off = await start({ gateway: { ws: { enabled: false } } });
    const refused = await openRawSocket(Number(new URL(off.url).port));
    refused.socket.write(
      'GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n' +
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
    );
    expect((await refused.closed).text).toBe(
      'HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n',
    );
  });
});

describe('WebSocket auth shares the HTTP failure rate limiter', () => {
  it('locks a client after exactly N wrong secrets spread over HTTP and WebSocket', async () => {
    const gateway = await start({ gateway: { auth: { rateLimit: { maxAttempts: 3, exemptLoopback: false } } } });
    const http = (token: string) =>
      fetch(`${gateway.url}/v1/models`, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.status);
    expect(await http('wrong-1')).toBe(401);
    const second = await connectWith(gateway.url, connectParams({ auth: { token: 'wrong-2' } }));
    expect(second.response.error).toEqual(TOKEN_MISMATCH_ERROR);
    expect(await http('wrong-3')).toBe(401);
    // Locked now: even the right secret is refused, on both doors.
    const locked = await connectWith(gateway.url, connectParams({ auth: { token: IN_PROCESS_GATEWAY_TOKEN } }));
    expect(locked.response.error).toEqual({
      ...TOKEN_MISMATCH_ERROR,
      retryable: true,
      retryAfterMs: expect.any(Number),
    });
    expect(locked.response.error?.retryAfterMs).toBeGreaterThan(0);
    expect(locked.close.code).toBe(1008);
    expect(await http(IN_PROCESS_GATEWAY_TOKEN)).toBe(429);
  });
});
