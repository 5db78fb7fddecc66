import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { GATEWAY_TOKEN_FILE, startGateway, type RunningGateway } from './server.js';

const CONFIG = `{
  gateway: { auth: { mode: "token" }, http: { endpoints: { chatCompletions: { enabled: true } } } },
  agents: { list: [{ id: "main", default: true }, { id: "beta" }] },
  sessions: { store: "memory" },
}`;

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) {
    await cleanup();
  }
});

async function tempStateDir(): Promise<{ stateDir: string; configPath: string }> {
  const stateDir = await mkdtemp(path.join(os.tmpdir(), 'clawgate-server-'));
  cleanups.push(() => rm(stateDir, { recursive: true, force: true }));
  const configPath = path.join(stateDir, 'test.json5');
  await writeFile(configPath, CONFIG);
  return { stateDir, configPath };
}

async function start(
  options: Parameters<typeof startGateway>[0],
): Promise<{ gateway: RunningGateway; lines: string[] }> {
  const lines: string[] = [];
  const gateway = await startGateway({ port: 0, env: {}, print: (line) => lines.push(line), ...options });
  cleanups.push(() => gateway.close());
  return { gateway, lines };
}

async function chat(url: string, token: string) {
  return fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}` },
    body: JSON.stringify({ messages: [{ role: 'user', content: 'hi' }] }),
  });
}

describe('startGateway', () => {
  it('generates a 256-bit token in <stateDir>/gateway-token (0600), prints where it is but never the token, and reuses it', async () => {
    const { stateDir, configPath } = await tempStateDir();
    const first = await start({ configPath, stateDir });
    const file = path.join(stateDir, GATEWAY_TOKEN_FILE);
    const token = (await readFile(file, 'utf8')).trim();
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(first.gateway.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(first.lines[0]).toBe(`clawgate gateway listening on ${first.gateway.url}`);
    expect(first.lines.join('\n')).toContain(file);
    expect(first.lines.join('\n')).not.toContain(token);

    expect((await chat(first.gateway.url, token)).status).toBe(200);
    expect((await chat(first.gateway.url, 'wrong')).status).toBe(401);
    await first.gateway.close();

    const second = await start({ configPath, stateDir });
    expect((await readFile(file, 'utf8')).trim()).toBe(token);
    expect((await chat(second.gateway.url, token)).status).toBe(200);
  });

  it('uses OPENCLAW_GATEWAY_TOKEN from the given env and writes no token file', async () => {
    const { stateDir, configPath } = await tempStateDir();
    const { gateway, lines } = await start({
      configPath,
      stateDir,
      env: { OPENCLAW_GATEWAY_TOKEN: '  env-token-value  ' },
    });
    expect(lines).toContain('auth: token (from OPENCLAW_GATEWAY_TOKEN)');
    expect(lines.join('\n')).not.toContain('env-token-value');
    expect((await chat(gateway.url, 'env-token-value')).status).toBe(200);
    await expect(stat(path.join(stateDir, GATEWAY_TOKEN_FILE))).rejects.toThrow(/ENOENT/);
  });

  it('hands an Upgrade request to the WebSocket door, never to Express (no Sec-WebSocket-Key: 400)', async () => {
    const { stateDir, configPath } = await tempStateDir();
    const { gateway } = await start({ configPath, stateDir });
    const { port } = new URL(gateway.url);
    const reply = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(Number(port), '127.0.0.1');
      let text = '';
      socket.setEncoding('utf8');
      socket.on('data', (piece: string) => (text += piece));
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
      socket.write('GET /v1/chat/completions HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n');
    });
    expect(reply).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    // Express would have added its request id.
    expect(reply.toLowerCase()).not.toContain('x-request-id');
  });

  it('rejects a bad configuration with a message naming the key, before listening', async () => {
    const { stateDir } = await tempStateDir();
    const configPath = path.join(stateDir, 'bad.json5');
    await writeFile(configPath, '{ gateway: { prot: 1 } }');
    await expect(startGateway({ configPath, stateDir, env: {}, port: 0, print: () => undefined })).rejects.toThrow(
      /gateway.*prot/,
    );
  });

  it('overrides the configured bind and port', async () => {
    const { stateDir, configPath } = await tempStateDir();
    const { gateway } = await start({ configPath, stateDir, bind: '127.0.0.1', port: 0 });
    expect(Number(new URL(gateway.url).port)).toBeGreaterThan(0);
    expect((await fetch(`${gateway.url}/nope`)).status).toBe(404);
  });

  it('rejects with EADDRINUSE when the port is taken, and the first gateway keeps serving', async () => {
    const { stateDir, configPath } = await tempStateDir();
    const { gateway } = await start({ configPath, stateDir });
    const port = Number(new URL(gateway.url).port);
    await expect(startGateway({ configPath, stateDir, env: {}, port, print: () => undefined })).rejects.toMatchObject({
      code: 'EADDRINUSE',
    });
    expect((await fetch(`${gateway.url}/nope`)).status).toBe(404);
  });
});
