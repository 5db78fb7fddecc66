import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeSseStream, type ParseResult } from './decode-sse-stream.js';
import { encodeSseComment, encodeSseDone, encodeSseEvent, encodeSseJson } from './encode-sse-event.js';

const encoder = new TextEncoder();

async function* chunked(bytes: Uint8Array, cuts: number[]): AsyncGenerator<Uint8Array> {
  let start = 0;
  for (const cut of [...new Set(cuts.map((cut) => cut % (bytes.length + 1)))].sort((a, b) => a - b)) {
    yield bytes.subarray(start, cut);
    start = cut;
  }
  yield bytes.subarray(start);
}

async function decodeValues(bytes: Uint8Array, cuts: number[]): Promise<unknown[]> {
  const values: unknown[] = [];
  for await (const result of decodeSseStream(chunked(bytes, cuts)) as AsyncIterable<ParseResult<unknown>>) {
    if (!result.success) {
      throw result.error;
    }
    values.push(result.value);
  }
  return values;
}

// Wrapped so a generated `{ error: ... }` object is data, not the error-payload convention.
const payload = fc.jsonValue().map((value) => ({ value }));
// Event names other than `error` and ids: any single-line text, including spaces and non-ASCII.
const singleLine = fc.string({ unit: 'grapheme', maxLength: 12 }).filter((text) => !/[\r\n\0]/.test(text));
const frame = fc.record(
  {
    payload,
    pretty: fc.boolean(),
    event: singleLine.filter((name) => name !== 'error'),
    id: singleLine,
    retry: fc.nat(),
    comment: fc.string({ unit: 'grapheme', maxLength: 20 }),
  },
  { requiredKeys: ['payload', 'pretty'] },
);
// One code point of any kind, with what this round trip is about made likely: line breaks (the SSE
// delimiters), NUL, lone surrogates and astral characters. fast-check's `unit: 'binary'` never yields
// a lone surrogate and takes about a second to build (several on a busy 2-core machine).
const anyCodePoint = fc.oneof(
  fc.constantFrom('\n', '\r', '\u2028', '\0'),
  fc.integer({ min: 0xd800, max: 0xdfff }).map((code) => String.fromCharCode(code)),
  fc.integer({ min: 0x10000, max: 0x10ffff }).map((code) => String.fromCodePoint(code)),
  fc.integer({ min: 0, max: 0x10ffff }).map((code) => String.fromCodePoint(code)),
);

// Explicit budgets: ~0.3 s and ~0.03 s, alone or with both cores of a 2-core machine busy (up to
// 0.8 s and 0.1 s with more load than that); 10 s keeps well over 4x headroom.
describe('encode → decode round trip', () => {
  it('decodes every encoded event back to the same JSON value, however the bytes are chunked', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(frame, { maxLength: 12 }),
        fc.array(fc.nat(), { maxLength: 20 }),
        async (frames, cuts) => {
          let wire = '';
          for (const item of frames) {
            if (item.comment !== undefined) {
              wire += encodeSseComment(item.comment);
            }
            // Pretty JSON spans lines, exercising the multi-line data path; compact JSON uses one line.
            const data = item.pretty ? JSON.stringify(item.payload, null, 2) : undefined;
            wire +=
              data === undefined && item.event === undefined && item.id === undefined && item.retry === undefined
                ? encodeSseJson(item.payload)
                : encodeSseEvent({
                    data: data ?? JSON.stringify(item.payload),
                    event: item.event,
                    id: item.id,
                    retry: item.retry,
                  });
          }
          wire += encodeSseDone();
          wire += encodeSseJson({ after: 'done' });
          const decoded = await decodeValues(encoder.encode(wire), cuts);
          // JSON normalises -0 to 0, so compare against the JSON-normalised input.
          expect(decoded).toEqual(frames.map((item) => JSON.parse(JSON.stringify(item.payload))));
        },
      ),
      { numRuns: 300 },
    );
  }, 10_000);

  it('preserves any string (line breaks, astral characters, lone surrogates) carried as JSON', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.string({ unit: anyCodePoint, maxLength: 40 }), { maxLength: 8 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        async (texts, cuts) => {
          const wire = texts.map((text) => encodeSseJson({ text })).join('') + encodeSseDone();
          expect(await decodeValues(encoder.encode(wire), cuts)).toEqual(
            // Exactly, lone surrogates too: JSON.stringify writes them as `\udxxx` escapes, plain ASCII.
            texts.map((text) => ({ text })),
          );
        },
      ),
      { numRuns: 100 },
    );
  }, 10_000);
});
