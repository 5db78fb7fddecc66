/**
 * An upload written piece by piece, the way a client streams a large body, for the tests of what a
 * client sees when the gateway refuses the body before it has all been sent.
 */
import http from 'node:http';

/**
 * Writes `total` bytes of `x` in `chunkBytes` pieces, each once the previous one was handed to the
 * socket. Stops quietly at the first write error: the server may have stopped reading, and what
 * the client then sees is for the caller to check.
 *
 * @param options.onWrite - Called with the bytes handed to `write` so far, before each write.
 * @param options.turnEachChunk - Let one event-loop turn pass after each piece, so a server in the
 *   same process reads (and may answer) while the upload is still going.
 */
export async function writeChunks(
  stream: NodeJS.WritableStream,
  total: number,
  chunkBytes: number,
  options: { onWrite?: (written: number) => void; turnEachChunk?: boolean } = {},
): Promise<void> {
  for (let sent = 0; sent < total; sent += chunkBytes) {
    const size = Math.min(chunkBytes, total - sent);
    options.onWrite?.(sent + size);
    const error = await new Promise<Error | null | undefined>((resolve) =>
      stream.write(Buffer.alloc(size, 0x78), resolve),
    );
    if (error) return;
    if (options.turnEachChunk === true) await new Promise((resolve) => setImmediate(resolve));
  }
}

/** What an upload got back: the answer, or the socket error's code. */
export type UploadOutcome = { status: number; connection: string | undefined; body: string } | { error: string };

/**
 * POSTs `bytes` to `/v1/chat/completions` with `node:http`, in `chunkBytes` pieces, with a
 * declared `Content-Length` or chunked, and reports what the client got.
 *
 * @param options.connection - `Connection` header to send (Node's default otherwise).
 * @param options.agent - The agent (default: none, a fresh connection).
 * @param options.onSocket - Sees the socket used, to tell whether a connection was reused.
 */
export function uploadInChunks(
  port: number,
  options: {
    token: string;
    bytes: number;
    chunkBytes: number;
    declareLength: boolean;
    connection?: 'close' | 'keep-alive';
    agent?: http.Agent;
    onSocket?: (socket: unknown) => void;
  },
): Promise<UploadOutcome> {
  return new Promise((resolve) => {
    const outgoing = http.request({
      host: '127.0.0.1',
      port,
      method: 'POST',
      path: '/v1/chat/completions',
      agent: options.agent ?? false,
      headers: {
        Authorization: `Bearer ${options.token}`,
        ...(options.connection === undefined ? {} : { Connection: options.connection }),
        ...(options.declareLength ? { 'Content-Length': String(options.bytes) } : {}),
      },
    });
    outgoing.on('socket', (socket) => options.onSocket?.(socket));
    outgoing.on('response', (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (piece: string) => (body += piece));
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, connection: response.headers.connection, body }),
      );
      response.on('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }));
    });
    outgoing.on('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }));
    void writeChunks(outgoing, options.bytes, options.chunkBytes).then(() => outgoing.end());
  });
}
