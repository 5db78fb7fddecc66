/**
 * Keeps an upstream connection reusable after the answer is complete. `data: [DONE]` can arrive
 * before the body's end (a last empty chunk, a trailing newline): destroying the body then would
 * cost every streamed completion a new TCP (and TLS) handshake. So the rest is read and thrown
 * away in the background, bounded in size and time; a body that is not finished for any other
 * reason (error, abort) is destroyed instead, so the upstream sees its request go away.
 */
import type { Readable } from 'node:stream';

/**
 * Discards what is left of `body` (at most `limitBytes`, for at most `timeoutMs`), so its socket
 * goes back to the keep-alive pool; past either bound the body is destroyed.
 *
 * @param body - An upstream response body whose answer was complete.
 * @param options.limitBytes - Largest trailing body worth reading.
 * @param options.timeoutMs - Longest wait for the body's end.
 */
export function drainForKeepAlive(body: Readable, options: { limitBytes: number; timeoutMs: number }): void {
  // Usually the whole body has been read already: no timer, no listener for nothing to read.
  if (body.readableEnded || body.destroyed) return;
  let size = 0;
  const finish = (): void => {
    clearTimeout(timer);
    body.off('data', onData);
    body.off('end', finish);
    body.off('error', finish);
    body.off('close', finish);
  };
  const onData = (chunk: Buffer): void => {
    size += chunk.byteLength;
    if (size > options.limitBytes) {
      finish();
      body.destroy();
    }
  };
  const timer = setTimeout(() => {
    finish();
    body.destroy();
  }, options.timeoutMs);
  timer.unref();
  body.on('data', onData);
  body.on('end', finish);
  body.on('error', finish);
  body.on('close', finish);
  body.resume();
}
