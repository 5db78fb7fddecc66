import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { AGENT_USAGE } from './agent-command.js';
import type { CliIo } from './cli-io.js';
import { CONFIG_CHECK_USAGE, CONFIG_USAGE } from './config-command.js';
import { EXIT_CODES_HELP, exitCodeForSignal } from './exit-codes.js';
import { GATEWAY_USAGE } from './gateway-command.js';
import { CLI_USAGE, runCli } from './run-cli.js';

// The offline model pauses through this sleep between two words; a test can learn that a reply is
// under way (its first word already out) from the first pause.
const offlinePauses = vi.hoisted(() => ({ onPause: (): void => undefined }));
vi.mock('../providers/sleep.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../providers/sleep.js')>();
  return {
    sleep: (ms: number, signal: AbortSignal) => {
      offlinePauses.onPause();
      return original.sleep(ms, signal);
    },
  };
});

function captureIo(stop: Promise<string> = new Promise(() => undefined), env: NodeJS.ProcessEnv = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = {
    stdout: (line) => out.push(line),
    stderr: (line) => err.push(line),
    env,
    waitForStopSignal: () => stop,
  };
  return { io, out, err };
}

describe('clawgate CLI', () => {
  it('prints the command list for --help (exit 0) and for no command (stderr, exit 2)', async () => {
    const help = captureIo();
    expect(await runCli(['--help'], help.io)).toBe(0);
    expect(help.out).toEqual([CLI_USAGE]);
    expect(CLI_USAGE).toContain('gateway   run the gateway server');
    const none = captureIo();
    expect(await runCli([], none.io)).toBe(2);
    expect(none.err).toEqual([CLI_USAGE]);
  });

  it('refuses an unknown command with exit 2', async () => {
    const { io, err } = captureIo();
    expect(await runCli(['serve'], io)).toBe(2);
    expect(err[0]).toBe(`Unknown command 'serve'\n\n${CLI_USAGE}`);
    // Object prototype names are not commands.
    const proto = captureIo();
    expect(await runCli(['toString'], proto.io)).toBe(2);
    expect(proto.err[0]).toBe(`Unknown command 'toString'\n\n${CLI_USAGE}`);
  });

  it('refuses an unknown top-level option with exit 2', async () => {
    const { io, out, err } = captureIo();
    expect(await runCli(['--verbose'], io)).toBe(2);
    expect(out).toEqual([]);
    expect(err).toEqual([`Unknown option '--verbose'\n\n${CLI_USAGE}`]);
  });

  it('lists every command and the exit codes in the top-level help', () => {
    expect(CLI_USAGE).toContain(
      '  gateway   run the gateway server\n  agent     run one agent turn and print the reply\n  config    check a configuration file',
    );
    expect(CLI_USAGE.endsWith(EXIT_CODES_HELP)).toBe(true);
    for (const usage of [AGENT_USAGE, CONFIG_USAGE, CONFIG_CHECK_USAGE, GATEWAY_USAGE])
      expect(usage).toMatch(/\nExit codes:\n {2}0 {4}.+\n {2}1 {4}.+\n {2}2 {4}usage error/);
  });

  it('maps signals to 128 + their number', () => {
    expect(exitCodeForSignal('SIGINT')).toBe(130);
    expect(exitCodeForSignal('SIGTERM')).toBe(143);
    expect(exitCodeForSignal('SIGNOPE')).toBe(1);
  });

  it('runs an agent turn in-process: line output without writeStdout, memory store, stop signal aborts', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'clawgate-cli-agent-'));
    try {
      const configPath = path.join(dir, 'c.json5');
      await writeFile(configPath, '{ sessions: { store: "memory" } }');
      const first = captureIo(undefined, { CLAWGATE_STATE_DIR: dir });
      expect(await runCli(['agent', '--config', configPath, '--user', 'u', '-m', 'hi'], first.io)).toBe(0);
      expect(first.out).toEqual(['[clawgate offline model] Turn 1. You said: "hi"']);
      expect(first.err).toEqual([]);

      // A model that pauses a minute after its first word and a stop signal that fires in that
      // pause: 130, and the printed word ends its line.
      await writeFile(
        configPath,
        '{ sessions: { store: "memory" }, models: { providers: { offline: { api: "offline", delayMs: 60000 } } } }',
      );
      let stop!: (signal: string) => void;
      const stopped = captureIo(new Promise((resolve) => (stop = resolve)), { CLAWGATE_STATE_DIR: dir });
      offlinePauses.onPause = () => stop('SIGINT');
      const running = runCli(['agent', '--config', configPath, '-m', 'hi'], stopped.io);
      expect(await running).toBe(130);
      offlinePauses.onPause = () => undefined;
      expect(stopped.out).toEqual(['[clawgate ']);
      expect(stopped.err).toEqual(['clawgate agent: interrupted by SIGINT, turn aborted']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('prints gateway --help and -h without starting anything', async () => {
    for (const flag of ['--help', '-h']) {
      const { io, out } = captureIo();
      expect(await runCli(['gateway', flag], io)).toBe(0);
      expect(out).toEqual([GATEWAY_USAGE]);
    }
  });

  it.each([
    [['--nope'], "Unknown option '--nope'"],
    [['--port'], "Option '--port <value>' argument missing"],
    [['--port', 'abc'], "Option --port must be an integer between 0 and 65535, received 'abc'"],
    [['--port', '70000'], "Option --port must be an integer between 0 and 65535, received '70000'"],
    [['--port', '0x10'], "Option --port must be an integer between 0 and 65535, received '0x10'"],
    [['--bind', ' '], 'Option --bind needs an address'],
    [['extra'], "Unexpected argument 'extra'"],
  ])('gateway %j → exit 2 with a message and the usage', async (args, message) => {
    const { io, err } = captureIo();
    expect(await runCli(['gateway', ...args], io)).toBe(2);
    expect(err).toHaveLength(1);
    expect(err[0]).toContain(message);
    expect(err[0]!.endsWith(GATEWAY_USAGE)).toBe(true);
  });

  it('exits 1 with the config error for a missing config file', async () => {
    const { io, err } = captureIo();
    expect(await runCli(['gateway', '--config', '/nonexistent/clawgate.json5', '--port', '0'], io)).toBe(1);
    expect(err[0]).toBe('clawgate gateway: /nonexistent/clawgate.json5: file not found');
  });

  it('releases the start-up hold when the gateway cannot start', async () => {
    const { io } = captureIo();
    const events: string[] = [];
    io.holdDuringStartUp = () => {
      events.push('hold');
      return () => events.push('release');
    };
    expect(await runCli(['gateway', '--config', '/nonexistent/clawgate.json5', '--port', '0'], io)).toBe(1);
    expect(events).toEqual(['hold', 'release']);
  });

  it('runs the gateway until the stop signal, then exits 0', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'clawgate-cli-'));
    try {
      const configPath = path.join(dir, 'c.json5');
      await writeFile(configPath, '{ gateway: { auth: { token: "cli-test-token" } }, sessions: { store: "memory" } }');
      let stop!: (signal: string) => void;
      const { io, out, err } = captureIo(new Promise((resolve) => (stop = resolve)));
      let held = 0;
      io.holdDuringStartUp = () => {
        held += 1;
        // Released once the server listens, so while it runs nothing stays held.
        return () => (held -= 1);
      };
      const running = runCli(['gateway', '--config', configPath, '--port', '0', '--bind', '127.0.0.1'], io);
      while (out.length === 0) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      expect(held).toBe(0);
      const url = /listening on (http:\/\/\S+)/.exec(out[0]!)?.[1];
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      // Endpoint disabled in this config: the plain 404.
      expect((await fetch(`${url}/v1/chat/completions`, { method: 'POST' })).status).toBe(404);
      stop('SIGTERM');
      expect(await running).toBe(0);
      expect(err).toEqual(['received SIGTERM, shutting down']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
