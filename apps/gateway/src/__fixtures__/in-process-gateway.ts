/**
 * A whole gateway in the test process, for tests that talk to it over a real socket (HTTP routes,
 * the WebSocket door, SDK clients): `startGateway` on a temporary state directory with chat
 * completions on, token auth with {@link IN_PROCESS_GATEWAY_TOKEN}, the memory session store and
 * agents `main` (default) and `beta`, merged with each test's config.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';
import { silentLogger, type HttpLogger } from '../http/http-logger.js';
import { startGateway, type RunningGateway } from '../server.js';

/**
 * The bearer token of every in-process gateway; not `build-test-app.ts`'s `TEST_TOKEN`, which
 * belongs to supertest apps built from a config.
 */
export const IN_PROCESS_GATEWAY_TOKEN = 'in-process-gateway-token-0123456789';

/** A running in-process gateway. */
export interface InProcessGateway {
  gateway: RunningGateway;
  /** `http://127.0.0.1:<port>`. */
  url: string;
  stateDir: string;
  /** `Authorization` and `content-type` headers for a JSON request with {@link IN_PROCESS_GATEWAY_TOKEN}. */
  headers: Record<string, string>;
  /** Closes the gateway and removes its state directory. */
  stop(): Promise<void>;
}

/** Options of {@link startInProcessGateway}. */
export interface InProcessGatewayOptions {
  /** Receives what the gateway logs. @defaultValue silent */
  logger?: HttpLogger;
}

type ConfigObject = Record<string, unknown>;

function isObject(value: unknown): value is ConfigObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Deep-merges `overrides` into `base` (objects merge, arrays and values replace). */
function merge(base: ConfigObject, overrides: ConfigObject): ConfigObject {
  const out: ConfigObject = { ...base };
  for (const [key, value] of Object.entries(overrides)) {
    const current = out[key];
    out[key] = isObject(value) && isObject(current) ? merge(current, value) : value;
  }
  return out;
}

/** Starts a gateway with the base test config merged with `overrides`; the caller stops it. */
export async function startInProcessGateway(
  overrides: ConfigObject = {},
  options: InProcessGatewayOptions = {},
): Promise<InProcessGateway> {
  const stateDir = await mkdtemp(path.join(os.tmpdir(), 'clawgate-in-process-'));
  const config = merge(
    {
      gateway: {
        auth: { mode: 'token', token: IN_PROCESS_GATEWAY_TOKEN },
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
    env: {},
    print: () => undefined,
    logger: options.logger ?? silentLogger,
  });
  return {
    gateway,
    url: gateway.url,
    stateDir,
    headers: { authorization: `Bearer ${IN_PROCESS_GATEWAY_TOKEN}`, 'content-type': 'application/json' },
    async stop() {
      await gateway.close();
      await rm(stateDir, { recursive: true, force: true });
    },
  };
}

/**
 * A `start(overrides, options)` for one test file: each gateway it starts is stopped after the test
 * that started it. Call at the top of the file.
 */
export function useInProcessGateways(): (
  overrides?: ConfigObject,
  options?: InProcessGatewayOptions,
) => Promise<InProcessGateway> {
  const started: InProcessGateway[] = [];
  afterEach(async () => {
    for (const gateway of started.splice(0)) await gateway.stop();
  });
  return async (overrides = {}, options = {}) => {
    const gateway = await startInProcessGateway(overrides, options);
    started.push(gateway);
    return gateway;
  };
}
