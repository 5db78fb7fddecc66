/**
 * Which model a run uses: the agent's own, or the `x-openclaw-model` override when the agent's
 * allow-list permits it (docs/http-contract.md#4-agent-selection-session-keys-and-headers).
 */
import { parseModelOverride, splitProviderModel } from '@clawgate/session-key';
import type { AgentSettings } from '../config/resolve-agent-settings.js';
import { invalidRequest } from '../errors.js';

/**
 * Resolves the model reference of a run.
 *
 * Allow-list entries (`agents.*.allowedModels`): `<provider>/<model>` (exact), a bare model id
 * (on the agent's own provider), `<provider>/*` (any model of that provider) or `*` (anything).
 * The agent's own model is always allowed. A bare override means a model on the agent's provider.
 *
 * @param settings - The agent's effective settings.
 * @param override - The `x-openclaw-model` header value, if any.
 * @returns `<provider>/<model id>`.
 * @throws GatewayError 400 ``Invalid `x-openclaw-model`.`` or `Model '<x>' is not allowed for agent '<id>'.`
 */
export function resolveRunModel(settings: AgentSettings, override: string | undefined): string {
  if (override === undefined) return settings.model;
  const parsed = parseModelOverride(override);
  if (!parsed.ok) throw invalidRequest('Invalid `x-openclaw-model`.');
  // The agent's model passed the configuration's `<provider>/<model id>` check, so it has a provider.
  const ownProvider = splitProviderModel(settings.model)?.provider ?? '';
  const requested = `${parsed.provider ?? ownProvider}/${parsed.model}`;
  if (requested === settings.model) return requested;
  const allowed = settings.allowedModels.some((entry) => {
    if (entry === '*') return true;
    const full = entry.includes('/') ? entry : `${ownProvider}/${entry}`;
    if (full.endsWith('/*')) return requested.startsWith(full.slice(0, -1));
    return full === requested;
  });
  if (!allowed) throw invalidRequest(`Model '${override.trim()}' is not allowed for agent '${settings.id}'.`);
  return requested;
}
