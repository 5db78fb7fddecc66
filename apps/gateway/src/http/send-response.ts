/**
 * The two plain answers every route shares, written with Node's own `writeHead` + `end` so they
 * work the same on the raw chat route and under Express: a JSON body (OpenAI's error shape, the
 * probes) and a short text body (404, 405).
 */
import type { ServerResponse } from 'node:http';

/**
 * Sends `body` as `application/json; charset=utf-8` with its length.
 *
 * @param headers - Extra headers (`Retry-After`, …), set with the status.
 */
export function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers?: Record<string, string>,
): void {
  const payload = JSON.stringify(body);
  response.writeHead(status, {
    ...headers,
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(payload),
  });
  response.end(payload);
}

/** Sends `text` as `text/plain; charset=utf-8` with its length. */
export function sendText(
  response: ServerResponse,
  status: number,
  text: string,
  headers?: Record<string, string>,
): void {
  response.writeHead(status, {
    ...headers,
    'content-type': 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  response.end(text);
}
