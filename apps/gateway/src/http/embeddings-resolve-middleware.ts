/**
 * `POST /v1/embeddings`, resolution: which agent the request names (the same rules and 400s as chat
 * completions: `x-openclaw-agent-id`, else `model`, else the default agent) and which provider embeds
 * for it (the agent's `embeddingModel`), before anything is sent upstream
 * (docs/embeddings.md#agent-and-embedding-model).
 */
import { resolveAgentId } from '@clawgate/session-key';
import type { GatewayConfig } from '../config/config-schema.js';
import { getDefaultAgentId, listAgentIds, resolveAgentSettings } from '../config/resolve-agent-settings.js';
import { invalidRequest } from '../errors.js';
import { embeddingsUnsupportedError } from '../providers/embeddings-unsupported.js';
import type { ProviderRegistry } from '../providers/provider-registry.js';
import { embeddingsLocals } from './embeddings-request-state.js';
import { firstHeaderValue } from './first-header-value.js';
import { RESOLVE_ERROR_MESSAGES } from './resolve-run-middleware.js';
import type { RouteStep } from './route-step.js';

/** The 400 of an agent without `embeddingModel`: it says which keys to set. */
export function noEmbeddingModelMessage(agentId: string): string {
  return `No embedding model is configured for agent '${agentId}'. Set \`agents.defaults.embeddingModel\` or \`agents.list[].embeddingModel\` to "<provider>/<model id>".`;
}

/** Options of {@link createEmbeddingsResolveMiddleware}. */
export interface EmbeddingsResolveMiddlewareOptions {
  /** The validated configuration: agents and their `embeddingModel`. */
  config: GatewayConfig;
  /** Resolves `<provider>/<model id>` (every configured reference resolves: checked at start-up). */
  providers: Pick<ProviderRegistry, 'resolve'>;
}

/**
 * Creates the step that stores `res.locals.embeddingTarget`, or throws a 400 `GatewayError`:
 * ``Invalid `model`. …`` (a `model` naming no agent, even with the header), `Unknown agent '<id>'.`,
 * {@link noEmbeddingModelMessage}, or `Provider '<id>' does not support embeddings.`.
 */
export function createEmbeddingsResolveMiddleware(options: EmbeddingsResolveMiddlewareOptions): RouteStep {
  const { config, providers } = options;
  const defaultAgentId = getDefaultAgentId(config);
  // The configuration never changes while the app lives: each agent's embedding model, once.
  const embeddingModels = new Map(
    listAgentIds(config).map((agentId) => [agentId, resolveAgentSettings(config, agentId)?.embeddingModel]),
  );
  return (request, response, next) => {
    const locals = embeddingsLocals(response.locals);
    const embeddingRequest = locals.embeddingRequest;
    if (embeddingRequest === undefined) throw new Error('embeddings resolve step ran before validation');
    const agent = resolveAgentId({
      headerAgentId: firstHeaderValue(request, 'x-openclaw-agent-id') ?? firstHeaderValue(request, 'x-openclaw-agent'),
      model: embeddingRequest.model,
      defaultAgentId,
    });
    if (!agent.ok) throw invalidRequest(RESOLVE_ERROR_MESSAGES.invalidModel);
    const { agentId } = agent;
    if (!embeddingModels.has(agentId)) throw invalidRequest(`Unknown agent '${agentId}'.`);
    const embeddingModel = embeddingModels.get(agentId);
    if (embeddingModel === undefined) throw invalidRequest(noEmbeddingModelMessage(agentId));
    const { provider, modelId } = providers.resolve(embeddingModel);
    const embed = provider.embed;
    if (embed === undefined) throw embeddingsUnsupportedError(provider.id);
    locals.embeddingTarget = {
      agentId,
      embeddingModel,
      providerId: provider.id,
      embed: (embedRequest, embedOptions) => embed.call(provider, embedRequest, embedOptions),
      modelId,
    };
    next();
  };
}
