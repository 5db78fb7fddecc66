/**
 * Child-process tests run the BUILT gateway (`dist/`), as operators do. This builds it when missing
 * or older than the sources, under a lock so parallel test files never build over each other.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The gateway package directory. */
export const PACKAGE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The built `clawgate` bin. */
export const CLI_PATH = path.join(PACKAGE_DIR, 'dist', 'cli.js');
/** The built programmatic entry (`startGateway`). */
export const INDEX_PATH = path.join(PACKAGE_DIR, 'dist', 'index.js');

function newestSourceTime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSourceTime(full));
    else if (!entry.name.endsWith('.test.ts')) newest = Math.max(newest, statSync(full).mtimeMs);
  }
  return newest;
}

/** Builds `dist/` with tsup when it is missing or stale. */
export function ensureBuiltGateway(): void {
  const stale = () =>
    !existsSync(CLI_PATH) ||
    !existsSync(INDEX_PATH) ||
    Math.min(statSync(CLI_PATH).mtimeMs, statSync(INDEX_PATH).mtimeMs) < newestSourceTime(path.join(PACKAGE_DIR, 'src'));
  if (!stale()) return;
  const tsup = path.join(PACKAGE_DIR, 'node_modules', '.bin', 'tsup');
  execFileSync('flock', ['/tmp/clawgate-gateway-build.lock', tsup], { cwd: PACKAGE_DIR, stdio: 'ignore' });
}
