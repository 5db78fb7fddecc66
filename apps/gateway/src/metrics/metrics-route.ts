/**
 * `GET /metrics` (docs/observability.md#metrics): the steps of the scrape route, the same on the
 * gateway's port and on `gateway.metrics.port`. With `gateway.metrics.auth: "required"` a scraper
 * needs a credential holding `operator.read`, like `GET /v1/models`.
 */
import type { GatewayAuthorizer } from '@clawgate/auth';
import { createAuthMiddleware } from '../http/auth-middleware.js';
import { createMethodMiddleware } from '../http/method-middleware.js';
import type { RouteStep } from '../http/route-step.js';
import { runStepsInOrder } from '../http/run-steps-in-order.js';
import { createScopeMiddleware } from '../http/scope-middleware.js';
import type { GatewayMetrics } from './gateway-metrics.js';

/** The path scrapers ask for. */
export const METRICS_PATH = '/metrics';

/**
 * @param options.metrics - What to render.
 * @param options.authorizer - Checks the scraper's credential (absent: `auth` must be `none`).
 * @param options.auth - `required` or `none` (`gateway.metrics.auth`).
 * @param options.readScope - The scope a scraper needs.
 */
export function createMetricsRoute(options: {
  metrics: Pick<GatewayMetrics, 'render' | 'contentType'>;
  authorizer: GatewayAuthorizer | undefined;
  auth: 'required' | 'none';
  readScope: string;
}): RouteStep {
  const { metrics, authorizer, auth, readScope } = options;
  const steps: RouteStep[] = [createMethodMiddleware({ allow: 'GET' })];
  if (auth === 'required') {
    if (authorizer === undefined) throw new TypeError('gateway.metrics.auth "required" needs an authorizer');
    steps.push(
      createAuthMiddleware({ authorizer, requiredScope: readScope }),
      createScopeMiddleware({ requiredScope: readScope }),
    );
  }
  steps.push(async (_request, response) => {
    const body = await metrics.render();
    response.writeHead(200, {
      'content-type': metrics.contentType,
      'content-length': Buffer.byteLength(body),
      'cache-control': 'no-store',
    });
    response.end(body);
  });
  return runStepsInOrder(steps);
}
