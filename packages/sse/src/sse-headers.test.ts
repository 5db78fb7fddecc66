import { createServer, get, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createSseResponseWriter, type SseResponseWriterOptions } from './create-sse-response-writer.js';
import { SSE_HEADERS } from './sse-headers.js';

const servers: Server[] = [];

afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

/** One stream over real HTTP: the writer's `[DONE]` and nothing else; resolves with the response head. */
async function streamOnce(options: SseResponseWriterOptions): Promise<IncomingMessage> {
  const server = createServer((_request, response) => {
    void createSseResponseWriter(response, { heartbeatMs: 0, ...options }).writeDone();
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return new Promise((resolve, reject) => {
    get(`http://127.0.0.1:${port}/`, (message) => {
      message.resume();
      message.on('end', () => resolve(message));
    }).on('error', reject);
  });
}

describe('SSE_HEADERS', () => {
  it('holds exactly the SSE headers, leaves Connection to Node, and cannot be mutated', () => {
    expect(SSE_HEADERS).toEqual({
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      'x-accel-buffering': 'no',
    });
    expect(Object.isFrozen(SSE_HEADERS)).toBe(true);
  });

  it('goes out on every stream, so nginx passes frames on without proxy_buffering off', async () => {
    const message = await streamOnce({});
    expect(message.headers['x-accel-buffering']).toBe('no');
    expect(message.headers['cache-control']).toBe('no-cache');
    expect(message.headers['content-type']).toBe('text/event-stream; charset=utf-8');
  });

  it('can still be overridden through extraHeaders', async () => {
    const message = await streamOnce({ extraHeaders: { 'x-accel-buffering': 'yes' } });
    expect(message.headers['x-accel-buffering']).toBe('yes');
  });
});
