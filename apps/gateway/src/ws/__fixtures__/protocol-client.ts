/**
 * A WebSocket protocol client for tests, on the `ws` package: it records every frame, waits for
 * frames by predicate (never by sleeping) and does the `connect` handshake.
 */
import { WebSocket, type ClientOptions } from 'ws';

/** Any frame the gateway sent, parsed. */
export interface Frame {
  type: 'res' | 'event';
  id?: string;
  ok?: boolean;
  // biome-ignore lint/suspicious/noExplicitAny: tests read whatever payload they then assert on
  payload?: any;
  error?: {
    code: string;
    message: string;
    details?: Record<string, unknown>;
    retryable?: boolean;
    retryAfterMs?: number;
  };
  event?: string;
  seq?: number;
}

export interface ProtocolClient {
  ws: WebSocket;
  /** Every frame received so far, in order. */
  frames: Frame[];
  /** The challenge's payload. */
  challenge: { nonce: string; ts: number };
  /** Resolves with the close code and reason. */
  closed: Promise<{ code: number; reason: string }>;
  send(frame: unknown): void;
  /** The first frame (past or future) that matches. */
  waitFor(predicate: (frame: Frame) => boolean, timeoutMs?: number): Promise<Frame>;
  /** Sends a `req` and resolves with its first `res`. */
  request(method: string, params?: unknown, id?: string): Promise<Frame>;
  /** Every event of one run (`agent` and `chat`), up to and including its `chat` final/aborted/error. */
  runEvents(runId: string): Promise<Frame[]>;
  close(): void;
}

let nextId = 0;
/** A fresh request id. */
export function requestId(prefix = 'r'): string {
  nextId += 1;
  return `${prefix}-${nextId}`;
}

/** The gateway URL as `ws://`. */
export function wsUrl(httpUrl: string, path = '/'): string {
  return `${httpUrl.replace(/^http/, 'ws')}${path}`;
}

/** Opens a socket and waits for the challenge (no `connect` yet). */
export async function openSocket(url: string, options: ClientOptions = {}): Promise<ProtocolClient> {
  const ws = new WebSocket(url, options);
  const frames: Frame[] = [];
  const waiters: Array<{ predicate: (frame: Frame) => boolean; resolve: (frame: Frame) => void }> = [];
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  ws.on('error', () => undefined);
  ws.on('message', (data) => {
    const frame = JSON.parse(String(data)) as Frame;
    frames.push(frame);
    for (const waiter of [...waiters]) {
      if (waiter.predicate(frame)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(frame);
      }
    }
  });
  const waitFor = (predicate: (frame: Frame) => boolean, timeoutMs = 10_000) => {
    const seen = frames.find(predicate);
    if (seen) return Promise.resolve(seen);
    return new Promise<Frame>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no matching frame in time')), timeoutMs);
      waiters.push({
        predicate,
        resolve: (frame) => {
          clearTimeout(timer);
          resolve(frame);
        },
      });
      void closed.then(({ code, reason }) => {
        clearTimeout(timer);
        reject(new Error(`socket closed (${code} ${reason}) before a matching frame`));
      });
    });
  };
  const challengeFrame = await waitFor((frame) => frame.event === 'connect.challenge');
  const client: ProtocolClient = {
    ws,
    frames,
    challenge: challengeFrame.payload,
    closed,
    send: (frame) => ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame)),
    waitFor,
    request(method, params, id = requestId()) {
      const response = waitFor((frame) => frame.type === 'res' && frame.id === id);
      client.send({ type: 'req', id, method, ...(params === undefined ? {} : { params }) });
      return response;
    },
    async runEvents(runId) {
      await waitFor(
        (frame) =>
          frame.event === 'chat' &&
          frame.payload?.runId === runId &&
          ['final', 'aborted', 'error'].includes(frame.payload?.state),
      );
      return frames.filter((frame) => frame.type === 'event' && frame.payload?.runId === runId);
    },
    close: () => ws.close(),
  };
  return client;
}

/** `connect` params a test client sends; override any field. */
export function connectParams(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    minProtocol: 4,
    maxProtocol: 4,
    client: { id: 'test', version: '1.0.0', platform: 'linux', mode: 'test' },
    role: 'operator',
    scopes: ['operator.read', 'operator.write'],
    ...overrides,
  };
}

/** Opens a socket and completes the handshake with `token`; resolves after `hello-ok`. */
export async function connectClient(
  url: string,
  token: string | undefined,
  overrides: Record<string, unknown> = {},
  options: ClientOptions = {},
): Promise<ProtocolClient & { hello: Frame['payload'] }> {
  const client = await openSocket(url, options);
  const response = await client.request(
    'connect',
    connectParams({ ...(token === undefined ? {} : { auth: { token } }), ...overrides }),
  );
  if (!response.ok) throw new Error(`connect refused: ${JSON.stringify(response.error)}`);
  return Object.assign(client, { hello: response.payload });
}
