import path from 'node:path';
import type { GatewayConfig } from '../config/config-schema.js';
import { createFileSessionStore } from './file-session-store.js';
import { createMemorySessionStore } from './memory-session-store.js';
import { createRedisSessionStore } from './redis-session-store.js';
import type { SessionStore } from './session-store.js';

/**
 * The store `sessions.store` selects: `file` (default; `<stateDir>/sessions`), `memory`, or Redis.
 *
 * @param options.config - The validated configuration.
 * @param options.stateDir - The state directory.
 * @throws TypeError for a `{ redis }` URL that is not `redis://` or `rediss://` (the schema already checks it).
 */
export function createSessionStore(options: { config: GatewayConfig; stateDir: string }): SessionStore {
  const store = options.config.sessions.store;
  if (store === 'memory') return createMemorySessionStore();
  if (store === 'file') return createFileSessionStore({ dir: path.join(options.stateDir, 'sessions') });
  // `{ redis: url }`: shared by every replica. The caller awaits `ready()` at start-up (see redis-session-store.ts).
  return createRedisSessionStore({ url: store.redis });
}
