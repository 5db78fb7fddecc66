// `pnpm test`: every workspace's tests through `turbo run test --continue`, then one line with the
// total over all of them, `N passed, M failed`, counted by the parser CI uses on the same output
// (.ci/count-tests.mjs). Arguments after `--` go to turbo: `pnpm test -- --filter=@clawgate/sse`
// (pnpm keeps a `--filter` before the `--` for itself and runs the package's own script instead).
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { countTests } from '../.ci/count-tests.mjs';

const turboBin = fileURLToPath(new URL('../node_modules/.bin/turbo', import.meta.url));
const args = process.argv.slice(2);
if (args[0] === '--') args.shift();
const turbo = spawn(turboBin, ['run', 'test', '--continue', ...args], { stdio: ['inherit', 'pipe', 'pipe'] });
let log = '';
for (const [from, to] of [
  [turbo.stdout, process.stdout],
  [turbo.stderr, process.stderr],
]) {
  from.setEncoding('utf8');
  from.on('data', (text) => {
    to.write(text);
    log += text;
  });
}
turbo.on('error', (error) => {
  console.error(`could not start turbo: ${error.message}`);
  process.exitCode = 1;
});
turbo.on('close', (code) => {
  const { passed, failed } = countTests(log);
  // A task can fail without a failed test (a crash, a file that does not load): never say 0 then.
  const outsideTests = code !== 0 && failed === 0;
  const note = outsideTests ? ' (a test task failed outside any test; see above)' : '';
  console.log(`\n${passed} passed, ${outsideTests ? 1 : failed} failed${note}`);
  process.exitCode = code === 0 ? 0 : 1;
});
