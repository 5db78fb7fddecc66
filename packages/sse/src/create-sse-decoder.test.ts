import { describe, expect, it } from 'vitest';
import { createSseDecoder, type ParseResult } from './create-sse-decoder.js';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

/** Feeds `chunks` and returns every callback, in order. */
function decode(chunks: readonly Uint8Array[], end = true): { results: ParseResult<unknown>[]; doneCalls: number } {
  const results: ParseResult<unknown>[] = [];
  let doneCalls = 0;
  const decoder = createSseDecoder({ onResult: (result) => results.push(result), onDone: () => (doneCalls += 1) });
  for (const chunk of chunks) decoder.push(chunk);
  if (end) decoder.end();
  return { results, doneCalls };
}

describe('createSseDecoder', () => {
  it('reports each event synchronously inside push, in order, and stops at [DONE]', () => {
    const seen: unknown[] = [];
    const decoder = createSseDecoder({
      onResult: (result) => seen.push(result.success ? result.value : result.error.type),
      onDone: () => seen.push('done'),
    });
    decoder.push(bytes('data: {"a":1}\n\ndata: {"a":'));
    expect(seen).toEqual([{ a: 1 }]);
    decoder.push(bytes('2}\n\ndata: [DONE]\n\ndata: {"a":3}\n\n'));
    expect(seen).toEqual([{ a: 1 }, { a: 2 }, 'done']);
    expect(decoder.done).toBe(true);
    decoder.push(bytes('data: {"a":4}\n\n'));
    decoder.end();
    expect(seen).toEqual([{ a: 1 }, { a: 2 }, 'done']);
  });

  it('decodes a multi-byte character split across chunks and drops a leading BOM', () => {
    const whole = bytes('\uFEFFdata: {"t":"é€"}\n\n');
    const { results } = decode([whole.slice(0, 12), whole.slice(12, 13), whole.slice(13)]);
    expect(results).toEqual([{ success: true, value: { t: 'é€' } }]);
  });

  it('completes a CR-only last event at end(), and discards an unterminated one', () => {
    expect(decode([bytes('data: {"x":1}\r\r')]).results).toEqual([{ success: true, value: { x: 1 } }]);
    expect(decode([bytes('data: {"x":1}\n\ndata: {"x":2}')]).results).toEqual([{ success: true, value: { x: 1 } }]);
  });

  it('reports invalid JSON, error payloads and schema mismatches as failures and keeps going', () => {
    const schema = {
      safeParse: (value: unknown) =>
        typeof value === 'object' && value !== null && 'ok' in value
          ? { success: true as const, data: value }
          : { success: false as const, error: new Error('no ok') },
    };
    const results: ParseResult<unknown>[] = [];
    const decoder = createSseDecoder({ schema, onResult: (result) => results.push(result) });
    decoder.push(
      bytes('data: nope\n\ndata: {"error":{"message":"boom"}}\n\ndata: {"other":1}\n\ndata: {"ok":true}\n\n'),
    );
    expect(results.map((result) => (result.success ? result.value : result.error.type))).toEqual([
      'invalid-json',
      'error-payload',
      'schema-mismatch',
      { ok: true },
    ]);
  });

  it('throws a RangeError when one event outgrows maxBufferSize', () => {
    const decoder = createSseDecoder({ maxBufferSize: 64, onResult: () => undefined });
    expect(() => decoder.push(bytes(`data: ${'x'.repeat(200)}`))).toThrow(RangeError);
  });

  it('refuses chunks that are not bytes and a bad maxBufferSize', () => {
    const decoder = createSseDecoder({ onResult: () => undefined });
    expect(() => decoder.push('data: x\n\n' as unknown as Uint8Array)).toThrow(TypeError);
    expect(() => createSseDecoder({ maxBufferSize: 0, onResult: () => undefined })).toThrow(TypeError);
  });
});
