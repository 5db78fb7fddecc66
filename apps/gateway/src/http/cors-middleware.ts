/**
 * Cross-origin requests from browser pages, opt-in through `gateway.http.cors`
 * (docs/http-contract.md#cross-origin-requests). It runs right after the response headers and the
 * log line and before the method step, so a preflight is answered before authentication (a browser
 * sends no credential on a preflight) and never runs the route. An origin that is not allowed gets
 * no CORS header at all, and its preflight meets the method step's 405, so the browser blocks it.
 * `Access-Control-Allow-Credentials` is never sent: callers authenticate with a bearer token, not
 * cookies (docs/decisions.md#http-and-routing).
 */
import type { RouteStep } from './route-step.js';

/** The request headers the gateway reads, which a page may send (`Access-Control-Allow-Headers`). */
export const CORS_ALLOWED_REQUEST_HEADERS: readonly string[] = Object.freeze([
  'authorization',
  'content-type',
  'x-openclaw-agent-id',
  'x-openclaw-agent',
  'x-openclaw-session-key',
  'x-openclaw-model',
  'x-openclaw-message-channel',
  'x-openclaw-scopes',
  'x-request-id',
]);

/** The response headers a page may read besides the CORS-safelisted ones. */
export const CORS_EXPOSED_RESPONSE_HEADERS = 'x-request-id, retry-after';

/**
 * The OpenAI SDK's diagnostic headers (`x-stainless-os`, `x-stainless-retry-count`, …): the SDK sends
 * them on every request and a new SDK version may add one, so they are allowed by prefix. The gateway
 * ignores them.
 */
const OPENAI_SDK_HEADER = /^x-stainless-[a-z0-9-]+$/;

const ALLOWED_HEADERS_LIST = CORS_ALLOWED_REQUEST_HEADERS.join(', ');

/** Options of {@link createCorsSteps}: `gateway.http.cors` plus the route's one method. */
export interface CorsOptions {
  /** Exact origins (`https://app.example.com`); `*` anywhere in the list allows every origin. */
  allowedOrigins: readonly string[];
  /** `Access-Control-Max-Age` of a preflight answer. */
  maxAgeSeconds: number;
  /** The route's method, as its method step accepts it. */
  allow: 'GET' | 'POST';
}

/**
 * Creates the CORS step of one route, or none at all when no origin is allowed, so the default
 * configuration spends nothing per request. When on, a request costs one header read and one Set lookup.
 *
 * - Preflight (`OPTIONS` with `Origin` and `Access-Control-Request-Method`) from an allowed origin:
 *   `204` with `Access-Control-Allow-Origin`, `-Allow-Methods` (`<allow>, OPTIONS`), `-Allow-Headers`
 *   ({@link CORS_ALLOWED_REQUEST_HEADERS}, plus the OpenAI SDK's `x-stainless-*` headers the preflight
 *   asks for), `-Max-Age` and `Vary: Origin`.
 * - Any other request from an allowed origin: `Access-Control-Allow-Origin`, `Vary: Origin` and
 *   `Access-Control-Expose-Headers` are set on the response, then the route runs as usual, so every
 *   answer (JSON, errors, SSE) carries them.
 * - With `*` the origin header says `*` and there is no `Vary: Origin`.
 *
 * @param options - See {@link CorsOptions}.
 * @returns Zero or one step, to spread into the route's steps before the method step.
 * @example
 * runStepsInOrder([...everyRequest, ...createCorsSteps({ ...config.gateway.http.cors, allow: 'POST' }), methodStep]);
 */
export function createCorsSteps(options: CorsOptions): RouteStep[] {
  if (options.allowedOrigins.length === 0) return [];
  const anyOrigin = options.allowedOrigins.includes('*');
  const origins: ReadonlySet<string> = new Set(options.allowedOrigins);
  const allowMethods = `${options.allow}, OPTIONS`;
  const maxAge = String(options.maxAgeSeconds);

  const corsStep: RouteStep = (request, response, next) => {
    const origin = request.headers.origin;
    if (origin === undefined || !(anyOrigin || origins.has(origin))) {
      next();
      return;
    }
    // One answer for every origin with `*`; otherwise it depends on the origin, so caches must key on it.
    response.setHeader('Access-Control-Allow-Origin', anyOrigin ? '*' : origin);
    if (!anyOrigin) response.setHeader('Vary', 'Origin');
    if (request.method === 'OPTIONS' && request.headers['access-control-request-method'] !== undefined) {
      response.writeHead(204, {
        'Access-Control-Allow-Methods': allowMethods,
        'Access-Control-Allow-Headers': allowedHeadersFor(request.headers['access-control-request-headers']),
        'Access-Control-Max-Age': maxAge,
      });
      response.end();
      return;
    }
    response.setHeader('Access-Control-Expose-Headers', CORS_EXPOSED_RESPONSE_HEADERS);
    next();
  };
  return [corsStep];
}

/** The fixed list, plus the `x-stainless-*` names among the headers a preflight asks for. */
function allowedHeadersFor(requested: string | undefined): string {
  if (requested === undefined || !requested.toLowerCase().includes('x-stainless-')) return ALLOWED_HEADERS_LIST;
  const sdkHeaders = requested
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter((name) => OPENAI_SDK_HEADER.test(name));
  return sdkHeaders.length === 0 ? ALLOWED_HEADERS_LIST : `${ALLOWED_HEADERS_LIST}, ${sdkHeaders.join(', ')}`;
}
