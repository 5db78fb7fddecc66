/**
 * End to end: the BUILT `clawgate` bin as a child process, driven by the official `openai` SDK.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_PATH as cliPath, ensureBuiltGateway } from './__fixtures__/ensure-built-gateway.js';

let child: ChildProcess | undefined;
let stateDir: string;
let url: string;
let token: string;
let stdout = '';

beforeAll(async () => {
  // The bin is what users run.
  ensureBuiltGateway();
  stateDir = await mkdtemp(path.join(os.tmpdir(), 'clawgate-e2e-'));
  const configPath = path.join(stateDir, 'e2e.json5');
  await writeFile(
    configPath,
    `{
      gateway: { http: { endpoints: { chatCompletions: { enabled: true } } } },
      agents: { list: [{ id: "main", default: true }, { id: "beta" }] },
    }`,
  );
  const env: NodeJS.ProcessEnv = { ...process.env, CLAWGATE_STATE_DIR: stateDir };
  delete env.OPENCLAW_GATEWAY_TOKEN;
  delete env.OPENCLAW_GATEWAY_PASSWORD;
  delete env.CLAWGATE_CONFIG;
  child = spawn(process.execPath, [cliPath, 'gateway', '--config', configPath, '--port', '0'], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`gateway did not start: ${stdout}`)), 15_000);
    child!.stdout!.setEncoding('utf8');
    child!.stdout!.on('data', (piece: string) => {
      stdout += piece;
      const match = /listening on (http:\/\/\S+)/.exec(stdout);
      if (match && stdout.includes('auth:')) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    child!.on('exit', (code) => reject(new Error(`gateway exited early with ${code}: ${stdout}`)));
  });
  token = (await readFile(path.join(stateDir, 'gateway-token'), 'utf8')).trim();
}, 90_000);

afterAll(async () => {
  if (child && child.exitCode === null) {
    const exited = new Promise((resolve) => child!.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
  await rm(stateDir, { recursive: true, force: true });
});

describe('the built gateway, driven by the openai SDK', () => {
  it('prints where the token is, never the token', () => {
    expect(stdout).toContain(path.join(stateDir, 'gateway-token'));
    expect(stdout).not.toContain(token);
  });

  it('answers a non-streaming completion', async () => {
    const client = new OpenAI({ apiKey: token, baseURL: `${url}/v1`, maxRetries: 0 });
    const completion = await client.chat.completions.create({
      model: 'openclaw',
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(completion.id).toMatch(/^chatcmpl_[0-9a-f-]{36}$/);
    expect(completion.object).toBe('chat.completion');
    expect(completion.model).toBe('openclaw');
    expect(completion.choices[0]?.message).toEqual({
      role: 'assistant',
      content: '[clawgate offline model] Turn 1. You said: "hi"',
    });
    expect(completion.choices[0]?.finish_reason).toBe('stop');
    expect(completion.usage).toEqual({ prompt_tokens: 1, completion_tokens: 8, total_tokens: 9 });
  });

  it('streams a completion with usage, and keeps a user session across calls', async () => {
    const client = new OpenAI({ apiKey: token, baseURL: `${url}/v1`, maxRetries: 0 });
    const texts: string[] = [];
    for (const content of ['one', 'two']) {
      const stream = await client.chat.completions.create({
        model: 'openclaw/beta',
        user: 'e2e-user',
        stream: true,
        stream_options: { include_usage: true },
        messages: [{ role: 'user', content }],
      });
      let text = '';
      const finishReasons: unknown[] = [];
      let usage: unknown;
      const ids = new Set<string>();
      for await (const chunk of stream) {
        ids.add(chunk.id);
        text += chunk.choices[0]?.delta.content ?? '';
        if (chunk.choices[0]?.finish_reason) finishReasons.push(chunk.choices[0].finish_reason);
        if (chunk.usage) usage = chunk.usage;
      }
      expect(ids.size).toBe(1);
      expect(finishReasons).toEqual(['stop']);
      expect(usage).toMatchObject({ completion_tokens: 8 });
      texts.push(text);
    }
    expect(texts).toEqual([
      '[clawgate offline model] Turn 1. You said: "one"',
      '[clawgate offline model] Turn 2. You said: "two"',
    ]);
  });

  it('lists and retrieves models', async () => {
    const client = new OpenAI({ apiKey: token, baseURL: `${url}/v1`, maxRetries: 0 });
    const ids: string[] = [];
    for await (const model of client.models.list()) ids.push(model.id);
    expect(ids).toEqual(['openclaw', 'openclaw/default', 'openclaw/main', 'openclaw/beta']);
    const model = await client.models.retrieve('openclaw/beta');
    expect(model).toEqual({ id: 'openclaw/beta', object: 'model', created: 0, owned_by: 'openclaw', permission: [] });
  });

  it('surfaces 401 and 400 as the SDK error classes with our messages', async () => {
    const wrong = new OpenAI({ apiKey: 'wrong', baseURL: `${url}/v1`, maxRetries: 0 });
    await expect(
      wrong.chat.completions.create({ model: 'openclaw', messages: [{ role: 'user', content: 'hi' }] }),
    ).rejects.toMatchObject({
      status: 401,
      error: { message: 'Unauthorized', type: 'unauthorized' },
    });
    const client = new OpenAI({ apiKey: token, baseURL: `${url}/v1`, maxRetries: 0 });
    await expect(
      client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }),
    ).rejects.toMatchObject({
      status: 400,
      error: {
        message: 'Invalid `model`. Use `openclaw`, `openclaw/<agentId>`, `openclaw:<agentId>` or `agent:<agentId>`.',
        type: 'invalid_request_error',
      },
    });
  });

  it('stops cleanly on SIGTERM', async () => {
    const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));
    child!.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
