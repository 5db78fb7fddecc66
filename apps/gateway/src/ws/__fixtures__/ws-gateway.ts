/**
 * An in-process gateway for WebSocket tests: `startGateway` on a temporary state directory with
 * the given config (token auth with a fixed token, the memory store unless the config says
 * otherwise), stopped and removed after the test.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';
import { silentLogger } from '../../http/http-logger.js';
import { startGateway, type RunningGateway } from '../../server.js';

export const TEST_TOKEN = 'ws-test-token-0123456789';

export interface WsTestGateway {
  gateway: RunningGateway;
  url: string;
  stateDir: string;
  stop(): Promise<void>;
}

/** Deep-merges `overrides` into the base test config (objects merge, arrays and values replace). */
type ConfigObject = Record<string, unknown>;

function isObject(value: unknown): value is ConfigObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function merge(base: ConfigObject, overrides: ConfigObject): ConfigObject {
  const out: ConfigObject = { ...base };
  for (const [key, value] of Object.entries(overrides)) {
    const current = out[key];
    out[key] = isObject(value) && isObject(current) ? merge(current, value) : value;
  }
  return out;
}

export async function startWsGateway(
  overrides: ConfigObject = {},
  env: NodeJS.ProcessEnv = {},
): Promise<WsTestGateway> {
  const stateDir = await mkdtemp(path.join(os.tmpdir(), 'clawgate-ws-'));
  const config = merge(
    {
      gateway: {
        auth: { mode: 'token', token: TEST_TOKEN },
        http: { endpoints: { chatCompletions: { enabled: true } } },
      },
      agents: { list: [{ id: 'main', default: true }, { id: 'beta' }] },
      sessions: { store: 'memory' },
    },
    overrides,
  );
  const configPath = path.join(stateDir, 'clawgate.json5');
  await writeFile(configPath, JSON.stringify(config));
  const gateway = await startGateway({
    configPath,
    stateDir,
    port: 0,
    env,
    print: () => undefined,
    logger: silentLogger,
  });
  return {
    gateway,
    url: gateway.url,
    stateDir,
    async stop() {
      await gateway.close();
      await rm(stateDir, { recursive: true, force: true });
    },
  };
}

/**
 * A `start(overrides)` for one test file: each gateway it starts is stopped after the test that
 * started it. Call at the top of the file.
 */
export function useWsGateways(): (overrides?: ConfigObject) => Promise<WsTestGateway> {
  const started: WsTestGateway[] = [];
  afterEach(async () => {
    for (const gateway of started.splice(0)) await gateway.stop();
  });
  return async (overrides = {}) => {
    const gateway = await startWsGateway(overrides);
    started.push(gateway);
    return gateway;
  };
}
