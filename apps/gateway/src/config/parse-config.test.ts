import { describe, expect, it } from 'vitest';
import { ConfigError } from './config-error.js';
import { parseConfig } from './parse-config.js';

const MEGABYTE = 1024 * 1024;

function errorOf(value: unknown, env: NodeJS.ProcessEnv = {}): ConfigError {
  try {
    parseConfig(value, env);
  } catch (error) {
    if (ConfigError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('parseConfig defaults', () => {
  it('fills every default into an empty configuration', () => {
    expect(parseConfig({}, {})).toEqual({
      gateway: {
        port: 18789,
        bind: '127.0.0.1',
        auth: {
          rateLimit: {
            enabled: true,
            maxAttempts: 10,
            windowMs: 60000,
            lockoutMs: 300000,
            exemptLoopback: true,
            store: 'memory',
          },
        },
        trustedProxies: [],
        shutdownTimeoutMs: 10000,
        http: {
          endpoints: {
            chatCompletions: {
              enabled: false,
              images: {
                allowUrl: false,
                maxImages: 8,
                maxImageBytes: 10 * MEGABYTE,
                maxTotalImageBytes: 20 * MEGABYTE,
              },
              limits: { maxMessages: 2048, maxContentParts: 4096, maxTools: 128, maxToolCalls: 4096 },
            },
            responses: {
              enabled: false,
              previousResponseTtlMs: 30 * 24 * 3600 * 1000,
              limits: { maxInputItems: 2048, maxContentParts: 4096, maxTools: 128 },
            },
          },
          cors: { allowedOrigins: [], maxAgeSeconds: 600 },
          sseHeartbeatMs: 15000,
          maxBodyBytes: 20 * MEGABYTE,
          bodyTimeoutMs: 30000,
          maxJsonDepth: 64,
          maxJsonValues: 250000,
          headersTimeoutMs: 10000,
          requestTimeoutMs: 60000,
        },
        ws: {
          enabled: true,
          allowedOrigins: [],
          maxPayload: 25 * MEGABYTE,
          maxBufferedBytes: 50 * MEGABYTE,
          tickIntervalMs: 30000,
          pingIntervalMs: 25000,
          handshakeTimeoutMs: 10000,
          maxRunsPerConnection: 16,
        },
        webchat: { enabled: false },
        metrics: { enabled: false, auth: 'required' },
      },
      models: { providers: {} },
      agents: {
        defaults: {
          model: 'offline/clawgate-offline',
          fallbacks: [],
          maxHistoryMessages: 200,
          maxReplyChars: 4 * MEGABYTE,
        },
        list: [{ id: 'main', default: true }],
      },
      sessions: { store: 'file', persistEphemeral: false, maxQueuedTurns: 32, queueTimeoutMs: 60000 },
      logging: { level: 'info', includeContent: false },
      telemetry: {},
    });
  });

  it('treats undefined (no file) like an empty object', () => {
    expect(parseConfig(undefined, {}).gateway.port).toBe(18789);
  });

  it('fills nested defaults next to given keys', () => {
    const config = parseConfig({ gateway: { http: { endpoints: { chatCompletions: { enabled: true } } } } }, {});
    expect(config.gateway.http.endpoints.chatCompletions).toEqual({
      enabled: true,
      images: { allowUrl: false, maxImages: 8, maxImageBytes: 10 * MEGABYTE, maxTotalImageBytes: 20 * MEGABYTE },
      limits: { maxMessages: 2048, maxContentParts: 4096, maxTools: 128, maxToolCalls: 4096 },
    });
    expect(config.gateway.http.sseHeartbeatMs).toBe(15000);
  });

  it('fills provider defaults and infers api openai-completions', () => {
    const config = parseConfig(
      {
        models: {
          providers: { local: { baseUrl: 'http://127.0.0.1:11434/v1' }, offline: { api: 'offline', delayMs: 5 } },
        },
      },
      {},
    );
    expect(config.models.providers).toEqual({
      local: { api: 'openai-completions', baseUrl: 'http://127.0.0.1:11434/v1', timeoutMs: 120000 },
      offline: { api: 'offline', delayMs: 5 },
    });
  });

  it('accepts redis stores', () => {
    const config = parseConfig(
      {
        sessions: { store: { redis: 'redis://127.0.0.1:6379' } },
        gateway: { auth: { rateLimit: { store: { redis: 'rediss://h:6380' } } } },
      },
      {},
    );
    expect(config.sessions.store).toEqual({ redis: 'redis://127.0.0.1:6379' });
    expect(config.gateway.auth.rateLimit.store).toEqual({ redis: 'rediss://h:6380' });
  });
});

describe('parseConfig agents', () => {
  it('normalises ids and marks the first agent default when none is marked', () => {
    const config = parseConfig({ agents: { list: [{ id: ' Ops Team ' }, { id: 'beta', model: 'offline/x' }] } }, {});
    expect(config.agents.list).toEqual([
      { id: 'ops-team', default: true },
      { id: 'beta', model: 'offline/x', default: false },
    ]);
  });

  it('keeps the agent marked default', () => {
    const config = parseConfig({ agents: { list: [{ id: 'a' }, { id: 'b', default: true }] } }, {});
    expect(config.agents.list.map((agent) => [agent.id, agent.default])).toEqual([
      ['a', false],
      ['b', true],
    ]);
  });

  it('uses one agent main for an empty list', () => {
    expect(parseConfig({ agents: { list: [] } }, {}).agents.list).toEqual([{ id: 'main', default: true }]);
  });
});

describe('parseConfig errors name the key', () => {
  it.each([
    [{ gateway: { port: '18789' } }, 'gateway.port: Invalid input: expected number, received string'],
    [{ gateway: { port: 70000 } }, 'gateway.port: Too big: expected number to be <=65535'],
    [{ gateway: { prot: 1 } }, 'gateway.prot: Unrecognized key; did you mean `port`?'],
    [{ gatway: {} }, 'gatway: Unrecognized key; did you mean `gateway`?'],
    [{ gateway: { colour: 'red' } }, 'gateway.colour: Unrecognized key'],
    [
      { gateway: { auth: { mode: 'tokn' } } },
      'gateway.auth.mode: Invalid option: expected one of "none"|"token"|"password"|"trusted-proxy"',
    ],
    [
      { gateway: { auth: { rateLimit: { maxAttempts: 0 } } } },
      'gateway.auth.rateLimit.maxAttempts: Too small: expected number to be >0',
    ],
    [
      { gateway: { http: { endpoints: { chatCompletions: { enabled: 'yes' } } } } },
      'gateway.http.endpoints.chatCompletions.enabled: Invalid input: expected boolean, received string',
    ],
    [
      { gateway: { http: { endpoints: { chatCompletions: { images: { allowUrls: true } } } } } },
      'gateway.http.endpoints.chatCompletions.images.allowUrls: Unrecognized key; did you mean `allowUrl`?',
    ],
    [
      { models: { providers: { x: { api: 'anthropic' } } } },
      'models.providers.x.api: expected "openai-completions" or "offline"',
    ],
    [{ models: { providers: { x: { baseUrl: 'not a url' } } } }, 'models.providers.x.baseUrl: Invalid URL'],
    [{ models: { providers: { x: { baseUrl: 'ftp://h/v1' } } } }, 'models.providers.x.baseUrl: Invalid URL'],
    [
      { models: { providers: { x: { baseUrl: 'http://h/v1', timeoutMs: -1 } } } },
      'models.providers.x.timeoutMs: Too small: expected number to be >0',
    ],
    [{ agents: { defaults: { model: 'gpt-4o' } } }, 'agents.defaults.model: expected "<provider>/<model id>"'],
    [
      { agents: { defaults: { maxHistoryMessages: 1.5 } } },
      'agents.defaults.maxHistoryMessages: Invalid input: expected int, received number',
    ],
    [
      { gateway: { http: { headersTimeoutMs: 5000, requestTimeoutMs: 4000 } } },
      'gateway.http.requestTimeoutMs: must be at least headersTimeoutMs (5000)',
    ],
    [
      { gateway: { port: 9100, metrics: { enabled: true, port: 9100 } } },
      "gateway.metrics.port: must differ from gateway.port (9100): leave it out to serve /metrics on the gateway's port",
    ],
    [
      { gateway: { metrics: { auth: 'token' } } },
      'gateway.metrics.auth: Invalid option: expected one of "required"|"none"',
    ],
    [
      { sessions: { queueTimeoutMs: 3_000_000_000 } },
      'sessions.queueTimeoutMs: Too big: expected number to be <=2147483647',
    ],
    [
      { gateway: { http: { sseHeartbeatMs: 2_147_483_648 } } },
      'gateway.http.sseHeartbeatMs: Too big: expected number to be <=2147483647',
    ],
    [
      { gateway: { http: { endpoints: { chatCompletions: { limits: { maxMessages: 0 } } } } } },
      'gateway.http.endpoints.chatCompletions.limits.maxMessages: Too small: expected number to be >0',
    ],
    [
      { agents: { list: [{ id: 'a' }, { id: 'A' }] } },
      "agents.list.1.id: duplicate agent id 'a' (also agents.list.0.id)",
    ],
    [
      {
        agents: {
          list: [
            { id: 'a', default: true },
            { id: 'b', default: true },
          ],
        },
      },
      "agents.list.1.default: only one agent can be the default (already 'a')",
    ],
    [
      { agents: { list: [{ id: 'a', model: 'local/llama3' }] } },
      "agents.list.0.model: unknown provider 'local' (configured: offline)",
    ],
    [
      { agents: { defaults: { model: 'openai/gpt-4o' } } },
      "agents.defaults.model: unknown provider 'openai' (configured: offline)",
    ],
    [{ sessions: { store: 'sqlite' } }, 'sessions.store: Invalid input'],
    [{ sessions: { store: { redis: 'http://x' } } }, 'sessions.store.redis: Invalid URL'],
    [
      { logging: { level: 'verbose' } },
      'logging.level: Invalid option: expected one of "fatal"|"error"|"warn"|"info"|"debug"|"trace"|"silent"',
    ],
  ])('%j → %s', (value, message) => {
    const error = errorOf(value);
    expect(error.message).toBe(message);
    expect(error.key).toBe(message.slice(0, message.indexOf(':')));
  });

  it('rejects a JSON5 __proto__ key as unknown instead of adopting it as a prototype', async () => {
    const { default: JSON5 } = await import('json5');
    const value = JSON5.parse('{ gateway: { auth: { __proto__: { token: "sneaky" } } } }');
    expect(errorOf(value).message).toBe('gateway.auth.__proto__: Unrecognized key');
  });

  it('refuses a non-object document', () => {
    expect(errorOf([1, 2]).message).toBe('configuration: Invalid input: expected object');
  });
});

describe('parseConfig env references', () => {
  it('resolves ${VAR} in string values anywhere in a string', () => {
    const config = parseConfig(
      { models: { providers: { local: { baseUrl: 'http://${HOST}:11434/v1', apiKey: '${KEY}' } } } },
      { HOST: '10.0.0.5', KEY: 'sk-abc' },
    );
    expect(config.models.providers.local).toMatchObject({ baseUrl: 'http://10.0.0.5:11434/v1', apiKey: 'sk-abc' });
  });

  it('keeps $${VAR} as the literal ${VAR}', () => {
    const config = parseConfig({ agents: { defaults: { systemPrompt: 'Use $${NAME} and ${NAME}' } } }, { NAME: 'x' });
    expect(config.agents.defaults.systemPrompt).toBe('Use ${NAME} and x');
  });

  it('names the key and the variable when it is missing or empty', () => {
    const value = { gateway: { auth: { token: '${CLAWGATE_TEST_TOKEN}' } } };
    expect(errorOf(value).message).toBe('gateway.auth.token: environment variable CLAWGATE_TEST_TOKEN is not set');
    expect(errorOf(value, { CLAWGATE_TEST_TOKEN: '' }).message).toBe(
      'gateway.auth.token: environment variable CLAWGATE_TEST_TOKEN is not set',
    );
    expect(errorOf({ agents: { list: [{ id: 'a', systemPrompt: '${1BAD}' }] } }).message).toBe(
      'agents.list.0.systemPrompt: invalid environment variable reference ${1BAD}',
    );
  });

  it('does not resolve values that are not strings or resolve keys', () => {
    const config = parseConfig({ models: { providers: { '${X}': { baseUrl: 'http://h/v1' } } } }, { X: 'y' });
    expect(Object.keys(config.models.providers)).toEqual(['${X}']);
  });
});
