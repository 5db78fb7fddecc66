/**
 * `createLazyProvider`: a provider whose implementation module is imported on its first run.
 *
 * Why: the `openai-completions` provider brings undici (its HTTP client), the largest single piece
 * of the gateway's start-up: ~90 ms to listening and ~8.5 MB of idle memory on the default
 * configuration. Loaded on the first run instead, only that run waits for the import (once, tens of
 * ms), and a gateway or `config check` that never runs one never pays it.
 */
import { embeddingsUnsupportedError } from './embeddings-unsupported.js';
import type { ModelProvider } from './model-provider.js';

/**
 * Wraps `load` (which imports and builds the real provider) in a provider that loads on first use.
 *
 * Once loaded, `stream` calls the real provider directly, so a run pays nothing per piece; only
 * runs that start while the import is still in flight wait for it first. `embed` loads the same way;
 * whether the real provider can embed is only known once it is loaded, so the wrapper always has an
 * `embed`, which rejects with the 400 of a provider without embeddings when the real one has none.
 * A failed import is not cached: the next run tries again (and reports the same failure if it
 * persists).
 *
 * @param id - The provider id (known without loading anything).
 * @param load - Imports the implementation and builds the provider; called at most once per success.
 * @example
 * const provider = createLazyProvider('local', async () =>
 *   (await import('./openai-completions-provider.js')).createOpenAICompletionsProvider({ id: 'local', config }));
 */
export function createLazyProvider(id: string, load: () => Promise<ModelProvider>): ModelProvider {
  let loaded: ModelProvider | undefined;
  let loading: Promise<ModelProvider> | undefined;

  const ensureLoaded = (): Promise<ModelProvider> => {
    loading ??= load().then(
      (provider) => (loaded = provider),
      (error: unknown) => {
        loading = undefined;
        throw error;
      },
    );
    return loading;
  };

  return {
    id,
    stream: (request, sink, options) =>
      loaded === undefined
        ? ensureLoaded().then((provider) => provider.stream(request, sink, options))
        : loaded.stream(request, sink, options),
    embed: async (request, options) => {
      const provider = loaded ?? (await ensureLoaded());
      if (provider.embed === undefined) throw embeddingsUnsupportedError(id);
      return provider.embed(request, options);
    },
    close: async () => {
      // Nothing to release when no run ever loaded it; an in-flight load is awaited so its pool closes.
      if (loading === undefined) return;
      const provider = await loading.catch(() => undefined);
      await provider?.close();
    },
  };
}
