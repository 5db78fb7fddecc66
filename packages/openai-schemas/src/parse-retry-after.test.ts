import { describe, expect, it } from 'vitest';
import { parseRetryAfter } from './parse-retry-after.js';

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');

  it('reads delay-seconds as milliseconds', () => {
    expect(parseRetryAfter('0', now)).toBe(0);
    expect(parseRetryAfter('3', now)).toBe(3000);
    expect(parseRetryAfter(' 300 ', now)).toBe(300_000);
    expect(parseRetryAfter('1.5', now)).toBe(1500);
  });

  it('rounds fractional seconds up to whole milliseconds', () => {
    expect(parseRetryAfter('0.0001', now)).toBe(1);
    expect(parseRetryAfter('2.25', now)).toBe(2250);
  });

  it('reads the first value of a repeated header', () => {
    expect(parseRetryAfter(['5', '9'], now)).toBe(5000);
    expect(parseRetryAfter([], now)).toBeUndefined();
  });

  it('reads the obsolete RFC 850 and asctime date forms as GMT', () => {
    expect(parseRetryAfter('Thursday, 01-Jan-26 00:00:12 GMT', now)).toBe(12_000);
    expect(parseRetryAfter('Thu Jan  1 00:00:12 2026', now)).toBe(12_000);
  });

  it('reads an HTTP date relative to now, never negative', () => {
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:07 GMT', now)).toBe(7000);
    expect(parseRetryAfter('Wed, 31 Dec 2025 23:59:00 GMT', now)).toBe(0);
  });

  it('returns undefined for absent or unparseable values', () => {
    expect(parseRetryAfter(null, now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(parseRetryAfter('', now)).toBeUndefined();
    expect(parseRetryAfter('-5', now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter('1e3', now)).toBeUndefined();
    expect(parseRetryAfter('-1', now)).toBeUndefined();
    expect(parseRetryAfter('-0.5', now)).toBeUndefined();
    expect(parseRetryAfter('+5', now)).toBeUndefined();
    expect(parseRetryAfter('.5', now)).toBeUndefined();
    expect(parseRetryAfter('5s', now)).toBeUndefined();
  });

  it('refuses what Date.parse would stretch into a date but is no HTTP-date', () => {
    expect(parseRetryAfter('abc 12', now)).toBeUndefined();
    expect(parseRetryAfter('May 5', now)).toBeUndefined();
    expect(parseRetryAfter('2026-01-01T00:00:07Z', now)).toBeUndefined();
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:07 PST', now)).toBeUndefined();
    expect(parseRetryAfter('Thu, 01 Jan 2026 25:00:07 GMT', now)).toBeUndefined();
  });
});
