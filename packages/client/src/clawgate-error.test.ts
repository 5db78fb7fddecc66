import { describe, expect, it, vi } from 'vitest';
import {
  AbortError,
  AuthenticationError,
  BadRequestError,
  ClawgateError,
  ConnectionError,
  InternalServerError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  TimeoutError,
} from './clawgate-error.js';
import { createErrorFromResponse, createErrorFromStreamPayload } from './create-error-from-response.js';

const classes = [
  BadRequestError,
  AuthenticationError,
  PermissionDeniedError,
  NotFoundError,
  RateLimitError,
  InternalServerError,
  ConnectionError,
  TimeoutError,
  AbortError,
] as const;

describe('ClawgateError family', () => {
  it('sets name, keeps fields readonly-visible and serialises to the wire body', () => {
    const error = new BadRequestError('`temperature` must be between 0 and 2.', {
      status: 400,
      type: 'invalid_request_error',
      param: 'temperature',
      requestId: 'req-1',
    });
    expect(error.name).toBe('BadRequestError');
    expect(error.message).toBe('`temperature` must be between 0 and 2.');
    expect(error.status).toBe(400);
    expect(error.requestId).toBe('req-1');
    expect(error.code).toBeUndefined();
    expect(String(error)).toBe('BadRequestError: `temperature` must be between 0 and 2.');
    expect(JSON.stringify(error)).toBe(
      '{"error":{"message":"`temperature` must be between 0 and 2.","type":"invalid_request_error","param":"temperature"}}',
    );
  });

  it('gives each class its own marker, and all of them the base marker', () => {
    for (const ErrorClass of classes) {
      const error = new ErrorClass('x');
      expect(error.name).toBe(ErrorClass.name);
      expect(ClawgateError.isInstance(error)).toBe(true);
      for (const OtherClass of classes) {
        expect(OtherClass.isInstance(error)).toBe(OtherClass === ErrorClass);
      }
    }
    expect(ClawgateError.isInstance(new Error('plain'))).toBe(false);
    expect(ClawgateError.isInstance(null)).toBe(false);
    expect(RateLimitError.isInstance({ status: 429 })).toBe(false);
  });

  it('recognises errors from a second copy of the module (duplicate installs)', async () => {
    vi.resetModules();
    const copy = (await import('./clawgate-error.js')) as typeof import('./clawgate-error.js');
    expect(copy.RateLimitError).not.toBe(RateLimitError);
    const foreign = new copy.RateLimitError('slow', { status: 429, retryAfterMs: 1000 });
    expect(foreign instanceof RateLimitError).toBe(false);
    expect(RateLimitError.isInstance(foreign)).toBe(true);
    expect(ClawgateError.isInstance(foreign)).toBe(true);
    expect(NotFoundError.isInstance(foreign)).toBe(false);
  });

  it('gives non-HTTP errors a type of their own', () => {
    expect(new ConnectionError('x').type).toBe('connection_error');
    expect(new TimeoutError('x').type).toBe('timeout_error');
    expect(new AbortError('x').type).toBe('abort_error');
    expect(new ConnectionError('x').status).toBeUndefined();
  });
});

describe('createErrorFromResponse', () => {
  const headers = new Headers({ 'x-request-id': 'req-9', 'retry-after': '7' });

  it.each([
    [400, BadRequestError],
    [401, AuthenticationError],
    [403, PermissionDeniedError],
    [404, NotFoundError],
    [429, RateLimitError],
    [500, InternalServerError],
    [502, InternalServerError],
    [503, InternalServerError],
    [504, InternalServerError],
  ] as const)('maps %i to %s', (status, ErrorClass) => {
    const error = createErrorFromResponse({ status, headers, body: { error: { message: 'm', type: 't' } } });
    expect(ErrorClass.isInstance(error)).toBe(true);
    expect(error.status).toBe(status);
    expect(error.message).toBe('m');
    expect(error.type).toBe('t');
    expect(error.requestId).toBe('req-9');
  });

  it('maps other statuses to the base class', () => {
    const error = createErrorFromResponse({
      status: 413,
      body: { error: { message: 'too big', type: 'invalid_request_error' } },
    });
    expect(error.name).toBe('ClawgateError');
    expect(error.status).toBe(413);
    expect(error.requestId).toBeUndefined();
  });

  it('reads retryAfterMs from seconds and from an HTTP date', () => {
    const seconds = createErrorFromResponse({ status: 429, headers, body: undefined });
    expect(RateLimitError.isInstance(seconds) && seconds.retryAfterMs).toBe(7000);
    const date = new Date(Date.now() + 60_000).toUTCString();
    const dated = createErrorFromResponse({ status: 429, headers: new Headers({ 'retry-after': date }) });
    expect(RateLimitError.isInstance(dated)).toBe(true);
    const wait = (dated as RateLimitError).retryAfterMs ?? -1;
    expect(wait).toBeGreaterThan(58_000);
    expect(wait).toBeLessThanOrEqual(60_000);
    const none = createErrorFromResponse({ status: 429 }) as RateLimitError;
    expect(none.retryAfterMs).toBeUndefined();
  });

  it('reads every error body shape and plain text', () => {
    expect(
      createErrorFromResponse({
        status: 400,
        body: { error: { message: 'a', type: 't', code: 42, param: 'p' } },
      }).toJSON(),
    ).toEqual({
      error: { message: 'a', type: 't', code: '42', param: 'p' },
    });
    expect(
      createErrorFromResponse({
        status: 400,
        body: { object: 'error', message: 'vllm', type: 'BadRequestError', code: 400 },
      }).message,
    ).toBe('vllm');
    expect(createErrorFromResponse({ status: 500, body: { error: 'ollama says no' } }).message).toBe('ollama says no');
    expect(createErrorFromResponse({ status: 404, body: 'Not Found' }).message).toBe('Not Found');
    expect(createErrorFromResponse({ status: 502, body: '' }).message).toBe('Request failed with status 502');
    expect(createErrorFromResponse({ status: 502, body: { unexpected: true } }).message).toBe(
      'Request failed with status 502',
    );
    const long = createErrorFromResponse({ status: 502, body: 'x'.repeat(5000) }).message;
    expect(long).toBe(`${'x'.repeat(500)}…`);
  });
});

describe('createErrorFromStreamPayload', () => {
  it('picks the class from the frame type and leaves status undefined', () => {
    const error = createErrorFromStreamPayload({ message: 'upstream provider error', type: 'api_error' }, 'req-2');
    expect(InternalServerError.isInstance(error)).toBe(true);
    expect(error.status).toBeUndefined();
    expect(error.message).toBe('upstream provider error');
    expect(error.requestId).toBe('req-2');
    expect(
      RateLimitError.isInstance(createErrorFromStreamPayload({ message: 'm', type: 'rate_limit_error' }, undefined)),
    ).toBe(true);
    expect(
      BadRequestError.isInstance(
        createErrorFromStreamPayload({ message: 'm', type: 'invalid_request_error' }, undefined),
      ),
    ).toBe(true);
  });

  it('falls back to the base class for unknown types and odd payloads', () => {
    const unknown = createErrorFromStreamPayload({ message: 'quota', type: 'insufficient_quota' }, undefined);
    expect(unknown.name).toBe('ClawgateError');
    expect(unknown.type).toBe('insufficient_quota');
    expect(createErrorFromStreamPayload({ message: 'm', type: 'constructor' }, undefined).name).toBe('ClawgateError');
    expect(createErrorFromStreamPayload('plain text', undefined).message).toBe('plain text');
    expect(createErrorFromStreamPayload(42, undefined).message).toBe('The stream sent an error without a message');
  });
});
