import { describe, expect, it, vi } from 'vitest';

// Record what reaches timingSafeEqual so the test proves the comparison path (equal-length
// HMAC digests) instead of timing it, which would be flaky.
const comparedLengths: Array<[number, number]> = [];
vi.mock('node:crypto', async (importOriginal) => {
  const original = await importOriginal<typeof import('node:crypto')>();
  return {
    ...original,
    timingSafeEqual: (left: NodeJS.ArrayBufferView, right: NodeJS.ArrayBufferView) => {
      comparedLengths.push([left.byteLength, right.byteLength]);
      return original.timingSafeEqual(left, right);
    },
  };
});

const { createSecretMatcher, digestSecret, safeEqualSecret } = await import('./safe-equal-secret.js');

describe('safeEqualSecret', () => {
  it('accepts equal secrets and rejects different ones', () => {
    expect(safeEqualSecret('s3cret', 's3cret')).toBe(true);
    expect(safeEqualSecret('s3cret', 's3creT')).toBe(false);
    expect(safeEqualSecret('s3cre', 's3cret')).toBe(false);
    expect(safeEqualSecret('', 's3cret')).toBe(false);
    expect(safeEqualSecret('ключ🔑', 'ключ🔑')).toBe(true);
  });

  it('compares 32-byte HMAC digests whatever the input lengths', () => {
    comparedLengths.length = 0;
    safeEqualSecret('a', 'x'.repeat(1024 * 1024));
    safeEqualSecret('', 'short');
    expect(comparedLengths).toEqual([
      [32, 32],
      [32, 32],
    ]);
  });

  it('createSecretMatcher compares equal-length digests against a fixed secret', () => {
    const matches = createSecretMatcher('s3cret');
    comparedLengths.length = 0;
    expect(matches('s3cret')).toBe(true);
    expect(matches('s3cre')).toBe(false);
    expect(matches('x'.repeat(100_000))).toBe(false);
    expect(comparedLengths).toEqual([
      [32, 32],
      [32, 32],
      [32, 32],
    ]);
  });

  it('digests with a keyed HMAC, not a bare hash', async () => {
    const { createHash } = await import('node:crypto');
    const digest = digestSecret('value');
    expect(digest).toHaveLength(32);
    expect(digest.equals(createHash('sha256').update('value').digest())).toBe(false);
    expect(digestSecret('value').equals(digest)).toBe(true);
  });
});
