// Sums vitest's per-project "Tests  N failed | M passed (T)" summaries from a turbo log and prints
// "<passed> <failed>". Turbo prefixes each line with the task name, so we match anywhere in a line.
import { readFileSync } from 'node:fs';

const log = readFileSync(process.argv[2], 'utf8').replace(/\u001b\[[0-9;]*m/g, '');
let passed = 0;
let failed = 0;
for (const line of log.split('\n')) {
  const summary = /\bTests\s+(.*)\(\d+\)\s*$/.exec(line);
  if (!summary) continue;
  passed += Number(/(\d+) passed/.exec(summary[1])?.[1] ?? 0);
  failed += Number(/(\d+) failed/.exec(summary[1])?.[1] ?? 0);
}
console.log(`${passed} ${failed}`);
