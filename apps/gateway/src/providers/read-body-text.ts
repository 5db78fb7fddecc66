import { GatewayError } from '../errors.js';
import { UPSTREAM_ERROR_MESSAGE } from './map-upstream-error.js';

/**
 * Reads a response body as UTF-8 text up to `maxBytes`.
 *
 * @throws GatewayError 502 when the body is larger (an upstream must not make us buffer unbounded data).
 */
export async function readBodyText(body: AsyncIterable<Uint8Array>, maxBytes: number): Promise<string> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.byteLength;
    if (size > maxBytes) throw new GatewayError(UPSTREAM_ERROR_MESSAGE, { status: 502, type: 'api_error' });
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
