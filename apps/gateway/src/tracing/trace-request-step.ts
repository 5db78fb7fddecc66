/**
 * The step that opens the span of every HTTP request (docs/observability.md#traces). Mounted only
 * when tracing is on: with tracing off the request path has no such step at all.
 */
import { embeddingsLocals } from '../http/embeddings-request-state.js';
import { requestLocals } from '../http/request-state.js';
import { requestPath, type RouteStep } from '../http/route-step.js';
import { routeLabel } from '../metrics/route-label.js';
import type { Tracing } from './tracing.js';

/**
 * Creates the step that starts the request's SERVER span (continuing the client's `traceparent`),
 * keeps it in `res.locals.trace` for the later steps and the run, and ends it when the response
 * closes with its status, its agent and the error type that ended it.
 *
 * @param options.tracing - The gateway's tracing.
 */
export function createTraceRequestStep(options: { tracing: Tracing }): RouteStep {
  const { tracing } = options;
  return (request, response, next) => {
    const path = requestPath(request);
    // The metrics' route label: a closed list, so no id the client chose lands in a span name.
    const route = routeLabel(path);
    const span = tracing.startRequestSpan(request, route === 'other' ? undefined : route, path);
    const locals = requestLocals(response.locals);
    locals.trace = span;
    response.once('close', () => {
      const agentId = locals.prepared?.input.agentId ?? embeddingsLocals(response.locals).embeddingTarget?.agentId;
      if (agentId !== undefined) span.setAgent(agentId);
      span.finish(response.statusCode, locals.errorType);
    });
    next();
  };
}
