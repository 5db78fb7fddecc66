#!/usr/bin/env node
/**
 * The `clawgate` bin: a thin shell around `runCli` that wires real stdout/stderr, the environment
 * and signals (the only `process.*` reads of the CLI).
 */
import { runCli } from './cli/run-cli.js';

function waitForStopSignal(): Promise<string> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      resolve(signal);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

const exitCode = await runCli(process.argv.slice(2), {
  stdout: (line) => process.stdout.write(`${line}\n`),
  stderr: (line) => process.stderr.write(`${line}\n`),
  writeStdout: (text) => process.stdout.write(text),
  env: process.env,
  waitForStopSignal,
});
process.exitCode = exitCode;
