/**
 * The request listener of `gateway.metrics.port` (docs/observability.md#a-port-of-its-own): it
 * answers `GET /metrics` and nothing else, so the public port can stay free of it.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GatewayRequestListener } from '../app.js';
import { answerError } from '../http/error-middleware.js';
import type { HttpLogger } from '../http/http-logger.js';
import { notFoundHandler } from '../http/not-found-handler.js';
import { requestPath, type RouteStep, type StepResponse } from '../http/route-step.js';
import { METRICS_PATH } from './metrics-route.js';

/**
 * @param route - The scrape route (`createMetricsRoute`).
 * @param logger - Where an unexpected error is logged.
 */
export function createMetricsListener(route: RouteStep, logger: HttpLogger): GatewayRequestListener {
  return (request: IncomingMessage, response: ServerResponse) => {
    const stepResponse = response as StepResponse;
    stepResponse.locals = {};
    const step = requestPath(request) === METRICS_PATH ? route : notFoundHandler;
    const done = (error?: unknown) => {
      if (error !== undefined) answerError(error, request, stepResponse, logger);
    };
    try {
      const pending = step(request, stepResponse, done);
      if (pending instanceof Promise) pending.catch(done);
    } catch (error) {
      done(error);
    }
  };
}
