/**
 * A raw TCP client for tests that must see exactly what the server writes and when it closes the
 * connection, which an HTTP client hides (it pools, retries and parses).
 */
import net from 'node:net';

/** How a raw connection ended. */
export interface RawSocketEnd {
  /** `Date.now()` when the socket closed. */
  at: number;
  /** Everything received before the close. */
  text: string;
  /** The socket error's code, when it ended with one (e.g. `ECONNRESET`). */
  error?: string;
}

/** An open raw connection; see {@link openRawSocket}. */
export interface RawSocket {
  socket: net.Socket;
  /** Everything received so far (latin1, so byte counts hold). */
  received(): string;
  /**
   * Resolves with the text received so far once `predicate` holds for it, with `Date.now()` at
   * that moment; rejects when the socket closes first.
   */
  waitFor(predicate: (text: string) => boolean): Promise<{ at: number; text: string }>;
  /** Resolves once the socket closed, whoever closed it; never rejects. */
  closed: Promise<RawSocketEnd>;
}

/**
 * Connects to `127.0.0.1:port` and keeps reading (a socket that is not read never sees the peer's
 * close), recording everything that arrives.
 *
 * @param port - The server's port.
 * @returns The socket once connected.
 */
export function openRawSocket(port: number): Promise<RawSocket> {
  const socket = net.connect(port, '127.0.0.1');
  socket.setEncoding('latin1');
  let text = '';
  let error: string | undefined;
  const waiters = new Set<() => void>();
  socket.on('data', (piece: string) => {
    text += piece;
    for (const check of waiters) check();
  });
  socket.on('error', (cause: NodeJS.ErrnoException) => {
    error = cause.code ?? cause.message;
  });
  const closed = new Promise<RawSocketEnd>((resolve) => {
    socket.once('close', () => {
      resolve({ at: Date.now(), text, ...(error === undefined ? {} : { error }) });
      for (const check of waiters) check();
    });
  });
  const raw: RawSocket = {
    socket,
    received: () => text,
    closed,
    waitFor(predicate) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (predicate(text)) {
            waiters.delete(check);
            resolve({ at: Date.now(), text });
          } else if (socket.destroyed) {
            waiters.delete(check);
            reject(new Error(`socket closed before the expected data; received: ${JSON.stringify(text)}`));
          }
        };
        waiters.add(check);
        check();
      });
    },
  };
  return new Promise((resolve, reject) => {
    socket.once('connect', () => {
      socket.off('error', reject);
      resolve(raw);
    });
    socket.once('error', reject);
  });
}

/**
 * Races `promise` against a timer: the value, or `'timeout'` after `ms`. The bound of a test that
 * waits on an event, so a missing event fails as an assertion rather than a hung test.
 */
export async function within<T>(promise: Promise<T>, ms: number): Promise<T | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The text of a `POST /v1/chat/completions` request with a JSON body, written by hand so the test
 * chooses every header (`Connection` above all).
 *
 * @param token - Bearer token.
 * @param body - The JSON body.
 * @param headers - Extra header lines, e.g. `{ Connection: 'close' }`.
 */
export function rawChatRequest(token: string, body: unknown, headers: Record<string, string> = {}): string {
  const json = JSON.stringify(body);
  const lines = [
    'POST /v1/chat/completions HTTP/1.1',
    'Host: x',
    `Authorization: Bearer ${token}`,
    'Content-Type: application/json',
    `Content-Length: ${Buffer.byteLength(json)}`,
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
  ];
  return `${lines.join('\r\n')}\r\n\r\n${json}`;
}
