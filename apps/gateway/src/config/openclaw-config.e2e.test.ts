/**
 * An operator's `openclaw.json` as it is answers turns (docs/http-contract.md#8-configuration): the
 * gateway starts from the `openclaw-channels` fixture with its provider pointed at a loopback
 * upstream, warns once about the keys it ignores, listens on 127.0.0.1 for `bind: "loopback"`,
 * answers a chat completion through the configured agents, and describes the catalogue's models on
 * `GET /v1/models` and the WebSocket `models.list`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type FakeUpstream,
  startFakeUpstream,
  upstreamChunk,
  upstreamUsageChunk,
  writeUpstreamStream,
} from '../__fixtures__/fake-upstream.js';
import { silentLogger } from '../http/http-logger.js';
import { type RunningGateway, startGateway } from '../server.js';
import { connectClient, wsUrl } from '../ws/__fixtures__/protocol-client.js';
import { openClawFixturePath, readOpenClawFixture } from './__fixtures__/read-openclaw-fixture.js';
import { describeIgnoredKeys } from './describe-ignored-keys.js';
import { parseConfigAndIgnoredKeys } from './parse-config.js';

const TOKEN = 'openclaw-e2e-token-0123456789abcdef';
const UPSTREAM_KEY = 'sk-local-e2e-0123456789';

let upstream: FakeUpstream;
let gateway: RunningGateway;
let stateDir: string;
const printed: string[] = [];
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  // Answers like an OpenAI-compatible server, naming the model it was asked for.
  upstream = await startFakeUpstream((request, response) => {
    const text = `answered by ${String(request.body.model)}`;
    if (request.body.stream === false) {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify({
          id: 'chatcmpl-upstream',
          object: 'chat.completion',
          created: 1,
          model: request.body.model,
          choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }],
          usage: { prompt_tokens: 3, completion_tokens: 3, total_tokens: 6 },
        }),
      );
      return;
    }
    writeUpstreamStream(response, [upstreamChunk({ content: text }), upstreamChunk({}, 'stop'), upstreamUsageChunk()]);
  });
  stateDir = await mkdtemp(path.join(os.tmpdir(), 'clawgate-openclaw-'));
  env = { OPENCLAW_GATEWAY_TOKEN: TOKEN, LOCAL_LLM_BASE_URL: upstream.baseUrl, LOCAL_LLM_API_KEY: UPSTREAM_KEY };
  gateway = await startGateway({
    configPath: openClawFixturePath('openclaw-channels'),
    port: 0,
    env,
    stateDir,
    print: (line) => printed.push(line),
    logger: silentLogger,
  });
});

afterAll(async () => {
  await gateway?.close();
  await upstream?.close();
  await rm(stateDir, { recursive: true, force: true });
});

async function chat(model: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${gateway.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hello' }] }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function getJson(route: string): Promise<unknown> {
  const response = await fetch(`${gateway.url}${route}`, { headers: { authorization: `Bearer ${TOKEN}` } });
  expect(response.status).toBe(200);
  return response.json();
}

describe('starting from openclaw-channels.json5', () => {
  it('listens on 127.0.0.1 for bind "loopback" and prints the ignored keys once', () => {
    expect(gateway.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const { ignoredKeys } = parseConfigAndIgnoredKeys(readOpenClawFixture('openclaw-channels'), env);
    const warnings = printed.filter((line) => line.startsWith('warning:'));
    expect(warnings).toEqual([describeIgnoredKeys(ignoredKeys)]);
    expect(warnings[0]).toMatch(/^warning: ignoring 32 OpenClaw config keys clawgate does not implement: env, /);
    expect(printed.join('\n')).not.toContain(TOKEN);
  });

  it('answers a chat completion through the default agent and through a named one', async () => {
    const viaDefault = await chat('openclaw');
    expect(viaDefault.status).toBe(200);
    expect(viaDefault.body).toMatchObject({
      object: 'chat.completion',
      choices: [{ message: { role: 'assistant', content: 'answered by qwen3-32b' } }],
    });
    const viaCoder = await chat('openclaw/coder');
    expect(viaCoder.status).toBe(200);
    expect(viaCoder.body).toMatchObject({ choices: [{ message: { content: 'answered by qwen3-coder' } }] });
    expect(upstream.requests.map((request) => request.headers.authorization)).toEqual([
      `Bearer ${UPSTREAM_KEY}`,
      `Bearer ${UPSTREAM_KEY}`,
    ]);
  });

  it('GET /v1/models describes each agent model from the provider catalogue', async () => {
    const qwen = { id: 'local/qwen3-32b', name: 'Qwen3 32B', context_window: 32768, reasoning: true };
    const coder = { id: 'local/qwen3-coder', name: 'Qwen3 Coder', context_window: 65536, reasoning: false };
    const entry = (id: string, upstreamModel: Record<string, unknown>) => ({
      id,
      object: 'model',
      created: 0,
      owned_by: 'openclaw',
      permission: [],
      upstream_model: upstreamModel,
    });
    expect(await getJson('/v1/models')).toEqual({
      object: 'list',
      data: [
        entry('openclaw', qwen),
        entry('openclaw/default', qwen),
        entry('openclaw/main', qwen),
        entry('openclaw/coder', coder),
      ],
    });
    expect(await getJson('/v1/models/openclaw%2Fcoder')).toEqual(entry('openclaw/coder', coder));
  });

  it('the WebSocket models.list shows the catalogue and the offline fallback', async () => {
    const client = await connectClient(wsUrl(gateway.url), TOKEN);
    try {
      const response = await client.request('models.list');
      expect(response.payload).toEqual({
        models: [
          {
            id: 'qwen3-32b',
            name: 'Qwen3 32B',
            provider: 'local',
            contextWindow: 32768,
            reasoning: true,
            available: true,
          },
          {
            id: 'qwen3-coder',
            name: 'Qwen3 Coder',
            provider: 'local',
            contextWindow: 65536,
            reasoning: false,
            available: true,
          },
          {
            id: 'clawgate-offline',
            name: 'clawgate-offline',
            provider: 'offline',
            contextWindow: null,
            reasoning: false,
            available: true,
          },
        ],
      });
    } finally {
      client.close();
    }
  });
});
