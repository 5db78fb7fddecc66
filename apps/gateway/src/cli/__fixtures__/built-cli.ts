/**
 * Test helpers that run the BUILT `clawgate` bin (what users run) as a child process.
 *
 * `ensureBuiltCli()` rebuilds `dist/` when it is missing or older than `src/` (see
 * `src/__fixtures__/ensure-built-gateway.ts`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureBuiltGateway } from '../../__fixtures__/ensure-built-gateway.js';

export const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const cliPath = path.join(packageDir, 'dist', 'cli.js');
/** Builds `dist/` if stale; see `ensureBuiltGateway`. */
export const ensureBuiltCli = ensureBuiltGateway;

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
  for (const name of [
    'CLAWGATE_CONFIG',
    'OPENCLAW_CONFIG_PATH',
    'OPENCLAW_GATEWAY_TOKEN',
    'OPENCLAW_GATEWAY_PASSWORD',
  ]) {
    if (!(name in extra)) delete env[name];
  }
  return env;
}

/** Starts `node dist/cli.js ...args` with piped output; stdin is piped only when `input` is given. */
export function spawnCli(args: string[], env: NodeJS.ProcessEnv, input?: string): ChildProcess {
  const child = spawn(process.execPath, [cliPath, ...args], {
    env,
    stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
  });
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
export function runCliProcess(
  args: string[],
  env: NodeJS.ProcessEnv,
  options: { input?: string; timeoutMs?: number } = {},
): Promise<CliResult> {
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
