import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CliIo } from './cli-io.js';
import { GATEWAY_USAGE } from './gateway-command.js';
import { CLI_USAGE, runCli } from './run-cli.js';

function captureIo(stop: Promise<string> = new Promise(() => undefined)) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { stdout: (line) => out.push(line), stderr: (line) => err.push(line), waitForStopSignal: () => stop };
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

  it('runs the gateway until the stop signal, then exits 0', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'clawgate-cli-'));
    try {
      const configPath = path.join(dir, 'c.json5');
      await writeFile(configPath, '{ gateway: { auth: { token: "cli-test-token" } }, sessions: { store: "memory" } }');
      let stop!: (signal: string) => void;
      const { io, out, err } = captureIo(new Promise((resolve) => (stop = resolve)));
      const running = runCli(['gateway', '--config', configPath, '--port', '0', '--bind', '127.0.0.1'], io);
      while (out.length === 0) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
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
