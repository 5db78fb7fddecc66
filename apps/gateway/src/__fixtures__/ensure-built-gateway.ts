/**
 * Child-process tests run the BUILT gateway (`dist/`), as operators do. turbo builds the app before
 * its tests; this covers `vitest` run by hand after an edit: it rebuilds `dist/` when it is missing or
 * older than the sources. Test files run in parallel and tsup cleans `dist/` first, so the rebuild
 * holds a lock and re-checks inside it: a file that waited for another file's build does not build
 * again and never wipes `dist/` under a bin another file is running.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The gateway package directory. */
export const PACKAGE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The built `clawgate` bin. */
export const CLI_PATH = path.join(PACKAGE_DIR, 'dist', 'cli.js');
/** The built programmatic entry (`startGateway`). */
export const INDEX_PATH = path.join(PACKAGE_DIR, 'dist', 'index.js');
const LOCK_FILE = '/tmp/clawgate-gateway-build.lock';

// Runs inside the lock, in its own process, so the staleness check and the build are one step.
const RECHECK_AND_BUILD = `
  const { existsSync, readdirSync, statSync } = require('node:fs');
  const path = require('node:path');
  const newest = (dir) => readdirSync(dir, { withFileTypes: true }).reduce((max, entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return Math.max(max, newest(full));
    return entry.name.endsWith('.test.ts') ? max : Math.max(max, statSync(full).mtimeMs);
  }, 0);
  const built = [${JSON.stringify(CLI_PATH)}, ${JSON.stringify(INDEX_PATH)}];
  const sources = newest(${JSON.stringify(path.join(PACKAGE_DIR, 'src'))});
  if (built.every((file) => existsSync(file) && statSync(file).mtimeMs >= sources)) process.exit(0);
  require('node:child_process').execFileSync(${JSON.stringify(path.join(PACKAGE_DIR, 'node_modules', '.bin', 'tsup'))}, [], { stdio: 'ignore' });
`;

/** Builds `dist/` with tsup when it is missing or stale (one build at a time across test files). */
export function ensureBuiltGateway(): void {
  execFileSync('flock', ['-w', '120', LOCK_FILE, process.execPath, '-e', RECHECK_AND_BUILD], {
    cwd: PACKAGE_DIR,
    stdio: 'ignore',
  });
  if (!existsSync(CLI_PATH))
    throw new Error("no dist/cli.js after a build: run 'pnpm --filter @clawgate/gateway build' to see why");
}
