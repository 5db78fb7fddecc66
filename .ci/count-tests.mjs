// Sums vitest's per-project "Tests  N failed | M passed (T)" summaries from turbo logs and prints
// "<passed> <failed>" over every log given (CI passes one per Node version). Turbo prefixes each
// line with the task name, so we match anywhere in a line. `pnpm test` (scripts/test.mjs) imports
// countTests to print its total line.
import { readFileSync, realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { stripVTControlCharacters } from 'node:util';

/** Counts the passed and failed tests in one log's vitest summaries. */
export function countTests(text) {
  const log = stripVTControlCharacters(text);
  let passed = 0;
  let failed = 0;
  for (const line of log.split('\n')) {
    const summary = /\bTests\s+(.*)\(\d+\)\s*$/.exec(line);
    if (!summary) continue;
    passed += Number(/(\d+) passed/.exec(summary[1])?.[1] ?? 0);
    failed += Number(/(\d+) failed/.exec(summary[1])?.[1] ?? 0);
  }
  return { passed, failed };
}

// Run as a script (not imported): count the logs named on the command line.
if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === realpathSync(process.argv[1])) {
  let passed = 0;
  let failed = 0;
  for (const file of process.argv.slice(2)) {
    const counts = countTests(readFileSync(file, 'utf8'));
    passed += counts.passed;
    failed += counts.failed;
  }
  console.log(`${passed} ${failed}`);
}
