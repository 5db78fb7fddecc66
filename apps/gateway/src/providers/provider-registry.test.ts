import { describe, expect, it } from 'vitest';
import { ConfigError } from '../config/config-error.js';
import { parseConfig } from '../config/parse-config.js';
import { createProviderRegistry } from './provider-registry.js';

describe('createProviderRegistry', () => {
  it('always has the built-in offline provider next to configured ones', async () => {
    const registry = createProviderRegistry({
      config: parseConfig({ models: { providers: { local: { baseUrl: 'http://127.0.0.1:9/v1' } } } }, {}),
    });
    expect(registry.ids()).toEqual(['offline', 'local']);
    const resolved = registry.resolve('local/qwen/qwen3');
    expect([resolved.provider.id, resolved.modelId]).toEqual(['local', 'qwen/qwen3']);
    await registry.close();
  });

  it('lets the configuration replace offline', async () => {
    const registry = createProviderRegistry({
      config: parseConfig({ models: { providers: { offline: { baseUrl: 'http://127.0.0.1:9/v1' } } } }, {}),
    });
    expect(registry.ids()).toEqual(['offline']);
    expect(registry.get('offline')?.id).toBe('offline');
    await registry.close();
  });

  it('fails at start-up when an agent references an unknown provider, naming the key', () => {
    // Bypasses parseConfig's own check to prove the registry guards on its own.
    const config = parseConfig({}, {});
    const broken = {
      ...config,
      agents: { ...config.agents, list: [{ id: 'main', default: true, model: 'nowhere/m' }] },
    };
    let caught: unknown;
    try {
      createProviderRegistry({ config: broken });
    } catch (error) {
      caught = error;
    }
    expect(ConfigError.isInstance(caught) && caught.message).toBe(
      "agents.list.0.model: unknown provider 'nowhere' (configured: offline)",
    );
  });

  it.each<
    [
      string,
      { defaults?: { embeddingModel: string }; list?: { id: string; default?: boolean; embeddingModel?: string }[] },
    ]
  >([
    ['agents.defaults.embeddingModel', { defaults: { embeddingModel: 'nowhere/e' } }],
    [
      'agents.list.1.embeddingModel',
      {
        list: [
          { id: 'main', default: true },
          { id: 'b', embeddingModel: 'nowhere/e' },
        ],
      },
    ],
  ])('fails at start-up when %s references an unknown provider', (key, agents) => {
    // Bypasses parseConfig's own check to prove the registry guards on its own.
    const config = parseConfig({}, {});
    const broken = {
      ...config,
      agents: { defaults: { ...config.agents.defaults, ...agents.defaults }, list: agents.list ?? config.agents.list },
    };
    expect(() => createProviderRegistry({ config: broken as typeof config })).toThrow(
      `${key}: unknown provider 'nowhere' (configured: offline)`,
    );
  });

  it('resolves an embedding model to its provider, whose embed exists', async () => {
    const registry = createProviderRegistry({
      config: parseConfig({ agents: { defaults: { embeddingModel: 'offline/clawgate-offline-embed' } } }, {}),
    });
    const resolved = registry.resolve('offline/clawgate-offline-embed');
    expect([resolved.provider.id, resolved.modelId, typeof resolved.provider.embed]).toEqual([
      'offline',
      'clawgate-offline-embed',
      'function',
    ]);
    await registry.close();
  });

  it('refuses to resolve references without a provider', () => {
    const registry = createProviderRegistry({ config: parseConfig({}, {}) });
    expect(() => registry.resolve('gpt-4o')).toThrow('model: expected "<provider>/<model id>", got \'gpt-4o\'');
  });
});
