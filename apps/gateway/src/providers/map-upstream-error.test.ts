import { describe, expect, it } from 'vitest';
import { mapTransportError, mapUpstreamStatus, parseUpstreamErrorBody, scrubSecrets } from './map-upstream-error.js';

describe('scrubSecrets', () => {
  it('masks the configured key and key-shaped strings, even partially starred ones', () => {
    expect(scrubSecrets('Incorrect API key provided: my-own-secret-value.', ['my-own-secret-value'])).toBe(
      'Incorrect API key provided: ***.',
    );
    expect(scrubSecrets('Incorrect API key provided: sk-proj-abc********************xyz1.', [])).toBe(
      'Incorrect API key provided: ***.',
    );
    expect(scrubSecrets('key sk-or-v1-0123456789abcdef is invalid', [])).toBe('key *** is invalid');
  });

  it('leaves ordinary text and very short secrets alone', () => {
    expect(scrubSecrets('The model does not exist', ['abc'])).toBe('The model does not exist');
  });
});

describe('parseUpstreamErrorBody', () => {
  it.each([
    ['{"error":{"message":"m","code":"c"}}', { message: 'm', code: 'c' }],
    ['{"error":{"message":"m","code":429}}', { message: 'm', code: '429' }],
    ['{"error":"plain"}', { message: 'plain' }],
    ['{"message":"top","code":"x"}', { message: 'top', code: 'x' }],
    ['{"error":{"message":"  "}}', { message: undefined, code: undefined }],
    ['<html>', {}],
    ['null', {}],
  ])('%s', (text, expected) => {
    expect(parseUpstreamErrorBody(text)).toEqual(expected);
  });
});

describe('mapTransportError', () => {
  it('maps timeouts to 504 and everything else to 502, looking through causes', () => {
    expect(mapTransportError(Object.assign(new Error('x'), { code: 'UND_ERR_HEADERS_TIMEOUT' })).status).toBe(504);
    expect(
      mapTransportError(new Error('wrap', { cause: Object.assign(new Error('y'), { code: 'UND_ERR_BODY_TIMEOUT' }) }))
        .status,
    ).toBe(504);
    const refused = mapTransportError(
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' }),
    );
    expect([refused.status, refused.message]).toEqual([502, 'upstream provider error']);
  });
});

describe('mapUpstreamStatus edge statuses', () => {
  it.each([
    [408, 504, 'upstream provider timeout'],
    [504, 504, 'upstream provider timeout'],
    [422, 400, 'upstream provider rejected the request'],
    [529, 503, 'upstream provider overloaded'],
    [409, 500, 'internal error'],
  ])('%i → %i %s', (status, mapped, message) => {
    const error = mapUpstreamStatus(status, {});
    expect([error.status, error.message]).toEqual([mapped, message]);
  });
});

describe('the kind of upstream failure a fallback model may answer instead', () => {
  const socketError = (code: string) => Object.assign(new Error(code), { code });
  it.each([
    ['ECONNREFUSED', 502, 'connect'],
    ['ENOTFOUND', 502, 'connect'],
    ['EHOSTUNREACH', 502, 'connect'],
    ['UND_ERR_CONNECT_TIMEOUT', 504, 'connect'],
    ['UND_ERR_HEADERS_TIMEOUT', 504, 'timeout'],
    ['UND_ERR_BODY_TIMEOUT', 504, 'timeout'],
    ['ECONNRESET', 502, 'reset'],
    ['UND_ERR_SOCKET', 502, 'reset'],
  ])('a transport error %s is %i, %s', (code, status, kind) => {
    const error = mapTransportError(new Error('wrapped', { cause: socketError(code) }));
    expect([error.status, error.upstreamFailure]).toEqual([status, kind]);
    expect(error.toJSON()).toEqual({ error: { message: error.message, type: 'api_error' } });
  });

  it.each([
    [401, 'auth'],
    [403, 'auth'],
    [429, 'rate-limit'],
    [500, 'server'],
    [502, 'server'],
    [503, 'server'],
    [504, 'timeout'],
    [400, undefined],
    [402, undefined],
    [404, undefined],
    [422, undefined],
  ])('an upstream %i is %s', (status, kind) => {
    expect(mapUpstreamStatus(status, {}).upstreamFailure).toBe(kind);
  });
});
