/**
 * One Server-Sent Event to encode.
 *
 * Field semantics follow the WHATWG HTML "server-sent events" section: `data` may span lines,
 * `event`, `id` and `retry` are single-line fields.
 */
export interface SseEvent {
  /** The payload. Line breaks (`\r\n`, `\r` or `\n`) are split into one `data:` line each. */
  data: string;
  /** The event name (`event:` field). Must not contain CR or LF. */
  event?: string;
  /** The event id (`id:` field). Must not contain CR, LF or NUL. */
  id?: string;
  /** The reconnection delay in milliseconds (`retry:` field). Must be a non-negative integer. */
  retry?: number;
}

// The three line terminators the SSE grammar accepts; a lone CR counts, so it must be split too,
// otherwise a receiver would end the field early and read the rest as a new (unknown) field.
const LINE_BREAK = /\r\n|\r|\n/;
const HAS_LINE_BREAK = /[\r\n]/;

function assertSingleLine(field: 'event' | 'id', value: unknown): asserts value is string {
  if (typeof value !== 'string') {
    throw new TypeError(`SSE \`${field}\` must be a string, received ${typeof value}`);
  }
  if (HAS_LINE_BREAK.test(value)) {
    // A line break would let the value inject extra fields (or a whole event) into the stream.
    throw new TypeError(`SSE \`${field}\` must not contain CR or LF characters`);
  }
}

/**
 * Encodes one event into its wire form, ending with the blank line that dispatches it.
 *
 * @param event - The event; see {@link SseEvent} for each field.
 * @returns The encoded event, e.g. `event: delta\ndata: {"a":1}\n\n`.
 * @throws TypeError if `data` is not a string, if `event` or `id` contain CR or LF (or `id` a NUL,
 *   which receivers ignore), or if `retry` is not a non-negative safe integer.
 * @example
 * ```ts
 * encodeSseEvent({ event: 'note', data: 'line one\nline two' });
 * // 'event: note\ndata: line one\ndata: line two\n\n'
 * ```
 */
export function encodeSseEvent(event: SseEvent): string {
  if (typeof event !== 'object' || event === null) {
    throw new TypeError('SSE event must be an object with a string `data` field');
  }
  if (typeof event.data !== 'string') {
    throw new TypeError(`SSE \`data\` must be a string, received ${typeof event.data}`);
  }
  let output = '';
  if (event.event !== undefined) {
    assertSingleLine('event', event.event);
    output += `event: ${event.event}\n`;
  }
  if (event.id !== undefined) {
    assertSingleLine('id', event.id);
    // Browsers silently drop an id containing NUL, so refusing it surfaces the bug at the sender.
    if (event.id.includes('\0')) {
      throw new TypeError('SSE `id` must not contain NUL characters');
    }
    output += `id: ${event.id}\n`;
  }
  if (event.retry !== undefined) {
    if (!Number.isSafeInteger(event.retry) || event.retry < 0) {
      throw new TypeError(`SSE \`retry\` must be a non-negative integer, received ${String(event.retry)}`);
    }
    output += `retry: ${event.retry}\n`;
  }
  for (const line of event.data.split(LINE_BREAK)) {
    output += `data: ${line}\n`;
  }
  return `${output}\n`;
}

/**
 * Encodes an SSE comment, which receivers ignore; used for keep-alive pings.
 *
 * Multi-line text becomes one `: ` line per line so no line can be read as a field.
 *
 * @param text - The comment text, e.g. `ping`.
 * @returns The encoded comment, e.g. `: ping\n\n`.
 * @throws TypeError if `text` is not a string.
 * @example
 * ```ts
 * encodeSseComment('ping'); // ': ping\n\n'
 * ```
 */
export function encodeSseComment(text: string): string {
  if (typeof text !== 'string') {
    throw new TypeError(`SSE comment must be a string, received ${typeof text}`);
  }
  let output = '';
  for (const line of text.split(LINE_BREAK)) {
    output += `: ${line}\n`;
  }
  return `${output}\n`;
}

const DONE_FRAME = 'data: [DONE]\n\n';

/**
 * Encodes the OpenAI end-of-stream sentinel.
 *
 * @returns Always `data: [DONE]\n\n`.
 * @example
 * ```ts
 * response.end(encodeSseDone());
 * ```
 */
export function encodeSseDone(): string {
  return DONE_FRAME;
}

/**
 * Encodes a JSON value as a single `data:` event (no event name, as the OpenAI stream format uses).
 *
 * `JSON.stringify` never emits raw line breaks (they are escaped inside strings), so the result is
 * always exactly one `data:` line.
 *
 * @param value - Any JSON-serialisable value.
 * @returns The encoded event, e.g. `data: {"a":1}\n\n`.
 * @throws TypeError if the value cannot be serialised (`undefined`, a function, a symbol, a BigInt
 *   or a circular structure).
 * @example
 * ```ts
 * encodeSseJson({ choices: [] }); // 'data: {"choices":[]}\n\n'
 * ```
 */
export function encodeSseJson(value: unknown): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch (error) {
    // BigInt and cycles throw; rewrap so callers get one error type with the reason kept as cause.
    throw new TypeError(`SSE JSON value is not serialisable: ${(error as Error).message}`, { cause: error });
  }
  if (json === undefined) {
    throw new TypeError(`SSE JSON value is not serialisable: ${typeof value}`);
  }
  return `data: ${json}\n\n`;
}
