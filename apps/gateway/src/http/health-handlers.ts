/**
 * `GET /healthz` and `GET /readyz`: probes for orchestrators and load balancers. No authentication
 * (a probe carries no credential) and nothing about the deployment in the body.
 */
import type { RouteStep } from './route-step.js';
import { sendJson } from './send-response.js';

/** Probes answer about this instant: never cached. */
const NO_STORE = { 'Cache-Control': 'no-store' };

/**
 * Liveness: the process answers HTTP. Always `200 {"status":"ok"}`.
 */
export const livenessHandler: RouteStep = (_request, response) => {
  sendJson(response, 200, { status: 'ok' }, NO_STORE);
};

/**
 * Creates the readiness handler: `200 {"status":"ready"}` while `isReady()` holds, else
 * `503 {"status":"not ready"}` (starting, draining for shutdown, or a shared store such as Redis
 * unreachable), so a load balancer stops sending traffic without restarting the process.
 *
 * @param options.isReady - Synchronous, no I/O: probes arrive often and must stay cheap.
 */
export function createReadinessHandler(options: { isReady: () => boolean }): RouteStep {
  return (_request, response) => {
    if (options.isReady()) {
      sendJson(response, 200, { status: 'ready' }, NO_STORE);
      return;
    }
    sendJson(response, 503, { status: 'not ready' }, NO_STORE);
  };
}
