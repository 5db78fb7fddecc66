/**
 * Response headers for a Server-Sent Events stream.
 *
 * `cache-control: no-cache` stops proxies from holding the stream back, and `x-accel-buffering: no`
 * tells nginx not to buffer this one response, so a stream passes nginx frame by frame without
 * `proxy_buffering off` (https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_buffering).
 * There is deliberately no `connection` header: Node's response chooses it per request (`keep-alive`
 * when the client's request allows it, `close` when the client sent `Connection: close`, on HTTP/1.0,
 * or when the application set `Connection: close` itself, e.g. while draining for a restart), and
 * then closes the socket after the stream when it said `close`. A hard-coded `keep-alive` would
 * override all of those and hold a socket the client asked to close. Keys are lower-case so they merge
 * cleanly with Node's case-insensitive header handling.
 *
 * @example
 * ```ts
 * response.writeHead(200, { ...SSE_HEADERS });
 * ```
 */
export const SSE_HEADERS: Readonly<Record<'content-type' | 'cache-control' | 'x-accel-buffering', string>> =
  Object.freeze({
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    'x-accel-buffering': 'no',
  });
