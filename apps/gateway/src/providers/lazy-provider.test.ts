import { describe, expect, it, vi } from 'vitest';
import { providerEvents } from './__fixtures__/provider-events.js';
import { createLazyProvider } from './lazy-provider.js';
import type { ModelProvider, ProviderRequest } from './model-provider.js';
import { createOfflineProvider } from './offline-provider.js';

const request: ProviderRequest = { model: 'm', messages: [{ role: 'user', content: 'hello there' }], parameters: {} };

async function collectText(provider: ModelProvider): Promise<string> {
  let text = '';
  for await (const event of providerEvents(provider, request, { signal: new AbortController().signal })) {
    if (event.type === 'text-delta') text += event.text;
  }
  return text;
}

describe('createLazyProvider', () => {
  it('loads nothing until the first run, then loads once for every later and concurrent run', async () => {
    const load = vi.fn(async () => createOfflineProvider({ id: 'local' }));
    const provider = createLazyProvider('local', load);
    expect(provider.id).toBe('local');
    expect(load).not.toHaveBeenCalled();

    const [first, second] = await Promise.all([collectText(provider), collectText(provider)]);
    expect(first).toContain('You said: "hello there"');
    expect(second).toBe(first);
    expect(await collectText(provider)).toBe(first);
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('reports a failed load to that run and tries again on the next one', async () => {
    const load = vi
      .fn<() => Promise<ModelProvider>>()
      .mockRejectedValueOnce(new Error('cannot load'))
      .mockResolvedValue(createOfflineProvider({ id: 'local' }));
    const provider = createLazyProvider('local', load);
    await expect(collectText(provider)).rejects.toThrow('cannot load');
    expect(await collectText(provider)).toContain('hello there');
    expect(load).toHaveBeenCalledTimes(2);
  });

  it('closes the loaded provider, and loads nothing to close one that never ran', async () => {
    const unused = vi.fn(async () => createOfflineProvider());
    await createLazyProvider('unused', unused).close();
    expect(unused).not.toHaveBeenCalled();

    const real = createOfflineProvider({ id: 'local' });
    const close = vi.spyOn(real, 'close');
    const provider = createLazyProvider('local', async () => real);
    await collectText(provider);
    await provider.close();
    expect(close).toHaveBeenCalledTimes(1);
  });

  it('loads on the first embed too and forwards it to the real provider', async () => {
    const real = createOfflineProvider({ id: 'local' });
    const load = vi.fn(async () => real);
    const provider = createLazyProvider('local', load);
    const embedRequest = { model: 'embed', input: ['hello'], dimensions: 8 };
    const signal = new AbortController().signal;
    const [first, second] = await Promise.all([
      provider.embed?.(embedRequest, { signal }),
      provider.embed?.(embedRequest, { signal }),
    ]);
    expect(first).toEqual(await real.embed?.(embedRequest, { signal }));
    expect(second).toEqual(first);
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('answers the 400 of a provider without embeddings when the loaded one has none', async () => {
    const { embed: _embed, ...chatOnly } = createOfflineProvider({ id: 'local' });
    const provider = createLazyProvider('local', async () => chatOnly);
    const signal = new AbortController().signal;
    await expect(provider.embed?.({ model: 'm', input: ['x'] }, { signal })).rejects.toMatchObject({
      status: 400,
      type: 'invalid_request_error',
      message: "Provider 'local' does not support embeddings.",
    });
  });
});
