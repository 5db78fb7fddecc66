/**
 * Starting and stopping the benchmark's child processes (mock upstream, gateway), pinned to a core
 * with `taskset` when the machine has it, plus the few /proc readings the report needs.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { availableParallelism } from 'node:os';

/** Where `taskset` lives, or undefined when the machine has none (then nothing is pinned). */
export function findTaskset(): string | undefined {
  for (const candidate of ['/usr/bin/taskset', '/bin/taskset']) {
    try {
      execFileSync(candidate, ['--version'], { stdio: 'ignore' });
      return candidate;
    } catch {
      // not here; try the next place
    }
  }
  return undefined;
}

/** Pinning is only meaningful with a second core to put the load on. */
export function canPin(taskset: string | undefined): taskset is string {
  return taskset !== undefined && availableParallelism() >= 2;
}

/**
 * Pins every thread of a running process (libuv's pool and V8's helpers included) to one core.
 * @returns whether it worked
 */
export function pinProcess(taskset: string, pid: number, core: number): boolean {
  try {
    execFileSync(taskset, ['-a', '-cp', String(core), String(pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** A child started by {@link startChild}. */
export interface RunningChild {
  readonly process: ChildProcess;
  readonly pid: number;
  /** The first stdout line that matched `readyPattern`. */
  readonly readyLine: string;
  /** Milliseconds from spawn to the ready line. */
  readonly startMs: number;
  /**
   * Output for error messages: everything up to the ready line and stderr (capped), then only the
   * last stdout chunks, because after the ready line stdout is the request log and is discarded.
   */
  output(): string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the child has exited. */
  stop(graceMs?: number): Promise<void>;
}

/** Options of {@link startChild}. */
export interface StartChildOptions {
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Core to pin to; ignored when `taskset` is undefined. */
  core?: number;
  taskset?: string;
  readyPattern: RegExp;
  timeoutMs: number;
  label: string;
}

/**
 * Spawns a child (through `taskset -c <core>` when given, which execs, so the pid is the child's
 * own) and waits for a stdout line matching `readyPattern`.
 * @throws Error naming the child and its output when it exits or times out before being ready
 */
export function startChild(options: StartChildOptions): Promise<RunningChild> {
  const pinned = options.taskset !== undefined && options.core !== undefined;
  const command = pinned ? (options.taskset as string) : options.command;
  const args = pinned ? ['-c', String(options.core), options.command, ...options.args] : options.args;
  const started = performance.now();
  const child = spawn(command, args, {
    env: options.env ?? process.env,
    cwd: options.cwd,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let output = '';
  /**
   * The newest stdout chunks after the ready line, kept as bytes: decoding every log line would cost the load
   * generator's core.
   */
  const stdoutTail: Buffer[] = [];
  let exited = child.exitCode !== null;
  const exitPromise = new Promise<void>((resolve) => {
    child.once('exit', () => {
      exited = true;
      resolve();
    });
  });
  // Keep draining both pipes for the child's whole life so a chatty logger never blocks it.
  child.stderr?.on('data', (chunk: Buffer) => {
    if (output.length < 200_000) output += chunk.toString('utf8');
  });

  const stop = async (graceMs = 5_000): Promise<void> => {
    if (exited) return;
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exitPromise;
    clearTimeout(killer);
  };

  return new Promise<RunningChild>((resolve, reject) => {
    let lineBuffer = '';
    let ready = false;
    const fail = (reason: string): void => {
      if (ready) return;
      ready = true;
      clearTimeout(timer);
      void stop(1_000).then(() =>
        reject(new Error(`${options.label} did not start: ${reason}\n--- output ---\n${output.slice(-4_000)}`)),
      );
    };
    const timer = setTimeout(() => fail(`no ready line within ${options.timeoutMs} ms`), options.timeoutMs);
    child.once('error', (error) => fail(error.message));
    child.once('exit', (code, signal) => fail(`exited with ${code ?? signal}`));
    // After the ready line the gateway's stdout is its request log (one line per request at `info`):
    // keep reading so the child never blocks on a full pipe, but only hold on to the last chunks.
    const keepTail = (chunk: Buffer): void => {
      stdoutTail.push(chunk);
      if (stdoutTail.length > 4) stdoutTail.shift();
    };
    const untilReady = (chunk: Buffer): void => {
      const text = chunk.toString('utf8');
      if (output.length < 200_000) output += text;
      lineBuffer += text;
      const lines = lineBuffer.split('\n');
      lineBuffer = lines.pop() ?? '';
      const line = lines.find((candidate) => options.readyPattern.test(candidate));
      if (line === undefined) return;
      ready = true;
      clearTimeout(timer);
      child.stdout?.removeListener('data', untilReady);
      child.stdout?.on('data', keepTail);
      resolve({
        process: child,
        pid: child.pid as number,
        readyLine: line,
        startMs: performance.now() - started,
        output: () =>
          stdoutTail.length === 0
            ? output
            : `${output}\n[… stdout after the ready line, last chunks only]\n${Buffer.concat(stdoutTail).toString('utf8')}`,
        stop,
      });
    };
    child.stdout?.on('data', untilReady);
  });
}

/**
 * Resident set size of a process in bytes, from /proc/<pid>/status (VmRSS).
 * @returns undefined where /proc is not available
 */
export function readRssBytes(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = status.match(/^VmRSS:\s+(\d+)\s+kB$/m);
    return match?.[1] === undefined ? undefined : Number(match[1]) * 1024;
  } catch {
    return undefined;
  }
}

/** Asks the kernel for a free loopback port (there is a small race; the bench runs alone). */
export function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
