/**
 * Response headers for a Server-Sent Events stream, as the gateway contract §6 requires.
 *
 * `cache-control: no-cache` stops proxies from holding the stream back, and `connection: keep-alive`
 * tells HTTP/1.1 intermediaries the socket stays open. Keys are lower-case so they merge cleanly
 * with Node's case-insensitive header handling.
 *
 * @example
 * ```ts
 * response.writeHead(200, { ...SSE_HEADERS });
 * ```
 */
export const SSE_HEADERS: Readonly<Record<'content-type' | 'cache-control' | 'connection', string>> =
  Object.freeze({
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
  });
