/**
 * `POST /v1/embeddings`, the last step: asks the agent's embedding provider for one vector per input
 * entry and answers OpenAI's list, in floats or base64 (docs/embeddings.md#answer). A client that
 * goes away aborts the upstream request. Neither the input nor the vectors are ever logged: inputs
 * are often whole documents, so `logging.includeContent` does not apply here.
 */
import { embeddingInputList, type EmbeddingList } from '@clawgate/openai-schemas';
import { classifyUpstreamFailure } from '../agent/run-observer.js';
import { abortWhenClientLeaves } from './abort-when-client-leaves.js';
import { embeddingsLocals } from './embeddings-request-state.js';
import { encodeFloat32Base64 } from './embeddings-encoding.js';
import { requestLocals } from './request-state.js';
import type { RouteStep } from './route-step.js';
import { sendJson } from './send-response.js';
import type { ShutdownCut } from './shutdown-cut.js';

/** Options of {@link createEmbeddingsHandler}. */
export interface EmbeddingsHandlerOptions {
  /**
   * The shutdown deadline: a request still waiting for its upstream then is aborted and answered
   * with the shutdown's 503. @defaultValue never
   */
  shutdown?: ShutdownCut;
}

/**
 * Creates the final handler of `POST /v1/embeddings`. Upstream failures reject as the provider
 * mapped them (the error step answers them, with `Retry-After` passed on).
 *
 * @param options - See {@link EmbeddingsHandlerOptions}.
 */
export function createEmbeddingsHandler(options: EmbeddingsHandlerOptions = {}): RouteStep {
  const { shutdown } = options;
  return async (_request, response) => {
    const locals = embeddingsLocals(response.locals);
    const body = locals.embeddingRequest;
    const target = locals.embeddingTarget;
    if (body === undefined || target === undefined) throw new Error('embeddings handler ran before resolution');
    const input = embeddingInputList(body.input);

    // A client that left while the request was being resolved is seen at once: no upstream call for it.
    const { controller, release } = abortWhenClientLeaves(response, shutdown);
    // With tracing on, the upstream call is a CLIENT span of its own (docs/observability.md#traces).
    const trace = requestLocals(response.locals).trace;
    const span =
      trace === undefined
        ? undefined
        : trace.startModelCall({ operation: 'embeddings', providerId: target.providerId, model: target.modelId });
    try {
      let result: Awaited<ReturnType<typeof target.embed>>;
      try {
        result = await target.embed(
          { model: target.modelId, input, ...(body.dimensions === undefined ? {} : { dimensions: body.dimensions }) },
          span === undefined
            ? { signal: controller.signal }
            : { signal: controller.signal, traceHeaders: span.propagationHeaders },
        );
        span?.answered({ inputTokens: result.usage.prompt_tokens });
      } catch (error) {
        span?.end(classifyUpstreamFailure(error, { outputStarted: false, aborted: controller.signal.aborted }));
        // Cut by the shutdown, the client is still there to be told why; a client that left hears nothing.
        const shutdownError = shutdown?.errorOf(controller);
        if (shutdownError !== undefined && !response.destroyed) throw shutdownError;
        if (controller.signal.aborted) return;
        throw error;
      }
      // The client left while the answer was on its way: nobody to send it to.
      if (response.destroyed) return;
      const base64 = body.encoding_format === 'base64';
      const answer: EmbeddingList = {
        object: 'list',
        data: result.embeddings.map((vector, index) => ({
          object: 'embedding',
          index,
          embedding: base64 ? encodeFloat32Base64(vector) : vector,
        })),
        model: body.model,
        usage: { prompt_tokens: result.usage.prompt_tokens, total_tokens: result.usage.total_tokens },
      };
      sendJson(response, 200, answer);
    } finally {
      release();
    }
  };
}
