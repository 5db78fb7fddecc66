/**
 * The models the gateway can reach, for `models.list` and `status` (docs/ws-protocol.md#methods):
 * each provider's configured catalogue (`models.providers.<id>.models`), and for a provider
 * without one, the models that agents reference on it (model, fallbacks, allowed models; name = id).
 */
import { splitProviderModel } from '@clawgate/session-key';
import type { GatewayConfig } from '../config/config-schema.js';

/** One entry of `models.list`. */
export interface ListedModel {
  id: string;
  name: string;
  provider: string;
  contextWindow: number | null;
  reasoning: boolean;
  available: boolean;
}

export function listCatalogueModels(config: GatewayConfig): ListedModel[] {
  const listed: ListedModel[] = [];
  const seen = new Set<string>();
  const add = (model: ListedModel) => {
    const key = `${model.provider}/${model.id}`;
    if (seen.has(key)) return;
    seen.add(key);
    listed.push(model);
  };
  const providers = config.models.providers;
  for (const [provider, settings] of Object.entries(providers)) {
    for (const entry of settings.models ?? []) {
      add({
        id: entry.id,
        name: entry.name ?? entry.id,
        provider,
        contextWindow: entry.contextWindow ?? null,
        reasoning: entry.reasoning ?? false,
        available: true,
      });
    }
  }
  // Providers without a catalogue: the models agents use, fall back to or allow on them.
  const { defaults } = config.agents;
  const referenced = [defaults.model, ...defaults.fallbacks, ...(defaults.allowedModels ?? [])];
  for (const agent of config.agents.list) {
    if (agent.model !== undefined) referenced.push(agent.model);
    referenced.push(...(agent.fallbacks ?? []), ...(agent.allowedModels ?? []));
  }
  for (const reference of referenced) {
    const split = splitProviderModel(reference);
    if (split === undefined || split.model === '*') continue;
    // Own keys only: a reference to `constructor/x` must not find Object.prototype's member.
    const provider = Object.hasOwn(providers, split.provider) ? providers[split.provider] : undefined;
    if (provider?.models !== undefined) continue;
    if (provider === undefined && split.provider !== 'offline') continue;
    add({
      id: split.model,
      name: split.model,
      provider: split.provider,
      contextWindow: null,
      reasoning: false,
      available: true,
    });
  }
  return listed;
}

/** A provider's catalogue entry for a model id, when the catalogue has one. */
export function findCatalogueModel(config: GatewayConfig, provider: string, modelId: string) {
  const providers = config.models.providers;
  return Object.hasOwn(providers, provider)
    ? providers[provider]?.models?.find((entry) => entry.id === modelId)
    : undefined;
}
