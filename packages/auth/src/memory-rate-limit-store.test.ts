import { afterEach, describe, expect, it, vi } from 'vitest';
import { MemoryRateLimitStore } from './memory-rate-limit-store.js';

const limits = { windowMs: 60_000, maxAttempts: 3, lockoutMs: 300_000 };

const stores: MemoryRateLimitStore[] = [];
function createStore(options: ConstructorParameters<typeof MemoryRateLimitStore>[0] = {}) {
  const store = new MemoryRateLimitStore(options);
  stores.push(store);
  return store;
}
afterEach(() => {
  for (const store of stores.splice(0)) store.close();
  vi.useRealTimers();
});

describe('MemoryRateLimitStore', () => {
  it('counts failures, locks at maxAttempts and refuses to count while locked', () => {
    const store = createStore();
    expect(store.recordFailure('k', { now: 0, ...limits })).toEqual({ attempts: 1, counted: true });
    expect(store.recordFailure('k', { now: 1, ...limits })).toEqual({ attempts: 2, counted: true });
    expect(store.recordFailure('k', { now: 2, ...limits })).toEqual({
      attempts: 3,
      counted: true,
      lockedUntil: 300_002,
    });
    expect(store.recordFailure('k', { now: 3, ...limits })).toEqual({
      attempts: 3,
      counted: false,
      lockedUntil: 300_002,
    });
    expect(store.check('k', 300_001)).toEqual({ attempts: 3, lockedUntil: 300_002 });
    expect(store.check('k', 300_002)).toEqual({ attempts: 0 });
  });

  it('forgets failures older than the window', () => {
    const store = createStore();
    store.recordFailure('k', { now: 0, ...limits });
    store.recordFailure('k', { now: 30_000, ...limits });
    expect(store.recordFailure('k', { now: 60_000, ...limits })).toEqual({ attempts: 2, counted: true });
  });

  it('keeps an exact count over a long sliding window of failures (large maxAttempts)', () => {
    const store = createStore();
    const sliding = { windowMs: 100, maxAttempts: 1_000_000, lockoutMs: 1 };
    // One failure a millisecond for 5,000 ms: the window always holds the last 100 of them.
    let last = { attempts: 0, counted: false } as ReturnType<MemoryRateLimitStore['recordFailure']>;
    for (let now = 1; now <= 5_000; now += 1) {
      last = store.recordFailure('ip', { ...sliding, now });
      if (now <= 100) expect(last.attempts).toBe(now);
    }
    expect(last).toEqual({ attempts: 100, counted: true });
    expect(store.check('ip', 5_000)).toEqual({ attempts: 100 });
    // A burst after a quiet spell counts from zero again.
    expect(store.recordFailure('ip', { ...sliding, now: 10_000 })).toEqual({ attempts: 1, counted: true });
  });

  it('resets a key', () => {
    const store = createStore();
    store.recordFailure('k', { now: 0, ...limits });
    store.reset('k');
    expect(store.check('k', 0)).toEqual({ attempts: 0 });
    expect(store.size).toBe(0);
  });

  it('evicts the least recently failed unlocked key first and keeps locked keys', () => {
    const store = createStore({ maxEntries: 3 });
    for (let index = 0; index < 3; index += 1) store.recordFailure('locked', { now: index, ...limits });
    store.recordFailure('a', { now: 10, ...limits });
    store.recordFailure('b', { now: 11, ...limits });
    store.recordFailure('a', { now: 12, ...limits }); // a is now younger than b
    store.recordFailure('c', { now: 13, ...limits });
    expect(store.size).toBe(3);
    expect(store.check('b', 14)).toEqual({ attempts: 0 }); // evicted
    expect(store.check('a', 14)).toEqual({ attempts: 2 });
    expect(store.check('c', 14)).toEqual({ attempts: 1 });
    expect(store.check('locked', 14)).toMatchObject({ lockedUntil: 300_002 });
  });

  it('evicts the oldest lock only when every kept key is locked', () => {
    const store = createStore({ maxEntries: 2 });
    const lock = (key: string, now: number) => {
      for (let index = 0; index < 3; index += 1) store.recordFailure(key, { now, ...limits });
    };
    lock('first', 0);
    lock('second', 1);
    // A new client must still be tracked: the oldest lock makes room for it.
    store.recordFailure('newcomer', { now: 2, ...limits });
    expect(store.size).toBe(2);
    expect(store.check('first', 3)).toEqual({ attempts: 0 });
    expect(store.check('second', 3)).toMatchObject({ lockedUntil: 300_001 });
    expect(store.check('newcomer', 3)).toEqual({ attempts: 1 });
    // With one unlocked key left, that key goes before any lock.
    lock('third', 4);
    expect(store.size).toBe(2);
    expect(store.check('newcomer', 5)).toEqual({ attempts: 0 });
    expect(store.check('second', 5)).toMatchObject({ lockedUntil: 300_001 });
    expect(store.check('third', 5)).toMatchObject({ lockedUntil: 300_004 });
  });

  it('prunes expired windows and locks on an unref()ed timer', () => {
    vi.useFakeTimers({ now: 0 });
    const store = createStore({ pruneIntervalMs: 1_000 });
    store.recordFailure('window', { now: 0, ...limits });
    for (let index = 0; index < 3; index += 1) store.recordFailure('lock', { now: 0, ...limits });
    expect(store.size).toBe(2);
    vi.advanceTimersByTime(60_000);
    expect(store.size).toBe(1);
    vi.advanceTimersByTime(240_000);
    expect(store.size).toBe(0);
    expect(vi.getTimerCount()).toBe(1);
    store.close();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('does not keep the process alive', () => {
    const store = createStore();
    const timer = (store as unknown as { timer: NodeJS.Timeout }).timer;
    expect(timer.hasRef()).toBe(false);
  });

  it('rejects invalid options', () => {
    expect(() => new MemoryRateLimitStore({ maxEntries: 0 })).toThrow(
      'MemoryRateLimitStore maxEntries must be a positive integer',
    );
    expect(() => new MemoryRateLimitStore({ pruneIntervalMs: 1.5 })).toThrow(
      'MemoryRateLimitStore pruneIntervalMs must be a positive integer',
    );
  });
});
