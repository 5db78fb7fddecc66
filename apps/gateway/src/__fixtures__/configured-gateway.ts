/**
 * The BUILT gateway on a configuration given as an object, in its own state directory: for tests
 * that need a real process (its memory, its signals) around one config.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CLI_PATH, ensureBuiltGateway } from './ensure-built-gateway.js';
import { spawnGateway, type GatewayProcess } from './gateway-process.js';

/** A started gateway and how to stop it. */
export interface ConfiguredGateway extends GatewayProcess {
  /** SIGTERM, wait for the exit, remove the state directory. */
  stop(): Promise<void>;
}

/**
 * Builds the gateway if needed, writes `config` to a fresh state directory and starts
 * `clawgate gateway` on a free port.
 *
 * @param config - The configuration file's content.
 */
export async function startConfiguredGateway(config: unknown): Promise<ConfiguredGateway> {
  ensureBuiltGateway();
  const stateDir = await mkdtemp(path.join(os.tmpdir(), 'clawgate-configured-'));
  const configPath = path.join(stateDir, 'clawgate.json5');
  await writeFile(configPath, JSON.stringify(config));
  const gateway = await spawnGateway([CLI_PATH, 'gateway', '--config', configPath, '--port', '0'], {
    PATH: process.env.PATH,
    CLAWGATE_STATE_DIR: stateDir,
  });
  return {
    ...gateway,
    async stop() {
      if (gateway.child.exitCode === null && gateway.child.signalCode === null) gateway.child.kill('SIGTERM');
      await gateway.exited;
      await rm(stateDir, { recursive: true, force: true });
    },
  };
}

/** The gateway process's resident set size in MB (Linux `/proc`). */
export function residentMegabytes(gateway: GatewayProcess): number {
  const status = readFileSync(`/proc/${gateway.child.pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1]) / 1024;
}
