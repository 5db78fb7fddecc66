/**
 * In-process gateways for the `/v1/embeddings` tests: `startGateway` on a temporary state directory
 * with chat completions on, token auth with a fixed token, the memory session store and agents `main`
 * (default) and `beta`, merged with each test's config; stopped and removed after the test. A test
 * may pass a logger to read what the gateway logged.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';
import { silentLogger, type HttpLogger } from '../http/http-logger.js';
import { startGateway } from '../server.js';

export const EMBEDDINGS_TEST_TOKEN = 'embeddings-test-token-0123456789';

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

/** A running test gateway. */
export interface EmbeddingsTestGateway {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  /** `Authorization` and `content-type` headers for a JSON request with the test token. */
  headers: Record<string, string>;
}

/**
 * A `start(overrides, options)` for one test file: each gateway it starts is stopped (and its state
 * directory removed) after the test that started it. Call at the top of the file.
 */
export function useEmbeddingsGateways(): (
  overrides?: ConfigObject,
  options?: { logger?: HttpLogger },
) => Promise<EmbeddingsTestGateway> {
  const stops: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const stop of stops.splice(0)) await stop();
  });
  return async (overrides = {}, options = {}) => {
    const stateDir = await mkdtemp(path.join(os.tmpdir(), 'clawgate-embeddings-'));
    const config = merge(
      {
        gateway: {
          auth: { mode: 'token', token: EMBEDDINGS_TEST_TOKEN },
          http: { endpoints: { chatCompletions: { enabled: true } } },
          ws: { enabled: false },
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
    stops.push(async () => {
      await gateway.close();
      await rm(stateDir, { recursive: true, force: true });
    });
    return {
      url: gateway.url,
      headers: { authorization: `Bearer ${EMBEDDINGS_TEST_TOKEN}`, 'content-type': 'application/json' },
    };
  };
}
