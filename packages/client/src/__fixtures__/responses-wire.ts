// Gateway-shaped Responses API bodies and event streams for the loopback tests
// (https://platform.openai.com/docs/api-reference/responses-streaming).

/** One stream event before its `sequence_number` is assigned. */
export interface WireEvent {
  type: string;
  [key: string]: unknown;
}

/** A completed assistant message item. */
export function messageItem(text: string, id = 'msg_test'): Record<string, unknown> {
  return {
    type: 'message',
    id,
    role: 'assistant',
    status: 'completed',
    content: [{ type: 'output_text', text, annotations: [] }],
  };
}

/** A completed function call item. */
export function functionCallItem(name: string, args: string): Record<string, unknown> {
  return { type: 'function_call', id: 'fc_test', call_id: 'call_test', name, arguments: args, status: 'completed' };
}

/** A response object; `overrides` replace top-level keys. */
export function responseObject(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: 'resp_test',
    object: 'response',
    created_at: 1_700_000_000,
    status: 'completed',
    model: 'openclaw',
    output: [],
    usage: { input_tokens: 3, output_tokens: 2, total_tokens: 5 },
    error: null,
    ...overrides,
  };
}

/** The opening pair every stream starts with. */
function openingEvents(): WireEvent[] {
  const pending = responseObject({ status: 'in_progress', usage: null });
  return [
    { type: 'response.created', response: pending },
    { type: 'response.in_progress', response: pending },
  ];
}

/** Everything up to (not including) the terminal event of a text answer written in `pieces`. */
export function textItemEvents(pieces: string[]): WireEvent[] {
  const text = pieces.join('');
  const where = { item_id: 'msg_test', output_index: 0, content_index: 0 };
  return [
    ...openingEvents(),
    {
      type: 'response.output_item.added',
      output_index: 0,
      item: { type: 'message', id: 'msg_test', role: 'assistant', status: 'in_progress', content: [] },
    },
    { type: 'response.content_part.added', ...where, part: { type: 'output_text', text: '', annotations: [] } },
    ...pieces.map((delta) => ({ type: 'response.output_text.delta', ...where, delta })),
    { type: 'response.output_text.done', ...where, text },
    { type: 'response.content_part.done', ...where, part: { type: 'output_text', text, annotations: [] } },
    { type: 'response.output_item.done', output_index: 0, item: messageItem(text) },
  ];
}

/** A whole text answer, ending with `response.completed`. */
export function textResponseEvents(pieces: string[]): WireEvent[] {
  const text = pieces.join('');
  return [
    ...textItemEvents(pieces),
    { type: 'response.completed', response: responseObject({ output: [messageItem(text)] }) },
  ];
}

/** A whole function call answer, its arguments sent in `argumentPieces`. */
export function functionCallResponseEvents(name: string, argumentPieces: string[]): WireEvent[] {
  const args = argumentPieces.join('');
  const where = { item_id: 'fc_test', output_index: 0 };
  return [
    ...openingEvents(),
    {
      type: 'response.output_item.added',
      output_index: 0,
      item: { ...functionCallItem(name, ''), status: 'in_progress' },
    },
    ...argumentPieces.map((delta) => ({ type: 'response.function_call_arguments.delta', ...where, delta })),
    { type: 'response.function_call_arguments.done', ...where, arguments: args },
    { type: 'response.output_item.done', output_index: 0, item: functionCallItem(name, args) },
    { type: 'response.completed', response: responseObject({ output: [functionCallItem(name, args)] }) },
  ];
}

/** The gateway's `response.failed` event. */
export function failedEvent(message: string, code = 'api_error'): WireEvent {
  return {
    type: 'response.failed',
    response: responseObject({ status: 'failed', usage: null, error: { code, message } }),
  };
}

/** Numbers the events from `first` and writes each as `event: <type>` + `data: <json>`. */
export function encodeEvents(events: WireEvent[], first = 0): string {
  return events
    .map(
      (event, index) =>
        `event: ${event.type}\ndata: ${JSON.stringify({ ...event, sequence_number: first + index })}\n\n`,
    )
    .join('');
}
