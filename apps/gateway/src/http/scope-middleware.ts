/**
 * Step 3: the scope check. The authorizer already knows the required scope; this step checks again
 * on the stored decision so a route can never run with a decision for a weaker scope
 * (docs/http-contract.md#2-authentication-rate-limiting-and-scopes).
 */
import type { RouteStep } from './route-step.js';
import { hasScope } from '@clawgate/auth';
import { chatLocals } from './request-state.js';
import { sendError } from './send-error.js';

/**
 * Creates the middleware answering `403 forbidden` `missing scope: <scope>` when the caller lacks
 * `requiredScope`.
 *
 * @param options.requiredScope - e.g. `operator.write`.
 */
export function createScopeMiddleware(options: { requiredScope: string }): RouteStep {
  const { requiredScope } = options;
  return (_request, response, next) => {
    const auth = chatLocals(response.locals).auth;
    if (auth !== undefined && hasScope(auth.scopes, requiredScope)) {
      next();
      return;
    }
    sendError(response, 403, { error: { message: `missing scope: ${requiredScope}`, type: 'forbidden' } });
  };
}
