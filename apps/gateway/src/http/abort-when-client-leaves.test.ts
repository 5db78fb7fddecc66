import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { abortWhenClientLeaves } from './abort-when-client-leaves.js';

/** Serves one request: `handle` gets the response once the client has gone, or at once. */
async function serveOnce(waitForClientToLeave: boolean): Promise<AbortSignal> {
  let resolveSignal!: (signal: AbortSignal) => void;
  const signal = new Promise<AbortSignal>((resolve) => {
    resolveSignal = resolve;
  });
  let arrived!: () => void;
  const requestArrived = new Promise<void>((resolve) => {
    arrived = resolve;
  });
  const server = http.createServer((_request, response) => {
    arrived();
    const watch = () => {
      const { controller, release } = abortWhenClientLeaves(response, undefined);
      resolveSignal(controller.signal);
      if (!waitForClientToLeave) {
        response.end('done');
        release();
      }
    };
    if (waitForClientToLeave) response.once('close', watch);
    else watch();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const request = http.request({ host: '127.0.0.1', port, method: 'POST' });
  request.on('error', () => undefined);
  if (waitForClientToLeave) {
    request.flushHeaders();
    await requestArrived;
    request.destroy();
  } else {
    request.end();
    await new Promise((resolve) => request.on('response', (response) => response.resume().on('end', resolve)));
  }
  const result = await signal;
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return result;
}

describe('abortWhenClientLeaves', () => {
  it('aborts at once for a client that left before the handler started watching', async () => {
    expect((await serveOnce(true)).aborted).toBe(true);
  });

  it('leaves a finished answer alone', async () => {
    expect((await serveOnce(false)).aborted).toBe(false);
  });
});
