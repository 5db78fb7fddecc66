import fc from 'fast-check';
import { hostileString } from './__fixtures__/arbitraries.js';
import { describe, expect, it } from 'vitest';
import { extractBearerToken } from './extract-bearer-token.js';

describe('extractBearerToken', () => {
  it.each([
    ['Bearer abc', 'abc'],
    ['bearer abc', 'abc'],
    ['BEARER abc', 'abc'],
    ['Bearer   abc  ', 'abc'],
    ['\tBearer\tabc\t', 'abc'],
    ['Bearer a b', 'a b'],
    ['Bearer ключ🔑', 'ключ🔑'],
  ])('reads %j as %j', (header, expected) => {
    expect(extractBearerToken(header)).toBe(expected);
  });

  it.each([['Bearer'], ['Bearer '], ['Bearer \t '], ['Bearerabc'], ['Basic abc'], ['abc'], [''], [' ']])(
    'finds no credential in %j',
    (header) => {
      expect(extractBearerToken(header)).toBeUndefined();
    },
  );

  it('reads only the first value of a repeated header', () => {
    expect(extractBearerToken(['Bearer first', 'Bearer second'])).toBe('first');
    expect(extractBearerToken(['Basic x', 'Bearer second'])).toBeUndefined();
    expect(extractBearerToken([])).toBeUndefined();
  });

  it('returns undefined for non-string values', () => {
    for (const value of [undefined, null, 42, {}, [42], [undefined]]) {
      expect(extractBearerToken(value)).toBeUndefined();
    }
  });

  it('handles a 1 MB header', () => {
    const token = 'x'.repeat(1024 * 1024);
    expect(extractBearerToken(`Bearer ${token}`)).toHaveLength(token.length);
  });

  it('property: never throws, and a result is trimmed and non-empty', () => {
    fc.assert(
      fc.property(fc.oneof(hostileString(), fc.array(fc.string())), (value) => {
        const token = extractBearerToken(value);
        if (token !== undefined) {
          expect(token.length).toBeGreaterThan(0);
          expect(token).toBe(token.trim());
        }
      }),
    );
  });

  it('property: round-trips any trimmed token', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1 }).filter((value) => value.trim() === value && value.length > 0),
        (token) => {
          expect(extractBearerToken(`Bearer ${token}`)).toBe(token);
        },
      ),
    );
  });
});
