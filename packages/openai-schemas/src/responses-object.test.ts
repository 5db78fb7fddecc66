import { describe, expect, it } from 'vitest';
import { responsesObjectSchema } from './responses-object.js';
import { responsesStreamEventSchema } from './responses-stream-event.js';

const response = {
  id: 'resp_1',
  object: 'response',
  created_at: 1,
  status: 'completed',
  model: 'openclaw',
  output: [
    {
      type: 'message',
      id: 'msg_1',
      role: 'assistant',
      status: 'completed',
      content: [{ type: 'output_text', text: 'hi', annotations: [] }],
    },
    { type: 'function_call', id: 'fc_1', call_id: 'c1', name: 'f', arguments: '{}', status: 'completed' },
    { type: 'web_search_call', id: 'ws_1', status: 'completed' },
  ],
  usage: { input_tokens: 1, output_tokens: 2, total_tokens: 3 },
  service_tier: 'default',
};

describe('the Responses answer schemas', () => {
  it('read a response object, keeping output kinds and keys they do not know', () => {
    expect(responsesObjectSchema.parse(response)).toEqual(response);
  });

  it('refuse a response object without its id or with an unknown status', () => {
    expect(responsesObjectSchema.safeParse({ ...response, id: undefined }).success).toBe(false);
    expect(responsesObjectSchema.safeParse({ ...response, status: 'done' }).success).toBe(false);
  });

  it('read each stream event by its type and refuse one without sequence_number', () => {
    const delta = {
      type: 'response.output_text.delta',
      sequence_number: 4,
      item_id: 'msg_1',
      output_index: 0,
      content_index: 0,
      delta: 'hi',
    };
    expect(responsesStreamEventSchema.parse(delta)).toEqual(delta);
    const completed = { type: 'response.completed', sequence_number: 9, response };
    expect(responsesStreamEventSchema.parse(completed)).toEqual(completed);
    expect(responsesStreamEventSchema.safeParse({ ...delta, sequence_number: undefined }).success).toBe(false);
    expect(responsesStreamEventSchema.safeParse({ ...delta, type: 'response.unknown' }).success).toBe(false);
  });
});
