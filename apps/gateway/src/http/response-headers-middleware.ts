/**
 * Step 0 of every request: the headers that must be on every response kind (404, 405, errors,
 * JSON and SSE), set before anything else can answer (contract §1).
 */
import type { RequestHandler } from 'express';

/** The security headers OpenClaw 2026.9 sends on every response (contract §1). */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Permissions-Policy': 'camera=(), microphone=(self), geolocation=()',
});

/**
 * Creates the middleware that sets {@link SECURITY_HEADERS} and a fresh `x-request-id`.
 *
 * @param options.randomUUID - Source of request ids (injected for tests).
 */
export function createResponseHeadersMiddleware(options: { randomUUID: () => string }): RequestHandler {
  return (_request, response, next) => {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) {
      response.setHeader(name, value);
    }
    // Always our own id: an incoming `x-request-id` is client-controlled and could collide or inject.
    response.setHeader('x-request-id', options.randomUUID());
    next();
  };
}
