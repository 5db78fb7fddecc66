/**
 * The Lua scripts behind the Redis session store. Each runs atomically on the server, which is what
 * makes the lock safe across processes: a check and the write it guards can never be split by
 * another replica's command. ioredis sends them with EVALSHA and falls back to EVAL after a Redis
 * restart (`NOSCRIPT`).
 */
import type { Cluster, Redis } from 'ioredis';

// KEYS[1] lock, KEYS[2] next-in-line claim. ARGV: token, lock ttl ms, claim ttl ms.
// Takes a free lock unless another waiter claimed first place; a waiter that cannot take it claims
// first place (or refreshes its claim), so a replica releasing and re-taking the lock for its own
// queued runs cannot starve a waiter on another replica. Returns 1 when the lock was taken.
const acquireLua = `
local queued = redis.call('GET', KEYS[2])
if redis.call('EXISTS', KEYS[1]) == 0 and (not queued or queued == ARGV[1]) then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  if queued then redis.call('DEL', KEYS[2]) end
  return 1
end
if not queued then
  redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[3])
elseif queued == ARGV[1] then
  redis.call('PEXPIRE', KEYS[2], ARGV[3])
end
return 0
`;

// KEYS[1] lock, KEYS[2] next-in-line claim, KEYS[3] transcript. ARGV: token, lock ttl ms, claim ttl
// ms, turns to read. The acquire script, and once the lock is taken, the newest turns of the
// transcript in the same step: they stay exactly the stored ones until this holder appends (every
// append is fenced on the lock), so the run's load needs no round trip of its own.
// Returns {1, {turn, ...}} (oldest first) when the lock was taken, {0} otherwise.
const acquireAndReadLua = `
local function tryAcquire()${acquireLua}end
if tryAcquire() == 0 then
  return {0}
end
local turns = tonumber(ARGV[4])
if turns < 1 then
  return {1, {}}
end
return {1, redis.call('LRANGE', KEYS[3], -turns, -1)}
`;

// KEYS[1] lock. ARGV: token, ttl ms. Extends the lock only while this holder still owns it.
const renewLua = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
`;

// KEYS[1] a lock or claim. ARGV: token. Compare-and-delete: never deletes another holder's key.
const releaseLua = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
`;

// KEYS[1] lock, KEYS[2] transcript, KEYS[3] session listing (sorted set), KEYS[4] agents (hash).
// ARGV: token, turn JSON, turns to keep, idle ttl ms (0: none), session key, turn time (epoch ms),
// agent id ('' for none), expiry cut-off (epoch ms; with a ttl, listed sessions whose newest turn is
// older expired with their transcripts and are dropped from the listing, at most 100 per append).
// Fencing: the append happens only while the caller still holds the lock, so a run whose lock
// expired cannot write after (or between) the turns of the run that took over. The listing changes
// in the same step, so it never names a session without its newest turn. Returns 1 if written.
const appendLua = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return 0
end
redis.call('RPUSH', KEYS[2], ARGV[2])
redis.call('LTRIM', KEYS[2], -tonumber(ARGV[3]), -1)
if tonumber(ARGV[4]) > 0 then
  redis.call('PEXPIRE', KEYS[2], ARGV[4])
  local expired = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', '(' .. ARGV[8], 'LIMIT', 0, 100)
  if #expired > 0 then
    redis.call('ZREM', KEYS[3], unpack(expired))
    redis.call('HDEL', KEYS[4], unpack(expired))
  end
end
redis.call('ZADD', KEYS[3], ARGV[6], ARGV[5])
if ARGV[7] == '' then
  redis.call('HDEL', KEYS[4], ARGV[5])
else
  redis.call('HSET', KEYS[4], ARGV[5], ARGV[7])
end
return 1
`;

/** Where an append lists its session (see `redisSessionIndexKeys`). */
export interface RedisSessionListing {
  /** The sorted set of sessions. */
  sessionsKey: string;
  /** The hash of agent ids. */
  agentsKey: string;
  sessionKey: string;
  /** The turn's time, epoch ms: the session's score. */
  updatedAt: number;
  /** The turn's agent; `undefined` removes the session's agent. */
  agentId: string | undefined;
  /** With a ttl: sessions listed with an older score are dropped (their transcripts expired). */
  expiredBefore: number;
}

/** Typed entry points to the scripts (each resolves with the script's integer reply). */
export interface RedisSessionScripts {
  /** 1 when `token` now holds `lockKey`; 0 when it is held or another waiter is first in line. */
  acquire(lockKey: string, nextKey: string, token: string, ttlMs: number, claimTtlMs: number): Promise<number>;
  /**
   * `acquire`, plus the newest `turns` elements of `transcriptKey` (oldest first) read atomically
   * with taking the lock; `undefined` when the lock was not taken.
   */
  acquireAndRead(
    lockKey: string,
    nextKey: string,
    transcriptKey: string,
    token: string,
    ttlMs: number,
    claimTtlMs: number,
    turns: number,
  ): Promise<string[] | undefined>;
  /** 1 when the lock was extended; 0 when `token` no longer holds it. */
  renew(lockKey: string, token: string, ttlMs: number): Promise<number>;
  /** 1 when `key` held `token` and was deleted; 0 otherwise. */
  release(key: string, token: string): Promise<number>;
  /**
   * 1 when the turn was appended (the list trimmed to `keepTurns`, the session listed at `listing`);
   * 0 when the lock is not `token`'s.
   */
  append(
    lockKey: string,
    transcriptKey: string,
    token: string,
    element: string,
    keepTurns: number,
    ttlMs: number,
    listing: RedisSessionListing,
  ): Promise<number>;
}

// Versioned names: a client shared with an older store version never runs the wrong script body.
const names = {
  acquire: 'clawgateSessionAcquireV1',
  acquireAndRead: 'clawgateSessionAcquireAndReadV1',
  renew: 'clawgateSessionRenewV1',
  release: 'clawgateSessionReleaseV1',
  // V2: also lists the session.
  append: 'clawgateSessionAppendV2',
} as const;

type ScriptCommand = (...keysAndArgs: (string | number)[]) => Promise<unknown>;

/**
 * Registers the scripts on `client` (once per client; an injected client may be shared by several
 * stores) and returns typed wrappers.
 *
 * @param client - An ioredis client or cluster.
 */
export function defineRedisSessionScripts(client: Redis | Cluster): RedisSessionScripts {
  const commands = client as unknown as Record<string, ScriptCommand | undefined>;
  const define = (name: string, numberOfKeys: number, lua: string) => {
    if (typeof commands[name] !== 'function') client.defineCommand(name, { numberOfKeys, lua });
  };
  define(names.acquire, 2, acquireLua);
  define(names.acquireAndRead, 3, acquireAndReadLua);
  define(names.renew, 1, renewLua);
  define(names.release, 1, releaseLua);
  define(names.append, 4, appendLua);
  const call = (name: string, ...keysAndArgs: (string | number)[]): Promise<number> =>
    (commands[name] as ScriptCommand).call(client, ...keysAndArgs) as Promise<number>;
  return {
    acquire: (lockKey, nextKey, token, ttlMs, claimTtlMs) =>
      call(names.acquire, lockKey, nextKey, token, ttlMs, claimTtlMs),
    async acquireAndRead(lockKey, nextKey, transcriptKey, token, ttlMs, claimTtlMs, turns) {
      const command = commands[names.acquireAndRead] as ScriptCommand;
      const reply = (await command.call(client, lockKey, nextKey, transcriptKey, token, ttlMs, claimTtlMs, turns)) as [
        number,
        string[]?,
      ];
      return reply[0] === 1 ? (reply[1] ?? []) : undefined;
    },
    renew: (lockKey, token, ttlMs) => call(names.renew, lockKey, token, ttlMs),
    release: (key, token) => call(names.release, key, token),
    append: (lockKey, transcriptKey, token, element, keepTurns, ttlMs, listing) =>
      call(
        names.append,
        lockKey,
        transcriptKey,
        listing.sessionsKey,
        listing.agentsKey,
        token,
        element,
        keepTurns,
        ttlMs,
        listing.sessionKey,
        listing.updatedAt,
        listing.agentId ?? '',
        listing.expiredBefore,
      ),
  };
}
