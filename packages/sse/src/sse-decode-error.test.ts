import { describe, expect, it } from 'vitest';
import { SseDecodeError } from './sse-decode-error.js';

describe('SseDecodeError', () => {
  it('carries name, type, payload and cause', () => {
    const cause = new SyntaxError('Unexpected token');
    const error = new SseDecodeError('bad chunk', { type: 'invalid-json', cause });
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('SseDecodeError');
    expect(error.message).toBe('bad chunk');
    expect(error.type).toBe('invalid-json');
    expect(error.cause).toBe(cause);
    expect(error.payload).toBeUndefined();

    const payloadError = new SseDecodeError('upstream failed', { type: 'error-payload', payload: { message: 'boom' } });
    expect(payloadError.payload).toEqual({ message: 'boom' });
    expect('cause' in payloadError).toBe(false);
  });

  it('isInstance recognises instances from another copy of the package via the global symbol', () => {
    const foreign = Object.assign(new Error('x'), { [Symbol.for('@clawgate/sse.SseDecodeError')]: true });
    expect(SseDecodeError.isInstance(new SseDecodeError('x', { type: 'schema-mismatch' }))).toBe(true);
    expect(SseDecodeError.isInstance(foreign)).toBe(true);
    expect(SseDecodeError.isInstance(new Error('x'))).toBe(false);
    expect(SseDecodeError.isInstance(null)).toBe(false);
    expect(SseDecodeError.isInstance('SseDecodeError')).toBe(false);
  });
});
