import { describe, expect, it } from 'vitest';
import { RateLimitStoreUnavailableError } from './rate-limit-store-unavailable-error.js';

describe('RateLimitStoreUnavailableError', () => {
  it('carries name, operation and cause', () => {
    const cause = new Error('ECONNREFUSED');
    const error = new RateLimitStoreUnavailableError('Rate limit store failed during check', {
      operation: 'check',
      cause,
    });
    expect(error.name).toBe('RateLimitStoreUnavailableError');
    expect(error.message).toBe('Rate limit store failed during check');
    expect(error.operation).toBe('check');
    expect(error.cause).toBe(cause);
    expect(error).toBeInstanceOf(Error);
  });

  it('recognises instances by marker, not by prototype', () => {
    const error = new RateLimitStoreUnavailableError('x', { operation: 'reset' });
    const copy = Object.assign(Object.create(null) as object, {
      [Symbol.for('@clawgate/auth.RateLimitStoreUnavailableError')]: true,
    });
    expect(RateLimitStoreUnavailableError.isInstance(error)).toBe(true);
    expect(RateLimitStoreUnavailableError.isInstance(copy)).toBe(true);
    expect(RateLimitStoreUnavailableError.isInstance(new Error('x'))).toBe(false);
    expect(RateLimitStoreUnavailableError.isInstance(null)).toBe(false);
    expect(RateLimitStoreUnavailableError.isInstance('x')).toBe(false);
  });
});
