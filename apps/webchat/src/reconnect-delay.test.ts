import { describe, expect, it } from 'vitest';
import { nextReconnectDelay } from './reconnect-delay.js';

const backoff = { initialMs: 500, maxMs: 15_000 };

describe('nextReconnectDelay', () => {
  it('doubles the ceiling per failed attempt, half fixed and half random', () => {
    const low = [0, 1, 2, 3].map((failedAttempts) => nextReconnectDelay({ backoff, failedAttempts, random: () => 0 }));
    expect(low).toEqual([250, 500, 1000, 2000]);
    const high = [0, 1, 2, 3].map((failedAttempts) =>
      nextReconnectDelay({ backoff, failedAttempts, random: () => 0.999_999 }),
    );
    expect(high).toEqual([500, 1000, 2000, 4000]);
  });

  it('never waits longer than maxMs, however many attempts failed', () => {
    expect(nextReconnectDelay({ backoff, failedAttempts: 5, random: () => 0.999_999 })).toBe(15_000);
    expect(nextReconnectDelay({ backoff, failedAttempts: 10_000, random: () => 0.999_999 })).toBe(15_000);
    expect(nextReconnectDelay({ backoff, failedAttempts: 10_000, random: () => 0 })).toBe(7500);
  });
});
