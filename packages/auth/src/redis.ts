// The `@clawgate/auth/redis` entry: kept apart so `@clawgate/auth` never needs ioredis.
export { RedisRateLimitStore } from './redis-rate-limit-store.js';
export type { RedisRateLimitStoreOptions } from './redis-rate-limit-store.js';
