/**
 * Step 0 of every request: the headers that must be on every response kind (404, 405, errors,
 * health, JSON and SSE), set before anything else can answer, plus the request id
 * (docs/http-contract.md#1-request-pipeline-and-errors).
 */
import type { RouteStep } from './route-step.js';
import { chooseRequestId } from './request-id.js';
import { requestLocals } from './request-state.js';

/**
 * The security headers OpenClaw 2026.9 sends on every response
 * (docs/http-contract.md#1-request-pipeline-and-errors).
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Permissions-Policy': 'camera=(), microphone=(self), geolocation=()',
});

/**
 * Creates the middleware that sets {@link SECURITY_HEADERS} and `x-request-id` (the caller's when
 * well-formed, see {@link chooseRequestId}; else a fresh one), and keeps the id in `res.locals`.
 *
 * @param options.randomUUID - Source of request ids (injected for tests).
 * @param options.closeConnections - True while the server drains for shutdown: every response then
 *   says `Connection: close` so keep-alive clients move to another replica.
 */
export function createResponseHeadersMiddleware(options: {
  randomUUID: () => string;
  closeConnections?: () => boolean;
}): RouteStep {
  return (request, response, next) => {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) {
      response.setHeader(name, value);
    }
    const requestId = chooseRequestId(request.headers['x-request-id'], options.randomUUID);
    requestLocals(response.locals).requestId = requestId;
    response.setHeader('x-request-id', requestId);
    if (options.closeConnections?.() === true) {
      response.setHeader('Connection', 'close');
    }
    next();
  };
}
