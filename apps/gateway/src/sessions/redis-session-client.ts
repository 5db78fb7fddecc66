import { createRequire } from 'node:module';
import type { Redis } from 'ioredis';

// ioredis is loaded on the first Redis client, not at start-up: a gateway without Redis (the common
// single-instance case) then never pays its ~10 MB of resident memory. `require` keeps this
// function synchronous; ioredis is CommonJS, so nothing changes in how it loads.
const requireModule = createRequire(import.meta.url);

/** Longest wait for a TCP connection or a command reply before the caller gets a 503. */
export const REDIS_TIMEOUT_MS = 5_000;
/** Longest pause between reconnection attempts while Redis is away. */
const LONGEST_RECONNECT_DELAY_MS = 2_000;

/**
 * Creates the ioredis client the session store owns when it is given a URL. The options trade
 * ioredis' patient defaults for fast, honest failures, because a request waiting on a dead Redis is
 * worse than a 503 the client can retry:
 * - `lazyConnect`: nothing happens until `ready()` (or the first operation), so building the store
 *   does no I/O and start-up can report a connection failure clearly.
 * - `enableOfflineQueue: false`, `maxRetriesPerRequest: 1`: a command issued while the connection
 *   is down fails at once instead of queueing for a reconnection.
 * - `autoResendUnfulfilledCommands: false`: an append whose reply was lost to a disconnect is not
 *   sent again after reconnecting (that could store the turn twice).
 * - `commandTimeout`/`connectTimeout` 5 s: a Redis that hangs (not refusing) still ends in a 503.
 * - `retryStrategy`: reconnect for ever, at most 2 s apart, so the store recovers by itself.
 *
 * @param options.url - `redis://` or `rediss://` URL (credentials and database number allowed).
 * @param options.connectionName - Name shown by `CLIENT LIST`.
 * @throws TypeError when `url` is not a `redis:` or `rediss:` URL.
 */
export function createRedisSessionClient(options: { url: string; connectionName: string }): Redis {
  let parsed: URL;
  try {
    parsed = new URL(options.url);
  } catch {
    throw new TypeError('Redis session store: `url` must be a redis:// or rediss:// URL');
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new TypeError('Redis session store: `url` must be a redis:// or rediss:// URL');
  }
  const { Redis: RedisClient } = requireModule('ioredis') as typeof import('ioredis');
  return new RedisClient(options.url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    autoResendUnfulfilledCommands: false,
    connectTimeout: REDIS_TIMEOUT_MS,
    commandTimeout: REDIS_TIMEOUT_MS,
    retryStrategy: (times) => Math.min(times * 100, LONGEST_RECONNECT_DELAY_MS),
    connectionName: options.connectionName,
  });
}

/**
 * The URL with its password replaced by `***`, for start-up errors and logs.
 *
 * @param url - A Redis URL.
 * @returns The redacted URL, or `<invalid url>` when it does not parse.
 */
export function redactRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return '<invalid url>';
  }
}
