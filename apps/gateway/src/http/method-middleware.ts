/**
 * Step 1: the method check, before authentication, so a wrong method never counts as an auth
 * failure or leaks whether a credential is valid (contract §1).
 */
import type { RequestHandler } from 'express';

/**
 * Creates a middleware answering `405 Method Not Allowed` (text/plain, with `Allow`) for every
 * method other than `allow`.
 *
 * @param options.allow - The one accepted method, e.g. `POST`.
 */
export function createMethodMiddleware(options: { allow: 'GET' | 'POST' }): RequestHandler {
  return (request, response, next) => {
    if (request.method === options.allow) {
      next();
      return;
    }
    response.setHeader('Allow', options.allow);
    response.status(405).type('text/plain').send('Method Not Allowed');
  };
}
