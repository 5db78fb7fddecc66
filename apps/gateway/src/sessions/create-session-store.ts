import path from 'node:path';
import type { GatewayConfig } from '../config/config-schema.js';
import { ConfigError } from '../config/config-error.js';
import { createFileSessionStore } from './file-session-store.js';
import { createMemorySessionStore } from './memory-session-store.js';
import type { SessionStore } from './session-store.js';

/**
 * The store `sessions.store` selects: `file` (default; `<stateDir>/sessions`), `memory`, or Redis.
 *
 * @param options.config - The validated configuration.
 * @param options.stateDir - The state directory.
 * @throws ConfigError for `{ redis }`: the Redis session store arrives in a later release.
 */
export function createSessionStore(options: { config: GatewayConfig; stateDir: string }): SessionStore {
  const store = options.config.sessions.store;
  if (store === 'memory') return createMemorySessionStore();
  if (store === 'file') return createFileSessionStore({ dir: path.join(options.stateDir, 'sessions') });
  throw new ConfigError('sessions.store: the Redis session store is not available yet; use "file" or "memory"', {
    key: 'sessions.store',
  });
}
