/**
 * Step 5: validates the parsed body with the shared schema, so the gateway and the typed client
 * agree on every message word for word (docs/http-contract.md#3-request-validation).
 */
import type { RouteStep } from './route-step.js';
import { parseChatCompletionRequest, type ChatCompletionRequestLimits } from '@clawgate/openai-schemas';
import { chatLocals } from './request-state.js';
import { sendError } from './send-error.js';

/** Options of {@link createValidationMiddleware}. */
export interface ValidationMiddlewareOptions {
  /** `gateway.http.endpoints.chatCompletions.limits`. @defaultValue the package's defaults */
  limits?: Readonly<ChatCompletionRequestLimits>;
}

/**
 * Creates the middleware answering 400 `invalid_request_error` with the schema's exact message
 * (too many messages, parts, tool calls or tools first), or storing the typed request in
 * `res.locals.chatRequest`.
 */
export function createValidationMiddleware(options: ValidationMiddlewareOptions = {}): RouteStep {
  const parseOptions = options.limits === undefined ? {} : { limits: options.limits };
  return (_request, response, next) => {
    const locals = chatLocals(response.locals);
    const result = parseChatCompletionRequest(locals.body ?? {}, parseOptions);
    if (!result.success) {
      sendError(response, 400, { error: { message: result.message, type: 'invalid_request_error' } });
      return;
    }
    locals.chatRequest = result.data;
    next();
  };
}
