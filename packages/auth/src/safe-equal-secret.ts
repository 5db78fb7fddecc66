import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

// A fresh key per process: the digests are never stored or sent anywhere, they only exist so
// both sides of the comparison have the same length (32 bytes) whatever the inputs are.
const comparisonKey = randomBytes(32);

/**
 * HMAC-SHA256 of `value` under the per-process comparison key. Always 32 bytes.
 *
 * @internal Exported for tests that check the comparison path; not part of the public API.
 */
export function digestSecret(value: string): Buffer {
  return createHmac('sha256', comparisonKey).update(value, 'utf8').digest();
}

/**
 * Compares two secrets in constant time without leaking their lengths.
 *
 * Both values are HMAC-SHA256'd with a per-process random key and the equal-length digests are
 * compared with `crypto.timingSafeEqual`, so neither the position of the first differing byte
 * nor the length of the expected secret shows in the timing.
 *
 * @param candidate - The credential the caller sent.
 * @param expected - The configured secret.
 * @returns `true` when both strings are byte-for-byte equal (UTF-8).
 *
 * @example
 * ```ts
 * safeEqualSecret('s3cret', 's3cret'); // true
 * safeEqualSecret('s3cre', 's3cret');  // false, in the same time as any other mismatch
 * ```
 */
export function safeEqualSecret(candidate: string, expected: string): boolean {
  return timingSafeEqual(digestSecret(candidate), digestSecret(expected));
}

/**
 * Returns a matcher that compares candidates with one fixed secret, digesting the secret once.
 *
 * @internal Used by the authorizer to halve the HMAC work per request; same guarantees as
 * {@link safeEqualSecret}.
 */
export function createSecretMatcher(expected: string): (candidate: string) => boolean {
  const expectedDigest = digestSecret(expected);
  return (candidate) => timingSafeEqual(digestSecret(candidate), expectedDigest);
}
