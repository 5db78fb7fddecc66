/**
 * The page's connection to the gateway: one WebSocket speaking protocol v4 (docs/ws-protocol.md).
 * It answers the challenge with `connect` (as `webchat-ui` in `webchat` mode), matches responses to
 * requests by id, hands events on, and reconnects with backoff when the socket drops. A refused
 * handshake (a wrong token) is final: retrying the same secret would only feed the gateway's
 * failure limiter (docs/ws-protocol.md#handshake).
 */
import { nextReconnectDelay, type ReconnectBackoff } from './reconnect-delay.js';
import type { ProtocolError, ServerFrame } from './protocol.js';

/** The part of the browser's `WebSocket` the client uses (a fake in tests). */
export interface SocketLike {
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  addEventListener(type: 'close', listener: (event: { code: number; reason: string }) => void): void;
}

/** Where the connection stands, for the page to show. */
export type ConnectionStatus =
  | { state: 'connecting' }
  | { state: 'connected' }
  | { state: 'reconnecting'; delayMs: number; reason: string }
  | { state: 'refused'; error: ProtocolError }
  | { state: 'closed' };

/** A request the gateway answered with `ok: false`, or one that never got its answer. */
export class GatewayRequestError extends Error {
  readonly code: string;
  readonly details: ProtocolError['details'];

  constructor(error: ProtocolError) {
    super(error.message);
    this.name = 'GatewayRequestError';
    this.code = error.code;
    this.details = error.details;
  }
}

/** Options of {@link createGatewayClient}. */
export interface GatewayClientOptions {
  /** `ws(s)://<the page's host>/`. */
  url: string;
  /** The gateway token (or password), sent only in `connect`. */
  token: string;
  /** The page's version, sent as `client.version`. */
  clientVersion: string;
  /** Opens a socket. @defaultValue the browser's `WebSocket` */
  openSocket?: (url: string) => SocketLike;
  onStatus?: (status: ConnectionStatus) => void;
  /** Every event after the handshake (`chat`, `agent`, `tick`, `health`, `shutdown`). */
  onEvent?: (event: string, payload: unknown) => void;
  /** @defaultValue 500 ms doubling to 15 s */
  backoff?: ReconnectBackoff;
  /** Jitter source in [0, 1). @defaultValue `Math.random` */
  random?: () => number;
  /** Timer used for reconnect waits. @defaultValue `setTimeout` */
  setTimer?: (callback: () => void, ms: number) => unknown;
  clearTimer?: (timer: unknown) => void;
}

/** What the page calls. */
export interface GatewayClient {
  /** Sends a request once connected; resolves with its payload, rejects with {@link GatewayRequestError}. */
  request<Payload>(method: string, params?: Record<string, unknown>): Promise<Payload>;
  /** Closes for good: no reconnect. */
  close(): void;
}

const PROTOCOL_VERSION = 4;
const DEFAULT_BACKOFF: ReconnectBackoff = { initialMs: 500, maxMs: 15_000 };
/** The handshake's own request id; page requests are numbered. */
const CONNECT_ID = 'connect';

interface PendingRequest {
  resolve(payload: unknown): void;
  reject(error: GatewayRequestError): void;
}

/**
 * Connects at once and keeps connecting until {@link GatewayClient.close} or a refused handshake.
 *
 * @example
 * const client = createGatewayClient({ url: 'ws://127.0.0.1:18789/', token, clientVersion: '1.0.0' });
 * const health = await client.request('health');
 */
export function createGatewayClient(options: GatewayClientOptions): GatewayClient {
  const openSocket: (url: string) => SocketLike = options.openSocket ?? ((url) => new WebSocket(url));
  const backoff = options.backoff ?? DEFAULT_BACKOFF;
  const random = options.random ?? Math.random;
  const setTimer = options.setTimer ?? ((callback: () => void, ms: number) => setTimeout(callback, ms));
  const clearTimer = options.clearTimer ?? ((timer: unknown) => clearTimeout(timer as ReturnType<typeof setTimeout>));

  let socket: SocketLike | undefined;
  let connected = false;
  let stopped = false;
  let failedAttempts = 0;
  let reconnectTimer: unknown;
  let nextRequestId = 1;
  const pending = new Map<string, PendingRequest>();

  const report = (status: ConnectionStatus) => options.onStatus?.(status);

  function connect(): void {
    report({ state: 'connecting' });
    const current = openSocket(options.url);
    socket = current;
    current.addEventListener('message', (event) => {
      if (socket === current) receive(current, event.data);
    });
    current.addEventListener('close', (event) => {
      if (socket === current) dropped(event.reason || `closed (${event.code})`);
    });
  }

  function receive(current: SocketLike, data: unknown): void {
    let frame: ServerFrame;
    try {
      frame = JSON.parse(String(data)) as ServerFrame;
    } catch {
      return;
    }
    if (frame.type === 'event') {
      if (frame.event === 'connect.challenge' && !connected) sendConnect(current);
      else if (connected) options.onEvent?.(frame.event, frame.payload);
      return;
    }
    if (frame.type !== 'res') return;
    if (frame.id === CONNECT_ID && !connected) {
      if (frame.ok) {
        connected = true;
        failedAttempts = 0;
        report({ state: 'connected' });
      } else if (frame.error.code !== 'UNAVAILABLE') {
        // The gateway closes the socket after a refusal; do not reconnect when it does.
        stopped = true;
        socket = undefined;
        current.close();
        report({ state: 'refused', error: frame.error });
      }
      return;
    }
    const request = pending.get(frame.id);
    if (request === undefined) return;
    pending.delete(frame.id);
    if (frame.ok) request.resolve(frame.payload);
    else request.reject(new GatewayRequestError(frame.error));
  }

  function sendConnect(current: SocketLike): void {
    current.send(
      JSON.stringify({
        type: 'req',
        id: CONNECT_ID,
        method: 'connect',
        params: {
          minProtocol: PROTOCOL_VERSION,
          maxProtocol: PROTOCOL_VERSION,
          role: 'operator',
          client: { id: 'webchat-ui', version: options.clientVersion, platform: 'web', mode: 'webchat' },
          scopes: ['operator.read', 'operator.write'],
          auth: { token: options.token },
        },
      }),
    );
  }

  function dropped(reason: string): void {
    socket = undefined;
    connected = false;
    for (const request of pending.values()) {
      request.reject(new GatewayRequestError({ code: 'UNAVAILABLE', message: `connection lost: ${reason}` }));
    }
    pending.clear();
    if (stopped) return;
    const delayMs = nextReconnectDelay({ backoff, failedAttempts, random });
    failedAttempts += 1;
    report({ state: 'reconnecting', delayMs, reason });
    reconnectTimer = setTimer(() => {
      reconnectTimer = undefined;
      if (!stopped) connect();
    }, delayMs);
  }

  connect();

  return {
    request<Payload>(method: string, params: Record<string, unknown> = {}): Promise<Payload> {
      if (!connected || socket === undefined) {
        return Promise.reject(new GatewayRequestError({ code: 'UNAVAILABLE', message: 'not connected' }));
      }
      const id = String(nextRequestId++);
      const current = socket;
      return new Promise<Payload>((resolve, reject) => {
        pending.set(id, { resolve: (payload) => resolve(payload as Payload), reject });
        current.send(JSON.stringify({ type: 'req', id, method, params }));
      });
    },
    close(): void {
      stopped = true;
      if (reconnectTimer !== undefined) clearTimer(reconnectTimer);
      const current = socket;
      socket = undefined;
      connected = false;
      current?.close(1000, 'page closed');
      for (const request of pending.values()) {
        request.reject(new GatewayRequestError({ code: 'UNAVAILABLE', message: 'connection closed' }));
      }
      pending.clear();
      report({ state: 'closed' });
    },
  };
}
