/**
 * `/v1/responses`, validation: the shared schema's exact 400 sentences (docs/responses-api.md#errors).
 */
import { parseResponsesRequest, type ResponsesRequestLimits } from '@clawgate/openai-schemas';
import { responsesLocals } from '../request-state.js';
import type { RouteStep } from '../route-step.js';
import { sendError } from '../send-error.js';

/**
 * Creates the step answering 400 `invalid_request_error` with the schema's message, or storing the
 * typed request in `res.locals.responsesRequest`.
 *
 * @param options.limits - `gateway.http.endpoints.responses.limits`.
 */
export function createResponsesValidationMiddleware(options: { limits: Readonly<ResponsesRequestLimits> }): RouteStep {
  const parseOptions = { limits: options.limits };
  return (_request, response, next) => {
    const locals = responsesLocals(response.locals);
    const result = parseResponsesRequest(locals.body ?? {}, parseOptions);
    if (!result.success) {
      sendError(response, 400, { error: { message: result.message, type: 'invalid_request_error' } });
      return;
    }
    locals.responsesRequest = result.data;
    next();
  };
}
