import { describe, expect, it } from 'vitest';
import { encodeSseComment, encodeSseDone, encodeSseEvent, encodeSseJson } from './encode-sse-event.js';

describe('encodeSseEvent', () => {
  it('encodes a data-only event with the dispatching blank line', () => {
    expect(encodeSseEvent({ data: 'hello' })).toBe('data: hello\n\n');
  });

  it('writes event, id and retry before the data lines', () => {
    expect(encodeSseEvent({ data: 'x', event: 'delta', id: '42', retry: 1500 })).toBe(
      'event: delta\nid: 42\nretry: 1500\ndata: x\n\n',
    );
  });

  it('splits data on LF, CRLF and lone CR into one data line each', () => {
    expect(encodeSseEvent({ data: 'a\nb\r\nc\rd' })).toBe('data: a\ndata: b\ndata: c\ndata: d\n\n');
  });

  it('keeps empty lines inside and around the data', () => {
    expect(encodeSseEvent({ data: '\nmiddle\n' })).toBe('data: \ndata: middle\ndata: \n\n');
    expect(encodeSseEvent({ data: '' })).toBe('data: \n\n');
  });

  it.each(['a\nb', 'a\rb', 'a\r\nb', '\n'])('throws TypeError for a line break in event (%j)', (value) => {
    expect(() => encodeSseEvent({ data: 'x', event: value })).toThrow(
      new TypeError('SSE `event` must not contain CR or LF characters'),
    );
  });

  it.each(['1\n2', '1\r2'])('throws TypeError for a line break in id (%j)', (value) => {
    expect(() => encodeSseEvent({ data: 'x', id: value })).toThrow(
      new TypeError('SSE `id` must not contain CR or LF characters'),
    );
  });

  it('throws TypeError for NUL in id, which receivers would silently ignore', () => {
    expect(() => encodeSseEvent({ data: 'x', id: 'a\0b' })).toThrow(
      new TypeError('SSE `id` must not contain NUL characters'),
    );
  });

  it.each([1.5, -1, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 60])('throws TypeError for retry %s', (retry) => {
    expect(() => encodeSseEvent({ data: 'x', retry })).toThrow(
      new TypeError(`SSE \`retry\` must be a non-negative integer, received ${String(retry)}`),
    );
  });

  it('accepts retry 0', () => {
    expect(encodeSseEvent({ data: 'x', retry: 0 })).toBe('retry: 0\ndata: x\n\n');
  });

  it('rejects non-string data, event and id with a clear TypeError', () => {
    expect(() => encodeSseEvent({ data: 5 as unknown as string })).toThrow(
      new TypeError('SSE `data` must be a string, received number'),
    );
    expect(() => encodeSseEvent({ data: 'x', event: 1 as unknown as string })).toThrow(
      new TypeError('SSE `event` must be a string, received number'),
    );
    expect(() => encodeSseEvent(null as unknown as { data: string })).toThrow(
      new TypeError('SSE event must be an object with a string `data` field'),
    );
  });
});

describe('encodeSseComment', () => {
  it('encodes a comment line', () => {
    expect(encodeSseComment('ping')).toBe(': ping\n\n');
  });

  it('prefixes every line so a line break cannot start a field', () => {
    expect(encodeSseComment('a\ndata: injected\rb')).toBe(': a\n: data: injected\n: b\n\n');
  });

  it('throws TypeError for a non-string', () => {
    expect(() => encodeSseComment(undefined as unknown as string)).toThrow(
      new TypeError('SSE comment must be a string, received undefined'),
    );
  });
});

describe('encodeSseDone', () => {
  it('encodes the OpenAI sentinel', () => {
    expect(encodeSseDone()).toBe('data: [DONE]\n\n');
  });
});

describe('encodeSseJson', () => {
  it('encodes JSON on one data line, escaping line breaks inside strings', () => {
    expect(encodeSseJson({ text: 'a\nb', n: 1 })).toBe('data: {"text":"a\\nb","n":1}\n\n');
    expect(encodeSseJson(null)).toBe('data: null\n\n');
  });

  it('throws TypeError for values JSON cannot represent', () => {
    expect(() => encodeSseJson(undefined)).toThrow(new TypeError('SSE JSON value is not serialisable: undefined'));
    expect(() => encodeSseJson(() => 1)).toThrow(new TypeError('SSE JSON value is not serialisable: function'));
    expect(() => encodeSseJson(10n)).toThrow(TypeError);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => encodeSseJson(cyclic)).toThrow(/^SSE JSON value is not serialisable: Converting circular structure/);
  });
});
