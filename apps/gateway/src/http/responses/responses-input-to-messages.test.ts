import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../errors.js';
import { responsesInputToMessages } from './responses-input-to-messages.js';
import { responsesParameters } from './responses-parameters.js';

describe('responsesInputToMessages', () => {
  it('puts instructions first and a string input as one user message', () => {
    expect(responsesInputToMessages({ instructions: 'Be brief.', input: 'hi' })).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'hi' },
    ]);
    expect(responsesInputToMessages({ instructions: '  ', input: 'hi' })).toEqual([{ role: 'user', content: 'hi' }]);
  });

  it('maps every item kind and drops reasoning and references', () => {
    expect(
      responsesInputToMessages({
        input: [
          { role: 'developer', content: 'dev' },
          {
            type: 'message',
            role: 'user',
            content: [
              { type: 'input_text', text: 'look' },
              { type: 'input_image', image_url: 'data:image/png;base64,AA==', detail: 'low' },
            ],
          },
          {
            type: 'message',
            role: 'assistant',
            content: [
              { type: 'output_text', text: 'seen' },
              { type: 'refusal', refusal: 'no' },
            ],
          },
          { type: 'function_call', call_id: 'c1', name: 'f', arguments: '{}' },
          { type: 'function_call_output', call_id: 'c1', output: 'done' },
          { type: 'reasoning' },
          { type: 'item_reference', id: 'x' },
        ],
      }),
    ).toEqual([
      { role: 'developer', content: 'dev' },
      {
        role: 'user',
        content: [
          { type: 'input_text', text: 'look' },
          { type: 'image_url', image_url: { url: 'data:image/png;base64,AA==', detail: 'low' } },
        ],
      },
      {
        role: 'assistant',
        content: [
          { type: 'input_text', text: 'seen' },
          { type: 'input_text', text: 'no' },
        ],
      },
      {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: '{}' } }],
      },
      { role: 'tool', tool_call_id: 'c1', content: 'done' },
    ]);
  });

  it('refuses parts it cannot pass on with a 400', () => {
    let refusal: unknown;
    try {
      responsesInputToMessages({ input: [{ role: 'user', content: [{ type: 'input_file', file_id: 'f' }] }] });
    } catch (error) {
      refusal = error;
    }
    expect(GatewayError.isInstance(refusal) && refusal.status).toBe(400);
  });
});

describe('responsesParameters', () => {
  it('maps the sampling, tool and format fields to their Chat Completions form', () => {
    expect(
      responsesParameters({
        model: 'openclaw',
        temperature: 0.5,
        top_p: 0.9,
        max_output_tokens: 64,
        tools: [{ type: 'function', name: 'f', description: 'd', parameters: { type: 'object' }, strict: true }],
        tool_choice: { type: 'function', name: 'f' },
        text: { format: { type: 'json_schema', name: 's', schema: { type: 'object' }, strict: true } },
      }),
    ).toEqual({
      temperature: 0.5,
      top_p: 0.9,
      max_completion_tokens: 64,
      tools: [
        { type: 'function', function: { name: 'f', description: 'd', parameters: { type: 'object' }, strict: true } },
      ],
      tool_choice: { type: 'function', function: { name: 'f' } },
      response_format: { type: 'json_schema', json_schema: { name: 's', schema: { type: 'object' }, strict: true } },
    });
    expect(
      responsesParameters({ model: 'openclaw', text: { format: { type: 'json_object' } }, tool_choice: 'none' }),
    ).toEqual({
      response_format: { type: 'json_object' },
      tool_choice: 'none',
    });
    expect(responsesParameters({ model: 'openclaw', text: { format: { type: 'text' } }, tools: [] })).toEqual({});
  });
});
