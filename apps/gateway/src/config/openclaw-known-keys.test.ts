/**
 * The list of OpenClaw's keys (`openclaw-known-keys.ts`) holds at least the sections an operator's
 * `openclaw.json` commonly has, at the places OpenClaw documents them.
 */
import { describe, expect, it } from 'vitest';
import { type KnownKeys, OPENCLAW_KNOWN_KEYS } from './openclaw-known-keys.js';

/** The node at a dotted path (`*` for any map key or array element), or `undefined`. */
function nodeAt(path: string): KnownKeys | undefined {
  let node: KnownKeys | undefined = OPENCLAW_KNOWN_KEYS;
  for (const key of path.split('.')) {
    node = typeof node === 'object' && Object.hasOwn(node, key) ? node[key] : undefined;
  }
  return node;
}

describe('OPENCLAW_KNOWN_KEYS', () => {
  it.each([
    'meta',
    'wizard',
    'update',
    'auth',
    'env',
    'browser',
    'ui',
    'logging.file',
    'logging.consoleLevel',
    'logging.consoleStyle',
    'logging.redactSensitive',
    'diagnostics',
    'messages',
    'commands',
    'hooks',
    'channels',
    'tools',
    'skills',
    'plugins',
    'cron',
    'talk',
    'broadcast',
    'discovery',
    'canvasHost',
    'session',
    'bindings',
    'approvals',
    'web',
    'audio',
    'memory',
    'gateway.mode',
    'gateway.controlUi',
    'gateway.tailscale',
    'gateway.remote',
    'gateway.reload',
    'gateway.tls',
    'gateway.nodes',
    'gateway.customBindHost',
    'gateway.auth.allowTailscale',
    'gateway.http.endpoints.chatCompletions.maxBodyBytes',
    'gateway.http.endpoints.responses.files',
    'gateway.http.endpoints.responses.images',
    'models.mode',
    'models.providers.*.auth',
    'models.providers.*.models.*.cost',
    'models.providers.*.models.*.maxTokens',
  ])('knows %s', (path) => {
    expect(nodeAt(path)).toBeDefined();
  });

  it.each([
    'workspace',
    'identity',
    'sandbox',
    'thinkingDefault',
    'heartbeat',
    'subagents',
    'tools',
    'models',
    'contextTokens',
    'timeoutSeconds',
    'compaction',
  ])('knows %s under agents.defaults, agents.list[] and agents.entries.<id>', (key) => {
    for (const place of ['agents.defaults', 'agents.list.*', 'agents.entries.*']) {
      expect(nodeAt(`${place}.${key}`), `${place}.${key}`).toBeDefined();
    }
  });

  it("lists an agent's model by its parts, so a typo inside it stays an error", () => {
    for (const place of ['agents.defaults', 'agents.list.*', 'agents.entries.*']) {
      expect(nodeAt(`${place}.model`)).toEqual({ primary: true, fallbacks: true });
    }
  });

  it('keeps OpenClaw session (singular) apart from clawgate sessions, and has no $include', () => {
    expect(nodeAt('session')).toBe(true);
    expect(nodeAt('sessions')).toBeUndefined();
    expect(nodeAt('$include')).toBeUndefined();
  });
});
