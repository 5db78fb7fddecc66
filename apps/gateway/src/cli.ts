#!/usr/bin/env node
/**
 * The `clawgate` bin: a thin shell around `runCli` that wires real stdout/stderr, the environment
 * and signals (the only `process.*` reads of the CLI).
 */
import { holdV8DuringStartUp } from './cli/hold-v8-during-start-up.js';
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

// `clawgate agent ... | head -c 100` closes the pipe early: keep going so the turn is still stored
// in the transcript and the process exits normally, instead of dying on an unhandled EPIPE.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
});

async function readStdin(): Promise<string> {
  let text = '';
  process.stdin.setEncoding('utf8');
  for await (const piece of process.stdin) text += piece as string;
  return text;
}

const exitCode = await runCli(process.argv.slice(2), {
  stdout: (line) => process.stdout.write(`${line}\n`),
  stderr: (line) => process.stderr.write(`${line}\n`),
  writeStdout: (text) => process.stdout.write(text),
  readStdin,
  env: process.env,
  waitForStopSignal,
  holdDuringStartUp: () => holdV8DuringStartUp({ execArgv: process.execArgv, nodeOptions: process.env.NODE_OPTIONS }),
});
process.exitCode = exitCode;
