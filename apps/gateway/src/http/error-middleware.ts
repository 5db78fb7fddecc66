/**
 * The last step of every route: every error becomes an OpenAI-shaped body. Known `GatewayError`s
 * keep their status (and `Retry-After`); anything else is a 500 whose body never carries internals,
 * and the process keeps serving.
 */
import type { IncomingMessage } from 'node:http';
import type { ErrorRequestHandler } from 'express';
import { GatewayError, internalError } from '../errors.js';
import type { HttpLogger } from './http-logger.js';
import { requestLocals } from './request-state.js';
import { requestPath, type StepResponse } from './route-step.js';
import { sendError } from './send-error.js';

/**
 * Answers `error` for a request whose steps failed (the raw chat route and Express alike).
 *
 * @param logger - Receives unexpected errors (500s); secrets are never part of our messages.
 */
export function answerError(
  error: unknown,
  request: IncomingMessage,
  response: StepResponse,
  logger: HttpLogger,
): void {
  const gatewayError = GatewayError.isInstance(error) ? error : internalError(error);
  // Known refusals (4xx, 503 store outage, mapped upstream failures) are in the request line already;
  // only the unexpected deserve a stack in the log.
  if (!GatewayError.isInstance(error) || gatewayError.status === 500) {
    const line: Record<string, unknown> = {
      err: error,
      requestId: response.getHeader('x-request-id'),
      path: requestPath(request),
    };
    // With tracing on, the line leads to the request's trace (docs/observability.md#traces).
    const trace = requestLocals(response.locals).trace;
    if (trace !== undefined) {
      line.traceId = trace.traceId;
      line.spanId = trace.spanId;
    }
    logger.error(line, 'request failed');
  }
  if (response.headersSent) {
    // Too late for a status: cut the response so the client sees a failure, not a truncated success.
    response.destroy();
    return;
  }
  sendError(response, gatewayError.status, gatewayError.toJSON(), gatewayError.retryAfterSeconds);
}

/**
 * Creates the Express error-handling middleware (see {@link answerError}).
 *
 * @param options.logger - Receives unexpected errors (500s).
 */
export function createErrorMiddleware(options: { logger: HttpLogger }): ErrorRequestHandler {
  const { logger } = options;
  return (error: unknown, request, response, _next) => answerError(error, request, response, logger);
}
