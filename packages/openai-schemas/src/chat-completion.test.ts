import { describe, expect, it } from 'vitest';
import {
  chatCompletionChunkSchema,
  chatCompletionSchema,
  chatCompletionUsageSchema,
  finishReasonSchema,
  type ChatCompletion,
  type ChatCompletionChunk,
} from './chat-completion.js';

const base = { id: 'chatcmpl_6f1c2b1e-8d1a-4a53-9a43-0d3c8f1b2a77', created: 1732492800, model: 'openclaw' };

describe('chatCompletionSchema (gateway response, docs/http-contract.md#non-streaming-response)', () => {
  const completion: ChatCompletion = {
    ...base,
    object: 'chat.completion',
    choices: [{ index: 0, message: { role: 'assistant', content: 'Hello.' }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 },
  };

  it('accepts the text response and round-trips it unchanged', () => {
    expect(chatCompletionSchema.parse(JSON.parse(JSON.stringify(completion)))).toEqual(completion);
  });

  it('accepts a tool-call response with null content', () => {
    const withTools = {
      ...completion,
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: null,
            tool_calls: [
              { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
            ],
          },
          finish_reason: 'tool_calls',
        },
      ],
    };
    expect(chatCompletionSchema.parse(withTools)).toEqual(withTools);
  });

  it.each([
    [{ object: 'chat.completion.chunk' }, ['object']],
    [{ created: 1.5 }, ['created']],
    [
      { choices: [{ index: 0, message: { role: 'user', content: 'x' }, finish_reason: 'stop' }] },
      ['choices', 0, 'message', 'role'],
    ],
    [
      { choices: [{ index: 0, message: { role: 'assistant', content: 'x' }, finish_reason: 'done' }] },
      ['choices', 0, 'finish_reason'],
    ],
    [{ usage: { prompt_tokens: -1, completion_tokens: 0, total_tokens: 0 } }, ['usage', 'prompt_tokens']],
  ])('rejects %j at the right path', (override, path) => {
    const result = chatCompletionSchema.safeParse({ ...completion, ...override });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(path);
  });
});

describe('chatCompletionChunkSchema (gateway stream, docs/http-contract.md#streaming-response)', () => {
  const chunk = (choices: unknown, extra: Record<string, unknown> = {}) => ({
    ...base,
    object: 'chat.completion.chunk',
    choices,
    ...extra,
  });

  it.each([
    ['role chunk', chunk([{ index: 0, delta: { role: 'assistant' }, finish_reason: null }])],
    ['content chunk', chunk([{ index: 0, delta: { content: 'Hel' }, finish_reason: null }])],
    [
      'tool-call start',
      chunk([
        {
          index: 0,
          delta: { tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'f', arguments: '' } }] },
          finish_reason: null,
        },
      ]),
    ],
    [
      'tool-call arguments piece',
      chunk([
        { index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: '{"a"' } }] }, finish_reason: null },
      ]),
    ],
    ['finish chunk', chunk([{ index: 0, delta: {}, finish_reason: 'length' }])],
    ['usage chunk', chunk([], { usage: { prompt_tokens: 4, completion_tokens: 6, total_tokens: 10 } })],
  ])('accepts the %s unchanged', (_name, value) => {
    const parsed: ChatCompletionChunk = chatCompletionChunkSchema.parse(value);
    expect(parsed).toEqual(value);
  });

  it('rejects a chunk without choices and a delta tool call without index', () => {
    expect(chatCompletionChunkSchema.safeParse({ ...base, object: 'chat.completion.chunk' }).success).toBe(false);
    const bad = chunk([{ index: 0, delta: { tool_calls: [{ function: { arguments: 'x' } }] }, finish_reason: null }]);
    expect(chatCompletionChunkSchema.safeParse(bad).error?.issues[0]?.path).toEqual([
      'choices',
      0,
      'delta',
      'tool_calls',
      0,
      'index',
    ]);
  });
});

describe('finishReasonSchema and chatCompletionUsageSchema', () => {
  it('lists exactly the OpenAI finish reasons', () => {
    expect(finishReasonSchema.options).toEqual(['stop', 'length', 'tool_calls', 'content_filter', 'function_call']);
  });

  it('requires whole, non-negative token counts and strips extra detail objects', () => {
    expect(
      chatCompletionUsageSchema.parse({
        prompt_tokens: 1,
        completion_tokens: 2,
        total_tokens: 3,
        prompt_tokens_details: {},
      }),
    ).toEqual({
      prompt_tokens: 1,
      completion_tokens: 2,
      total_tokens: 3,
    });
    expect(
      chatCompletionUsageSchema.safeParse({ prompt_tokens: 1.5, completion_tokens: 2, total_tokens: 3 }).success,
    ).toBe(false);
  });
});
