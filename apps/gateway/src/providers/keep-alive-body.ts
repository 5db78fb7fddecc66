/**
 * Lets a decoder stop early without killing the connection. `@clawgate/sse` cancels its source at
 * `data: [DONE]`, and cancelling a Node body destroys the socket, so every streamed completion
 * would cost a new TCP (and TLS) handshake. This wrapper ignores the decoder's cancel; the provider
 * then either drains the few trailing bytes (socket back to the pool) or destroys the body itself.
 */
import type { Readable } from 'node:stream';

/** A body view for the decoder plus the provider's two ways to finish it. */
export interface KeepAliveBody {
  /** Give this to the decoder: its `return()` leaves the body open. */
  readonly iterable: AsyncIterable<Uint8Array>;
  /** Reads the rest in the background (at most `limitBytes`, `timeoutMs`), else destroys the body. */
  drain(options: { limitBytes: number; timeoutMs: number }): void;
  /** Closes the body now: the upstream sees its request go away. */
  destroy(): void;
}

/**
 * Wraps a response body (undici's `BodyReadable`).
 *
 * @param body - The response body.
 */
export function createKeepAliveBody(body: Readable): KeepAliveBody {
  const iterator = body[Symbol.asyncIterator]() as AsyncIterator<Uint8Array>;
  return {
    iterable: {
      [Symbol.asyncIterator]: () => ({
        next: () => iterator.next(),
        // Deliberately not forwarded: see the file comment.
        return: async () => ({ done: true, value: undefined }),
      }),
    },
    drain({ limitBytes, timeoutMs }) {
      // Usually the whole body has been read already: no timer, no reader for nothing to read.
      if (body.readableEnded) return;
      const timer = setTimeout(() => body.destroy(), timeoutMs);
      timer.unref();
      void (async () => {
        let size = 0;
        for (;;) {
          const result = await iterator.next();
          if (result.done) break;
          size += result.value.byteLength;
          if (size > limitBytes) {
            body.destroy();
            break;
          }
        }
      })()
        .catch(() => undefined)
        .finally(() => clearTimeout(timer));
    },
    destroy() {
      if (!body.destroyed) body.destroy();
    },
  };
}
