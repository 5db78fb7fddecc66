import { upstreamChatCompletionChunkSchema } from '@clawgate/openai-schemas';
import { describe, expect, it } from 'vitest';
import { upstreamChunkCheck } from './check-upstream-chunk.js';

const base = { id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm' };
const withChoice = (choice: unknown) => ({ ...base, choices: [choice] });

// Each payload with whether the zod schema accepts it; the check must agree on every one.
const payloads: [string, unknown, boolean][] = [
  ['a text delta', withChoice({ index: 0, delta: { content: 'hi' }, finish_reason: null }), true],
  ['the role chunk', withChoice({ index: 0, delta: { role: 'assistant' }, finish_reason: null }), true],
  [
    'the usage chunk',
    {
      ...base,
      choices: [],
      usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3, prompt_tokens_details: {} },
    },
    true,
  ],
  ['a choice without delta', withChoice({ index: 0, finish_reason: 'stop' }), true],
  [
    'null everywhere',
    {
      id: null,
      object: null,
      created: null,
      model: null,
      choices: [{ index: null, delta: null, finish_reason: null }],
      usage: null,
    },
    true,
  ],
  ['only choices', { choices: [] }, true],
  [
    'extra fields',
    {
      ...withChoice({ index: 0, delta: { content: 'x', reasoning_content: 'why', extra: 1 }, logprobs: null }),
      system_fingerprint: 'fp',
    },
    true,
  ],
  [
    'tool call pieces',
    withChoice({
      index: 0,
      delta: {
        tool_calls: [
          { index: 0, id: 'call_1', type: 'function', function: { name: 'f', arguments: '{' } },
          { index: 1 },
          { function: null },
        ],
      },
    }),
    true,
  ],
  ['no choices', { ...base }, false],
  ['choices not an array', { ...base, choices: {} }, false],
  ['content a number', withChoice({ delta: { content: 5 } }), false],
  ['delta an array', withChoice({ delta: [] }), false],
  ['delta a string', withChoice({ delta: 'x' }), false],
  ['finish_reason a number', withChoice({ delta: {}, finish_reason: 1 }), false],
  ['index a string', withChoice({ index: '0', delta: {} }), false],
  ['a choice that is null', { ...base, choices: [null] }, false],
  ['tool_calls an object', withChoice({ delta: { tool_calls: {} } }), false],
  ['a tool call with a numeric id', withChoice({ delta: { tool_calls: [{ id: 7 }] } }), false],
  ['tool call arguments an object', withChoice({ delta: { tool_calls: [{ function: { arguments: {} } }] } }), false],
  ['usage tokens as strings', { ...base, choices: [], usage: { prompt_tokens: '1' } }, false],
  ['usage an array', { ...base, choices: [], usage: [] }, false],
  ['created a string', { ...base, created: 'now', choices: [] }, false],
  ['model a number', { ...base, model: 1, choices: [] }, false],
  ['an array', [], false],
  ['a string', 'data', false],
  ['null', null, false],
];

describe('upstreamChunkCheck', () => {
  it.each(payloads)('agrees with upstreamChatCompletionChunkSchema on %s', (_name, payload, accepted) => {
    expect(upstreamChatCompletionChunkSchema.safeParse(payload).success).toBe(accepted);
    const result = upstreamChunkCheck.safeParse(payload);
    expect(result.success).toBe(accepted);
    // Valid chunks come back as the same object: nothing is copied per frame.
    if (result.success) expect(result.data).toBe(payload);
    else expect(result.error.message).toBe('upstream chunk does not match the chat.completion.chunk shape');
  });
});
