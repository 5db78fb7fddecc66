/**
 * Step 1: the method check, before authentication, so a wrong method never counts as an auth
 * failure or leaks whether a credential is valid
 * (docs/http-contract.md#1-request-pipeline-and-errors).
 */
import type { RouteStep } from './route-step.js';
import { sendText } from './send-response.js';

/**
 * Creates a middleware answering `405 Method Not Allowed` (text/plain, with `Allow`) for every
 * method other than `allow`.
 *
 * @param options.allow - The one accepted method, e.g. `POST`.
 */
export function createMethodMiddleware(options: { allow: 'GET' | 'POST' }): RouteStep {
  return (request, response, next) => {
    if (request.method === options.allow) {
      next();
      return;
    }
    sendText(response, 405, 'Method Not Allowed', { Allow: options.allow });
  };
}
