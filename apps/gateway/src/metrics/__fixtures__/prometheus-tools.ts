/**
 * Prometheus' own binaries (Debian's `prometheus` package: `promtool` and `prometheus`) for the
 * tests that let real Prometheus code read the gateway's metrics. Under `CI=true` a missing binary
 * fails those tests (`.ci/run` installs the package); elsewhere they are skipped with a note.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';

export const PROMTOOL = '/usr/bin/promtool';
export const PROMETHEUS = '/usr/bin/prometheus';

/** Whether the tests that need `binary` run here; throws under CI when it is missing. */
export function prometheusToolAvailable(binary: string): boolean {
  if (existsSync(binary)) return true;
  if (process.env.CI === 'true') {
    throw new Error(`${binary} is missing: install Debian's prometheus package (.ci/run does)`);
  }
  console.warn(`${binary} not found: skipping the tests that need it (apt-get install prometheus)`);
  return false;
}

/** Runs `promtool check metrics` on `text`: its exit code and what it printed. */
export function promtoolCheckMetrics(text: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(PROMTOOL, ['check', 'metrics'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
    child.stdin.end(text);
  });
}
