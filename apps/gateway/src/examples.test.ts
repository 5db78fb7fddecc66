/**
 * Every file in `examples/` (and every JSON5 block of the README) goes through the app's real
 * `parseConfig`, so an example that drifts from the schema, names a provider that does not exist
 * or references a new environment variable fails here instead of in an operator's terminal.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import JSON5 from 'json5';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanUpRedis, connectRedisAdmin, REDIS_URL, uniqueRedisPrefix } from './__fixtures__/redis-admin.js';
import { resolveRunModel } from './agent/resolve-run-model.js';
import { ConfigError } from './config/config-error.js';
import type { GatewayConfig } from './config/config-schema.js';
import { parseConfig } from './config/parse-config.js';
import { redactConfig } from './config/redact-config.js';
import { resolveAgentSettings } from './config/resolve-agent-settings.js';
import { GatewayError } from './errors.js';
import { silentLogger } from './http/http-logger.js';
import { createProviderRegistry } from './providers/provider-registry.js';
import { startGateway } from './server.js';

const appDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const examplesDir = path.join(appDir, 'examples');

// Dummy values for every variable an example may reference. Distinct, secret-looking strings, so
// the tests can see where each one lands and that redaction hides it.
const DUMMY_ENV: Readonly<Record<string, string>> = {
  OPENAI_API_KEY: 'sk-dummy-openai-key-0001',
  VLLM_API_KEY: 'dummy-vllm-key-0002',
  OPENROUTER_API_KEY: 'sk-or-v1-dummy-key-0003',
  OPENCLAW_GATEWAY_TOKEN: 'dummy-gateway-token-0004',
  REDIS_URL: 'redis://:dummy-redis-password@redis.internal:6379/0',
};

/** What each example must configure. A new example file without an entry here fails the suite. */
interface ExpectedExample {
  /** Exactly the `${VAR}` names the file references. */
  variables: string[];
  /** The provider every agent's model must name, with its upstream settings. */
  provider: { id: string; baseUrl?: string; apiKeyVariable?: string };
  /** Agent ids in order; the first is the default. */
  agents: string[];
}

const EXPECTED: Readonly<Record<string, ExpectedExample>> = {
  'offline.json5': { variables: [], provider: { id: 'offline' }, agents: ['main', 'beta'] },
  'openai.json5': {
    variables: ['OPENAI_API_KEY'],
    provider: { id: 'openai', baseUrl: 'https://api.openai.com/v1', apiKeyVariable: 'OPENAI_API_KEY' },
    agents: ['main', 'coder', 'support'],
  },
  'ollama.json5': {
    variables: [],
    provider: { id: 'ollama', baseUrl: 'http://127.0.0.1:11434/v1' },
    agents: ['main', 'reasoner'],
  },
  'vllm.json5': {
    variables: ['VLLM_API_KEY'],
    provider: { id: 'vllm', baseUrl: 'http://127.0.0.1:8000/v1', apiKeyVariable: 'VLLM_API_KEY' },
    agents: ['main'],
  },
  'openrouter.json5': {
    variables: ['OPENROUTER_API_KEY'],
    provider: { id: 'openrouter', baseUrl: 'https://openrouter.ai/api/v1', apiKeyVariable: 'OPENROUTER_API_KEY' },
    agents: ['main', 'writer'],
  },
  'replicas-redis.json5': {
    variables: ['OPENAI_API_KEY', 'OPENCLAW_GATEWAY_TOKEN', 'REDIS_URL'],
    provider: { id: 'openai', baseUrl: 'https://api.openai.com/v1', apiKeyVariable: 'OPENAI_API_KEY' },
    agents: ['main', 'coder'],
  },
};

const exampleFiles = readdirSync(examplesDir)
  .filter((name) => name.endsWith('.json5'))
  .sort();

/** `${NAME}` references in a text (an escaped `$${NAME}` is not one). */
function referencedVariables(text: string): string[] {
  const names = new Set<string>();
  for (const match of text.matchAll(/(^|[^$])\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g)) names.add(match[2] as string);
  return [...names].sort();
}

function dummyEnvFor(variables: readonly string[]): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const name of variables) {
    const value = DUMMY_ENV[name];
    if (value === undefined) throw new Error(`no dummy value for ${name}: add it to DUMMY_ENV`);
    env[name] = value;
  }
  return env;
}

function readExample(name: string): { text: string; value: unknown } {
  const text = readFileSync(path.join(examplesDir, name), 'utf8');
  return { text, value: JSON5.parse(text) };
}

function parseExample(name: string): GatewayConfig {
  const { text, value } = readExample(name);
  return parseConfig(value, dummyEnvFor(referencedVariables(text)));
}

function modelOf(config: GatewayConfig, agentId: string): string {
  const settings = resolveAgentSettings(config, agentId);
  if (!settings) throw new Error(`agent ${agentId} missing`);
  return settings.model;
}

describe('examples/', () => {
  it('has an expectation for every example file, and a file for every expectation', () => {
    expect(exampleFiles).toEqual(Object.keys(EXPECTED).sort());
  });

  describe.each(exampleFiles)('%s', (name) => {
    const expected = EXPECTED[name] as ExpectedExample;

    it('references exactly the documented environment variables', () => {
      expect(referencedVariables(readExample(name).text)).toEqual([...expected.variables].sort());
    });

    it('parses with the real schema, enables the endpoint and lists the agents with one default', () => {
      const config = parseExample(name);
      expect(config.gateway.http.endpoints.chatCompletions.enabled).toBe(true);
      expect(config.agents.list.map((agent) => agent.id)).toEqual(expected.agents);
      expect(config.agents.list.filter((agent) => agent.default).map((agent) => agent.id)).toEqual([
        expected.agents[0],
      ]);
    });

    it('points every agent at its provider, with the upstream settings resolved from the environment', async () => {
      const config = parseExample(name);
      const { id, baseUrl, apiKeyVariable } = expected.provider;
      for (const agentId of expected.agents) {
        expect(modelOf(config, agentId).startsWith(`${id}/`)).toBe(true);
      }
      if (id === 'offline') {
        expect(config.models.providers).toEqual({});
      } else {
        const provider = config.models.providers[id];
        expect(provider?.api).toBe('openai-completions');
        if (provider?.api !== 'openai-completions') return;
        expect(provider.baseUrl).toBe(baseUrl);
        expect(provider.apiKey).toBe(apiKeyVariable === undefined ? undefined : DUMMY_ENV[apiKeyVariable]);
      }
      // The registry resolves every agent's model at construction and throws on an unknown provider.
      const registry = createProviderRegistry({ config });
      try {
        for (const agentId of expected.agents) {
          expect(registry.resolve(modelOf(config, agentId)).provider.id).toBe(id);
        }
      } finally {
        await registry.close();
      }
    });
  });

  const withVariables = exampleFiles.filter((name) => (EXPECTED[name]?.variables.length ?? 0) > 0);
  it.each(withVariables)('%s refuses to start when a referenced variable is unset, naming key and variable', (name) => {
    const expected = EXPECTED[name] as ExpectedExample;
    const { value } = readExample(name);
    for (const missing of expected.variables) {
      const env = dummyEnvFor(expected.variables.filter((variable) => variable !== missing));
      let caught: unknown;
      try {
        parseConfig(value, env);
      } catch (error) {
        caught = error;
      }
      expect(ConfigError.isInstance(caught)).toBe(true);
      expect((caught as ConfigError).message).toMatch(
        new RegExp(`^[\\w.]+: environment variable ${missing} is not set$`),
      );
    }
  });

  it.each(withVariables)('%s shows none of its referenced secrets once redacted (config check output)', (name) => {
    const expected = EXPECTED[name] as ExpectedExample;
    const config = parseExample(name);
    const secrets = expected.variables.map((variable) =>
      variable === 'REDIS_URL' ? 'dummy-redis-password' : (DUMMY_ENV[variable] as string),
    );
    // The secret is really in the parsed config, so its absence below is the redaction's doing.
    for (const secret of secrets) expect(JSON.stringify(config)).toContain(secret);
    const printed = JSON.stringify(redactConfig(config));
    for (const secret of secrets) expect(printed).not.toContain(secret);
  });

  it('offline.json5 keeps the start command working: built-in offline model, token auth, file sessions', () => {
    const config = parseExample('offline.json5');
    expect(config.gateway.port).toBe(18789);
    expect(config.gateway.bind).toBe('127.0.0.1');
    expect(config.gateway.auth.mode).toBe('token');
    expect(config.gateway.auth.token).toBeUndefined();
    expect(config.agents.defaults.model).toBe('offline/clawgate-offline');
    expect(config.sessions.store).toBe('file');
    expect(config.gateway.http.endpoints.responses.enabled).toBe(true);
  });

  it('openai.json5: per-agent allow-lists decide which x-openclaw-model overrides pass', () => {
    const config = parseExample('openai.json5');
    const main = resolveAgentSettings(config, 'main');
    const coder = resolveAgentSettings(config, 'coder');
    const support = resolveAgentSettings(config, 'support');
    if (!main || !coder || !support) throw new Error('agents missing');
    expect(resolveRunModel(main, 'openai/gpt-4o')).toBe('openai/gpt-4o');
    expect(resolveRunModel(main, 'gpt-4o')).toBe('openai/gpt-4o');
    expect(resolveRunModel(coder, 'gpt-4.1')).toBe('openai/gpt-4.1');
    // An empty list on the agent replaces the defaults' list: only its own model.
    expect(resolveRunModel(support, 'gpt-4o-mini')).toBe('openai/gpt-4o-mini');
    expect(() => resolveRunModel(support, 'openai/gpt-4o')).toThrowError(
      "Model 'openai/gpt-4o' is not allowed for agent 'support'.",
    );
    expect(() => resolveRunModel(main, 'gpt-4.1')).toThrowError("Model 'gpt-4.1' is not allowed for agent 'main'.");
  });

  it('openrouter.json5: upstream model ids keep their own "/", overrides need the provider prefix', async () => {
    const config = parseExample('openrouter.json5');
    const registry = createProviderRegistry({ config });
    try {
      expect(registry.resolve('openrouter/openai/gpt-4o-mini').modelId).toBe('openai/gpt-4o-mini');
    } finally {
      await registry.close();
    }
    const provider = config.models.providers.openrouter;
    expect(provider?.api === 'openai-completions' && provider.headers).toEqual({
      'HTTP-Referer': 'https://gateway.example.com',
      'X-Title': 'clawgate',
    });
    const main = resolveAgentSettings(config, 'main');
    if (!main) throw new Error('agent main missing');
    expect(resolveRunModel(main, 'openrouter/meta-llama/llama-3.3-70b-instruct')).toBe(
      'openrouter/meta-llama/llama-3.3-70b-instruct',
    );
    // Without the prefix, `anthropic` would be read as the provider: refused.
    let caught: unknown;
    try {
      resolveRunModel(main, 'anthropic/claude-sonnet-4');
    } catch (error) {
      caught = error;
    }
    expect(GatewayError.isInstance(caught) && [caught.status, caught.message]).toEqual([
      400,
      "Model 'anthropic/claude-sonnet-4' is not allowed for agent 'main'.",
    ]);
  });

  it('vllm.json5: the model id after the first "/" is the Hugging Face name', async () => {
    const config = parseExample('vllm.json5');
    const registry = createProviderRegistry({ config });
    try {
      expect(registry.resolve(modelOf(config, 'main')).modelId).toBe('Qwen/Qwen2.5-7B-Instruct');
    } finally {
      await registry.close();
    }
  });

  it('replicas-redis.json5 shares sessions and the auth limiter through one Redis and a fixed token', () => {
    const config = parseExample('replicas-redis.json5');
    expect(config.sessions.store).toEqual({ redis: DUMMY_ENV.REDIS_URL });
    expect(config.gateway.auth.rateLimit).toEqual({
      enabled: true,
      maxAttempts: 10,
      windowMs: 60_000,
      lockoutMs: 300_000,
      exemptLoopback: false,
      store: { redis: DUMMY_ENV.REDIS_URL },
    });
    expect(config.gateway.auth.token).toBe(DUMMY_ENV.OPENCLAW_GATEWAY_TOKEN);
    expect(config.gateway.trustedProxies).toEqual(['10.0.0.0/8', '127.0.0.1']);
    expect(config.gateway.bind).toBe('0.0.0.0');
  });
});

describe('README.md JSON5 blocks', () => {
  const readme = readFileSync(path.join(appDir, 'README.md'), 'utf8');
  const blocks = [...readme.matchAll(/```json5\n([\s\S]*?)```/g)].map((match) => match[1] as string);

  it('has configuration examples', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(5);
  });

  it.each(blocks.map((block, index) => [index, block] as const))(
    'block %i parses with the real schema',
    (_index, block) => {
      const config = parseConfig(JSON5.parse(block), dummyEnvFor(referencedVariables(block)));
      expect(config.agents.list.length).toBeGreaterThan(0);
      // A block that names an example file must configure exactly what that file configures.
      const named = /^\/\/ examples\/([\w-]+\.json5)/.exec(block)?.[1];
      if (named !== undefined) expect(config).toEqual(parseExample(named));
    },
  );
});

// Parsing is not enough for the two files operators start first: boot them for real.
const redisPrefix = uniqueRedisPrefix('examples');
const stateDirs: string[] = [];
const admin = await connectRedisAdmin();

afterAll(async () => {
  for (const dir of stateDirs) rmSync(dir, { recursive: true, force: true });
  await cleanUpRedis(admin, redisPrefix);
});

function newStateDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'clawgate-examples-'));
  stateDirs.push(dir);
  return dir;
}

/** The parts of a chat completion or error body these tests read. */
interface ChatResponseBody {
  choices?: { message: { content: string } }[];
  error?: { message: string; type: string };
}

async function chat(url: string, token: string, body: unknown): Promise<{ status: number; body: ChatResponseBody }> {
  const response = await fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as ChatResponseBody };
}

describe('examples/ boot with startGateway', () => {
  it('offline.json5 serves the offline model with a generated token and a stored session', async () => {
    const stateDir = newStateDir();
    const gateway = await startGateway({
      configPath: path.join(examplesDir, 'offline.json5'),
      port: 0,
      env: {},
      stateDir,
      print: () => undefined,
      logger: silentLogger,
    });
    try {
      const token = readFileSync(path.join(stateDir, 'gateway-token'), 'utf8').trim();
      const first = await chat(gateway.url, token, {
        model: 'openclaw',
        user: 'alice',
        messages: [{ role: 'user', content: 'hello' }],
      });
      expect(first.status).toBe(200);
      expect(first.body.choices?.[0]?.message.content).toBe('[clawgate offline model] Turn 1. You said: "hello"');
      const second = await chat(gateway.url, token, {
        model: 'openclaw',
        user: 'alice',
        messages: [{ role: 'user', content: 'again' }],
      });
      expect(second.body.choices?.[0]?.message.content).toBe('[clawgate offline model] Turn 2. You said: "again"');
      const beta = await chat(gateway.url, token, {
        model: 'openclaw/beta',
        messages: [{ role: 'user', content: 'hi' }],
      });
      expect(beta.body.choices?.[0]?.message.content).toBe('[clawgate offline model] Turn 1. You said: "hi"');
      const refused = await chat(gateway.url, 'wrong', { messages: [{ role: 'user', content: 'hi' }] });
      expect(refused).toEqual({ status: 401, body: { error: { message: 'Unauthorized', type: 'unauthorized' } } });
      // The Responses API on the same agents, continuing its stored session.
      const respond = async (body: Record<string, unknown>) => {
        const response = await fetch(`${gateway.url}/v1/responses`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
        expect(response.status).toBe(200);
        return (await response.json()) as { id: string; output: Array<{ content: Array<{ text: string }> }> };
      };
      const opening = await respond({ model: 'openclaw', input: 'hello responses' });
      expect(opening.output[0]?.content[0]?.text).toBe('[clawgate offline model] Turn 1. You said: "hello responses"');
      const next = await respond({ model: 'openclaw', input: 'and again', previous_response_id: opening.id });
      expect(next.output[0]?.content[0]?.text).toBe('[clawgate offline model] Turn 2. You said: "and again"');
    } finally {
      await gateway.close();
    }
  });

  it.skipIf(admin === undefined)(
    'replicas-redis.json5 starts against real Redis, answers /readyz and counts auth failures in Redis',
    async () => {
      const env = { ...dummyEnvFor(['OPENAI_API_KEY', 'OPENCLAW_GATEWAY_TOKEN']), REDIS_URL };
      const gateway = await startGateway({
        configPath: path.join(examplesDir, 'replicas-redis.json5'),
        port: 0,
        bind: '127.0.0.1',
        env,
        stateDir: newStateDir(),
        print: () => undefined,
        logger: silentLogger,
        redis: { keyPrefix: redisPrefix },
      });
      try {
        const ready = await fetch(`${gateway.url}/readyz`);
        expect([ready.status, await ready.json()]).toEqual([200, { status: 'ready' }]);
        const models = await fetch(`${gateway.url}/v1/models`, {
          headers: { authorization: `Bearer ${DUMMY_ENV.OPENCLAW_GATEWAY_TOKEN}` },
        });
        expect(models.status).toBe(200);
        expect(((await models.json()) as { data: { id: string }[] }).data.map((model) => model.id)).toEqual([
          'openclaw',
          'openclaw/default',
          'openclaw/main',
          'openclaw/coder',
        ]);
        // Loopback is not exempt in this example: a wrong token is counted in Redis under our prefix.
        const wrong = await fetch(`${gateway.url}/v1/models`, { headers: { authorization: 'Bearer wrong' } });
        expect(wrong.status).toBe(401);
        expect((await admin!.keys(`${redisPrefix}auth:*`)).length).toBeGreaterThan(0);
      } finally {
        await gateway.close();
      }
    },
  );
});
