/**
 * Test helpers that run the BUILT `clawgate` bin (what users run) as a child process.
 *
 * `ensureBuiltCli()` rebuilds `dist/` when it is missing or older than `src/`. Test files run in
 * parallel and tsup cleans `dist/` first, so the rebuild holds a lock and re-checks inside it: a
 * second file never wipes `dist/` under a bin the first one is running.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const cliPath = path.join(packageDir, 'dist', 'cli.js');
// Shared with src/__fixtures__/ensure-built-gateway.ts: one build at a time across test files.
const lockFile = '/tmp/clawgate-gateway-build.lock';

/** Newest modification time under `dir` (tests excluded). */
function newestSourceTime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSourceTime(full));
    else if (!entry.name.endsWith('.test.ts')) newest = Math.max(newest, statSync(full).mtimeMs);
  }
  return newest;
}

function isStale(): boolean {
  return !existsSync(cliPath) || statSync(cliPath).mtimeMs < newestSourceTime(path.join(packageDir, 'src'));
}

/**
 * Builds `dist/` if stale. Holds the same `flock` lock as `src/__fixtures__/ensure-built-gateway.ts`
 * and re-checks inside it, so a file that waited for another file's build does not build again.
 */
export function ensureBuiltCli(): void {
  if (!isStale()) return;
  const recheckAndBuild = `
    const { existsSync, readdirSync, statSync } = require('node:fs');
    const path = require('node:path');
    const newest = (dir) => readdirSync(dir, { withFileTypes: true }).reduce((max, entry) => {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) return Math.max(max, newest(full));
      return entry.name.endsWith('.test.ts') ? max : Math.max(max, statSync(full).mtimeMs);
    }, 0);
    const cli = ${JSON.stringify(cliPath)};
    if (existsSync(cli) && statSync(cli).mtimeMs >= newest(${JSON.stringify(path.join(packageDir, 'src'))})) process.exit(0);
    try {
      require('node:child_process').execFileSync(${JSON.stringify(path.join(packageDir, 'node_modules', '.bin', 'tsup'))}, [], { stdio: 'ignore' });
    } catch (error) {
      // The declaration step can fail while the JS (all the CLI tests need) was written.
      if (!existsSync(cli)) throw error;
    }`;
  execFileSync('flock', ['-w', '120', lockFile, process.execPath, '-e', recheckAndBuild], { cwd: packageDir, stdio: 'ignore' });
  // Not `isStale()`: another helper may save a source file while the build runs.
  if (!existsSync(cliPath)) throw new Error(`no dist/cli.js after a build: run 'pnpm --filter @clawgate/gateway build' to see why`);
}

/** What a finished child wrote and how it ended. */
export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * The environment of a child: the test's state dir, none of the developer's clawgate settings.
 *
 * @param stateDir - `CLAWGATE_STATE_DIR` for the child.
 * @param extra - More variables (e.g. `${VAR}` references of a config).
 */
export function cliEnv(stateDir: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, CLAWGATE_STATE_DIR: stateDir, ...extra };
  for (const name of ['CLAWGATE_CONFIG', 'OPENCLAW_GATEWAY_TOKEN', 'OPENCLAW_GATEWAY_PASSWORD']) {
    if (!(name in extra)) delete env[name];
  }
  return env;
}

/** Starts `node dist/cli.js ...args` with piped output; stdin is piped only when `input` is given. */
export function spawnCli(args: string[], env: NodeJS.ProcessEnv, input?: string): ChildProcess {
  const child = spawn(process.execPath, [cliPath, ...args], { env, stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
  if (input !== undefined) child.stdin!.end(input);
  return child;
}

/**
 * Runs the bin to completion (killed after `timeoutMs`) and collects its output.
 *
 * @param args - Arguments after `clawgate`.
 * @param env - The child's environment (see {@link cliEnv}).
 * @param options.input - Text piped to stdin (stdin is closed and empty without it).
 * @param options.timeoutMs - SIGKILL after this long. @defaultValue 15000
 */
export function runCliProcess(args: string[], env: NodeJS.ProcessEnv, options: { input?: string; timeoutMs?: number } = {}): Promise<CliResult> {
  const { input, timeoutMs = 15_000 } = options;
  const child = spawnCli(args, env, input);
  return collect(child, timeoutMs);
}

/** Collects a child's output until it exits (SIGKILL after `timeoutMs`). */
export function collect(child: ChildProcess, timeoutMs = 15_000): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (piece: string) => (stdout += piece));
  child.stderr!.setEncoding('utf8').on('data', (piece: string) => (stderr += piece));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}
