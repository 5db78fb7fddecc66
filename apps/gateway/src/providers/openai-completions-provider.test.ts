import { afterEach, describe, expect, it } from 'vitest';
import { GatewayError } from '../errors.js';
import {
  sseFrame,
  startUpstreamServer,
  textChunk,
  type UpstreamHandler,
  type UpstreamServer,
} from './__fixtures__/start-upstream-server.js';
import { providerEvents } from './__fixtures__/provider-events.js';
import type { ProviderEvent, ProviderRequest } from './model-provider.js';
import { createOpenAICompletionsProvider } from './openai-completions-provider.js';

const API_KEY = 'sk-test-secret-key-1234567890';
const request: ProviderRequest = {
  model: 'openai/gpt-4o',
  messages: [{ role: 'user', content: 'hello' }],
  parameters: {},
};

let server: UpstreamServer | undefined;
const providers: { close(): Promise<void> }[] = [];

afterEach(async () => {
  await Promise.all(providers.splice(0).map((provider) => provider.close()));
  await server?.close();
  server = undefined;
});

async function setup(
  handler: UpstreamHandler,
  options: { timeoutMs?: number; idleTimeoutMs?: number; apiKey?: string | null } = {},
) {
  server = await startUpstreamServer(handler);
  const provider = createOpenAICompletionsProvider({
    id: 'test',
    config: {
      api: 'openai-completions',
      baseUrl: server.baseUrl,
      apiKey: options.apiKey === null ? undefined : (options.apiKey ?? API_KEY),
      timeoutMs: options.timeoutMs ?? 5000,
      ...(options.idleTimeoutMs === undefined ? {} : { idleTimeoutMs: options.idleTimeoutMs }),
    },
  });
  providers.push(provider);
  return provider;
}

async function collect(iterable: AsyncIterable<ProviderEvent>): Promise<ProviderEvent[]> {
  const events: ProviderEvent[] = [];
  for await (const event of iterable) events.push(event);
  return events;
}

async function failure(iterable: AsyncIterable<ProviderEvent>): Promise<GatewayError> {
  try {
    await collect(iterable);
  } catch (error) {
    if (GatewayError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected the stream to fail');
}

/** The events an answer yields before it fails, and what it failed with. */
async function eventsUntilFailure(
  iterable: AsyncIterable<ProviderEvent>,
): Promise<{ events: ProviderEvent[]; caught: unknown }> {
  const events: ProviderEvent[] = [];
  try {
    for await (const event of iterable) events.push(event);
  } catch (caught) {
    return { events, caught };
  }
  return { events, caught: undefined };
}

function sseHeaders(response: import('node:http').ServerResponse) {
  response.writeHead(200, { 'content-type': 'text/event-stream' });
}

describe('openai-completions provider: request', () => {
  it('POSTs <baseUrl>/chat/completions with stream options, bearer key and forwarded fields verbatim', async () => {
    const provider = await setup((_request, response) => {
      sseHeaders(response);
      response.end(sseFrame(textChunk('hi', 'stop')) + sseFrame('[DONE]'));
    });
    const parameters: ProviderRequest['parameters'] = {
      temperature: 0.3,
      top_p: 0.9,
      frequency_penalty: -1,
      presence_penalty: 1.5,
      seed: 42,
      stop: ['END', 'STOP'],
      response_format: { type: 'json_object' },
      max_completion_tokens: 64,
      max_tokens: 32,
      tools: [
        {
          type: 'function',
          function: {
            name: 'get_weather',
            description: 'Weather',
            parameters: { type: 'object', properties: { city: { type: 'string' } } },
            strict: true,
          },
        },
      ],
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
    } as ProviderRequest['parameters'];
    await collect(providerEvents(provider, { ...request, parameters }, { signal: new AbortController().signal }));
    const received = server!.requests[0]!;
    expect(received.method).toBe('POST');
    expect(received.url).toBe('/v1/chat/completions');
    expect(received.headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect(received.headers['content-type']).toBe('application/json');
    expect(received.body).toEqual({
      model: 'openai/gpt-4o',
      messages: [{ role: 'user', content: 'hello' }],
      ...parameters,
      stream: true,
      stream_options: { include_usage: true },
    });
  });

  it('sends shared (frozen) history messages byte for byte as JSON.stringify would, turn after turn', async () => {
    const provider = await setup((_request, response) => {
      sseHeaders(response);
      response.end(sseFrame(textChunk('ok', 'stop')) + sseFrame('[DONE]'));
    });
    // What a session store hands out every turn: the same frozen objects.
    const history = [
      Object.freeze({ role: 'user' as const, content: 'say "hi" \u2028 \ud83d\ude00' }),
      Object.freeze({ role: 'assistant' as const, content: 'line\nbreak' }),
    ];
    for (const turn of ['first', 'second']) {
      const messages: ProviderRequest['messages'] = [...history, { role: 'user', content: turn }];
      await collect(
        providerEvents(provider, { ...request, messages, stream: false }, { signal: new AbortController().signal }),
      );
    }
    expect(server!.requests.map((received) => received.rawBody)).toEqual(
      ['first', 'second'].map((turn) =>
        JSON.stringify({
          model: 'openai/gpt-4o',
          messages: [...history, { role: 'user', content: turn }],
          stream: false,
        }),
      ),
    );
  });

  it('reuses one keep-alive connection even when the body ends after [DONE]', async () => {
    let bodyEnded = Promise.resolve();
    const provider = await setup((_request, response) => {
      sseHeaders(response);
      bodyEnded = new Promise((resolve) => response.on('finish', () => resolve()));
      response.write(sseFrame(textChunk('x', 'stop')) + sseFrame('[DONE]'));
      // The chunked body's terminator comes later, as from real servers under load.
      setTimeout(() => response.end(), 30);
    });
    for (let index = 0; index < 3; index += 1) {
      await collect(providerEvents(provider, request, { signal: new AbortController().signal }));
      // The next request waits until the terminator has left the server and the client has had a
      // few turns of the event loop (two are enough today) to read it and pool the socket, not for a
      // time that a stalled loop can outrun: back-to-back requests would (correctly) open a second socket.
      await bodyEnded;
      for (let turn = 0; turn < 5; turn += 1) await new Promise((resolve) => setImmediate(resolve));
    }
    const ports = server!.requests.map((received) => received.remotePort);
    expect(ports).toHaveLength(3);
    expect(new Set(ports).size).toBe(1);
  });

  it('sends no Authorization header without an apiKey', async () => {
    const provider = await setup(
      (_request, response) => {
        sseHeaders(response);
        response.end(sseFrame(textChunk('x', 'stop')) + sseFrame('[DONE]'));
      },
      { apiKey: null },
    );
    await collect(providerEvents(provider, request, { signal: new AbortController().signal }));
    expect(server!.requests[0]!.headers.authorization).toBeUndefined();
  });
});

describe('openai-completions provider: streaming', () => {
  it('yields the first delta before the upstream has finished', async () => {
    let finishUpstream!: () => void;
    const upstreamFinished = new Promise<void>((resolve) => {
      finishUpstream = resolve;
    });
    let finished = false;
    const provider = await setup(async (_request, response) => {
      sseHeaders(response);
      response.write(sseFrame(textChunk('first ')));
      await upstreamFinished;
      response.end(sseFrame(textChunk('second', 'stop')) + sseFrame('[DONE]'));
      finished = true;
    });
    const iterator = providerEvents(provider, request, { signal: new AbortController().signal })[
      Symbol.asyncIterator
    ]();
    const first = await iterator.next();
    expect(first.value).toEqual({ type: 'text-delta', text: 'first ' });
    expect(finished).toBe(false);
    finishUpstream();
    const rest: ProviderEvent[] = [];
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) rest.push(next.value);
    expect(rest[0]).toEqual({ type: 'text-delta', text: 'second' });
    expect(rest.at(-1)).toEqual({ type: 'finish', finishReason: 'stop' });
  });

  it('takes usage from the upstream include_usage chunk', async () => {
    const provider = await setup((_request, response) => {
      sseHeaders(response);
      response.end(
        sseFrame(textChunk('Hello', 'stop')) +
          sseFrame({
            id: 'c',
            object: 'chat.completion.chunk',
            created: 1,
            model: 'm',
            choices: [],
            usage: { prompt_tokens: 11, completion_tokens: 7, total_tokens: 18 },
          }) +
          sseFrame('[DONE]'),
      );
    });
    const events = await collect(providerEvents(provider, request, { signal: new AbortController().signal }));
    expect(events).toEqual([
      { type: 'text-delta', text: 'Hello' },
      { type: 'usage', usage: { prompt_tokens: 11, completion_tokens: 7, total_tokens: 18 } },
      { type: 'finish', finishReason: 'stop' },
    ]);
  });

  it('estimates usage at 4 characters per token when the upstream sends none', async () => {
    const provider = await setup((_request, response) => {
      sseHeaders(response);
      response.end(sseFrame(textChunk('12345678', 'length')) + sseFrame('[DONE]'));
    });
    const events = await collect(providerEvents(provider, request, { signal: new AbortController().signal }));
    // Prompt: JSON of "hello" is 7 characters → 2 tokens; completion: 8 characters → 2 tokens.
    expect(events.slice(1)).toEqual([
      { type: 'usage', usage: { prompt_tokens: 2, completion_tokens: 2, total_tokens: 4 } },
      { type: 'finish', finishReason: 'length' },
    ]);
  });

  it('turns streamed tool calls into start/delta events and finish_reason tool_calls', async () => {
    const chunk = (toolCalls: unknown, finishReason: string | null = null) => ({
      id: 'c',
      object: 'chat.completion.chunk',
      created: 1,
      model: 'm',
      choices: [{ index: 0, delta: { tool_calls: toolCalls }, finish_reason: finishReason }],
    });
    const provider = await setup((_request, response) => {
      sseHeaders(response);
      response.end(
        sseFrame(
          chunk([{ index: 0, id: 'call_a', type: 'function', function: { name: 'get_weather', arguments: '' } }]),
        ) +
          sseFrame(chunk([{ index: 0, function: { arguments: '{"city":' } }])) +
          sseFrame(chunk([{ index: 0, function: { arguments: '"Paris"}' } }])) +
          sseFrame(
            chunk(
              [{ index: 1, id: 'call_b', type: 'function', function: { name: 'get_time', arguments: '{}' } }],
              'tool_calls',
            ),
          ) +
          sseFrame('[DONE]'),
      );
    });
    const events = await collect(providerEvents(provider, request, { signal: new AbortController().signal }));
    expect(events.filter((event) => event.type !== 'usage')).toEqual([
      { type: 'tool-call-start', index: 0, id: 'call_a', name: 'get_weather' },
      { type: 'tool-call-delta', index: 0, arguments: '{"city":' },
      { type: 'tool-call-delta', index: 0, arguments: '"Paris"}' },
      { type: 'tool-call-start', index: 1, id: 'call_b', name: 'get_time' },
      { type: 'tool-call-delta', index: 1, arguments: '{}' },
      { type: 'finish', finishReason: 'tool_calls' },
    ]);
  });

  it('handles a plain JSON completion from a server that ignores stream: true', async () => {
    const provider = await setup((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify({
          id: 'c',
          object: 'chat.completion',
          created: 1,
          model: 'm',
          choices: [{ index: 0, message: { role: 'assistant', content: 'Whole answer' }, finish_reason: 'stop' }],
          usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 },
        }),
      );
    });
    const events = await collect(providerEvents(provider, request, { signal: new AbortController().signal }));
    expect(events).toEqual([
      { type: 'text-delta', text: 'Whole answer' },
      { type: 'usage', usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 } },
      { type: 'finish', finishReason: 'stop' },
    ]);
  });

  it('skips a malformed chunk (bad JSON or the wrong shape) and keeps the rest of the stream', async () => {
    const provider = await setup((_request, response) => {
      sseHeaders(response);
      response.end(
        sseFrame(textChunk('one ')) +
          'data: {not json\n\n' +
          sseFrame({
            id: 'c',
            object: 'chat.completion.chunk',
            created: 1,
            model: 'm',
            choices: [{ index: 0, delta: { content: 42 } }],
          }) +
          sseFrame(textChunk('two', 'stop')) +
          sseFrame('[DONE]'),
      );
    });
    const events = await collect(providerEvents(provider, request, { signal: new AbortController().signal }));
    expect(events.filter((event) => event.type === 'text-delta')).toEqual([
      { type: 'text-delta', text: 'one ' },
      { type: 'text-delta', text: 'two' },
    ]);
    expect(events.at(-1)).toEqual({ type: 'finish', finishReason: 'stop' });
  });

  it('maps a mid-stream error payload to 502 with the upstream message', async () => {
    const provider = await setup((_request, response) => {
      sseHeaders(response);
      response.end(
        sseFrame(textChunk('partial')) + sseFrame({ error: { message: 'model crashed', type: 'server_error' } }),
      );
    });
    const error = await failure(providerEvents(provider, request, { signal: new AbortController().signal }));
    expect([error.status, error.type, error.message]).toEqual([502, 'api_error', 'model crashed']);
  });
});

describe('openai-completions provider: whole answer (stream: false)', () => {
  const wholeRequest: ProviderRequest = { ...request, stream: false };
  const completion = (message: unknown, finishReason: string, usage?: unknown) =>
    JSON.stringify({
      id: 'c',
      object: 'chat.completion',
      created: 1,
      model: 'm',
      choices: [{ index: 0, message, finish_reason: finishReason }],
      ...(usage ? { usage } : {}),
    });

  it('asks the upstream for one JSON answer (stream: false, no stream_options) and yields the same events', async () => {
    const provider = await setup((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(
        completion({ role: 'assistant', content: 'Whole answer' }, 'length', {
          prompt_tokens: 3,
          completion_tokens: 2,
          total_tokens: 5,
        }),
      );
    });
    const parameters = { temperature: 0.5, max_tokens: 9 } as ProviderRequest['parameters'];
    const events = await collect(
      providerEvents(provider, { ...wholeRequest, parameters }, { signal: new AbortController().signal }),
    );
    expect(events).toEqual([
      { type: 'text-delta', text: 'Whole answer' },
      { type: 'usage', usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 } },
      { type: 'finish', finishReason: 'length' },
    ]);
    const received = server!.requests[0]!;
    expect(received.body).toEqual({
      model: 'openai/gpt-4o',
      messages: [{ role: 'user', content: 'hello' }],
      temperature: 0.5,
      max_tokens: 9,
      stream: false,
    });
    expect(received.headers.accept).toBe('application/json');
    expect(received.headers.authorization).toBe(`Bearer ${API_KEY}`);
  });

  it('keeps parallel tool calls of one whole answer apart (their list position is their index)', async () => {
    const provider = await setup((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(
        completion(
          {
            role: 'assistant',
            content: null,
            tool_calls: [
              { id: 'call_a', type: 'function', function: { name: 'first', arguments: '{"x":1}' } },
              { id: 'call_b', type: 'function', function: { name: 'second', arguments: '{"y":2}' } },
            ],
          },
          'tool_calls',
          { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
        ),
      );
    });
    const events = await collect(providerEvents(provider, wholeRequest, { signal: new AbortController().signal }));
    expect(events.filter((event) => event.type.startsWith('tool-call'))).toEqual([
      { type: 'tool-call-start', index: 0, id: 'call_a', name: 'first' },
      { type: 'tool-call-delta', index: 0, arguments: '{"x":1}' },
      { type: 'tool-call-start', index: 1, id: 'call_b', name: 'second' },
      { type: 'tool-call-delta', index: 1, arguments: '{"y":2}' },
    ]);
  });

  it('turns message tool calls into start/delta events, estimating usage when none is sent', async () => {
    const provider = await setup((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
      response.end(
        completion(
          {
            role: 'assistant',
            content: null,
            tool_calls: [
              { id: 'call_a', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
            ],
          },
          'tool_calls',
        ),
      );
    });
    const events = await collect(providerEvents(provider, wholeRequest, { signal: new AbortController().signal }));
    // Prompt: JSON of "hello" is 7 characters → 2 tokens; completion: 16 argument characters → 4 tokens.
    expect(events).toEqual([
      { type: 'tool-call-start', index: 0, id: 'call_a', name: 'get_weather' },
      { type: 'tool-call-delta', index: 0, arguments: '{"city":"Paris"}' },
      { type: 'usage', usage: { prompt_tokens: 2, completion_tokens: 4, total_tokens: 6 } },
      { type: 'finish', finishReason: 'tool_calls' },
    ]);
  });

  it('still decodes SSE from a server that ignores stream: false', async () => {
    const provider = await setup((_request, response) => {
      sseHeaders(response);
      response.end(sseFrame(textChunk('Hi ')) + sseFrame(textChunk('there', 'stop')) + sseFrame('[DONE]'));
    });
    const events = await collect(providerEvents(provider, wholeRequest, { signal: new AbortController().signal }));
    expect(events.filter((event) => event.type === 'text-delta')).toEqual([
      { type: 'text-delta', text: 'Hi ' },
      { type: 'text-delta', text: 'there' },
    ]);
    expect(events.at(-1)).toEqual({ type: 'finish', finishReason: 'stop' });
  });

  it('maps an upstream 429 with Retry-After, and a 200 {error} body to 502 with the scrubbed message', async () => {
    let call = 0;
    const provider = await setup((_request, response) => {
      call += 1;
      if (call === 1) {
        response.writeHead(429, { 'content-type': 'application/json', 'retry-after': '7' });
        response.end(
          JSON.stringify({ error: { message: 'Rate limit reached', type: 'x', code: 'rate_limit_exceeded' } }),
        );
      } else {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ error: { message: `bad key ${API_KEY}`, type: 'server_error' } }));
      }
    });
    const limited = await failure(providerEvents(provider, wholeRequest, { signal: new AbortController().signal }));
    expect([limited.status, limited.type, limited.message, limited.code, limited.retryAfterSeconds]).toEqual([
      429,
      'rate_limit_error',
      'Rate limit reached',
      'rate_limit_exceeded',
      7,
    ]);
    const failed = await failure(providerEvents(provider, wholeRequest, { signal: new AbortController().signal }));
    expect([failed.status, failed.type, failed.message]).toEqual([502, 'api_error', 'bad key ***']);
  });

  it('maps a JSON body that is not a completion to 502 upstream provider error', async () => {
    const provider = await setup((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end('{"choices": "nope"}');
    });
    const error = await failure(providerEvents(provider, wholeRequest, { signal: new AbortController().signal }));
    expect(error.toJSON()).toEqual({ error: { message: 'upstream provider error', type: 'api_error' } });
  });

  it('maps a model slower than timeoutMs to 504: the whole answer must arrive within it', async () => {
    const provider = await setup(
      (_request, response) => {
        setTimeout(() => {
          response.writeHead(200, { 'content-type': 'application/json' });
          response.end(completion({ role: 'assistant', content: 'late' }, 'stop'));
          // Well past undici's timer resolution, so the timeout (not the answer) decides.
        }, 1_500);
      },
      { timeoutMs: 150 },
    );
    const error = await failure(providerEvents(provider, wholeRequest, { signal: new AbortController().signal }));
    expect([error.status, error.message]).toEqual([504, 'upstream provider timeout']);
  });
});

describe('openai-completions provider: upstream errors (docs/http-contract.md#upstream-errors)', () => {
  const cases: [number, Record<string, string>, number, string, string, string | undefined][] = [
    [401, {}, 401, 'authentication_error', `Incorrect API key provided: ${API_KEY}.`, 'invalid_api_key'],
    [403, {}, 401, 'authentication_error', 'forbidden', undefined],
    [402, {}, 402, 'insufficient_quota', 'You exceeded your current quota.', 'insufficient_quota'],
    [400, {}, 400, 'invalid_request_error', "'messages' is too long", 'context_length_exceeded'],
    [404, {}, 404, 'not_found_error', 'The model `nope` does not exist', 'model_not_found'],
    [429, { 'retry-after': '17' }, 429, 'rate_limit_error', 'Rate limit reached', 'rate_limit_exceeded'],
    [503, {}, 503, 'api_error', 'The engine is currently overloaded', undefined],
    [500, {}, 502, 'api_error', 'internal stack trace here', 'server_error'],
  ];
  it.each(cases)(
    'upstream %i maps to its contract status, type and message',
    async (status, headers, mappedStatus, type, upstreamMessage, code) => {
      const provider = await setup((_request, response) => {
        response.writeHead(status, { 'content-type': 'application/json', ...headers });
        response.end(JSON.stringify({ error: { message: upstreamMessage, type: 'x', ...(code ? { code } : {}) } }));
      });
      const error = await failure(providerEvents(provider, request, { signal: new AbortController().signal }));
      expect(error.status).toBe(mappedStatus);
      expect(error.type).toBe(type);
      expect(error.code).toBe(code);
      const expectedMessage = status === 500 ? 'upstream provider error' : upstreamMessage.replace(API_KEY, '***');
      expect(error.message).toBe(expectedMessage);
      expect(JSON.stringify(error.toJSON())).not.toContain(API_KEY);
      expect(error.retryAfterSeconds).toBe(status === 429 ? 17 : undefined);
    },
  );

  it('uses a default message when the upstream body is not JSON', async () => {
    const provider = await setup((_request, response) => {
      response.writeHead(401, { 'content-type': 'text/html' });
      response.end('<h1>nope</h1>');
    });
    const error = await failure(providerEvents(provider, request, { signal: new AbortController().signal }));
    expect(error.toJSON()).toEqual({
      error: { message: 'upstream provider authentication failed', type: 'authentication_error' },
    });
  });

  it('maps a stall before the headers to 504 upstream provider timeout', async () => {
    const provider = await setup(
      () => {
        // Never answers.
      },
      { timeoutMs: 150 },
    );
    const error = await failure(providerEvents(provider, request, { signal: new AbortController().signal }));
    expect([error.status, error.message]).toEqual([504, 'upstream provider timeout']);
  });

  it('maps a stall between chunks to 504 upstream provider timeout', async () => {
    const provider = await setup(
      (_request, response) => {
        sseHeaders(response);
        response.write(sseFrame(textChunk('start ')));
        // ...and then silence.
      },
      { timeoutMs: 200 },
    );
    const { events, caught } = await eventsUntilFailure(
      providerEvents(provider, request, { signal: new AbortController().signal }),
    );
    expect(events).toEqual([{ type: 'text-delta', text: 'start ' }]);
    expect(GatewayError.isInstance(caught) && [caught.status, caught.message]).toEqual([
      504,
      'upstream provider timeout',
    ]);
  });

  it('maps a connection reset mid-stream to 502 upstream provider error', async () => {
    const provider = await setup((_request, response) => {
      sseHeaders(response);
      response.write(sseFrame(textChunk('start ')));
      setTimeout(() => response.socket?.destroy(), 20);
    });
    const error = await failure(providerEvents(provider, request, { signal: new AbortController().signal }));
    expect(error.toJSON()).toEqual({ error: { message: 'upstream provider error', type: 'api_error' } });
    expect(error.status).toBe(502);
  });

  it('maps a refused connection to 502 upstream provider error', async () => {
    const closed = await startUpstreamServer(() => {});
    const baseUrl = closed.baseUrl;
    await closed.close();
    const provider = createOpenAICompletionsProvider({
      id: 'gone',
      config: { api: 'openai-completions', baseUrl, timeoutMs: 2000 },
    });
    providers.push(provider);
    const error = await failure(providerEvents(provider, request, { signal: new AbortController().signal }));
    expect([error.status, error.message]).toEqual([502, 'upstream provider error']);
  });
});

describe('openai-completions provider: back-pressure', () => {
  it('stops reading the upstream while the sink is full, and reads the rest once it has drained', async () => {
    const total = 20_000; // 1 KB pieces: ~20 MB, far more than the loopback socket buffers hold
    let written = 0;
    const provider = await setup((_request, response) => {
      sseHeaders(response);
      const piece = sseFrame(textChunk('x'.repeat(1_000)));
      const pump = (): void => {
        while (written < total) {
          written += 1;
          if (!response.write(piece)) {
            response.once('drain', pump);
            return;
          }
        }
        response.end(sseFrame(textChunk('', 'stop')) + sseFrame('[DONE]'));
      };
      pump();
    });
    let release!: () => void;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    let received = 0;
    // A consumer whose downstream is always full: every piece asks the provider to pause.
    const finished = provider.stream(
      request,
      { text: () => ++received < 0, toolCallStart: () => true, toolCallDelta: () => true, drained: () => released },
      { signal: new AbortController().signal },
    );
    // Bounded wait until the upstream stalls: no write for 300 ms (at most ~5 s).
    let previous = -1;
    for (let attempt = 0; attempt < 16 && written !== previous; attempt += 1) {
      previous = written;
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    // The upstream could not write everything: the provider stopped reading its body.
    expect(written).toBeLessThan(total);
    expect(received).toBeLessThan(total);
    release();
    await expect(finished).resolves.toMatchObject({ finishReason: 'stop' });
    expect(received).toBe(total);
  });
});

describe('openai-completions provider: abort', () => {
  it('closes the upstream request within one second of the signal aborting', async () => {
    const provider = await setup((_request, response) => {
      sseHeaders(response);
      response.write(sseFrame(textChunk('tick ')));
      // Keeps the stream open; the test aborts.
    });
    const controller = new AbortController();
    const iterator = providerEvents(provider, request, { signal: controller.signal })[Symbol.asyncIterator]();
    expect((await iterator.next()).value).toEqual({ type: 'text-delta', text: 'tick ' });
    const pending = iterator.next();
    const started = Date.now();
    controller.abort(new Error('client went away'));
    await expect(pending).rejects.toThrow('client went away');
    await server!.closedEarly(0);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('closes the upstream request when the consumer stops iterating', async () => {
    const provider = await setup((_request, response) => {
      sseHeaders(response);
      response.write(sseFrame(textChunk('tick ')));
    });
    for await (const event of providerEvents(provider, request, { signal: new AbortController().signal })) {
      expect(event).toEqual({ type: 'text-delta', text: 'tick ' });
      break;
    }
    const started = Date.now();
    await server!.closedEarly(0);
    expect(Date.now() - started).toBeLessThan(1000);
  });
});

describe('openai-completions provider: bounded answers', () => {
  it('fails a stream that ends with neither [DONE] nor a finish reason (502), after passing on what came', async () => {
    const provider = await setup((_request, response) => {
      sseHeaders(response);
      response.end(sseFrame(textChunk('half an ')));
    });
    const { events, caught } = await eventsUntilFailure(
      providerEvents(provider, request, { signal: new AbortController().signal }),
    );
    expect(events).toEqual([{ type: 'text-delta', text: 'half an ' }]);
    expect(GatewayError.isInstance(caught) && [caught.status, caught.type, caught.message]).toEqual([
      502,
      'api_error',
      'upstream stream ended before the answer was complete',
    ]);
  });

  it('accepts a stream that ends after a finish reason without [DONE]', async () => {
    const provider = await setup((_request, response) => {
      sseHeaders(response);
      response.end(sseFrame(textChunk('all', 'stop')));
    });
    const events = await collect(providerEvents(provider, request, { signal: new AbortController().signal }));
    expect(events.at(-1)).toEqual({ type: 'finish', finishReason: 'stop' });
  });

  it('ends a whole answer at timeoutMs although the upstream keeps trickling SSE (504), and hangs up', async () => {
    let closed: Promise<void> | undefined;
    const provider = await setup(
      (_request, response) => {
        closed = new Promise((resolve) => response.on('close', () => resolve()));
        response.writeHead(200, { 'content-type': 'text/event-stream' });
        const timer = setInterval(() => response.write(sseFrame(textChunk('.'))), 50);
        response.on('close', () => clearInterval(timer));
      },
      { timeoutMs: 400 },
    );
    const error = await failure(
      providerEvents(provider, { ...request, stream: false }, { signal: new AbortController().signal }),
    );
    expect([error.status, error.message]).toEqual([504, 'upstream provider timeout']);
    await closed;
  });

  it('bounds silences inside a stream by idleTimeoutMs, not timeoutMs', async () => {
    const provider = await setup(
      (_request, response) => {
        sseHeaders(response);
        response.write(sseFrame(textChunk('start ')));
      },
      { timeoutMs: 60_000, idleTimeoutMs: 200 },
    );
    const error = await failure(providerEvents(provider, request, { signal: new AbortController().signal }));
    expect([error.status, error.message]).toEqual([504, 'upstream provider timeout']);
  });

  it('lets a sink that throws end the answer with its error and drop the upstream', async () => {
    let closed: Promise<void> | undefined;
    const provider = await setup((_request, response) => {
      closed = new Promise((resolve) => response.on('close', () => resolve()));
      sseHeaders(response);
      const timer = setInterval(() => response.write(sseFrame(textChunk('more '))), 20);
      response.on('close', () => clearInterval(timer));
    });
    const refusal = new GatewayError('enough', { status: 502, type: 'api_error' });
    let pieces = 0;
    const sink = {
      text: () => {
        pieces += 1;
        if (pieces === 3) throw refusal;
        return true;
      },
      toolCallStart: () => true,
      toolCallDelta: () => true,
      drained: () => Promise.resolve(),
    };
    await expect(provider.stream(request, sink, { signal: new AbortController().signal })).rejects.toBe(refusal);
    await closed;
  });
});
