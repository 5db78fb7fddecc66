/**
 * When tracing turns on, and how a bad endpoint is refused: by the schema (`config check` names
 * `telemetry.otlp.endpoint`) or, for the environment variable, at start-up.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliEnv, ensureBuiltCli, runCliProcess } from '../cli/__fixtures__/built-cli.js';
import { ConfigError } from '../config/config-error.js';
import { parseConfig } from '../config/parse-config.js';
import { OTLP_ENDPOINT_VARIABLE, startTracing } from './start-tracing.js';

let dir: string;

/** What `run` threw. */
function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

beforeAll(async () => {
  ensureBuiltCli();
  dir = await mkdtemp(path.join(os.tmpdir(), 'clawgate-telemetry-config-'));
}, 120_000);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('telemetry configuration', () => {
  it('is off by default and takes an endpoint, headers and a service name', () => {
    expect(parseConfig({}, {}).telemetry).toEqual({});
    const config = parseConfig(
      {
        telemetry: {
          otlp: { endpoint: 'http://collector:4318', headers: { 'x-api-key': '${KEY}' }, serviceName: 'edge' },
        },
      },
      { KEY: 'k-1' },
    );
    expect(config.telemetry).toEqual({
      otlp: { endpoint: 'http://collector:4318', headers: { 'x-api-key': 'k-1' }, serviceName: 'edge' },
    });
  });

  it.each([
    ['not a URL', 'not a url'],
    ['another scheme', 'grpc://collector:4317'],
  ])('refuses an endpoint that is %s, naming the key', (_label, endpoint) => {
    expect(thrown(() => parseConfig({ telemetry: { otlp: { endpoint } } }, {}))).toMatchObject({
      name: 'ConfigError',
      message: 'telemetry.otlp.endpoint: Invalid URL',
      key: 'telemetry.otlp.endpoint',
    });
  });

  it('refuses unknown keys in the section', () => {
    expect(() => parseConfig({ telemetry: { otlp: { endpoint: 'http://c:4318', protocol: 'grpc' } } }, {})).toThrow(
      /^telemetry\.otlp\.protocol: Unrecognized key/,
    );
  });

  it('fails `config check` with exit 1 and the key for a bad endpoint', async () => {
    const file = path.join(dir, 'bad-endpoint.json5');
    await writeFile(file, '{ telemetry: { otlp: { endpoint: "collector:4318" } } }');
    expect(await runCliProcess(['config', 'check', '--config', file], cliEnv(dir))).toEqual({
      code: 1,
      signal: null,
      stdout: '',
      stderr: `clawgate config check: telemetry.otlp.endpoint: Invalid URL (in ${file})\n`,
    });
  });
});

describe('startTracing', () => {
  it('starts nothing without an endpoint (a blank variable counts as none)', async () => {
    const config = parseConfig({}, {});
    await expect(startTracing({ config })).resolves.toBeUndefined();
    await expect(startTracing({ config, environmentEndpoint: '  ' })).resolves.toBeUndefined();
  });

  it('refuses a variable that is not an http(s) URL, naming the variable', async () => {
    const starting = startTracing({ config: parseConfig({}, {}), environmentEndpoint: 'collector:4318' });
    await expect(starting).rejects.toBeInstanceOf(ConfigError);
    await expect(starting).rejects.toMatchObject({
      message: `${OTLP_ENDPOINT_VARIABLE}: expected an http(s) URL`,
      key: OTLP_ENDPOINT_VARIABLE,
    });
  });

  it('starts from the variable, or from the key, which wins over it', async () => {
    const fromVariable = await startTracing({
      config: parseConfig({}, {}),
      environmentEndpoint: 'http://127.0.0.1:1',
    });
    expect(fromVariable).toBeDefined();
    await fromVariable?.shutdown();
    // A bad variable is not even read when the key is set.
    const fromKey = await startTracing({
      config: parseConfig({ telemetry: { otlp: { endpoint: 'http://127.0.0.1:1' } } }, {}),
      environmentEndpoint: 'collector:4318',
    });
    expect(fromKey).toBeDefined();
    await fromKey?.shutdown();
  });
});
