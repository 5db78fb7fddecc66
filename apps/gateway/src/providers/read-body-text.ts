/**
 * Reads a whole upstream body as text, bounded: error documents and non-streamed completions are
 * read this way. Event-driven (one promise per body, not one per chunk).
 */
import type { Readable } from 'node:stream';
import { GatewayError } from '../errors.js';
import { UPSTREAM_ERROR_MESSAGE } from './map-upstream-error.js';

/**
 * Collects `body` up to `maxBytes` and decodes it as UTF-8.
 *
 * @param body - An upstream response body (undici's `BodyReadable`).
 * @param maxBytes - Past this the body is destroyed and the read fails.
 * @throws GatewayError 502 (`api_error`) when the body is larger than `maxBytes`; the body's own error otherwise.
 */
export function readBodyText(body: Readable, maxBytes: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = (): void => {
      body.off('data', onData);
      body.off('end', onEnd);
      body.off('error', onError);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.byteLength;
      if (size > maxBytes) {
        cleanup();
        body.destroy();
        reject(new GatewayError(UPSTREAM_ERROR_MESSAGE, { status: 502, type: 'api_error' }));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      cleanup();
      resolve(
        chunks.length === 1 ? (chunks[0] as Buffer).toString('utf8') : Buffer.concat(chunks, size).toString('utf8'),
      );
    };
    const onError = (error: unknown): void => {
      cleanup();
      reject(error);
    };
    body.on('data', onData);
    body.on('end', onEnd);
    body.on('error', onError);
  });
}
