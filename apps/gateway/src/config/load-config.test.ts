import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from './config-error.js';
import { loadConfig } from './load-config.js';
import { resolveStateDir } from './state-dir.js';

let stateDir: string;

beforeEach(async () => {
  stateDir = await mkdtemp(path.join(os.tmpdir(), 'clawgate-config-'));
});
afterEach(async () => {
  await rm(stateDir, { recursive: true, force: true });
});

async function rejection(promise: Promise<unknown>): Promise<ConfigError> {
  try {
    await promise;
  } catch (error) {
    if (ConfigError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('uses all defaults when the default file does not exist', async () => {
    const { config, path: file } = await loadConfig({ env: {}, stateDir });
    expect(file).toBeUndefined();
    expect(config.gateway.port).toBe(18789);
  });

  it('reads <stateDir>/clawgate.json5 with comments, trailing commas and env references', async () => {
    const file = path.join(stateDir, 'clawgate.json5');
    await writeFile(file, "// comment\n{ gateway: { port: 9000, auth: { token: '${TOKEN}', }, }, }\n");
    const { config, path: loaded } = await loadConfig({ env: { TOKEN: 'secret-token' }, stateDir });
    expect(loaded).toBe(file);
    expect(config.gateway.port).toBe(9000);
    expect(config.gateway.auth.token).toBe('secret-token');
  });

  it('prefers the path argument over $CLAWGATE_CONFIG over the default file', async () => {
    const argumentFile = path.join(stateDir, 'a.json5');
    const envFile = path.join(stateDir, 'b.json5');
    await writeFile(argumentFile, '{ gateway: { port: 1 } }');
    await writeFile(envFile, '{ gateway: { port: 2 } }');
    await writeFile(path.join(stateDir, 'clawgate.json5'), '{ gateway: { port: 3 } }');
    expect(
      (await loadConfig({ path: argumentFile, env: { CLAWGATE_CONFIG: envFile }, stateDir })).config.gateway.port,
    ).toBe(1);
    expect((await loadConfig({ env: { CLAWGATE_CONFIG: envFile }, stateDir })).config.gateway.port).toBe(2);
    expect((await loadConfig({ env: {}, stateDir })).config.gateway.port).toBe(3);
  });

  it('reads $OPENCLAW_CONFIG_PATH after --config and $CLAWGATE_CONFIG, before the default file', async () => {
    const argumentFile = path.join(stateDir, 'a.json5');
    const clawgateFile = path.join(stateDir, 'b.json5');
    const openclawFile = path.join(stateDir, 'openclaw.json');
    await writeFile(argumentFile, '{ gateway: { port: 1 } }');
    await writeFile(clawgateFile, '{ gateway: { port: 2 } }');
    await writeFile(openclawFile, '{ "gateway": { "port": 4, "mode": "local" } }');
    await writeFile(path.join(stateDir, 'clawgate.json5'), '{ gateway: { port: 3 } }');
    const both = { CLAWGATE_CONFIG: clawgateFile, OPENCLAW_CONFIG_PATH: openclawFile };
    expect((await loadConfig({ path: argumentFile, env: both, stateDir })).config.gateway.port).toBe(1);
    expect((await loadConfig({ env: both, stateDir })).config.gateway.port).toBe(2);
    const fromOpenClaw = await loadConfig({ env: { OPENCLAW_CONFIG_PATH: openclawFile }, stateDir });
    expect(fromOpenClaw).toMatchObject({ path: openclawFile, ignoredKeys: ['gateway.mode'] });
    expect(fromOpenClaw.config.gateway.port).toBe(4);
    expect((await loadConfig({ env: { OPENCLAW_CONFIG_PATH: '  ' }, stateDir })).config.gateway.port).toBe(3);
  });

  it('fails when an explicit file is missing (argument or env)', async () => {
    const missing = path.join(stateDir, 'nope.json5');
    expect((await rejection(loadConfig({ path: missing, env: {}, stateDir }))).message).toBe(
      `${missing}: file not found`,
    );
    expect((await rejection(loadConfig({ env: { CLAWGATE_CONFIG: missing }, stateDir }))).message).toBe(
      `${missing}: file not found`,
    );
    expect((await rejection(loadConfig({ env: { OPENCLAW_CONFIG_PATH: missing }, stateDir }))).message).toBe(
      `${missing}: file not found`,
    );
  });

  it('reports JSON5 syntax errors with the file', async () => {
    const file = path.join(stateDir, 'bad.json5');
    await writeFile(file, '{ gateway: { port: } }');
    const error = await rejection(loadConfig({ path: file, env: {}, stateDir }));
    expect(error.message).toMatch(
      new RegExp(
        `^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: invalid JSON5: JSON5: invalid character '}' at 1:20$`,
      ),
    );
    expect(error.path).toBe(file);
  });

  it('names the key and the file for schema errors', async () => {
    const file = path.join(stateDir, 'c.json5');
    await writeFile(file, '{ gateway: { port: "80" } }');
    const error = await rejection(loadConfig({ path: file, env: {}, stateDir }));
    expect(error.message).toBe(`gateway.port: Invalid input: expected number, received string (in ${file})`);
    expect(error.key).toBe('gateway.port');
  });

  it('treats an empty file as an empty configuration', async () => {
    const file = path.join(stateDir, 'empty.json5');
    await writeFile(file, '  \n');
    expect((await loadConfig({ path: file, env: {}, stateDir })).config.sessions.store).toBe('file');
  });
});

describe('resolveStateDir', () => {
  it('uses $CLAWGATE_STATE_DIR, resolved to an absolute path', () => {
    expect(resolveStateDir({ CLAWGATE_STATE_DIR: '/var/lib/clawgate' })).toBe('/var/lib/clawgate');
    expect(resolveStateDir({ CLAWGATE_STATE_DIR: 'rel' })).toBe(path.resolve('rel'));
  });

  it('falls back to ~/.clawgate', () => {
    expect(resolveStateDir({ HOME: '/home/someone' })).toBe('/home/someone/.clawgate');
    expect(resolveStateDir({ CLAWGATE_STATE_DIR: '  ', HOME: '/h' })).toBe('/h/.clawgate');
  });
});
