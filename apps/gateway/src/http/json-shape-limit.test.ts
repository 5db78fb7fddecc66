import { describe, expect, it } from 'vitest';
import { JSON_SHAPE_ERROR_MESSAGES, createJsonShapeLimit } from './json-shape-limit.js';

/** Feeds `text` in pieces of `size` bytes and returns the first refusal (or undefined). */
function scan(
  text: string,
  limits: { maxDepth: number; maxValues: number },
  size = text.length || 1,
): string | undefined {
  const shape = createJsonShapeLimit(limits);
  const bytes = Buffer.from(text);
  let refusal: string | undefined;
  for (let start = 0; start < bytes.length; start += size) refusal ??= shape.push(bytes.subarray(start, start + size));
  return refusal;
}

const roomy = { maxDepth: 64, maxValues: 1000 };

describe('createJsonShapeLimit', () => {
  it('refuses nesting past maxDepth and accepts it at maxDepth', () => {
    expect(scan('[[[1]]]', { maxDepth: 3, maxValues: 100 })).toBeUndefined();
    expect(scan('[[[[1]]]]', { maxDepth: 3, maxValues: 100 })).toBe(JSON_SHAPE_ERROR_MESSAGES.tooDeep(3));
    expect(scan('{"a":{"b":{"c":{}}}}', { maxDepth: 3, maxValues: 100 })).toBe(JSON_SHAPE_ERROR_MESSAGES.tooDeep(3));
    expect(JSON_SHAPE_ERROR_MESSAGES.tooDeep(3)).toBe(
      'Request body nests arrays and objects deeper than the limit of 3 levels.',
    );
  });

  it('counts openings and commas against maxValues', () => {
    // `[1,2,3]`: one opening and two commas.
    expect(scan('[1,2,3]', { maxDepth: 8, maxValues: 3 })).toBeUndefined();
    expect(scan('[1,2,3,4]', { maxDepth: 8, maxValues: 3 })).toBe(JSON_SHAPE_ERROR_MESSAGES.tooManyValues(3));
    expect(JSON_SHAPE_ERROR_MESSAGES.tooManyValues(3)).toBe('Request body holds more than the limit of 3 JSON values.');
  });

  it('ignores brackets, commas and escaped quotes inside strings', () => {
    const text = JSON.stringify({ content: '[[[[,,,,{{{{ \\" \\\\" ]]]] "quoted" \\\\' });
    expect(scan(text, { maxDepth: 1, maxValues: 1 })).toBeUndefined();
  });

  it('gives the same answer whatever the chunk boundaries, escapes included', () => {
    const body = JSON.stringify({
      messages: [
        { role: 'user', content: 'a\\"b[c]{d},e \\\\' },
        { role: 'user', content: [{ type: 'text', text: '"\\' }] },
      ],
      tools: [{ function: { parameters: { a: { b: { c: [1, 2, [3]] } } } } }],
    });
    const whole = scan(body, roomy);
    const depthLimited = scan(body, { maxDepth: 5, maxValues: 1000 });
    expect(whole).toBeUndefined();
    expect(depthLimited).toBe(JSON_SHAPE_ERROR_MESSAGES.tooDeep(5));
    for (let size = 1; size <= 7; size += 1) {
      expect(scan(body, roomy, size)).toBe(whole);
      expect(scan(body, { maxDepth: 5, maxValues: 1000 }, size)).toBe(depthLimited);
    }
  });

  it('refuses a million-element array early and keeps refusing', () => {
    const shape = createJsonShapeLimit({ maxDepth: 64, maxValues: 250_000 });
    const refusal = shape.push(Buffer.from(`{"messages":[${'1,'.repeat(1_000_000)}1]}`));
    expect(refusal).toBe(JSON_SHAPE_ERROR_MESSAGES.tooManyValues(250_000));
    expect(shape.push(Buffer.from('{}'))).toBe(refusal);
  });

  it('refuses 100,000 levels of nesting', () => {
    expect(scan('['.repeat(100_000) + ']'.repeat(100_000), roomy)).toBe(JSON_SHAPE_ERROR_MESSAGES.tooDeep(64));
  });
});
