import { describe, expect, it } from 'vitest';
import {
  AbortError,
  BadRequestError,
  ClawgateError,
  ConnectionError,
  InternalServerError,
  RateLimitError,
  TimeoutError,
} from './clawgate-error.js';
import { findClosedPort } from './__fixtures__/loopback-server.js';
import {
  computeRetryDelay,
  INITIAL_RETRY_DELAY_MS,
  isConnectFailure,
  MAX_RETRY_AFTER_MS,
  MAX_RETRY_DELAY_MS,
  shouldRetry,
} from './retry-policy.js';

describe('shouldRetry', () => {
  const cases: Array<[string, ClawgateError, boolean, boolean, boolean]> = [
    // name, error, connectFailed, POST (not idempotent), GET (idempotent)
    ['429', new RateLimitError('slow', { status: 429 }), false, true, true],
    ['503', new InternalServerError('busy', { status: 503 }), false, true, true],
    ['500', new InternalServerError('boom', { status: 500 }), false, false, true],
    ['502', new InternalServerError('bad gateway', { status: 502 }), false, false, true],
    ['504', new InternalServerError('timeout', { status: 504 }), false, false, true],
    ['408', new ClawgateError('slow body', { status: 408 }), false, false, true],
    ['400', new BadRequestError('bad', { status: 400 }), false, false, false],
    ['401', new ClawgateError('who', { status: 401 }), false, false, false],
    ['refused', new ConnectionError('refused'), true, true, true],
    ['reset', new ConnectionError('reset'), false, false, true],
    ['timeout', new TimeoutError('late'), false, false, true],
    ['abort', new AbortError('stop'), false, false, false],
    ['stream error frame', new InternalServerError('frame'), false, false, false],
  ];

  it.each(cases)('%s', (_name, error, connectFailed, post, get) => {
    expect(shouldRetry({ error, idempotent: false, connectFailed })).toBe(post);
    expect(shouldRetry({ error, idempotent: true, connectFailed })).toBe(get);
  });
});

describe('computeRetryDelay', () => {
  it('uses full jitter under an exponential ceiling capped at MAX_RETRY_DELAY_MS', () => {
    expect(computeRetryDelay({ attempt: 0, random: () => 0.999999 })).toBe(INITIAL_RETRY_DELAY_MS - 1);
    expect(computeRetryDelay({ attempt: 2, random: () => 0.5 })).toBe(1000);
    expect(computeRetryDelay({ attempt: 3, random: () => 0 })).toBe(0);
    expect(computeRetryDelay({ attempt: 10, random: () => 0.5 })).toBe(MAX_RETRY_DELAY_MS / 2);
  });

  it('honours Retry-After up to the cap and gives up beyond it', () => {
    expect(computeRetryDelay({ attempt: 0, retryAfterMs: 0, random: () => 0.9 })).toBe(0);
    expect(computeRetryDelay({ attempt: 5, retryAfterMs: 12_000 })).toBe(12_000);
    expect(computeRetryDelay({ attempt: 0, retryAfterMs: MAX_RETRY_AFTER_MS })).toBe(MAX_RETRY_AFTER_MS);
    expect(computeRetryDelay({ attempt: 0, retryAfterMs: 300_000 })).toBeUndefined();
  });
});

describe('isConnectFailure', () => {
  it('recognises the error of a real fetch to a closed port', async () => {
    const port = await findClosedPort();
    const error = await fetch(`http://127.0.0.1:${port}/`).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(TypeError);
    expect(isConnectFailure(error)).toBe(true);
  });

  it('finds codes in cause chains and AggregateError members, not elsewhere', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    expect(isConnectFailure(new TypeError('fetch failed', { cause: new AggregateError([refused]) }))).toBe(true);
    const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    expect(isConnectFailure(new TypeError('fetch failed', { cause: reset }))).toBe(false);
    expect(isConnectFailure(new TypeError('Failed to fetch'))).toBe(false);
    const cyclic: { cause?: unknown } = {};
    cyclic.cause = cyclic;
    expect(isConnectFailure(cyclic)).toBe(false);
    expect(isConnectFailure('ECONNREFUSED')).toBe(false);
  });
});
