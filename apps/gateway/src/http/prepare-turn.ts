/**
 * The last step before a route sends anything: the runner's checks with and without I/O, and the
 * shared stores' health, so every refusal of a turn is still a plain status and JSON body
 * (docs/http-contract.md#4-agent-selection-session-keys-and-headers).
 */
import type { AgentRunInput, AgentRunner, PreparedRun } from '../agent/agent-runner.js';
import { GatewayError } from '../errors.js';

/**
 * Prepares a turn: `runner.prepare` (400s for an unknown agent, a disallowed model, a missing user
 * message, bad images), `runner.verify` (remote image hosts), then the stores.
 *
 * @param storesAvailable - False while a shared store (Redis) is unreachable: 503 `service_unavailable`.
 * @throws GatewayError with the refusal's status and body.
 */
export async function prepareTurn(
  runner: AgentRunner,
  input: AgentRunInput,
  storesAvailable: (() => boolean) | undefined,
): Promise<PreparedRun> {
  const prepared = runner.prepare(input);
  await runner.verify?.(prepared);
  // A stream would send 200 before the run reaches the session store; refuse honestly instead.
  if (storesAvailable !== undefined && !storesAvailable()) {
    throw new GatewayError('session store unavailable', {
      status: 503,
      type: 'service_unavailable',
      retryAfterSeconds: 1,
    });
  }
  return prepared;
}
