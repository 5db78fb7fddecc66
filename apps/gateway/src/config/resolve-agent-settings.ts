import type { GatewayConfig } from './config-schema.js';

/** One agent's effective settings: its own values, else `agents.defaults`. */
export interface AgentSettings {
  id: string;
  name: string | undefined;
  /** `<provider>/<model id>`. */
  model: string;
  /**
   * Models that answer in order when `model` fails before any output (docs/http-contract.md#model-fallbacks):
   * the agent's own `model.fallbacks` when it sets a `model` of its own (a plain reference means none),
   * else `agents.defaults.model.fallbacks`; `[]` when none.
   */
  fallbacks: readonly string[];
  systemPrompt: string | undefined;
  maxHistoryMessages: number;
  /** Longest reply the turn accepts from the model, in characters. */
  maxReplyChars: number;
  /** Allow-list for `x-openclaw-model`, as given (see `isModelAllowed`). */
  allowedModels: readonly string[];
  /** `<provider>/<model id>` that `/v1/embeddings` forwards to; `undefined` when none is configured. */
  embeddingModel: string | undefined;
}

/**
 * Looks up a configured agent and merges it over `agents.defaults`.
 *
 * @param config - The validated configuration.
 * @param agentId - A normalised agent id.
 * @returns The settings, or `undefined` when no such agent is configured.
 */
export function resolveAgentSettings(config: GatewayConfig, agentId: string): AgentSettings | undefined {
  const agent = config.agents.list.find((entry) => entry.id === agentId);
  if (!agent) return undefined;
  const defaults = config.agents.defaults;
  return {
    id: agent.id,
    name: agent.name,
    model: agent.model ?? defaults.model,
    // An agent's own model replaces the defaults' wholly, fallbacks included.
    fallbacks: agent.fallbacks ?? (agent.model === undefined ? defaults.fallbacks : []),
    systemPrompt: agent.systemPrompt ?? defaults.systemPrompt,
    maxHistoryMessages: agent.maxHistoryMessages ?? defaults.maxHistoryMessages,
    maxReplyChars: agent.maxReplyChars ?? defaults.maxReplyChars,
    allowedModels: agent.allowedModels ?? defaults.allowedModels ?? [],
    embeddingModel: agent.embeddingModel ?? defaults.embeddingModel,
  };
}

/**
 * The agent used when a request names none (`openclaw`, `openclaw/default`, no header).
 *
 * @returns The id of the entry marked `default` (the schema guarantees exactly one).
 */
export function getDefaultAgentId(config: GatewayConfig): string {
  return (config.agents.list.find((agent) => agent.default) ?? config.agents.list[0])?.id ?? 'main';
}

/** Ids of every configured agent, in configuration order (for `GET /v1/models`). */
export function listAgentIds(config: GatewayConfig): string[] {
  return config.agents.list.map((agent) => agent.id);
}
