/**
 * Starting from an operator's OpenClaw config as it is (docs/http-contract.md#8-configuration):
 * real-shaped `openclaw.json` fixtures parse, the keys clawgate ignores are listed exactly, a key
 * neither knows fails with the closest valid key as a suggestion, and OpenClaw's 2026.9 forms
 * (`agents.entries`, `model: { primary, fallbacks }`, bind modes) mean what the docs say.
 */
import { describe, expect, it } from 'vitest';
import { ConfigError } from './config-error.js';
import { parseConfig, parseConfigAndIgnoredKeys } from './parse-config.js';
import { resolveBindAddress } from './resolve-bind-address.js';
import { getDefaultAgentId, resolveAgentSettings } from './resolve-agent-settings.js';
import { readOpenClawFixture } from './__fixtures__/read-openclaw-fixture.js';

const ENV = {
  OPENCLAW_GATEWAY_TOKEN: 'gw-token-0123456789abcdef',
  OPENCLAW_GATEWAY_PASSWORD: 'gw-password-0123456789',
  LOCAL_LLM_BASE_URL: 'http://127.0.0.1:8080/v1',
  LOCAL_LLM_API_KEY: 'sk-local-0123456789',
};

function errorOf(value: unknown, env: NodeJS.ProcessEnv = ENV): ConfigError {
  try {
    parseConfig(value, env);
  } catch (error) {
    if (ConfigError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

/** Renames the key at `path` (array positions as strings) to `to`, keeping its value. */
function renameKey(document: Record<string, unknown>, path: string[], to: string): Record<string, unknown> {
  const parent = path
    .slice(0, -1)
    .reduce<Record<string, unknown>>((node, key) => node[key] as Record<string, unknown>, document);
  const from = path.at(-1) as string;
  parent[to] = parent[from];
  delete parent[from];
  return document;
}

describe('OpenClaw config fixtures', () => {
  it('openclaw-minimal: parses; the wizard bookkeeping, gateway.mode and the workspace are ignored', () => {
    const { config, ignoredKeys } = parseConfigAndIgnoredKeys(readOpenClawFixture('openclaw-minimal'), ENV);
    expect(ignoredKeys).toEqual(['meta', 'wizard', 'gateway.mode', 'agents.defaults.workspace']);
    expect(config.gateway).toMatchObject({ port: 18789, bind: 'loopback' });
    expect(config.gateway.auth).toMatchObject({ mode: 'token', token: ENV.OPENCLAW_GATEWAY_TOKEN });
    expect(config.agents.list).toEqual([{ id: 'main', default: true }]);
  });

  it('openclaw-channels: parses without the variables only ignored sections use; ignored keys in file order', () => {
    // TELEGRAM_BOT_TOKEN is unset: only `channels` (ignored) references it.
    const { config, ignoredKeys } = parseConfigAndIgnoredKeys(readOpenClawFixture('openclaw-channels'), ENV);
    expect(ignoredKeys).toEqual([
      'env',
      'logging.consoleStyle',
      'logging.redactSensitive',
      'models.mode',
      'models.providers.local.models[].input',
      'models.providers.local.models[].maxTokens',
      'models.providers.local.models[].cost',
      'agents.defaults.workspace',
      'agents.defaults.thinkingDefault',
      'agents.defaults.contextTokens',
      'agents.defaults.timeoutSeconds',
      'agents.defaults.heartbeat',
      'agents.defaults.compaction',
      'agents.defaults.sandbox',
      'agents.defaults.subagents',
      'agents.entries.main.identity',
      'agents.entries.coder.workspace',
      'agents.entries.coder.tools',
      'channels',
      'hooks',
      'session',
      'messages',
      'commands',
      'tools',
      'skills',
      'plugins',
      'gateway.mode',
      'gateway.auth.allowTailscale',
      'gateway.controlUi',
      'gateway.tailscale',
      'gateway.reload',
      'gateway.http.endpoints.responses.maxBodyBytes',
    ]);
    expect(config.models.providers.local).toMatchObject({
      api: 'openai-completions',
      baseUrl: ENV.LOCAL_LLM_BASE_URL,
      apiKey: ENV.LOCAL_LLM_API_KEY,
      models: [
        { id: 'qwen3-32b', name: 'Qwen3 32B', reasoning: true, contextWindow: 32768 },
        { id: 'qwen3-coder', name: 'Qwen3 Coder', reasoning: false, contextWindow: 65536 },
      ],
    });
    expect(config.gateway.http.endpoints.chatCompletions.enabled).toBe(true);
    expect(config.gateway.http.endpoints.responses.enabled).toBe(true);
    expect(JSON.stringify(config)).not.toContain('hook-token-5a1f-never-print');
  });

  it('openclaw-channels: agents.entries become the agents, with their models and fallbacks', () => {
    const config = parseConfig(readOpenClawFixture('openclaw-channels'), ENV);
    expect(config.agents.list.map((agent) => [agent.id, agent.default])).toEqual([
      ['main', true],
      ['coder', false],
    ]);
    expect(getDefaultAgentId(config)).toBe('main');
    expect(resolveAgentSettings(config, 'main')).toMatchObject({
      model: 'local/qwen3-32b',
      fallbacks: ['local/qwen3-coder', 'offline/clawgate-offline'],
    });
    // A plain reference replaces the defaults' model wholly: no fallbacks inherited.
    expect(resolveAgentSettings(config, 'coder')).toMatchObject({ model: 'local/qwen3-coder', fallbacks: [] });
    expect(config.agents.defaults).toMatchObject({ model: 'local/qwen3-32b', fallbacks: ['local/qwen3-coder'] });
  });

  it('openclaw-lan: parses in the agents.list form; bind "lan" listens on every interface', () => {
    const { config, ignoredKeys } = parseConfigAndIgnoredKeys(readOpenClawFixture('openclaw-lan'), ENV);
    expect(ignoredKeys).toEqual([
      'gateway.mode',
      'gateway.controlUi',
      'agents.defaults.maxConcurrent',
      'agents.list[].workspace',
      'agents.list[].identity',
      'agents.list[].groupChat',
      'cron',
      'discovery',
    ]);
    expect(config.gateway.bind).toBe('lan');
    expect(resolveBindAddress(config.gateway.bind, config.gateway.customBindHost)).toBe('0.0.0.0');
    expect(getDefaultAgentId(config)).toBe('main');
    expect(resolveAgentSettings(config, 'ops')).toMatchObject({ name: 'Ops', model: 'vllm/llama-3.3-70b' });
  });

  it.each([
    [['gateway', 'port'], 'prot', 'gateway.prot: Unrecognized key; did you mean `port`?'],
    [['agents', 'defaults'], 'defualts', 'agents.defualts: Unrecognized key; did you mean `defaults`?'],
    [
      ['agents', 'entries', 'main', 'model'],
      'modle',
      'agents.entries.main.modle: Unrecognized key; did you mean `model`?',
    ],
    [
      ['models', 'providers', 'local', 'models', '1', 'contextWindow'],
      'contextWindw',
      'models.providers.local.models.1.contextWindw: Unrecognized key; did you mean `contextWindow`?',
    ],
    // Keys only OpenClaw knows are suggested too.
    [['gateway', 'tailscale'], 'tailscal', 'gateway.tailscal: Unrecognized key; did you mean `tailscale`?'],
    [['gateway', 'controlUi'], 'controlUI', 'gateway.controlUI: Unrecognized key; did you mean `controlUi`?'],
    [['hooks'], 'hoks', 'hoks: Unrecognized key; did you mean `hooks`?'],
    [['gateway', 'reload'], 'colour', 'gateway.colour: Unrecognized key'],
  ])('a typo at %j (%s) fails with: %s', (path, typo, message) => {
    const error = errorOf(renameKey(readOpenClawFixture('openclaw-channels'), path, typo));
    expect(error.message).toBe(message);
    expect(error.key).toBe(message.slice(0, message.indexOf(':')));
  });

  it('suggests against the keys valid at that place, at every level', () => {
    const lan = renameKey(readOpenClawFixture('openclaw-lan'), ['agents', 'list', '1', 'default'], 'defualt');
    expect(errorOf(lan).message).toBe('agents.list.1.defualt: Unrecognized key; did you mean `default`?');
    const minimal = renameKey(readOpenClawFixture('openclaw-minimal'), ['gateway', 'auth', 'mode'], 'mdoe');
    expect(errorOf(minimal).message).toBe('gateway.auth.mdoe: Unrecognized key; did you mean `mode`?');
  });
});

describe('OpenClaw forms', () => {
  it('refuses agents.list and agents.entries together, naming both', () => {
    expect(errorOf({ agents: { list: [{ id: 'a' }], entries: { b: {} } } }).message).toBe(
      'agents.entries: use either agents.list or agents.entries, not both',
    );
  });

  it('agents.entries: the entry marked default wins, else the first; ids are normalised and unique', () => {
    const marked = parseConfig({ agents: { entries: { a: {}, b: { default: true } } } }, {});
    expect(getDefaultAgentId(marked)).toBe('b');
    const single = parseConfig({ agents: { entries: { 'Ops Team': { name: 'Ops' } } } }, {});
    expect(single.agents.list).toEqual([{ id: 'ops-team', name: 'Ops', default: true }]);
    expect(parseConfig({ agents: { entries: {} } }, {}).agents.list).toEqual([{ id: 'main', default: true }]);
    expect(errorOf({ agents: { entries: { Main: {}, main: {} } } }).message).toBe(
      "agents.entries.main: duplicate agent id 'main' (also agents.entries.Main)",
    );
    expect(errorOf({ agents: { entries: { a: { default: true }, b: { default: true } } } }).message).toBe(
      "agents.entries.b.default: only one agent can be the default (already 'a')",
    );
  });

  it('model { primary, fallbacks }: defaults inherited unless the agent has a model of its own', () => {
    const config = parseConfig(
      {
        agents: {
          defaults: { model: { primary: 'offline/a', fallbacks: ['offline/b'] } },
          list: [
            { id: 'inherits' },
            { id: 'own-object', model: { primary: 'offline/c', fallbacks: ['offline/d', 'offline/e'] } },
            { id: 'own-reference', model: 'offline/c' },
            { id: 'primary-only', model: { primary: 'offline/c' } },
            { id: 'fallbacks-only', model: { fallbacks: ['offline/f'] } },
          ],
        },
      },
      {},
    );
    const settings = (id: string) => {
      const { model, fallbacks } = resolveAgentSettings(config, id) ?? {};
      return { model, fallbacks };
    };
    expect(settings('inherits')).toEqual({ model: 'offline/a', fallbacks: ['offline/b'] });
    expect(settings('own-object')).toEqual({ model: 'offline/c', fallbacks: ['offline/d', 'offline/e'] });
    expect(settings('own-reference')).toEqual({ model: 'offline/c', fallbacks: [] });
    expect(settings('primary-only')).toEqual({ model: 'offline/c', fallbacks: [] });
    expect(settings('fallbacks-only')).toEqual({ model: 'offline/a', fallbacks: ['offline/f'] });
    expect(
      parseConfig({ agents: { defaults: { model: { fallbacks: ['offline/b'] } } } }, {}).agents.defaults,
    ).toMatchObject({ model: 'offline/clawgate-offline', fallbacks: ['offline/b'] });
  });

  it.each([
    [
      { agents: { defaults: { model: { primary: 'offline/a', fallbacks: ['offline/b', 'cloud/x'] } } } },
      "agents.defaults.model.fallbacks.1: unknown provider 'cloud' (configured: offline)",
    ],
    [
      { agents: { entries: { main: { model: { primary: 'cloud/x' } } } } },
      "agents.entries.main.model.primary: unknown provider 'cloud' (configured: offline)",
    ],
    [
      { agents: { list: [{ id: 'a', model: { fallbacks: ['gpt-4o'] } }] } },
      'agents.list.0.model.fallbacks.0: expected "<provider>/<model id>"',
    ],
    [
      { agents: { defaults: { model: { primary: 'offline/a', fallback: [] } } } },
      'agents.defaults.model.fallback: Unrecognized key; did you mean `fallbacks`?',
    ],
  ])('validates every fallback like the model: %j', (value, message) => {
    expect(errorOf(value, {}).message).toBe(message);
  });

  it.each([
    ['loopback', '127.0.0.1'],
    ['auto', '127.0.0.1'],
    ['lan', '0.0.0.0'],
    ['10.1.2.3', '10.1.2.3'],
    ['::1', '::1'],
  ])('bind %s → %s', (bind, address) => {
    const config = parseConfig({ gateway: { bind } }, {});
    expect(resolveBindAddress(config.gateway.bind, config.gateway.customBindHost)).toBe(address);
  });

  it('bind "custom" listens on gateway.customBindHost and needs it; "tailnet" is refused naming the key', () => {
    const custom = parseConfig({ gateway: { bind: 'custom', customBindHost: '192.168.1.20' } }, {});
    expect(resolveBindAddress(custom.gateway.bind, custom.gateway.customBindHost)).toBe('192.168.1.20');
    expect(errorOf({ gateway: { bind: 'custom' } }, {}).message).toBe(
      'gateway.customBindHost: required when gateway.bind is "custom" (the address to listen on)',
    );
    const tailnet = errorOf({ gateway: { bind: 'tailnet' } }, {});
    expect(tailnet.key).toBe('gateway.bind');
    expect(tailnet.message).toMatch(/^gateway\.bind: "tailnet" is not supported: clawgate does not look up/);
    expect(() => resolveBindAddress('tailnet')).toThrow(/^gateway\.bind: "tailnet" is not supported/);
  });

  it('refuses $include, which clawgate cannot follow, instead of dropping what it includes', () => {
    expect(errorOf({ agents: { $include: './agents.json5' } }, {}).message).toBe(
      'agents.$include: not supported by clawgate (it reads one file); inline the included settings',
    );
  });

  it('reports no ignored keys for a file of clawgate keys only', () => {
    expect(parseConfigAndIgnoredKeys({ gateway: { port: 1, ws: { enabled: false } } }, {}).ignoredKeys).toEqual([]);
  });
});
