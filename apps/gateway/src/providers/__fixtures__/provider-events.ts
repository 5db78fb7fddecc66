/**
 * Test adapter: runs a push-style provider and gives its output back as an async iterable of
 * `ProviderEvent`s (the pieces as they arrive, then `usage` and `finish`), so tests can read and
 * stop a provider with `for await`. Leaving the loop early aborts the provider, as a client that
 * goes away does.
 */
import { replySinkEvents } from '../../__fixtures__/reply-sink-events.js';
import type { ModelProvider, ProviderEvent, ProviderRequest, ProviderResult } from '../model-provider.js';

export function providerEvents(
  provider: ModelProvider,
  request: ProviderRequest,
  options: { signal: AbortSignal },
): AsyncGenerator<ProviderEvent, void, undefined> {
  return replySinkEvents<ProviderEvent, ProviderResult>(
    (sink, signal) => provider.stream(request, sink, { signal }),
    {
      text: (text) => ({ type: 'text-delta', text }),
      toolCallStart: (index, id, name) => ({ type: 'tool-call-start', index, id, name }),
      toolCallDelta: (index, piece) => ({ type: 'tool-call-delta', index, arguments: piece }),
      outcome: (result) => [
        { type: 'usage', usage: result.usage },
        { type: 'finish', finishReason: result.finishReason },
      ],
    },
    options.signal,
  );
}
