import { afterAll, describe, expect, it, vi } from 'vitest';
import { cleanUpRedis, connectRedisAdmin, uniqueRedisPrefix } from '../__fixtures__/redis-admin.js';
import { GatewayError } from '../errors.js';
import { redisSessionKeys } from './redis-session-keys.js';
import { createRedisSessionLock } from './redis-session-lock.js';
import { defineRedisSessionScripts } from './redis-session-scripts.js';

// A unique prefix per run keeps parallel runs apart; every key under it is deleted afterwards.
const prefix = uniqueRedisPrefix('session-lock');

const client = await connectRedisAdmin();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

afterAll(() => cleanUpRedis(client, prefix));

describe.skipIf(client === undefined)('createRedisSessionLock (real Redis)', () => {
  const redis = client!;
  const scripts = defineRedisSessionScripts(redis);

  it('sets the lock with the token and an expiry, and deletes it on release', async () => {
    const locks = createRedisSessionLock({ scripts, prefix, ttlMs: 5_000, waitMs: 0 });
    const held = await locks.acquire('plain');
    expect(held.keys).toEqual(redisSessionKeys(prefix, 'plain'));
    expect(await redis.get(held.keys.lock)).toBe(held.token);
    const ttl = await redis.pttl(held.keys.lock);
    expect(ttl).toBeGreaterThan(4_000);
    expect(ttl).toBeLessThanOrEqual(5_000);
    await held.release();
    expect(await redis.exists(held.keys.lock)).toBe(0);
    // A second release is a no-op.
    await held.release();
  });

  it('reads the newest transcript elements with the lock when asked, and only once it holds it', async () => {
    const locks = createRedisSessionLock({ scripts, prefix, ttlMs: 5_000, waitMs: 1_000 });
    const keys = redisSessionKeys(prefix, 'with-read');
    await redis.rpush(keys.transcript, 'e1', 'e2', 'e3');
    const held = await locks.acquire('with-read', { readTurns: 2 });
    expect(held.newestTurns).toEqual(['e2', 'e3']);
    expect(await redis.get(keys.lock)).toBe(held.token);
    // Busy: a second acquisition gets nothing until the first is released, then the current elements.
    const waiting = locks.acquire('with-read', { readTurns: 5 });
    // Its first attempt failed once it stands first in line; e4 comes after that attempt.
    await vi.waitFor(async () => expect(await redis.exists(keys.next)).toBe(1), { timeout: 5_000, interval: 5 });
    await redis.rpush(keys.transcript, 'e4');
    await held.release();
    const second = await waiting;
    expect(second.newestTurns).toEqual(['e1', 'e2', 'e3', 'e4']);
    await second.release();
    const plain = await locks.acquire('no-transcript', { readTurns: 3 });
    expect(plain.newestTurns).toEqual([]);
    await plain.release();
    const bare = await locks.acquire('no-transcript');
    expect(bare.newestTurns).toBeUndefined();
    await bare.release();
  });

  it('keeps a lock alive past its TTL while held (renewal), so a waiter stays out', async () => {
    const locks = createRedisSessionLock({ scripts, prefix, ttlMs: 150, waitMs: 0 });
    const held = await locks.acquire('renewed');
    await sleep(450);
    expect(await redis.get(held.keys.lock)).toBe(held.token);
    expect(held.lost).toBe(false);
    const error = await locks.acquire('renewed').catch((caught: unknown) => caught);
    expect(GatewayError.isInstance(error) && error.message).toBe('session is busy');
    await held.release();
  });

  it('never deletes or renews a lock that now belongs to someone else, and reports it lost', async () => {
    const locks = createRedisSessionLock({ scripts, prefix, ttlMs: 150, waitMs: 0 });
    const held = await locks.acquire('taken-over');
    // As if the lock had lapsed and another run had taken it.
    await redis.set(held.keys.lock, 'other-token', 'PX', 10_000);
    // Bounded wait for the next renewal (every 50 ms) to notice.
    await vi.waitFor(() => expect(held.lost).toBe(true), { timeout: 5_000, interval: 10 });
    await held.release();
    expect(await redis.get(held.keys.lock)).toBe('other-token');
    expect(await redis.pttl(held.keys.lock)).toBeGreaterThan(9_000);
  });

  it('gives the first waiter its turn and clears its place in line once it holds the lock', async () => {
    const locks = createRedisSessionLock({ scripts, prefix, ttlMs: 5_000, waitMs: 2_000 });
    const first = await locks.acquire('queue');
    const waiting = locks.acquire('queue');
    const keys = redisSessionKeys(prefix, 'queue');
    // Bounded wait for the waiter's first attempt to claim first place.
    await vi.waitFor(async () => expect(await redis.exists(keys.next)).toBe(1), { timeout: 5_000, interval: 5 });
    const claimedBy = await redis.get(keys.next);
    expect(claimedBy).toMatch(/^[0-9a-f-]{36}$/);
    await first.release();
    // A newcomer cannot jump the queue while the claim stands, even though the lock is free.
    expect(await scripts.acquire(keys.lock, keys.next, 'newcomer', 5_000, 1_000)).toBe(0);
    const second = await waiting;
    expect(second.token).toBe(claimedBy);
    expect(await redis.exists(keys.next)).toBe(0);
    await second.release();
  });
});
