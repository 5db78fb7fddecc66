import { describe, expect, it } from 'vitest';
import { createExpiringResponseMap } from './expiring-response-map.js';

const record = (sessionKey: string) => ({ sessionKey, agentId: 'main' });

describe('createExpiringResponseMap', () => {
  it('drops an expired entry when a recall meets it', () => {
    let clock = 0;
    const responses = createExpiringResponseMap({ maxEntries: 10, now: () => clock });
    responses.remember('a', record('a'), 10);
    clock = 9;
    expect(responses.recall('a')).toEqual(record('a'));
    clock = 10;
    expect(responses.recall('a')).toBeUndefined();
    expect(responses.size).toBe(0);
  });

  it('sweeps a few expired entries from the front per remember, not all of them', () => {
    let clock = 0;
    const responses = createExpiringResponseMap({ maxEntries: 100, now: () => clock });
    for (let index = 0; index < 10; index += 1) responses.remember(`old${index}`, record('old'), 10);
    clock = 10;
    responses.remember('new', record('new'), 20);
    // Four swept, one added: O(1) per call, yet faster than entries arrive.
    expect(responses.size).toBe(7);
    responses.remember('new2', record('new'), 20);
    responses.remember('new3', record('new'), 20);
    expect(responses.size).toBe(3);
    expect(responses.liveEntries().map((entry) => entry.responseId)).toEqual(['new', 'new2', 'new3']);
  });

  it('stops the sweep at the first entry still alive', () => {
    let clock = 0;
    const responses = createExpiringResponseMap({ maxEntries: 100, now: () => clock });
    responses.remember('long', record('long'), 100);
    responses.remember('short', record('short'), 10);
    clock = 10;
    responses.remember('new', record('new'), 20);
    expect(responses.size).toBe(3);
    expect(responses.liveEntries()).toEqual([
      { responseId: 'long', record: record('long'), expiresAt: 100 },
      { responseId: 'new', record: record('new'), expiresAt: 20 },
    ]);
  });

  it('evicts the oldest-remembered entry past maxEntries, a replaced id counting as new', () => {
    const responses = createExpiringResponseMap({ maxEntries: 2, now: () => 0 });
    responses.remember('a', record('a'), 10);
    responses.remember('b', record('b'), 10);
    responses.remember('a', record('a2'), 10);
    responses.remember('c', record('c'), 10);
    expect(responses.recall('b')).toBeUndefined();
    expect(responses.liveEntries().map((entry) => entry.responseId)).toEqual(['a', 'c']);
  });

  it('forgets an id remembered again with an expiry already passed', () => {
    const responses = createExpiringResponseMap({ maxEntries: 2, now: () => 5 });
    responses.remember('a', record('a'), 10);
    responses.remember('a', record('a2'), 5);
    expect(responses.recall('a')).toBeUndefined();
    expect(responses.size).toBe(0);
  });

  it('refuses a bound that is not a positive integer', () => {
    for (const maxEntries of [0, 1.5, Number.NaN]) {
      expect(() => createExpiringResponseMap({ maxEntries, now: Date.now })).toThrow(
        '`maxResponses` must be a positive integer',
      );
    }
  });
});
