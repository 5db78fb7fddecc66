/**
 * A real HTTP server on 127.0.0.1 for provider tests: each test supplies the handler, the server
 * records every request (method, path, headers, parsed body) and notices when a client closes.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: unknown;
  /** The body's exact text, for tests that pin bytes rather than values. */
  rawBody: string;
  /** Client port of the connection, to tell reused keep-alive sockets from new ones. */
  remotePort: number | undefined;
}

export interface UpstreamServer {
  baseUrl: string;
  requests: RecordedRequest[];
  /** Resolves when the nth (0-based) request's connection closes before the response finished. */
  closedEarly(index: number): Promise<void>;
  close(): Promise<void>;
}

export type UpstreamHandler = (request: RecordedRequest, response: ServerResponse) => void | Promise<void>;

export async function startUpstreamServer(handler: UpstreamHandler): Promise<UpstreamServer> {
  const requests: RecordedRequest[] = [];
  const closeWaiters = new Map<number, Promise<void>>();
  const sockets = new Set<Socket>();
  const server = createServer((incoming, response) => {
    const index = requests.length;
    const chunks: Buffer[] = [];
    closeWaiters.set(
      index,
      new Promise<void>((resolve) => {
        response.on('close', () => {
          if (!response.writableFinished) resolve();
        });
      }),
    );
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // keep raw text
      }
      const recorded = {
        method: incoming.method ?? '',
        url: incoming.url ?? '',
        headers: incoming.headers,
        body,
        rawBody: text,
        remotePort: incoming.socket.remotePort,
      };
      requests.push(recorded);
      void Promise.resolve(handler(recorded, response)).catch(() => response.destroy());
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    closedEarly: (index) => closeWaiters.get(index) ?? Promise.reject(new Error(`no request ${index}`)),
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** One SSE `data:` frame. */
export function sseFrame(value: unknown): string {
  return `data: ${typeof value === 'string' ? value : JSON.stringify(value)}\n\n`;
}

/** A streamed chunk with a text delta. */
export function textChunk(text: string, finishReason: string | null = null): unknown {
  return {
    id: 'chatcmpl-1',
    object: 'chat.completion.chunk',
    created: 1,
    model: 'm',
    choices: [{ index: 0, delta: { content: text }, finish_reason: finishReason }],
  };
}
