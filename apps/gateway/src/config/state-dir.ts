import os from 'node:os';
import path from 'node:path';

/**
 * Where clawgate keeps its state (generated token, session transcripts, default config file).
 *
 * @param env - The process environment (passed in so tests and `server.ts` stay the only readers).
 * @returns `$CLAWGATE_STATE_DIR` (resolved to an absolute path) when set and non-empty, else `~/.clawgate`.
 * @defaultValue `~/.clawgate`
 * @example
 * resolveStateDir({ CLAWGATE_STATE_DIR: '/var/lib/clawgate' }); // '/var/lib/clawgate'
 */
export function resolveStateDir(env: NodeJS.ProcessEnv): string {
  const configured = env.CLAWGATE_STATE_DIR?.trim();
  if (configured) return path.resolve(configured);
  // `HOME` first so a test (or a service unit) can move it; os.homedir() as the fallback.
  const home = env.HOME?.trim() || os.homedir();
  return path.join(home, '.clawgate');
}
