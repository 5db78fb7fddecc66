/**
 * All model providers of one gateway, built once from the configuration. The built-in `offline`
 * provider always exists unless `models.providers.offline` replaces it. `openai-completions`
 * providers load their implementation (undici, upstream schemas) on their first run, not at start.
 */
import { splitProviderModel } from '@clawgate/session-key';
import type { GatewayConfig } from '../config/config-schema.js';
import { ConfigError } from '../config/config-error.js';
import type { ModelProvider } from './model-provider.js';
import { createLazyProvider } from './lazy-provider.js';
import { createOfflineProvider } from './offline-provider.js';

/** A model reference split at its first `/`. */
export interface ResolvedModel {
  provider: ModelProvider;
  /** What the upstream receives as `model` (`openai/gpt-4o` for `openrouter/openai/gpt-4o`). */
  modelId: string;
}

/** Providers by id. */
export interface ProviderRegistry {
  /** The provider with this id, if configured. */
  get(providerId: string): ModelProvider | undefined;
  /**
   * Resolves `<provider>/<model id>`.
   *
   * @throws ConfigError when the reference has no `/` or names an unknown provider.
   */
  resolve(modelReference: string): ResolvedModel;
  /** Ids of every provider (built-in included). */
  ids(): string[];
  /** Closes every provider's connection pool. */
  close(): Promise<void>;
}

/**
 * Builds every configured provider and checks that each agent's model and embedding model name one.
 *
 * @param options.config - The validated configuration.
 * @throws ConfigError naming the agent key when an agent references an unknown provider.
 * @example
 * const providers = createProviderRegistry({ config });
 * const { provider, modelId } = providers.resolve('offline/clawgate-offline');
 */
export function createProviderRegistry(options: { config: GatewayConfig }): ProviderRegistry {
  const { config } = options;
  const providers = new Map<string, ModelProvider>();
  providers.set('offline', createOfflineProvider());
  for (const [id, providerConfig] of Object.entries(config.models.providers)) {
    providers.set(
      id,
      providerConfig.api === 'offline'
        ? createOfflineProvider({ id, delayMs: providerConfig.delayMs })
        : createLazyProvider(id, async () =>
            (await import('./openai-completions-provider.js')).createOpenAICompletionsProvider({
              id,
              config: providerConfig,
            }),
          ),
    );
  }

  const resolve = (modelReference: string, key = 'model'): ResolvedModel => {
    const parts = splitProviderModel(modelReference);
    if (!parts) throw new ConfigError(`${key}: expected "<provider>/<model id>", got '${modelReference}'`, { key });
    const provider = providers.get(parts.provider);
    if (!provider) {
      throw new ConfigError(
        `${key}: unknown provider '${parts.provider}' (configured: ${[...providers.keys()].join(', ')})`,
        { key },
      );
    }
    return { provider, modelId: parts.model };
  };

  // Fail at start-up, not on an agent's first request (or first embedding).
  resolve(config.agents.defaults.model, 'agents.defaults.model');
  const defaultEmbeddingModel = config.agents.defaults.embeddingModel;
  if (defaultEmbeddingModel !== undefined) resolve(defaultEmbeddingModel, 'agents.defaults.embeddingModel');
  config.agents.list.forEach((agent, index) => {
    if (agent.model !== undefined) resolve(agent.model, `agents.list.${index}.model`);
    if (agent.embeddingModel !== undefined) resolve(agent.embeddingModel, `agents.list.${index}.embeddingModel`);
  });

  return {
    get: (providerId) => providers.get(providerId),
    resolve: (modelReference) => resolve(modelReference),
    ids: () => [...providers.keys()],
    close: async () => {
      await Promise.all([...providers.values()].map((provider) => provider.close()));
    },
  };
}
