import { describe, expect, it } from 'vitest';
import {
  type ConnectionStatus,
  createGatewayClient,
  GatewayRequestError,
  type GatewayClientOptions,
  type SocketLike,
} from './gateway-client.js';

/** A socket the test plays the gateway on: it sees what the client sends and pushes frames back. */
class FakeSocket implements SocketLike {
  readonly sent: Record<string, unknown>[] = [];
  closedWith: { code: number | undefined; reason: string | undefined } | undefined;
  private readonly listeners = {
    message: [] as ((event: { data: unknown }) => void)[],
    close: [] as ((event: { code: number; reason: string }) => void)[],
  };

  constructor(readonly url: string) {}

  send(data: string): void {
    this.sent.push(JSON.parse(data) as Record<string, unknown>);
  }

  close(code?: number, reason?: string): void {
    this.closedWith = { code, reason };
  }

  addEventListener(type: 'message' | 'close', listener: (event: never) => void): void {
    (this.listeners[type] as ((event: never) => void)[]).push(listener);
  }

  /** The gateway sends a frame. */
  push(frame: unknown): void {
    for (const listener of this.listeners.message) listener({ data: JSON.stringify(frame) });
  }

  /** The connection drops. */
  drop(code = 1006, reason = ''): void {
    for (const listener of this.listeners.close) listener({ code, reason });
  }

  challenge(): void {
    this.push({ type: 'event', event: 'connect.challenge', payload: { nonce: 'n-1', ts: 1 } });
  }

  helloOk(): void {
    this.push({ type: 'res', id: 'connect', ok: true, payload: { type: 'hello-ok', protocol: 4 } });
  }
}

function setUp(overrides: Partial<GatewayClientOptions> = {}) {
  const sockets: FakeSocket[] = [];
  const statuses: ConnectionStatus[] = [];
  const events: { event: string; payload: unknown }[] = [];
  const timers: { callback: () => void; ms: number; cleared: boolean }[] = [];
  const client = createGatewayClient({
    url: 'ws://127.0.0.1:18789/',
    token: 'secret-token',
    clientVersion: '1.2.3',
    openSocket: (url) => {
      const socket = new FakeSocket(url);
      sockets.push(socket);
      return socket;
    },
    onStatus: (status) => statuses.push(status),
    onEvent: (event, payload) => events.push({ event, payload }),
    random: () => 0,
    backoff: { initialMs: 100, maxMs: 1000 },
    setTimer: (callback, ms) => {
      const timer = { callback, ms, cleared: false };
      timers.push(timer);
      return timer;
    },
    clearTimer: (timer) => {
      (timer as { cleared: boolean }).cleared = true;
    },
    ...overrides,
  });
  const socket = () => sockets[sockets.length - 1] as FakeSocket;
  const connect = () => {
    socket().challenge();
    socket().helloOk();
  };
  /** Fires the pending reconnect timer, as its delay passing would. */
  const fireTimer = () => {
    const timer = timers.find((candidate) => !candidate.cleared);
    if (timer === undefined) throw new Error('no timer pending');
    timer.cleared = true;
    timer.callback();
  };
  return { client, sockets, socket, statuses, events, timers, connect, fireTimer };
}

describe('createGatewayClient: handshake', () => {
  it('answers the challenge with connect as webchat-ui in webchat mode, with the token, and reports connected', () => {
    const { socket, statuses } = setUp();
    expect(socket().url).toBe('ws://127.0.0.1:18789/');
    expect(socket().sent).toEqual([]);
    socket().challenge();
    expect(socket().sent).toEqual([
      {
        type: 'req',
        id: 'connect',
        method: 'connect',
        params: {
          minProtocol: 4,
          maxProtocol: 4,
          role: 'operator',
          client: { id: 'webchat-ui', version: '1.2.3', platform: 'web', mode: 'webchat' },
          scopes: ['operator.read', 'operator.write'],
          auth: { token: 'secret-token' },
        },
      },
    ]);
    expect(statuses).toEqual([{ state: 'connecting' }]);
    socket().helloOk();
    expect(statuses).toEqual([{ state: 'connecting' }, { state: 'connected' }]);
  });

  it('a refused token is final: status refused with the gateway error, the socket closed, no reconnect', () => {
    const { socket, sockets, statuses, timers } = setUp();
    socket().challenge();
    const error = {
      code: 'INVALID_REQUEST',
      message: 'unauthorized: gateway token mismatch',
      details: { code: 'AUTH_TOKEN_MISMATCH' },
    };
    socket().push({ type: 'res', id: 'connect', ok: false, error });
    expect(statuses.at(-1)).toEqual({ state: 'refused', error });
    expect(socket().closedWith).toBeDefined();
    socket().drop(1008, 'unauthorized');
    expect(timers).toEqual([]);
    expect(sockets).toHaveLength(1);
  });

  it('an UNAVAILABLE handshake (the auth store is down) is retried after the close', () => {
    const { socket, sockets, statuses, fireTimer } = setUp();
    socket().challenge();
    socket().push({ type: 'res', id: 'connect', ok: false, error: { code: 'UNAVAILABLE', message: 'try later' } });
    socket().drop(1013, 'authentication temporarily unavailable');
    expect(statuses.at(-1)).toEqual({
      state: 'reconnecting',
      delayMs: 50,
      reason: 'authentication temporarily unavailable',
    });
    fireTimer();
    expect(sockets).toHaveLength(2);
  });

  it('events before hello-ok other than the challenge are not handed on', () => {
    const { socket, events } = setUp();
    socket().push({ type: 'event', event: 'tick', payload: { ts: 1 } });
    expect(events).toEqual([]);
  });
});

describe('createGatewayClient: requests and events', () => {
  it('matches each response to its request by id, in whatever order they come', async () => {
    const { client, socket, connect } = setUp();
    connect();
    const health = client.request('health');
    const sessions = client.request('sessions.list', { limit: 5 });
    const [first, second] = socket().sent.slice(1) as { id: string; method: string; params: unknown }[];
    expect(first).toEqual({ type: 'req', id: '1', method: 'health', params: {} });
    expect(second).toEqual({ type: 'req', id: '2', method: 'sessions.list', params: { limit: 5 } });
    socket().push({ type: 'res', id: '2', ok: true, payload: { sessions: [] } });
    socket().push({ type: 'res', id: '1', ok: true, payload: { ok: true } });
    await expect(health).resolves.toEqual({ ok: true });
    await expect(sessions).resolves.toEqual({ sessions: [] });
  });

  it('an ok:false response rejects with the gateway code and message', async () => {
    const { client, socket, connect } = setUp();
    connect();
    const send = client.request('chat.send', { sessionKey: 'k' });
    socket().push({
      type: 'res',
      id: '1',
      ok: false,
      error: { code: 'INVALID_REQUEST', message: "invalid chat.send params: must have required property 'message'" },
    });
    const error = await send.catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(GatewayRequestError);
    expect(error).toMatchObject({
      code: 'INVALID_REQUEST',
      message: "invalid chat.send params: must have required property 'message'",
    });
  });

  it('a request before the handshake rejects at once with UNAVAILABLE, sending nothing', async () => {
    const { client, socket } = setUp();
    await expect(client.request('health')).rejects.toMatchObject({ code: 'UNAVAILABLE', message: 'not connected' });
    expect(socket().sent).toEqual([]);
  });

  it('hands on events after the handshake; frames that are not JSON are ignored', () => {
    const { socket, events, connect } = setUp();
    connect();
    socket().push({ type: 'event', event: 'chat', payload: { state: 'delta', deltaText: 'Hi' }, seq: 1 });
    for (const listener of (socket() as unknown as { listeners: { message: ((e: { data: unknown }) => void)[] } })
      .listeners.message)
      listener({ data: 'not json' });
    expect(events).toEqual([{ event: 'chat', payload: { state: 'delta', deltaText: 'Hi' } }]);
  });
});

describe('createGatewayClient: reconnect with backoff', () => {
  it('a dropped connection rejects pending requests, then reconnects after a growing delay, reset by a hello-ok', async () => {
    const { client, socket, sockets, statuses, timers, connect, fireTimer } = setUp();
    connect();
    const pending = client.request('health');
    socket().drop(1006, '');
    await expect(pending).rejects.toMatchObject({ code: 'UNAVAILABLE', message: 'connection lost: closed (1006)' });
    expect(statuses.at(-1)).toEqual({ state: 'reconnecting', delayMs: 50, reason: 'closed (1006)' });

    // Two failed attempts in a row: the ceiling doubles each time (random 0 → half of it).
    fireTimer();
    expect(sockets).toHaveLength(2);
    socket().drop(1006, '');
    fireTimer();
    socket().drop(1012, 'gateway restarting');
    expect(timers.map((timer) => timer.ms)).toEqual([50, 100, 200]);
    expect(statuses.at(-1)).toEqual({ state: 'reconnecting', delayMs: 200, reason: 'gateway restarting' });

    // A successful handshake resets the backoff.
    fireTimer();
    connect();
    expect(statuses.at(-1)).toEqual({ state: 'connected' });
    socket().drop(1006, '');
    expect(timers.at(-1)?.ms).toBe(50);
    expect(sockets).toHaveLength(4);
  });

  it('close() stops for good: the socket is closed, a pending reconnect is cancelled, nothing reopens', () => {
    const { client, socket, sockets, statuses, timers, connect } = setUp();
    connect();
    const first = socket();
    client.close();
    expect(first.closedWith).toEqual({ code: 1000, reason: 'page closed' });
    expect(statuses.at(-1)).toEqual({ state: 'closed' });
    first.drop(1000, 'page closed');
    expect(timers).toEqual([]);
    expect(sockets).toHaveLength(1);
  });

  it('close() during a reconnect wait cancels the timer', () => {
    const { client, socket, timers } = setUp();
    socket().drop();
    expect(timers).toHaveLength(1);
    client.close();
    expect(timers[0]?.cleared).toBe(true);
  });
});
