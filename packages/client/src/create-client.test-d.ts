import { describe, expectTypeOf, it } from 'vitest';
import type { ChatCompletion, ChatCompletionChunk, Model, ModelList } from '@clawgate/openai-schemas';
import type { ChatCompletionStream, ChatCompletionStreamMessage } from './chat-completion-stream.js';
import { ClawgateError, type InternalServerError, RateLimitError, TimeoutError } from './clawgate-error.js';
import { createClient, type ChatCompletionCreateParams } from './create-client.js';
import type { FetchFunction } from './send-request.js';

const client = createClient({ baseURL: 'http://127.0.0.1:18789', token: 'secret' });
const messages = [{ role: 'user' as const, content: 'hi' }];

describe('chat.completions.create overloads', () => {
  it('returns a stream for stream: true', () => {
    expectTypeOf(client.chat.completions.create({ messages, stream: true })).toEqualTypeOf<
      Promise<ChatCompletionStream>
    >();
  });

  it('returns a completion when stream is absent, false or null', () => {
    expectTypeOf(client.chat.completions.create({ messages })).toEqualTypeOf<Promise<ChatCompletion>>();
    expectTypeOf(client.chat.completions.create({ messages, stream: false })).toEqualTypeOf<Promise<ChatCompletion>>();
    expectTypeOf(client.chat.completions.create({ messages, stream: null })).toEqualTypeOf<Promise<ChatCompletion>>();
  });

  it('returns the union when stream is only known at run time', () => {
    const body: ChatCompletionCreateParams = { messages, stream: Math.random() > 0.5 };
    expectTypeOf(client.chat.completions.create(body)).toEqualTypeOf<Promise<ChatCompletionStream | ChatCompletion>>();
  });

  it('requires messages and rejects wrong field types', () => {
    // @ts-expect-error messages is required
    void client.chat.completions.create({ model: 'openclaw' });
    // @ts-expect-error stream must be a boolean
    void client.chat.completions.create({ messages, stream: 'yes' });
    // @ts-expect-error role must be a known role
    void client.chat.completions.create({ messages: [{ role: 'robot', content: 'hi' }] });
  });

  it('accepts the routing options and rejects unknown ones', () => {
    void client.chat.completions.create(
      { messages },
      { agent: 'beta', sessionKey: 'k', model: 'local/qwen3', messageChannel: 'slack', signal: AbortSignal.timeout(5) },
    );
    // @ts-expect-error agentId is not an option (it is `agent`)
    void client.chat.completions.create({ messages }, { agentId: 'beta' });
  });
});

describe('ChatCompletionStream', () => {
  it('iterates typed chunks and assembles typed results', () => {
    type Stream = ChatCompletionStream;
    expectTypeOf<Stream>().toExtend<AsyncIterable<ChatCompletionChunk>>();
    expectTypeOf<Stream['toText']>().returns.toEqualTypeOf<Promise<string>>();
    expectTypeOf<Stream['finalMessage']>().returns.toEqualTypeOf<Promise<ChatCompletionStreamMessage>>();
    expectTypeOf<Stream['finalChatCompletion']>().returns.toEqualTypeOf<Promise<ChatCompletion>>();
    expectTypeOf<ChatCompletionStreamMessage['content']>().toEqualTypeOf<string | null>();
  });
});

describe('createClient options', () => {
  it('accepts the global fetch and wrappers of it', () => {
    expectTypeOf(globalThis.fetch).toExtend<FetchFunction>();
    createClient({ baseURL: 'http://x', fetch: (url, init) => fetch(url, init) });
    // @ts-expect-error baseURL is required
    createClient({ token: 't' });
  });
});

describe('models', () => {
  it('types list and retrieve', () => {
    expectTypeOf(client.models.list()).toEqualTypeOf<Promise<ModelList>>();
    expectTypeOf(client.models.retrieve('openclaw')).toEqualTypeOf<Promise<Model>>();
  });
});

describe('errors', () => {
  it('narrows with isInstance without ruling out siblings', () => {
    const error: unknown = new Error('x');
    if (RateLimitError.isInstance(error)) {
      expectTypeOf(error.retryAfterMs).toEqualTypeOf<number | undefined>();
      expectTypeOf(error.status).toEqualTypeOf<number | undefined>();
    } else if (TimeoutError.isInstance(error)) {
      expectTypeOf(error.name).toEqualTypeOf<'TimeoutError'>();
    } else if (ClawgateError.isInstance(error)) {
      // Structural twins would narrow this to `never`; the literal `name`s keep it usable.
      expectTypeOf(error).toEqualTypeOf<ClawgateError>();
      expectTypeOf(error.requestId).toEqualTypeOf<string | undefined>();
    }
    expectTypeOf<InternalServerError>().toExtend<ClawgateError>();
  });
});
