/**
 * The Redis side of Redis-backed tests: the real server at `REDIS_URL`, a unique key prefix per run,
 * and clean-up of every key under it. Under CI (`CI=true`) a missing Redis is a failure, not a skip.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';

/** The Redis the tests use. */
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A prefix no other run shares, so parallel runs and files never see each other's keys. */
export function uniqueRedisPrefix(suite: string): string {
  return `clawgate-test:${suite}:${randomUUID()}:`;
}

/**
 * Connects an admin client, or gives `undefined` (the caller skips) when Redis is not running
 * outside CI.
 *
 * @throws The connection error under `CI=true`.
 */
export async function connectRedisAdmin(): Promise<Redis | undefined> {
  const client = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.ping();
    return client;
  } catch (error) {
    client.disconnect();
    if (process.env.CI === 'true') throw error;
    return undefined;
  }
}

/** Deletes every key under `prefix` and disconnects the admin client. */
export async function cleanUpRedis(admin: Redis | undefined, prefix: string): Promise<void> {
  if (admin === undefined) return;
  const keys = await admin.keys(`${prefix}*`);
  if (keys.length > 0) await admin.del(...keys);
  admin.disconnect();
}
