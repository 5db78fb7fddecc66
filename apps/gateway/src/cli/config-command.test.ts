/**
 * `clawgate config check`, run as the BUILT bin: exact output, defaults filled in, secrets never
 * printed, the offending key named on error.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openClawFixturePath, readOpenClawFixture } from '../config/__fixtures__/read-openclaw-fixture.js';
import { describeIgnoredKeys } from '../config/describe-ignored-keys.js';
import { parseConfig, parseConfigAndIgnoredKeys } from '../config/parse-config.js';
import { redactConfig } from '../config/redact-config.js';
import { cliEnv, ensureBuiltCli, runCliProcess } from './__fixtures__/built-cli.js';
import { CONFIG_CHECK_USAGE, CONFIG_USAGE } from './config-command.js';

let dir: string;

beforeAll(async () => {
  ensureBuiltCli();
  dir = await mkdtemp(path.join(os.tmpdir(), 'clawgate-config-check-'));
}, 120_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function writeConfig(name: string, text: string): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, text);
  return file;
}

const SECRETS = {
  token: 'tok-7f3a9c-never-print',
  password: 'pw-41d2-never-print',
  apiKey: 'sk-env-5e8b-never-print',
  headerKey: 'hdr-c0ffee-never-print',
  redisPassword: 'redis-pass-9b1e-never-print',
  limiterPassword: 'limiter-pass-2a77-never-print',
  baseUrlPassword: 'base-pass-d00d-never-print',
};

describe('clawgate config check', () => {
  it('prints every default for an empty file, with the derived auth mode', async () => {
    const file = await writeConfig('empty.json5', '{}');
    const result = await runCliProcess(['config', 'check', '--config', file], cliEnv(dir));
    expect(result.code).toBe(0);
    expect(result.stderr).toBe(`config: ${file}\n`);
    const printed = JSON.parse(result.stdout);
    const expected = parseConfig({}, {});
    expect(printed).toEqual({
      ...expected,
      gateway: { ...expected.gateway, auth: { mode: 'token', ...expected.gateway.auth } },
    });
    // Spot checks that do not lean on parseConfig: the documented defaults
    // (docs/http-contract.md#8-configuration).
    expect(printed.gateway.port).toBe(18789);
    expect(printed.gateway.bind).toBe('127.0.0.1');
    expect(printed.gateway.auth.rateLimit).toMatchObject({
      maxAttempts: 10,
      windowMs: 60000,
      lockoutMs: 300000,
      exemptLoopback: true,
      store: 'memory',
    });
    expect(printed.gateway.http.endpoints.chatCompletions.enabled).toBe(false);
    expect(printed.gateway.http.sseHeartbeatMs).toBe(15000);
    expect(printed.agents.list).toEqual([{ id: 'main', default: true }]);
    expect(printed.sessions).toEqual({
      store: 'file',
      persistEphemeral: false,
      maxQueuedTurns: 32,
      queueTimeoutMs: 60000,
    });
    expect(result.stdout.endsWith('}\n')).toBe(true);
  });

  it('redacts the token, password, apiKey, credential headers and every URL password', async () => {
    const file = await writeConfig(
      'secrets.json5',
      `{
        gateway: { auth: { mode: "token", token: "${SECRETS.token}", password: "${SECRETS.password}",
                           rateLimit: { store: { redis: "redis://limiter:${SECRETS.limiterPassword}@127.0.0.1:6379/1" } } } },
        models: { providers: { openai: {
          baseUrl: "https://proxy:${SECRETS.baseUrlPassword}@api.example.com/v1",
          apiKey: "\${TEST_OPENAI_KEY}",
          headers: { Authorization: "Bearer ${SECRETS.headerKey}", "X-Title": "clawgate" },
        } } },
        agents: { list: [{ id: "main", model: "openai/gpt-4o" }] },
        sessions: { store: { redis: "redis://default:${SECRETS.redisPassword}@127.0.0.1:6379/0" } },
      }`,
    );
    const result = await runCliProcess(
      ['config', 'check', '--config', file],
      cliEnv(dir, { TEST_OPENAI_KEY: SECRETS.apiKey }),
    );
    expect(result.stderr).toBe(`config: ${file}\n`);
    expect(result.code).toBe(0);
    for (const secret of Object.values(SECRETS)) {
      expect(result.stdout).not.toContain(secret);
      expect(result.stderr).not.toContain(secret);
    }
    const printed = JSON.parse(result.stdout);
    expect(printed.gateway.auth.token).toBe('***');
    expect(printed.gateway.auth.password).toBe('***');
    expect(printed.gateway.auth.mode).toBe('token');
    expect(printed.gateway.auth.rateLimit.store).toEqual({ redis: 'redis://***:***@127.0.0.1:6379/1' });
    expect(printed.models.providers.openai).toEqual({
      api: 'openai-completions',
      baseUrl: 'https://***:***@api.example.com/v1',
      apiKey: '***',
      headers: { Authorization: '***', 'X-Title': 'clawgate' },
      timeoutMs: 120000,
    });
    expect(printed.sessions.store).toEqual({ redis: 'redis://***:***@127.0.0.1:6379/0' });
    // The printed value is exactly the redacted resolved config, nothing more.
    const expected = redactConfig(
      parseConfig(
        {
          gateway: {
            auth: {
              mode: 'token',
              token: SECRETS.token,
              password: SECRETS.password,
              rateLimit: { store: { redis: `redis://limiter:${SECRETS.limiterPassword}@127.0.0.1:6379/1` } },
            },
          },
          models: {
            providers: {
              openai: {
                baseUrl: `https://proxy:${SECRETS.baseUrlPassword}@api.example.com/v1`,
                apiKey: SECRETS.apiKey,
                headers: { Authorization: `Bearer ${SECRETS.headerKey}`, 'X-Title': 'clawgate' },
              },
            },
          },
          agents: { list: [{ id: 'main', model: 'openai/gpt-4o' }] },
          sessions: { store: { redis: `redis://default:${SECRETS.redisPassword}@127.0.0.1:6379/0` } },
        },
        {},
      ),
    );
    expect(printed).toEqual(expected);
  });

  it('derives password mode from OPENCLAW_GATEWAY_PASSWORD, as start-up does, without printing it', async () => {
    const file = await writeConfig('env-password.json5', '{}');
    const result = await runCliProcess(
      ['config', 'check', '--config', file],
      cliEnv(dir, { OPENCLAW_GATEWAY_PASSWORD: SECRETS.password }),
    );
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).gateway.auth.mode).toBe('password');
    expect(result.stdout + result.stderr).not.toContain(SECRETS.password);
  });

  it('reads $CLAWGATE_CONFIG, else <state dir>/clawgate.json5, else reports built-in defaults', async () => {
    const viaEnv = await writeConfig('via-env.json5', '{ gateway: { port: 4242 } }');
    const fromEnv = await runCliProcess(['config', 'check'], cliEnv(dir, { CLAWGATE_CONFIG: viaEnv }));
    expect(fromEnv.code).toBe(0);
    expect(fromEnv.stderr).toBe(`config: ${viaEnv}\n`);
    expect(JSON.parse(fromEnv.stdout).gateway.port).toBe(4242);

    const stateDir = await mkdtemp(path.join(dir, 'state-'));
    const none = await runCliProcess(['config', 'check'], cliEnv(stateDir));
    expect(none.code).toBe(0);
    expect(none.stderr).toBe('config: (none: built-in defaults)\n');
    await writeFile(path.join(stateDir, 'clawgate.json5'), '{ gateway: { port: 4343 } }');
    const inState = await runCliProcess(['config', 'check'], cliEnv(stateDir));
    expect(inState.stderr).toBe(`config: ${path.join(stateDir, 'clawgate.json5')}\n`);
    expect(JSON.parse(inState.stdout).gateway.port).toBe(4343);
  });

  it('reads $OPENCLAW_CONFIG_PATH; lists the ignored keys on stderr, never their values', async () => {
    const file = openClawFixturePath('openclaw-channels');
    const env = {
      OPENCLAW_GATEWAY_TOKEN: SECRETS.token,
      LOCAL_LLM_BASE_URL: 'http://127.0.0.1:9/v1',
      LOCAL_LLM_API_KEY: SECRETS.apiKey,
    };
    const result = await runCliProcess(['config', 'check'], cliEnv(dir, { ...env, OPENCLAW_CONFIG_PATH: file }));
    expect(result.code).toBe(0);
    const { config, ignoredKeys } = parseConfigAndIgnoredKeys(readOpenClawFixture('openclaw-channels'), env);
    expect(result.stderr).toBe(`config: ${file}\n${describeIgnoredKeys(ignoredKeys)}\n`);
    expect(result.stderr).toContain(': env, logging.consoleStyle, ');
    expect(result.stderr).toContain(', channels, hooks, session, ');
    for (const secret of [SECRETS.token, SECRETS.apiKey, 'hook-token-5a1f-never-print']) {
      expect(result.stdout + result.stderr).not.toContain(secret);
    }
    const printed = JSON.parse(result.stdout);
    expect(printed).toEqual(
      redactConfig({ ...config, gateway: { ...config.gateway, auth: { mode: 'token', ...config.gateway.auth } } }),
    );
    expect(printed.agents.list).toEqual([
      {
        id: 'main',
        model: 'local/qwen3-32b',
        fallbacks: ['local/qwen3-coder', 'offline/clawgate-offline'],
        default: true,
      },
      { id: 'coder', model: 'local/qwen3-coder', default: false },
    ]);
    // --config and $CLAWGATE_CONFIG come first.
    const own = await writeConfig('own.json5', '{ gateway: { port: 4444 } }');
    const both = await runCliProcess(
      ['config', 'check'],
      cliEnv(dir, { CLAWGATE_CONFIG: own, OPENCLAW_CONFIG_PATH: file }),
    );
    expect(both.stderr).toBe(`config: ${own}\n`);
  });

  it.each([
    ['bad-port.json5', '{ gateway: { port: "80" } }', 'gateway.port: Invalid input: expected number, received string'],
    ['typo.json5', '{ gateway: { prot: 80 } }', 'gateway.prot: Unrecognized key; did you mean `port`?'],
    [
      'agents-typo.json5',
      '{ agents: { defualts: {} } }',
      'agents.defualts: Unrecognized key; did you mean `defaults`?',
    ],
    [
      'provider.json5',
      '{ agents: { list: [{ id: "main", model: "nowhere/m" }] } }',
      "agents.list.0.model: unknown provider 'nowhere' (configured: offline)",
    ],
    [
      'env.json5',
      '{ gateway: { auth: { token: "${CLAWGATE_TEST_UNSET_VAR}" } } }',
      'gateway.auth.token: environment variable CLAWGATE_TEST_UNSET_VAR is not set',
    ],
    [
      'metrics-port.json5',
      '{ gateway: { metrics: { enabled: true, port: 18789 } } }',
      "gateway.metrics.port: must differ from gateway.port (18789): leave it out to serve /metrics on the gateway's port",
    ],
    [
      'proxy.json5',
      '{ gateway: { auth: { mode: "trusted-proxy" } } }',
      'gateway.auth.trustedProxy.userHeader is required in trusted-proxy mode',
    ],
  ])('%s → exit 1 naming the key, nothing on stdout', async (name, text, message) => {
    const file = await writeConfig(name, text);
    const result = await runCliProcess(['config', 'check', '--config', file], cliEnv(dir));
    expect(result).toEqual({
      code: 1,
      signal: null,
      stdout: '',
      stderr: `clawgate config check: ${message} (in ${file})\n`,
    });
  });

  it('exits 1 for a missing file and for invalid JSON5, without echoing a secret from the file', async () => {
    const missing = path.join(dir, 'missing.json5');
    expect(await runCliProcess(['config', 'check', '--config', missing], cliEnv(dir))).toEqual({
      code: 1,
      signal: null,
      stdout: '',
      stderr: `clawgate config check: ${missing}: file not found\n`,
    });
    const broken = await writeConfig('broken.json5', `{ gateway: { auth: { token: "${SECRETS.token}" } `);
    const result = await runCliProcess(['config', 'check', '--config', broken], cliEnv(dir));
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(
      new RegExp(`^clawgate config check: ${broken.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: invalid JSON5: `),
    );
    expect(result.stderr).not.toContain(SECRETS.token);
  });

  it('prints help with exit codes and refuses bad usage with exit 2', async () => {
    const env = cliEnv(dir);
    expect(await runCliProcess(['config', 'check', '--help'], env)).toEqual({
      code: 0,
      signal: null,
      stdout: `${CONFIG_CHECK_USAGE}\n`,
      stderr: '',
    });
    expect(await runCliProcess(['config', '-h'], env)).toEqual({
      code: 0,
      signal: null,
      stdout: `${CONFIG_USAGE}\n`,
      stderr: '',
    });
    expect(CONFIG_CHECK_USAGE).toContain('Exit codes:\n  0    the configuration is valid\n  1    ');
    expect(await runCliProcess(['config'], env)).toEqual({
      code: 2,
      signal: null,
      stdout: '',
      stderr: `${CONFIG_USAGE}\n`,
    });
    expect(await runCliProcess(['config', 'lint'], env)).toEqual({
      code: 2,
      signal: null,
      stdout: '',
      stderr: `Unknown subcommand 'config lint'\n\n${CONFIG_USAGE}\n`,
    });
    expect(await runCliProcess(['config', 'check', '--strict'], env)).toEqual({
      code: 2,
      signal: null,
      stdout: '',
      stderr: `Unknown option '--strict'\n\n${CONFIG_CHECK_USAGE}\n`,
    });
    expect(await runCliProcess(['config', 'check', '--config', ' '], env)).toEqual({
      code: 2,
      signal: null,
      stdout: '',
      stderr: `Option --config needs a file path\n\n${CONFIG_CHECK_USAGE}\n`,
    });
  });
});
