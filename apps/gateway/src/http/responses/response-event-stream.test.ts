import { describe, expect, it } from 'vitest';
import { createResponseEventStream } from './response-event-stream.js';

const identity = { id: 'resp_1', createdAt: 100, model: 'openclaw' };
const usage = { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 };

/** A builder whose item ids count up: `msg_1`, `fc_2`, … */
function stream() {
  let next = 0;
  return createResponseEventStream(identity, (prefix) => `${prefix}_${++next}`);
}

/** The `data:` JSON of each frame, checking each frame's `event:` line names the same type. */
function parse(frames: string): Array<Record<string, unknown>> {
  return frames
    .split('\n\n')
    .filter((frame) => frame !== '')
    .map((frame) => {
      const [eventLine, dataLine, ...rest] = frame.split('\n');
      expect(rest).toEqual([]);
      const data = JSON.parse(dataLine!.slice('data: '.length)) as Record<string, unknown>;
      expect(eventLine).toBe(`event: ${String(data.type)}`);
      return data;
    });
}

describe('createResponseEventStream', () => {
  it('builds a text response byte for byte, deltas as JSON.stringify would', () => {
    const events = stream();
    const frames = events.start() + events.text('Hi "there"\n') + events.text('!') + events.finish('stop', usage);
    const data = parse(frames);
    expect(data.map((event) => event.sequence_number)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const message = { type: 'message', id: 'msg_1', role: 'assistant' };
    const where = { item_id: 'msg_1', output_index: 0, content_index: 0 };
    const done = {
      ...message,
      status: 'completed',
      content: [{ type: 'output_text', text: 'Hi "there"\n!', annotations: [] }],
    };
    expect(data.slice(2)).toEqual([
      {
        type: 'response.output_item.added',
        sequence_number: 2,
        output_index: 0,
        item: { ...message, status: 'in_progress', content: [] },
      },
      {
        type: 'response.content_part.added',
        sequence_number: 3,
        ...where,
        part: { type: 'output_text', text: '', annotations: [] },
      },
      { type: 'response.output_text.delta', sequence_number: 4, ...where, delta: 'Hi "there"\n' },
      { type: 'response.output_text.delta', sequence_number: 5, ...where, delta: '!' },
      { type: 'response.output_text.done', sequence_number: 6, ...where, text: 'Hi "there"\n!' },
      { type: 'response.content_part.done', sequence_number: 7, ...where, part: done.content[0] },
      { type: 'response.output_item.done', sequence_number: 8, output_index: 0, item: done },
      {
        type: 'response.completed',
        sequence_number: 9,
        response: {
          id: 'resp_1',
          object: 'response',
          created_at: 100,
          status: 'completed',
          model: 'openclaw',
          output: [done],
          usage: {
            input_tokens: 1,
            input_tokens_details: { cached_tokens: 0 },
            output_tokens: 2,
            output_tokens_details: { reasoning_tokens: 0 },
            total_tokens: 3,
          },
        },
      },
    ]);
    // The hand-built delta frame is exactly what serialising the event object gives.
    const delta = frames.split('\n\n')[4];
    expect(delta).toBe(`event: response.output_text.delta\ndata: ${JSON.stringify(data[4])}`);
  });

  it('closes the message when a call starts, and each call when the next starts', () => {
    const events = stream();
    events.start();
    const data = parse(
      events.text('Let me check.') +
        events.toolCallStart(0, 'call_a', 'first') +
        events.toolCallDelta(0, '{"x":') +
        events.toolCallDelta(0, '1}') +
        events.toolCallStart(1, 'call_b', 'second') +
        events.finish('tool_calls', usage),
    );
    expect(data.map((event) => [event.type, event.output_index ?? null])).toEqual([
      ['response.output_item.added', 0],
      ['response.content_part.added', 0],
      ['response.output_text.delta', 0],
      ['response.output_text.done', 0],
      ['response.content_part.done', 0],
      ['response.output_item.done', 0],
      ['response.output_item.added', 1],
      ['response.function_call_arguments.delta', 1],
      ['response.function_call_arguments.delta', 1],
      ['response.function_call_arguments.done', 1],
      ['response.output_item.done', 1],
      ['response.output_item.added', 2],
      ['response.function_call_arguments.done', 2],
      ['response.output_item.done', 2],
      ['response.completed', null],
    ]);
    expect(data[9]).toEqual({
      type: 'response.function_call_arguments.done',
      sequence_number: 11,
      item_id: 'fc_2',
      output_index: 1,
      arguments: '{"x":1}',
    });
    expect((data.at(-1)!.response as { output: unknown[] }).output).toEqual([
      expect.objectContaining({ type: 'message', id: 'msg_1' }),
      {
        type: 'function_call',
        id: 'fc_2',
        call_id: 'call_a',
        name: 'first',
        arguments: '{"x":1}',
        status: 'completed',
      },
      { type: 'function_call', id: 'fc_3', call_id: 'call_b', name: 'second', arguments: '', status: 'completed' },
    ]);
  });

  it('passes on a late piece of a closed call under its own item, and the final object holds it whole', () => {
    const events = stream();
    events.start();
    events.toolCallStart(0, 'call_a', 'first');
    events.toolCallStart(1, 'call_b', 'second');
    const [late] = parse(events.toolCallDelta(0, '{}'));
    expect(late).toMatchObject({
      type: 'response.function_call_arguments.delta',
      item_id: 'fc_1',
      output_index: 0,
      delta: '{}',
    });
    const completed = parse(events.finish('tool_calls', usage)).at(-1);
    expect(
      (completed!.response as { output: Array<{ arguments: string }> }).output.map((item) => item.arguments),
    ).toEqual(['{}', '']);
  });

  it('ends a reply cut by max_output_tokens as incomplete', () => {
    const events = stream();
    events.start();
    events.text('cut');
    const data = parse(events.finish('length', usage));
    expect(data.at(-2)).toMatchObject({ type: 'response.output_item.done', item: { status: 'incomplete' } });
    expect(data.at(-1)).toMatchObject({
      type: 'response.incomplete',
      response: { status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } },
    });
  });

  it('fails with the open item closed as incomplete', () => {
    const events = stream();
    events.start();
    events.text('half');
    const data = parse(events.fail({ code: 'api_error', message: 'upstream gone' }));
    expect(data.map((event) => event.type)).toEqual([
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.failed',
    ]);
    expect(data.at(-1)).toEqual({
      type: 'response.failed',
      sequence_number: 8,
      response: {
        id: 'resp_1',
        object: 'response',
        created_at: 100,
        status: 'failed',
        model: 'openclaw',
        output: [],
        error: { code: 'api_error', message: 'upstream gone' },
      },
    });
  });
});
