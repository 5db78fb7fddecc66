import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the server saw of one request. */
export interface RecordedRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A real HTTP server on 127.0.0.1 with a random port, for tests. */
export interface LoopbackServer {
  url: string;
  requests: RecordedRequest[];
  /** Resolves when the client side of the `index`-th request's connection has gone away. */
  closed(index: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * Starts a server whose handler receives the request with its body already read. The server keeps
 * a record of every request and of when each one's connection closed.
 */
export async function startLoopbackServer(
  handler: (
    request: http.IncomingMessage,
    response: http.ServerResponse,
    recorded: RecordedRequest,
    index: number,
  ) => void | Promise<void>,
): Promise<LoopbackServer> {
  const requests: RecordedRequest[] = [];
  const closedPromises: Promise<void>[] = [];
  const server = http.createServer((request, response) => {
    const index = requests.length;
    const recorded: RecordedRequest = {
      method: request.method ?? '',
      url: request.url ?? '',
      headers: request.headers,
      body: '',
    };
    requests.push(recorded);
    closedPromises[index] = new Promise((resolve) => response.once('close', () => resolve()));
    const parts: Buffer[] = [];
    request.on('data', (part: Buffer) => parts.push(part));
    request.on('end', () => {
      recorded.body = Buffer.concat(parts).toString('utf8');
      void Promise.resolve(handler(request, response, recorded, index)).catch((error: unknown) => {
        response.destroy(error as Error);
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    closed: (index) => closedPromises[index] ?? Promise.reject(new Error(`no request ${index}`)),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A port nothing listens on: bound, read, then released. */
export async function findClosedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Writes an SSE frame with a JSON payload. */
export function sseJson(value: unknown): string {
  return `data: ${JSON.stringify(value)}\n\n`;
}

/** A gateway-shaped chunk with one choice. */
export function chunk(delta: Record<string, unknown>, finishReason: string | null = null): Record<string, unknown> {
  return {
    id: 'chatcmpl_test',
    object: 'chat.completion.chunk',
    created: 1_700_000_000,
    model: 'openclaw',
    choices: [{ index: 0, delta, finish_reason: finishReason }],
  };
}

/** A gateway-shaped non-streaming completion. */
export function completion(content: string): Record<string, unknown> {
  return {
    id: 'chatcmpl_test',
    object: 'chat.completion',
    created: 1_700_000_000,
    model: 'openclaw',
    choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 },
  };
}

/** Answers with a JSON body. */
export function sendJson(
  response: http.ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  response.end(JSON.stringify(body));
}

/** Starts an event stream response (status 200, headers flushed so the client's call resolves). */
export function startEventStream(response: http.ServerResponse, headers: Record<string, string> = {}): void {
  response.writeHead(200, { 'content-type': 'text/event-stream', 'x-request-id': 'req-sse', ...headers });
  response.flushHeaders();
}
