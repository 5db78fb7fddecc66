/**
 * Step 5: validates the parsed body with the shared schema, so the gateway and the typed client
 * agree on every message word for word (contract §3).
 */
import type { RouteStep } from './route-step.js';
import { parseChatCompletionRequest } from '@clawgate/openai-schemas';
import { chatLocals } from './request-state.js';
import { sendError } from './send-error.js';

/**
 * Creates the middleware answering 400 `invalid_request_error` with the schema's exact message,
 * or storing the typed request in `res.locals.chatRequest`.
 */
export function createValidationMiddleware(): RouteStep {
  return (_request, response, next) => {
    const locals = chatLocals(response.locals);
    const result = parseChatCompletionRequest(locals.body ?? {});
    if (!result.success) {
      sendError(response, 400, { error: { message: result.message, type: 'invalid_request_error' } });
      return;
    }
    locals.chatRequest = result.data;
    next();
  };
}
