import type { ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import type { ChatCompletionChunk } from '@clawgate/openai-schemas';
import {
  AbortError,
  BadRequestError,
  ClawgateError,
  ConnectionError,
  InternalServerError,
  RateLimitError,
  TimeoutError,
} from './clawgate-error.js';
import { createClient } from './create-client.js';
import { chunk, sseJson, startLoopbackServer, type LoopbackServer } from './__fixtures__/loopback-server.js';

const messages = [{ role: 'user' as const, content: 'hi' }];
let server: LoopbackServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

function startSse(response: ServerResponse): void {
  response.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    'x-request-id': 'req-sse',
  });
  response.flushHeaders();
}

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('ChatCompletionStream', () => {
  it('yields typed chunks and assembles text, tool calls and usage', async () => {
    server = await startLoopbackServer((_request, response) => {
      startSse(response);
      response.write(sseJson(chunk({ role: 'assistant' })));
      response.write(sseJson(chunk({ content: 'Hel' })));
      response.write(sseJson(chunk({ content: 'lo' })));
      response.write(
        sseJson(
          chunk({
            tool_calls: [
              { index: 0, id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '' } },
            ],
          }),
        ),
      );
      response.write(sseJson(chunk({ tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] })));
      response.write(sseJson(chunk({ tool_calls: [{ index: 0, function: { arguments: '"Oslo"}' } }] })));
      response.write(sseJson(chunk({}, 'tool_calls')));
      response.write(
        sseJson({ ...chunk({}), choices: [], usage: { prompt_tokens: 4, completion_tokens: 6, total_tokens: 10 } }),
      );
      response.end('data: [DONE]\n\n');
    });
    const client = createClient({ baseURL: server.url });
    const stream = await client.chat.completions.create({ messages, stream: true });
    expect(stream.requestId).toBe('req-sse');
    expect(stream.response.status).toBe(200);
    expect(server.requests[0]?.headers.accept).toBe('text/event-stream');
    expect(JSON.parse(server.requests[0]?.body ?? '')).toEqual({ messages, stream: true });
    const received: ChatCompletionChunk[] = [];
    for await (const value of stream) received.push(value);
    expect(received).toHaveLength(8);
    expect(received[0]).toEqual({
      id: 'chatcmpl_test',
      object: 'chat.completion.chunk',
      created: 1_700_000_000,
      model: 'openclaw',
      choices: [{ index: 0, delta: { role: 'assistant' }, finish_reason: null }],
    });
    expect(received[7]?.usage).toEqual({ prompt_tokens: 4, completion_tokens: 6, total_tokens: 10 });
    // The helpers include the chunks the loop already consumed.
    expect(await stream.toText()).toBe('Hello');
    expect(await stream.finalMessage()).toEqual({
      role: 'assistant',
      content: 'Hello',
      tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } }],
    });
    expect(await stream.finalChatCompletion()).toEqual({
      id: 'chatcmpl_test',
      object: 'chat.completion',
      created: 1_700_000_000,
      model: 'openclaw',
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: 'Hello',
            tool_calls: [
              { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } },
            ],
          },
          finish_reason: 'tool_calls',
        },
      ],
      usage: { prompt_tokens: 4, completion_tokens: 6, total_tokens: 10 },
    });
    expect(() => stream[Symbol.asyncIterator]()).toThrow('A ChatCompletionStream can be iterated only once');
  });

  it('toText() reads a fresh stream to the end', async () => {
    server = await startLoopbackServer((_request, response) => {
      startSse(response);
      response.write(': ping\n\n');
      response.write(sseJson(chunk({ role: 'assistant', content: null })));
      response.write(sseJson(chunk({ content: 'only text' })));
      response.write(sseJson(chunk({}, 'stop')));
      response.end('data: [DONE]\n\n');
    });
    const stream = await createClient({ baseURL: server.url }).chat.completions.create({ messages, stream: true });
    expect(await stream.toText()).toBe('only text');
    expect((await stream.finalMessage()).tool_calls).toBeUndefined();
  });

  it.each([
    [{ message: 'upstream provider error', type: 'api_error' }, InternalServerError],
    [{ message: 'Rate limited upstream', type: 'rate_limit_error' }, RateLimitError],
    [{ message: 'bad', type: 'invalid_request_error' }, BadRequestError],
  ] as const)('throws the typed error for an error frame %j after the first chunk', async (frame, ErrorClass) => {
    server = await startLoopbackServer((_request, response) => {
      startSse(response);
      response.write(sseJson(chunk({ role: 'assistant' })));
      response.write(sseJson(chunk({ content: 'partial' })));
      response.write(sseJson({ error: frame }));
      response.end('data: [DONE]\n\n');
    });
    const stream = await createClient({ baseURL: server.url }).chat.completions.create({ messages, stream: true });
    const seen: string[] = [];
    const error = await (async () => {
      for await (const value of stream) seen.push(value.choices[0]?.delta.content ?? '');
    })().catch((caught: unknown) => caught);
    expect(seen).toEqual(['', 'partial']);
    expect(ErrorClass.isInstance(error)).toBe(true);
    expect((error as ClawgateError).message).toBe(frame.message);
    expect((error as ClawgateError).status).toBeUndefined();
    expect((error as ClawgateError).requestId).toBe('req-sse');
    // The helpers report the same failure instead of a truncated answer.
    await expect(stream.toText()).rejects.toBe(error);
  });

  it('never retries once the stream has started: a cut connection throws ConnectionError', async () => {
    let cut = (): void => undefined;
    server = await startLoopbackServer((request, response) => {
      startSse(response);
      cut = () => request.socket.destroy();
      response.write(sseJson(chunk({ role: 'assistant', content: 'first' })));
    });
    const client = createClient({ baseURL: server.url, maxRetries: 5 });
    const stream = await client.chat.completions.create({ messages, stream: true });
    const seen: string[] = [];
    const error = await (async () => {
      for await (const value of stream) {
        seen.push(value.choices[0]?.delta.content ?? '');
        // The server cuts the connection once the client holds the first chunk.
        cut();
      }
    })().catch((caught: unknown) => caught);
    expect(seen).toEqual(['first']);
    expect(ConnectionError.isInstance(error)).toBe(true);
    expect(server.requests).toHaveLength(1);
  });

  it('throws ConnectionError for a stream that ends cleanly without finishing', async () => {
    server = await startLoopbackServer((_request, response) => {
      startSse(response);
      response.end(sseJson(chunk({ role: 'assistant', content: 'cut' })));
    });
    const stream = await createClient({ baseURL: server.url }).chat.completions.create({ messages, stream: true });
    await expect(stream.toText()).rejects.toThrow('The stream ended before the server finished the response');
  });

  it('throws invalid_response for a chunk that is not JSON', async () => {
    server = await startLoopbackServer((_request, response) => {
      startSse(response);
      response.write('data: {not json\n\n');
      response.end('data: [DONE]\n\n');
    });
    const stream = await createClient({ baseURL: server.url }).chat.completions.create({ messages, stream: true });
    const error = await stream.toText().catch((caught: unknown) => caught);
    expect(ClawgateError.isInstance(error) && error.type).toBe('invalid_response');
    expect((error as Error).message).toMatch(/^The stream sent an invalid chunk: SSE event data is not valid JSON/);
  });

  it('refuses a JSON answer to a stream request instead of reporting an empty stream', async () => {
    server = await startLoopbackServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
      response.end('{}');
    });
    const error = await createClient({ baseURL: server.url })
      .chat.completions.create({ messages, stream: true })
      .catch((caught: unknown) => caught);
    expect(ClawgateError.isInstance(error) && [error.message, error.type, error.status]).toEqual([
      'Expected an event stream but the server answered with application/json; charset=utf-8',
      'invalid_response',
      200,
    ]);
  });

  // The client's own default limit is what is proved, so the event has to pass 16 Mi characters:
  // about 0.25 s alone, up to ~0.8 s with both cores of a 2-core machine busy (1.2 s with the whole
  // workspace's tests alongside), reported near 5 s on a slower busy one. 20 s keeps 4x headroom
  // over that instead of vitest's 5 s default.
  it('throws invalid_response for an event larger than the decoder buffer (16 Mi characters)', async () => {
    server = await startLoopbackServer((_request, response) => {
      startSse(response);
      response.write(`data: ${'x'.repeat(17 * 1024 * 1024)}`);
    });
    const stream = await createClient({ baseURL: server.url }).chat.completions.create({ messages, stream: true });
    const error = await stream.toText().catch((caught: unknown) => caught);
    expect(ClawgateError.isInstance(error) && [error.name, error.type]).toEqual(['ClawgateError', 'invalid_response']);
    expect((error as Error).message).toBe(
      'The stream sent an invalid chunk: SSE event exceeded maxBufferSize (16777216 characters)',
    );
    await server.closed(0);
  }, 20_000);

  it('throws the HTTP error before a stream starts', async () => {
    server = await startLoopbackServer((_request, response) => {
      response.writeHead(400, { 'content-type': 'application/json; charset=utf-8' });
      response.end(
        JSON.stringify({ error: { message: 'Missing user message in `messages`.', type: 'invalid_request_error' } }),
      );
    });
    const client = createClient({ baseURL: server.url });
    await expect(client.chat.completions.create({ messages: [], stream: true })).rejects.toMatchObject({
      name: 'BadRequestError',
      status: 400,
      message: 'Missing user message in `messages`.',
    });
  });

  it('break cancels the HTTP body so the server sees the client leave', async () => {
    server = await startLoopbackServer((_request, response) => {
      startSse(response);
      let index = 0;
      // Bounded producer: at most 200 chunks, 10 ms apart, stopped when the client goes away.
      const timer = setInterval(() => {
        index += 1;
        if (index > 200 || response.destroyed) {
          clearInterval(timer);
          response.end();
          return;
        }
        response.write(sseJson(chunk({ content: `w${index} ` })));
      }, 10);
      response.on('close', () => clearInterval(timer));
    });
    const stream = await createClient({ baseURL: server.url }).chat.completions.create({ messages, stream: true });
    let count = 0;
    for await (const value of stream) {
      expect(value.choices[0]?.delta.content).toBe(`w${count + 1} `);
      count += 1;
      if (count === 2) break;
    }
    await server.closed(0);
    expect(count).toBe(2);
    await expect(stream.toText()).rejects.toThrow('The stream was cancelled before it finished');
  });

  it('an AbortSignal mid-stream throws AbortError and closes the connection', async () => {
    server = await startLoopbackServer((_request, response) => {
      startSse(response);
      response.write(sseJson(chunk({ role: 'assistant', content: 'a' })));
    });
    const controller = new AbortController();
    const stream = await createClient({ baseURL: server.url }).chat.completions.create(
      { messages, stream: true },
      { signal: controller.signal },
    );
    const iterator = stream[Symbol.asyncIterator]();
    expect((await iterator.next()).value?.choices[0]?.delta.content).toBe('a');
    const pending = iterator.next();
    controller.abort();
    const error = await pending.catch((caught: unknown) => caught);
    expect(AbortError.isInstance(error) && error.message).toBe('Request was aborted');
    await server.closed(0);
  });

  it('stream.abort() before iterating throws AbortError from the loop', async () => {
    server = await startLoopbackServer((_request, response) => startSse(response));
    const stream = await createClient({ baseURL: server.url }).chat.completions.create({ messages, stream: true });
    stream.abort();
    await expect(
      (async () => {
        for await (const _value of stream) break;
      })(),
    ).rejects.toMatchObject({ name: 'AbortError' });
    await server.closed(0);
  });

  it('timeoutMs bounds silence: heartbeats keep a slow stream alive, a silent one times out', async () => {
    server = await startLoopbackServer(async (_request, response, _recorded, index) => {
      startSse(response);
      if (index === 1) return; // silent after the headers
      for (let beat = 0; beat < 4; beat += 1) {
        await wait(100);
        response.write(': ping\n\n');
      }
      response.write(sseJson(chunk({ content: 'late' }, 'stop')));
      response.end('data: [DONE]\n\n');
    });
    const client = createClient({ baseURL: server.url, timeoutMs: 300 });
    // 400 ms in total, longer than timeoutMs, but never 300 ms of silence.
    const alive = await client.chat.completions.create({ messages, stream: true });
    expect(await alive.toText()).toBe('late');
    const silent = await client.chat.completions.create({ messages, stream: true });
    const error = await silent.toText().catch((caught: unknown) => caught);
    expect(TimeoutError.isInstance(error) && error.message).toBe('Request timed out after 300 ms');
    await server.closed(1);
  });
});
