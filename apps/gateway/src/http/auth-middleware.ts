/**
 * Step 2: authentication and the auth-failure rate limiter, delegated to `@clawgate/auth` so the
 * HTTP layer never handles secrets itself
 * (docs/http-contract.md#2-authentication-rate-limiting-and-scopes).
 */
import type { RouteStep, StepResponse } from './route-step.js';
import { RateLimitStoreUnavailableError, type GatewayAuthorizer } from '@clawgate/auth';
import { chatLocals } from './request-state.js';
import { sendError } from './send-error.js';

/**
 * Creates the middleware that asks the authorizer and either answers its refusal exactly as
 * returned (401, 403, or 429 with `Retry-After`) or stores the allowed decision in
 * `res.locals.auth` for the scope step.
 *
 * A rate-limit store that cannot be reached (Redis down) is a 503 `service_unavailable`: refusing
 * with 401 would lie to a caller whose credential may be fine.
 *
 * @param options.authorizer - The gateway authorizer.
 * @param options.requiredScope - Passed to the authorizer (`operator.write` or `operator.read`).
 */
export function createAuthMiddleware(options: { authorizer: GatewayAuthorizer; requiredScope: string }): RouteStep {
  const { authorizer, requiredScope } = options;
  return async (request, response: StepResponse, next) => {
    let decision;
    try {
      decision = await authorizer.authorize(
        { headers: request.headers, remoteAddress: request.socket.remoteAddress },
        { requiredScope },
      );
    } catch (error) {
      if (RateLimitStoreUnavailableError.isInstance(error)) {
        sendError(response, 503, {
          error: { message: 'authentication temporarily unavailable', type: 'service_unavailable' },
        });
        return;
      }
      next(error);
      return;
    }
    if (!decision.allowed) {
      sendError(response, decision.status, decision.body, decision.retryAfterSeconds);
      return;
    }
    chatLocals(response.locals).auth = decision;
    next();
  };
}
