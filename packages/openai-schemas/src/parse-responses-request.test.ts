import { describe, expect, it } from 'vitest';
import { MISSING_INPUT_MESSAGE, parseResponsesRequest } from './parse-responses-request.js';

const base = { model: 'openclaw' };

function messageOf(body: unknown, limits?: Parameters<typeof parseResponsesRequest>[1]): string {
  const result = parseResponsesRequest(body, limits);
  if (result.success) throw new Error(`accepted: ${JSON.stringify(body)}`);
  return result.message;
}

describe('parseResponsesRequest', () => {
  it('accepts a string input and drops null and absent keys', () => {
    expect(parseResponsesRequest({ ...base, input: 'hi', temperature: null, instructions: 'Be brief.' })).toEqual({
      success: true,
      data: { model: 'openclaw', input: 'hi', instructions: 'Be brief.' },
    });
  });

  it('parses every item kind, stripping the keys clients send back with output items', () => {
    const result = parseResponsesRequest({
      ...base,
      input: [
        { role: 'developer', content: 'Be brief.' },
        { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'hi' }] },
        {
          type: 'message',
          id: 'msg_1',
          status: 'completed',
          role: 'assistant',
          content: [{ type: 'output_text', text: 'hello', annotations: [] }],
        },
        { type: 'function_call', id: 'fc_1', status: 'completed', call_id: 'c1', name: 'f', arguments: '{}' },
        { type: 'function_call_output', call_id: 'c1', output: '42' },
        { type: 'reasoning', id: 'rs_1', summary: [] },
        { type: 'item_reference', id: 'msg_0' },
      ],
    });
    expect(result).toEqual({
      success: true,
      data: {
        model: 'openclaw',
        input: [
          { role: 'developer', content: 'Be brief.' },
          { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'hi' }] },
          { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'hello', annotations: [] }] },
          { type: 'function_call', id: 'fc_1', call_id: 'c1', name: 'f', arguments: '{}' },
          { type: 'function_call_output', call_id: 'c1', output: '42' },
          { type: 'reasoning' },
          { type: 'item_reference', id: 'msg_0' },
        ],
      },
    });
  });

  it('accepts and keeps the keys the official SDKs send that the gateway ignores', () => {
    const body = {
      ...base,
      input: 'hi',
      include: ['reasoning.encrypted_content'],
      parallel_tool_calls: true,
      service_tier: 'auto',
      prompt_cache_key: 'k',
      safety_identifier: 's',
      background: false,
      store: true,
      truncation: 'disabled',
      reasoning: { effort: 'low' },
      text: { format: { type: 'text' }, verbosity: 'low' },
      metadata: { a: 'b' },
    };
    expect(parseResponsesRequest(body)).toEqual({ success: true, data: body });
  });

  it.each([
    [{ ...base, input: 'hi', color: 'red' }, ': Unrecognized key: "color"'],
    [[], ': Invalid input: expected object, received array'],
    [{ input: 'hi' }, 'model: Invalid input: expected string, received undefined'],
    [{ ...base, input: 42 }, 'input: Invalid input'],
    [{ ...base, input: { role: 'user' } }, 'input: Invalid input'],
    [
      { ...base, input: [{ type: 'weird' }] },
      'input[0].type: Invalid item type: expected one of message, function_call, function_call_output, reasoning, item_reference',
    ],
    [{ ...base, input: ['hi'] }, 'input[0]: Invalid input: expected object, received string'],
    [
      { ...base, input: [{ type: 'function_call_output', output: 'x' }] },
      'input[0].call_id: Invalid input: expected string, received undefined',
    ],
    [
      { ...base, input: [{ role: 'user', content: [{ type: 'input_audio' }] }] },
      "input[0].content[0].type: Invalid discriminator value. Expected 'input_text' | 'input_image' | 'input_file' | 'output_text' | 'refusal'",
    ],
    [
      { ...base, input: [{ role: 'tool', content: 'x' }] },
      'input[0].role: Invalid option: expected one of "user"|"assistant"|"system"|"developer"',
    ],
    [{ ...base, input: 'hi', temperature: 2.5 }, '`temperature` must be between 0 and 2.'],
    [{ ...base, input: 'hi', top_p: -1 }, '`top_p` must be between 0 and 1.'],
    [{ ...base, input: 'hi', max_output_tokens: 0 }, 'max_output_tokens: Too small: expected number to be >0'],
    [{ ...base, input: 'hi', tool_choice: 'required' }, 'invalid tool configuration'],
    [{ ...base, input: 'hi', tools: [], tool_choice: 'required' }, 'invalid tool configuration'],
    [
      { ...base, input: 'hi', tools: [{ type: 'function', name: 'f' }], tool_choice: { type: 'function', name: 'g' } },
      "invalid tool configuration: tool_choice names the unknown tool 'g'",
    ],
    [{ ...base, input: 'hi', tools: [{ type: 'web_search' }] }, 'tools[0].type: Invalid input: expected "function"'],
    [{ ...base, input: 'hi', background: true }, '`background: true` is not supported.'],
    [
      { ...base, input: 'hi', conversation: 'conv_1' },
      '`conversation` is not supported; continue with `previous_response_id`.',
    ],
    [{ ...base, input: 'hi', prompt: { id: 'p' } }, '`prompt` (stored prompt templates) is not supported.'],
    [
      { ...base, input: 'hi', text: { format: { type: 'xml' } } },
      "text.format.type: Invalid discriminator value. Expected 'text' | 'json_object' | 'json_schema'",
    ],
  ])('refuses %j with its exact message', (body, message) => {
    expect(messageOf(body)).toBe(message);
  });

  it.each([
    [{ ...base }],
    [{ ...base, input: '' }],
    [{ ...base, input: '   ' }],
    [{ ...base, input: [] }],
    [
      {
        ...base,
        input: [
          { role: 'system', content: 'x' },
          { role: 'developer', content: 'y' },
        ],
      },
    ],
    [{ ...base, input: [{ type: 'reasoning' }, { type: 'item_reference', id: 'x' }] }],
  ])('answers %j with the missing-input sentence', (body) => {
    expect(messageOf(body)).toBe(MISSING_INPUT_MESSAGE);
  });

  it('counts items, parts and tools before validating any', () => {
    const limits = { limits: { maxInputItems: 2, maxContentParts: 3, maxTools: 1 } };
    expect(messageOf({ ...base, input: [1, 2, 3] }, limits)).toBe(
      "Invalid 'input': array too long. Expected an array with maximum length 2, but got an array with length 3 instead.",
    );
    expect(
      messageOf({ ...base, input: [{ content: [1, 2] }, { type: 'function_call_output', output: [3, 4] }] }, limits),
    ).toBe("Invalid 'input': too many content parts. Expected at most 3 across all items, but got 4 instead.");
    expect(messageOf({ ...base, input: 'hi', tools: [1, 2] }, limits)).toBe(
      "Invalid 'tools': array too long. Expected an array with maximum length 1, but got an array with length 2 instead.",
    );
  });

  it('stops at the first bad item of a huge list', () => {
    const input = [{ type: 'nope' }, ...new Array(2000).fill({ type: 'nope' })];
    expect(messageOf({ ...base, input })).toMatch(/^input\[0\]\.type: /);
  });
});
