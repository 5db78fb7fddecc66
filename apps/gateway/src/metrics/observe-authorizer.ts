/**
 * The authorizer with every refusal counted (`clawgate_auth_failures_total`, by outcome, never by
 * client): both doors, HTTP and WebSocket, authenticate through it (docs/observability.md#metrics).
 */
import { RateLimitStoreUnavailableError, type GatewayAuthorizer } from '@clawgate/auth';
import type { GatewayMetrics } from './gateway-metrics.js';

/**
 * @param authorizer - The authorizer to watch; its decisions pass through unchanged.
 * @param metrics - Where refusals are counted.
 */
export function observeAuthorizer(
  authorizer: GatewayAuthorizer,
  metrics: Pick<GatewayMetrics, 'observeAuthDecision' | 'observeAuthUnavailable'>,
): GatewayAuthorizer {
  return {
    async authorize(request, options) {
      try {
        const decision = await authorizer.authorize(request, options);
        metrics.observeAuthDecision(decision);
        return decision;
      } catch (error) {
        if (RateLimitStoreUnavailableError.isInstance(error)) metrics.observeAuthUnavailable();
        throw error;
      }
    },
    close: () => authorizer.close(),
  };
}
