/**
 * Test adapter: runs a push-style provider and gives its output back as an async iterable of
 * `ProviderEvent`s (the pieces as they arrive, then `usage` and `finish`), so tests can read and
 * stop a provider with `for await`. Leaving the loop early aborts the provider, as a client that
 * goes away does.
 */
import type { ModelProvider, ProviderEvent, ProviderRequest } from '../model-provider.js';

export async function* providerEvents(
  provider: ModelProvider,
  request: ProviderRequest,
  options: { signal: AbortSignal },
): AsyncGenerator<ProviderEvent, void, undefined> {
  const controller = new AbortController();
  const forwardAbort = (): void => controller.abort(options.signal.reason);
  if (options.signal.aborted) forwardAbort();
  else options.signal.addEventListener('abort', forwardAbort, { once: true });
  const queue: ProviderEvent[] = [];
  let wake: (() => void) | undefined;
  const push = (event: ProviderEvent): boolean => {
    queue.push(event);
    wake?.();
    return true;
  };
  let outcome: { ok: true } | { ok: false; error: unknown } | undefined;
  void provider
    .stream(
      request,
      {
        text: (text) => push({ type: 'text-delta', text }),
        toolCallStart: (index, id, name) => push({ type: 'tool-call-start', index, id, name }),
        toolCallDelta: (index, piece) => push({ type: 'tool-call-delta', index, arguments: piece }),
        drained: () => Promise.resolve(),
      },
      { signal: controller.signal },
    )
    .then(
      (result) => {
        queue.push({ type: 'usage', usage: result.usage }, { type: 'finish', finishReason: result.finishReason });
        outcome = { ok: true };
        wake?.();
      },
      (error: unknown) => {
        outcome = { ok: false, error };
        wake?.();
      },
    );
  try {
    for (;;) {
      while (queue.length > 0) yield queue.shift() as ProviderEvent;
      if (outcome !== undefined) {
        if (!outcome.ok) throw outcome.error;
        return;
      }
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
      wake = undefined;
    }
  } finally {
    options.signal.removeEventListener('abort', forwardAbort);
    if (outcome === undefined) controller.abort(new Error('consumer stopped reading'));
  }
}
