import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  isUpstreamError,
  normalizeUpstreamError,
  upstreamChatCompletionChunkSchema,
  upstreamChatCompletionSchema,
  upstreamErrorSchema,
  upstreamStreamEventSchema,
  type UpstreamChatCompletionChunk,
  type UpstreamStreamEvent,
} from './upstream-chat-completion.js';

const fixtureDirectory = fileURLToPath(new URL('./__fixtures__/', import.meta.url));

function readFixture(name: string): string {
  return readFileSync(`${fixtureDirectory}${name}`, 'utf8');
}

/**
 * Minimal SSE framing for fixtures (the real decoder lives in @clawgate/sse): events are separated
 * by a blank line, `data:` lines are joined by `\n`, comments are skipped.
 */
function readSseData(name: string): string[] {
  const payloads: string[] = [];
  for (const block of readFixture(name).split(/\r\n\r\n|\n\n|\r\r/)) {
    const data = block
      .split(/\r\n|\n|\r/)
      .filter((line) => line.startsWith('data:'))
      .map((line) => line.slice(5).replace(/^ /, ''));
    if (data.length > 0) payloads.push(data.join('\n'));
  }
  return payloads;
}

/** Parses every payload of a stream fixture up to `[DONE]` with the tolerant union schema. */
function parseStream(name: string): UpstreamStreamEvent[] {
  const payloads = readSseData(name);
  expect(payloads.at(-1)).toBe('[DONE]');
  return payloads.slice(0, -1).map((payload) => upstreamStreamEventSchema.parse(JSON.parse(payload)));
}

function chunksOf(events: UpstreamStreamEvent[]): UpstreamChatCompletionChunk[] {
  return events.filter((event): event is UpstreamChatCompletionChunk => !isUpstreamError(event));
}

function textOf(chunks: UpstreamChatCompletionChunk[]): string {
  return chunks.map((chunk) => chunk.choices.map((choice) => choice.delta?.content ?? '').join('')).join('');
}

/** Assembles tool calls from deltas the way a client does: by `index`, concatenating arguments. */
function toolCallsOf(chunks: UpstreamChatCompletionChunk[]) {
  const calls: { id: string; name: string; arguments: string }[] = [];
  for (const chunk of chunks) {
    for (const delta of chunk.choices[0]?.delta?.tool_calls ?? []) {
      const index = delta.index ?? 0;
      calls[index] ??= { id: '', name: '', arguments: '' };
      const call = calls[index];
      if (delta.id) call.id = delta.id;
      if (delta.function?.name) call.name = delta.function.name;
      call.arguments += delta.function?.arguments ?? '';
    }
  }
  return calls;
}

function finishReasonsOf(chunks: UpstreamChatCompletionChunk[]): (string | null | undefined)[] {
  return chunks
    .flatMap((chunk) => chunk.choices.map((choice) => choice.finish_reason))
    .filter((reason) => reason != null);
}

describe('tolerant stream schemas on real-shaped fixtures', () => {
  it('parses every *.sse fixture completely, ending with [DONE]', () => {
    const names = readdirSync(fixtureDirectory).filter((name) => name.endsWith('.sse'));
    expect(names.length).toBeGreaterThanOrEqual(6);
    for (const name of names) expect(parseStream(name).length).toBeGreaterThan(0);
  });

  it('openai-text.sse: role chunk, content deltas, finish chunk', () => {
    const chunks = chunksOf(parseStream('openai-text.sse'));
    expect(chunks[0]?.choices[0]?.delta?.role).toBe('assistant');
    expect(textOf(chunks)).toBe('Hello! How can I help you today?');
    expect(finishReasonsOf(chunks)).toEqual(['stop']);
    // Unknown OpenAI fields survive (loose objects) for pass-through.
    expect(chunks[0]).toMatchObject({ system_fingerprint: 'fp_0ba0d124f1', service_tier: 'default' });
    expect(new Set(chunks.map((chunk) => chunk.id))).toEqual(new Set(['chatcmpl-AXq5aB3cD4eF5gH6iJ7kL8mN9oP0']));
  });

  it('openai-usage.sse: usage: null on every chunk, then the choices: [] usage chunk', () => {
    const chunks = chunksOf(parseStream('openai-usage.sse'));
    const last = chunks.at(-1);
    expect(last?.choices).toEqual([]);
    expect(last?.usage).toMatchObject({ prompt_tokens: 9, completion_tokens: 9, total_tokens: 18 });
    expect(last?.usage?.prompt_tokens_details).toEqual({ cached_tokens: 0, audio_tokens: 0 });
    expect(chunks.slice(0, -1).every((chunk) => chunk.usage === null)).toBe(true);
    expect(textOf(chunks)).toBe('Hello! How can I help you today?');
  });

  it('openai-tool-calls.sse: two calls assembled from argument pieces', () => {
    const chunks = chunksOf(parseStream('openai-tool-calls.sse'));
    expect(toolCallsOf(chunks)).toEqual([
      { id: 'call_8fKq2LwZbN4xYt7RmP1sVd3c', name: 'get_weather', arguments: '{"city":"Paris","unit":"celsius"}' },
      { id: 'call_Jm5nB0vXc9Zq2WeR7tYu4IoP', name: 'get_time', arguments: '{"timezone":"Europe/Paris"}' },
    ]);
    expect(chunks[0]?.choices[0]?.delta?.content).toBeNull();
    expect(finishReasonsOf(chunks)).toEqual(['tool_calls']);
  });

  it('openai-error.sse: content, then an error payload', () => {
    const events = parseStream('openai-error.sse');
    expect(textOf(chunksOf(events))).toBe('Once upon');
    const last = events.at(-1)!;
    expect(isUpstreamError(last)).toBe(true);
    expect(normalizeUpstreamError(upstreamErrorSchema.parse(last))).toEqual({
      message: 'The server had an error while processing your request. Sorry about that!',
      type: 'server_error',
    });
  });

  it('vllm-text.sse: stop_reason and a trailing usage chunk', () => {
    const chunks = chunksOf(parseStream('vllm-text.sse'));
    expect(textOf(chunks)).toBe('The capital of France is Paris.');
    expect(finishReasonsOf(chunks)).toEqual(['stop']);
    expect(chunks.at(-2)?.choices[0]).toMatchObject({ finish_reason: 'stop', stop_reason: null });
    expect(chunks.at(-1)).toMatchObject({
      choices: [],
      usage: { prompt_tokens: 42, completion_tokens: 8, total_tokens: 50 },
    });
  });

  it('vllm-tool-calls.sse: name-only first delta, then argument pieces', () => {
    const chunks = chunksOf(parseStream('vllm-tool-calls.sse'));
    expect(toolCallsOf(chunks)).toEqual([
      { id: 'chatcmpl-tool-3f2e1d0c9b8a47a6b5c4d3e2f1a0b9c8', name: 'get_weather', arguments: '{"city": "Paris"}' },
    ]);
    expect(finishReasonsOf(chunks)).toEqual(['tool_calls']);
  });

  it('vllm-error.sse: the flat {object:"error"} shape with a numeric code', () => {
    const last = parseStream('vllm-error.sse').at(-1)!;
    expect(isUpstreamError(last)).toBe(true);
    expect(normalizeUpstreamError(upstreamErrorSchema.parse(last))).toEqual({
      message: expect.stringMatching(/^This model's maximum context length is 8192 tokens\./) as unknown as string,
      type: 'BadRequestError',
      code: '400',
    });
  });

  it('ollama-text.sse: role on every delta, multi-byte text, empty final content', () => {
    const chunks = chunksOf(parseStream('ollama-text.sse'));
    expect(textOf(chunks)).toBe('Hi there! What can I do for you? 🦙');
    expect(chunks.every((chunk) => chunk.choices[0]?.delta?.role === 'assistant')).toBe(true);
    expect(finishReasonsOf(chunks)).toEqual(['stop']);
    expect(chunks[0]).toMatchObject({ system_fingerprint: 'fp_ollama', model: 'llama3.2' });
  });

  it('ollama-tool-calls.sse: a whole tool call in one delta, then usage', () => {
    const chunks = chunksOf(parseStream('ollama-tool-calls.sse'));
    expect(toolCallsOf(chunks)).toEqual([{ id: 'call_x1m2n3b4', name: 'get_weather', arguments: '{"city":"Paris"}' }]);
    expect(chunks.at(-1)?.usage).toEqual({ prompt_tokens: 160, completion_tokens: 18, total_tokens: 178 });
  });

  it('ollama-error.sse: an error as the only payload', () => {
    const events = parseStream('ollama-error.sse');
    expect(events).toHaveLength(1);
    expect(normalizeUpstreamError(upstreamErrorSchema.parse(events[0]))).toEqual({
      message: 'model "llama9" not found, try pulling it first',
      type: 'api_error',
    });
  });
});

describe('tolerant non-streaming schemas on real-shaped fixtures', () => {
  it.each([
    ['openai-text.json', 'Hello! How can I help you today?', 'stop', 18],
    ['vllm-text.json', 'The capital of France is Paris.', 'stop', 50],
    ['ollama-text.json', 'Hi there! What can I do for you?', 'stop', 37],
  ])('%s: content, finish reason and usage', (name, content, finishReason, totalTokens) => {
    const completion = upstreamChatCompletionSchema.parse(JSON.parse(readFixture(name)));
    expect(completion.choices[0]?.message.content).toBe(content);
    expect(completion.choices[0]?.finish_reason).toBe(finishReason);
    expect(completion.usage?.total_tokens).toBe(totalTokens);
  });

  it.each([
    ['openai-tool-calls.json', ['get_weather', 'get_time'], null],
    ['vllm-tool-calls.json', ['get_weather'], null],
    ['ollama-tool-calls.json', ['get_weather'], ''],
  ])('%s: tool calls with string arguments', (name, names, content) => {
    const completion = upstreamChatCompletionSchema.parse(JSON.parse(readFixture(name)));
    const message = completion.choices[0]?.message;
    expect(message?.content).toBe(content);
    expect(message?.tool_calls?.map((call) => call.function.name)).toEqual(names);
    for (const call of message?.tool_calls ?? [])
      expect(JSON.parse(call.function.arguments ?? '')).toBeTypeOf('object');
    expect(completion.choices[0]?.finish_reason).toBe('tool_calls');
  });

  it.each([
    [
      'openai-error.json',
      {
        message: expect.stringMatching(/^Incorrect API key provided/),
        type: 'invalid_request_error',
        code: 'invalid_api_key',
      },
    ],
    [
      'openai-rate-limit-error.json',
      { message: expect.stringMatching(/^Rate limit reached/), type: 'requests', code: 'rate_limit_exceeded' },
    ],
    ['vllm-error.json', { message: 'The model `gpt-4o` does not exist.', type: 'NotFoundError', code: '404' }],
    ['ollama-error.json', { message: 'model "llama9" not found, try pulling it first', type: 'api_error' }],
    ['ollama-native-error.json', { message: 'model "llama9" not found, try pulling it first' }],
  ])('%s: normalised error', (name, expected) => {
    const body: unknown = JSON.parse(readFixture(name));
    expect(normalizeUpstreamError(upstreamErrorSchema.parse(body))).toEqual(expected);
    // An error body must never pass as a completion.
    expect(upstreamChatCompletionSchema.safeParse(body).success).toBe(false);
  });
});

describe('tolerant schemas: edge shapes', () => {
  it('accepts nulls where OpenAI omits and a choice without delta', () => {
    const chunk = upstreamChatCompletionChunkSchema.parse({
      id: null,
      created: null,
      model: null,
      choices: [{ index: 0, delta: null, finish_reason: 'stop' }],
      usage: null,
    });
    expect(chunk.choices[0]?.delta).toBeNull();
  });

  it('accepts an unknown finish reason instead of failing the stream', () => {
    const chunk = upstreamChatCompletionChunkSchema.parse({
      choices: [{ index: 0, delta: {}, finish_reason: 'abort' }],
    });
    expect(chunk.choices[0]?.finish_reason).toBe('abort');
  });

  it('rejects a payload that is neither chunk nor error', () => {
    expect(upstreamStreamEventSchema.safeParse({ hello: 'world' }).success).toBe(false);
    expect(upstreamStreamEventSchema.safeParse([]).success).toBe(false);
    expect(upstreamChatCompletionChunkSchema.safeParse({ choices: 'none' }).success).toBe(false);
  });

  it('tells chunks and errors apart', () => {
    expect(isUpstreamError(upstreamStreamEventSchema.parse({ choices: [] }))).toBe(false);
    expect(isUpstreamError(upstreamStreamEventSchema.parse({ error: 'boom' }))).toBe(true);
  });

  it('drops empty type and code when normalising', () => {
    expect(normalizeUpstreamError({ error: { message: 'x', type: '', code: '' } })).toEqual({ message: 'x' });
  });
});
