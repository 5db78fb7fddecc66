/**
 * `POST /v1/embeddings`, validation: the shared schema's one-line 400 messages, so the gateway and
 * any client using `@clawgate/openai-schemas` agree word for word (docs/embeddings.md#request).
 */
import { parseEmbeddingRequest } from '@clawgate/openai-schemas';
import { embeddingsLocals } from './embeddings-request-state.js';
import type { RouteStep } from './route-step.js';
import { sendError } from './send-error.js';

/**
 * Creates the step answering 400 `invalid_request_error` with the schema's message, or storing the
 * typed request in `res.locals.embeddingRequest`.
 */
export function createEmbeddingsValidationMiddleware(): RouteStep {
  return (_request, response, next) => {
    const locals = embeddingsLocals(response.locals);
    const result = parseEmbeddingRequest(locals.body ?? {});
    if (!result.success) {
      sendError(response, 400, { error: { message: result.message, type: 'invalid_request_error' } });
      return;
    }
    locals.embeddingRequest = result.data;
    next();
  };
}
