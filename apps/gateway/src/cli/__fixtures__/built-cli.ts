/**
 * Test helpers that run the BUILT `clawgate` bin (what users run) as a child process.
 *
 * `ensureBuiltCli()` rebuilds `dist/` when it is missing or older than `src/`. Test files run in
 * parallel and tsup cleans `dist/` first, so the rebuild holds a directory lock and re-checks inside
 * it: a second file never wipes `dist/` under a bin the first one is running.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const cliPath = path.join(packageDir, 'dist', 'cli.js');
const lockDir = path.join(os.tmpdir(), 'clawgate-gateway-build.lock');

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

/** Builds `dist/` if stale; bounded wait (120 s) for another file's build. */
export function ensureBuiltCli(): void {
  if (!isStale()) return;
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      mkdirSync(lockDir);
      break;
    } catch {
      // Someone else builds; a lock older than the deadline is from a killed run.
      if (Date.now() > deadline) {
        rmSync(lockDir, { recursive: true, force: true });
        continue;
      }
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
    }
  }
  try {
    if (!isStale()) return;
    try {
      execFileSync(path.join(packageDir, 'node_modules', '.bin', 'tsup'), [], { cwd: packageDir, stdio: 'ignore' });
    } catch (error) {
      // The declaration step can fail while the JS (all these tests need) was written; only a
      // missing or still-stale bin is fatal.
      if (isStale()) throw error;
    }
  } finally {
    rmSync(lockDir, { recursive: true, force: true });
  }
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

/** Starts `node dist/cli.js ...args` with piped output. */
export function spawnCli(args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  return spawn(process.execPath, [cliPath, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
}

/**
 * Runs the bin to completion (killed after `timeoutMs`) and collects its output.
 *
 * @param args - Arguments after `clawgate`.
 * @param env - The child's environment (see {@link cliEnv}).
 */
export function runCliProcess(args: string[], env: NodeJS.ProcessEnv, timeoutMs = 15_000): Promise<CliResult> {
  const child = spawnCli(args, env);
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
