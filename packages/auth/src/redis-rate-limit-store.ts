// Types only: the main entry and users without Redis never load ioredis.
import type { Cluster, Redis } from 'ioredis';
import type {
  RateLimitFailureResult,
  RateLimitState,
  RateLimitStore,
  RecordFailureOptions,
} from './rate-limit-store.js';

/** Options of {@link RedisRateLimitStore}. */
export interface RedisRateLimitStoreOptions {
  /**
   * A connected ioredis client (or cluster). Configure its own timeouts and retries; when a
   * command fails the authorizer rejects with `RateLimitStoreUnavailableError`. For a fast 503
   * while Redis is down, use `enableOfflineQueue: false` or `maxRetriesPerRequest: 1`.
   */
  client: Redis | Cluster;
  /**
   * Prefix of every key this store writes.
   * @defaultValue 'clawgate:auth:'
   */
  prefix?: string;
}

// Every key of one limiter key shares a `{hash tag}` so the script also runs on Redis Cluster.
// KEYS[1] attempts list (failure times, oldest first), KEYS[2] lock hash {until, attempts}.
// Numbers are formatted with %.0f because Lua 5.1 would print large ones in exponent form.
const recordFailureScript = `
local now = tonumber(ARGV[1])
local windowMs = tonumber(ARGV[2])
local maxAttempts = tonumber(ARGV[3])
local lockoutMs = tonumber(ARGV[4])
local lockedUntil = tonumber(redis.call('HGET', KEYS[2], 'until'))
if lockedUntil and lockedUntil > now then
  return {lockedUntil, tonumber(redis.call('HGET', KEYS[2], 'attempts')) or 0, 0}
end
local windowStart = now - windowMs
local times = redis.call('LRANGE', KEYS[1], 0, -1)
local count = 1
local leadingExpired = 0
local leading = true
for index = 1, #times do
  local time = tonumber(times[index])
  if time and time > windowStart then
    count = count + 1
    leading = false
  elseif leading then
    leadingExpired = leadingExpired + 1
  end
end
if count >= maxAttempts then
  local untilText = string.format('%.0f', now + lockoutMs)
  redis.call('DEL', KEYS[1])
  redis.call('HSET', KEYS[2], 'until', untilText, 'attempts', count)
  redis.call('PEXPIRE', KEYS[2], lockoutMs)
  return {tonumber(untilText), count, 1}
end
if leadingExpired > 0 then redis.call('LTRIM', KEYS[1], leadingExpired, -1) end
redis.call('RPUSH', KEYS[1], ARGV[1])
redis.call('PEXPIRE', KEYS[1], windowMs)
return {0, count, 1}
`;

const checkScript = `
local now = tonumber(ARGV[1])
local lockedUntil = tonumber(redis.call('HGET', KEYS[2], 'until'))
if lockedUntil and lockedUntil > now then
  return {lockedUntil, tonumber(redis.call('HGET', KEYS[2], 'attempts')) or 0}
end
return {0, redis.call('LLEN', KEYS[1])}
`;

const recordFailureCommand = 'clawgateAuthRecordFailure';
const checkCommand = 'clawgateAuthCheck';

type ScriptCommand = (attemptsKey: string, lockKey: string, ...args: string[]) => Promise<number[]>;

type ClientWithCommands = Record<typeof recordFailureCommand | typeof checkCommand, ScriptCommand>;

/**
 * A Redis-backed rate-limit store: several gateway replicas share one view of failures and locks.
 *
 * Each `check` and `recordFailure` is one Lua script (sent with EVALSHA by ioredis'
 * `defineCommand`), so concurrent failures from any number of replicas are counted exactly and
 * lock the key once. Keys carry `PEXPIRE` (window or lockout length) and vanish on their own;
 * the store holds no state in process. Replicas should keep their clocks in sync (NTP): times
 * come from the authorizer's clock so that tests can inject one.
 *
 * @example
 * ```ts
 * import { Redis } from 'ioredis';
 * import { RedisRateLimitStore } from '@clawgate/auth/redis';
 *
 * const store = new RedisRateLimitStore({ client: new Redis(process.env.REDIS_URL!) });
 * const authorizer = createGatewayAuthorizer({ auth, rateLimit: { store } });
 * ```
 */
export class RedisRateLimitStore implements RateLimitStore {
  private readonly client: ClientWithCommands;
  private readonly prefix: string;

  /**
   * @param options - The ioredis client and key prefix.
   * @throws {TypeError} When `client` does not look like an ioredis client.
   */
  constructor(options: RedisRateLimitStoreOptions) {
    const client = options?.client;
    if (typeof client?.defineCommand !== 'function') {
      throw new TypeError('RedisRateLimitStore requires an ioredis client');
    }
    // Redefining an existing command is harmless, so several stores may share one client.
    client.defineCommand(recordFailureCommand, { numberOfKeys: 2, lua: recordFailureScript });
    client.defineCommand(checkCommand, { numberOfKeys: 2, lua: checkScript });
    this.client = client as unknown as ClientWithCommands;
    this.prefix = options.prefix ?? 'clawgate:auth:';
  }

  /** {@inheritDoc RateLimitStore.check} */
  async check(key: string, now: number): Promise<RateLimitState> {
    const [attemptsKey, lockKey] = this.keys(key);
    const [lockedUntil = 0, attempts = 0] = await this.client[checkCommand](
      attemptsKey,
      lockKey,
      String(Math.floor(now)),
    );
    return lockedUntil > 0 ? { lockedUntil, attempts } : { attempts };
  }

  /** {@inheritDoc RateLimitStore.recordFailure} */
  async recordFailure(key: string, options: RecordFailureOptions): Promise<RateLimitFailureResult> {
    const [attemptsKey, lockKey] = this.keys(key);
    const [lockedUntil = 0, attempts = 0, counted = 0] = await this.client[recordFailureCommand](
      attemptsKey,
      lockKey,
      String(Math.floor(options.now)),
      String(options.windowMs),
      String(options.maxAttempts),
      String(options.lockoutMs),
    );
    const result: RateLimitFailureResult = { attempts, counted: counted === 1 };
    if (lockedUntil > 0) result.lockedUntil = lockedUntil;
    return result;
  }

  /** {@inheritDoc RateLimitStore.reset} */
  async reset(key: string): Promise<void> {
    const [attemptsKey, lockKey] = this.keys(key);
    // One DEL of both keys is atomic (same hash slot thanks to the tag).
    await (this.client as unknown as Redis).del(attemptsKey, lockKey);
  }

  private keys(key: string): [attemptsKey: string, lockKey: string] {
    const tagged = `${this.prefix}{${key}}`;
    return [`${tagged}:attempts`, `${tagged}:lock`];
  }
}
