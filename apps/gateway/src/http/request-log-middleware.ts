/**
 * One structured log line per request, written when the response is finished (or the client left):
 * enough to follow a request across replicas without ever logging a secret or message content.
 */
import { requestPath, type RouteStep } from './route-step.js';
import { hashSessionKey } from '../logging/hash-session-key.js';
import type { HttpLogger } from './http-logger.js';
import { embeddingsLocals } from './embeddings-request-state.js';
import { requestLocals, responsesLocals } from './request-state.js';
import type { ObservedRequest } from '../metrics/gateway-metrics.js';
import { routeLabel } from '../metrics/route-label.js';

/** The `msg` of the per-request line. */
export const REQUEST_LOG_MESSAGE = 'request completed';

/** Probe paths, logged at `debug` unless they answer 5xx. */
const PROBE_PATHS: ReadonlySet<string> = new Set(['/healthz', '/readyz']);

/**
 * Creates the middleware that logs `request completed` at `info` (`warn` for 5xx, `debug` for a
 * probe under 500) with
 * `requestId`, `method`, `path` (no query string), `status`, `durationMs`, and when known
 * `agentId`, `sessionKeyHash` (see {@link hashSessionKey}), `stream`, `errorType`; `aborted: true`
 * when the client went away before the response ended; `traceId` and `spanId` of the request's span
 * when tracing is on.
 *
 * @param options.logger - Where the line goes.
 * @param options.observeRequest - Also told of every request, for metrics (docs/observability.md#metrics).
 */
export function createRequestLogMiddleware(options: {
  logger: HttpLogger;
  observeRequest?: (request: ObservedRequest) => void;
}): RouteStep {
  const { logger, observeRequest } = options;
  return (request, response, next) => {
    const started = performance.now();
    // Read before any router rewrites `req.url`: the raw path minus its query is what the client sent.
    const path = requestPath(request);
    response.once('close', () => {
      const ended = performance.now();
      const locals = requestLocals(response.locals);
      const input = locals.prepared?.input;
      const status = response.statusCode;
      const line: Record<string, unknown> = {
        requestId: locals.requestId,
        method: request.method,
        path,
        status,
        durationMs: Math.round((ended - started) * 100) / 100,
      };
      if (input !== undefined) {
        line.agentId = input.agentId;
        line.sessionKeyHash = hashSessionKey(input.sessionKey);
      } else {
        // Embeddings run no turn: no session, but an agent all the same.
        const target = embeddingsLocals(response.locals).embeddingTarget;
        if (target !== undefined) line.agentId = target.agentId;
      }
      const validated = locals.chatRequest ?? responsesLocals(response.locals).responsesRequest;
      if (validated !== undefined) line.stream = validated.stream === true;
      if (locals.errorType !== undefined) line.errorType = locals.errorType;
      if (!response.writableFinished) line.aborted = true;
      // With tracing on, the line leads to the request's trace (docs/observability.md#traces).
      const trace = locals.trace;
      if (trace !== undefined) {
        line.traceId = trace.traceId;
        line.spanId = trace.spanId;
      }
      if (observeRequest !== undefined) {
        const timings = locals.prepared?.timings;
        observeRequest({
          route: routeLabel(path),
          method: request.method ?? 'GET',
          status,
          finished: response.writableFinished,
          agentId: line.agentId as string | undefined,
          startedAt: started,
          endedAt: ended,
          stream: line.stream === true,
          upstreamMs: timings?.upstreamMs,
          firstPieceAt: timings?.firstPieceAt,
        });
      }
      if (status >= 500) logger.warn(line, REQUEST_LOG_MESSAGE);
      // Orchestrators probe every few seconds: healthy probes would drown the request log at info.
      else if (PROBE_PATHS.has(path)) logger.debug(line, REQUEST_LOG_MESSAGE);
      else logger.info(line, REQUEST_LOG_MESSAGE);
    });
    next();
  };
}
