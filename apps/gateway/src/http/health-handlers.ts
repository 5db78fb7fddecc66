/**
 * `GET /healthz` and `GET /readyz`: probes for orchestrators and load balancers. No authentication
 * (a probe carries no credential) and nothing about the deployment in the body.
 */
import type { RequestHandler } from 'express';

/**
 * Liveness: the process answers HTTP. Always `200 {"status":"ok"}`.
 */
export const livenessHandler: RequestHandler = (_request, response) => {
  response.setHeader('Cache-Control', 'no-store');
  response.status(200).json({ status: 'ok' });
};

/**
 * Creates the readiness handler: `200 {"status":"ready"}` while `isReady()` holds, else
 * `503 {"status":"not ready"}` (starting, draining for shutdown, or a shared store such as Redis
 * unreachable), so a load balancer stops sending traffic without restarting the process.
 *
 * @param options.isReady - Synchronous, no I/O: probes arrive often and must stay cheap.
 */
export function createReadinessHandler(options: { isReady: () => boolean }): RequestHandler {
  return (_request, response) => {
    response.setHeader('Cache-Control', 'no-store');
    if (options.isReady()) {
      response.status(200).json({ status: 'ready' });
      return;
    }
    response.status(503).json({ status: 'not ready' });
  };
}
