import { describe, expectTypeOf, it } from 'vitest';
import type {
  ChatCompletion,
  ChatCompletionChunk,
  Model,
  ModelList,
  ResponsesObject,
  ResponsesStreamEvent,
} from '@clawgate/openai-schemas';
import type { ChatCompletionStream, ChatCompletionStreamMessage } from './chat-completion-stream.js';
import { ClawgateError, type InternalServerError, RateLimitError, TimeoutError } from './clawgate-error.js';
import { createClient, type ChatCompletionCreateParams } from './create-client.js';
import type { EmbeddingsResult } from './embeddings.js';
import type { ResponsesResult } from './response-output-text.js';
import type { ResponseStream } from './response-stream.js';
import type { ResponseCreateParams } from './responses.js';
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

describe('responses.create overloads', () => {
  it('returns a ResponseStream for stream: true', () => {
    expectTypeOf(client.responses.create({ model: 'openclaw', input: 'hi', stream: true })).toEqualTypeOf<
      Promise<ResponseStream>
    >();
  });

  it('returns the response with output_text when stream is absent, false or null', () => {
    expectTypeOf(client.responses.create({ model: 'openclaw', input: 'hi' })).toEqualTypeOf<Promise<ResponsesResult>>();
    expectTypeOf(client.responses.create({ model: 'openclaw', stream: false })).toEqualTypeOf<
      Promise<ResponsesResult>
    >();
    expectTypeOf(client.responses.create({ model: 'openclaw', stream: null })).toEqualTypeOf<
      Promise<ResponsesResult>
    >();
    expectTypeOf<ResponsesResult>().toExtend<ResponsesObject>();
    expectTypeOf<ResponsesResult['output_text']>().toEqualTypeOf<string>();
  });

  it('returns the union when stream is only known at run time', () => {
    const body: ResponseCreateParams = { model: 'openclaw', input: 'hi', stream: Math.random() > 0.5 };
    expectTypeOf(client.responses.create(body)).toEqualTypeOf<Promise<ResponseStream | ResponsesResult>>();
  });

  it('types the request from ResponsesRequestInput and accepts the routing options', () => {
    void client.responses.create({
      model: 'openclaw',
      input: [
        { role: 'user', content: [{ type: 'input_text', text: 'hi' }] },
        { type: 'function_call_output', call_id: 'call_1', output: '{"ok":true}' },
      ],
      tools: [{ type: 'function', name: 'get_time', parameters: { type: 'object' } }],
      previous_response_id: 'resp_1',
    });
    void client.responses.create(
      { model: 'openclaw', input: 'hi' },
      { agent: 'beta', sessionKey: 'k', model: 'local/qwen3', messageChannel: 'slack' },
    );
    // @ts-expect-error model is required
    void client.responses.create({ input: 'hi' });
    // @ts-expect-error messages belongs to chat completions
    void client.responses.create({ model: 'openclaw', messages: [] });
    // @ts-expect-error stream must be a boolean
    void client.responses.create({ model: 'openclaw', stream: 'yes' });
    // @ts-expect-error agentId is not an option (it is `agent`)
    void client.responses.create({ model: 'openclaw' }, { agentId: 'beta' });
  });
});

describe('ResponseStream', () => {
  it('iterates typed events and resolves the final response', () => {
    expectTypeOf<ResponseStream>().toExtend<AsyncIterable<ResponsesStreamEvent>>();
    expectTypeOf<ResponseStream['finalResponse']>().returns.toEqualTypeOf<Promise<ResponsesResult>>();
    expectTypeOf<ResponseStream['toText']>().returns.toEqualTypeOf<Promise<string>>();
    const event = {} as ResponsesStreamEvent;
    if (event.type === 'response.output_text.delta') expectTypeOf(event.delta).toEqualTypeOf<string>();
    if (event.type === 'response.completed') expectTypeOf(event.response).toExtend<ResponsesObject>();
  });
});

describe('embeddings.create', () => {
  it('always resolves to float vectors', () => {
    expectTypeOf(client.embeddings.create({ model: 'openclaw', input: ['a', 'b'] })).toEqualTypeOf<
      Promise<EmbeddingsResult>
    >();
    expectTypeOf<EmbeddingsResult['data'][number]['embedding']>().toEqualTypeOf<number[]>();
    void client.embeddings.create({ model: 'm', input: [[1, 2], [3]], encoding_format: 'base64', dimensions: 8 });
    void client.embeddings.create({ model: 'm', input: [1, 2, 3] }, { agent: 'search' });
    // @ts-expect-error input is required
    void client.embeddings.create({ model: 'openclaw' });
    // @ts-expect-error only float and base64 exist
    void client.embeddings.create({ model: 'openclaw', input: 'a', encoding_format: 'int8' });
    // @ts-expect-error sessionKey means nothing to an embedding
    void client.embeddings.create({ model: 'openclaw', input: 'a' }, { sessionKey: 'k' });
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
