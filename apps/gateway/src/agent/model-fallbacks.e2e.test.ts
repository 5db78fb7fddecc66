/**
 * Model fallbacks end to end (docs/http-contract.md#model-fallbacks): an in-process gateway whose
 * agent's model is a loopback upstream the test makes fail on demand (down, 429, 500, silent past
 * its timeout), with a second upstream as the fallback.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  type FakeUpstream,
  startFakeUpstream,
  upstreamChunk,
  writeUpstreamStream,
} from '../__fixtures__/fake-upstream.js';
import { IN_PROCESS_GATEWAY_TOKEN, useInProcessGateways } from '../__fixtures__/in-process-gateway.js';
import type { HttpLogger } from '../http/http-logger.js';
import { createFileSessionStore } from '../sessions/file-session-store.js';

vi.setConfig({ testTimeout: 20_000 });

const start = useInProcessGateways();
/** How the primary answers: `429`, `500`, `silent` (nothing, past its timeout) or `ok`. */
let primaryMode: '429' | '500' | 'silent' | 'ok' = 'ok';
let primary: FakeUpstream;
let fallback: FakeUpstream;
/** An address where nothing listens: every connection is refused. */
let downUrl: string;

function answer(response: http.ServerResponse, text: string, stream: boolean): void {
  if (stream) {
    writeUpstreamStream(response, [upstreamChunk({ role: 'assistant', content: text }), upstreamChunk({}, 'stop')]);
    return;
  }
  response.writeHead(200, { 'content-type': 'application/json' });
  response.end(
    JSON.stringify({
      id: 'x',
      object: 'chat.completion',
      created: 1,
      model: 'm',
      choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
    }),
  );
}

beforeAll(async () => {
  primary = await startFakeUpstream((record, response) => {
    if (primaryMode === '429') {
      response.writeHead(429, { 'content-type': 'application/json', 'retry-after': '5' });
      response.end(JSON.stringify({ error: { message: 'rate limited' } }));
    } else if (primaryMode === '500') {
      response.writeHead(500, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: { message: 'boom' } }));
    } else if (primaryMode === 'ok') {
      answer(response, 'from the primary', record.body.stream === true);
    }
    // `silent`: no answer at all; the gateway's timeout ends it.
  });
  fallback = await startFakeUpstream((record, response) =>
    answer(response, 'from the fallback', record.body.stream === true),
  );
  const closed = http.createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  downUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/v1`;
  await new Promise<void>((resolve) => closed.close(() => resolve()));
});
afterAll(async () => {
  await primary.close();
  await fallback.close();
});

/** A gateway with `main` on `first/primary-model`, falling back to `second/fallback-model`. */
async function gateway(firstBaseUrl: string) {
  const warnings: Array<Record<string, unknown>> = [];
  const logger: HttpLogger = {
    error: () => undefined,
    info: () => undefined,
    debug: () => undefined,
    warn: (object, message) => {
      if (message === 'model attempt failed') warnings.push(object);
    },
  };
  const started = await start(
    {
      models: {
        providers: {
          first: { baseUrl: firstBaseUrl, timeoutMs: 500 },
          second: { baseUrl: fallback.baseUrl },
        },
      },
      agents: {
        defaults: { model: { primary: 'first/primary-model', fallbacks: ['second/fallback-model'] } },
        list: [{ id: 'main', default: true }],
      },
      sessions: { store: 'file' },
    },
    { logger },
  );
  const openai = new OpenAI({ apiKey: IN_PROCESS_GATEWAY_TOKEN, baseURL: `${started.url}/v1`, maxRetries: 0 });
  return { started, openai, warnings };
}

/** The stored turns of `sessionKey`, read from the stopped gateway's state directory. */
async function storedModels(stateDir: string, sessionKey: string): Promise<string[]> {
  const store = createFileSessionStore({ dir: path.join(stateDir, 'sessions') });
  try {
    const { turns } = await store.readTurns(sessionKey, { maxMessages: 100 });
    return turns.map((turn) => turn.meta?.model ?? '');
  } finally {
    await store.close();
  }
}

describe('a turn whose model fails before any output', () => {
  it.each([
    ['answers 429', '429', 'rate-limit', 429],
    ['answers 500', '500', 'server', 502],
    ['stays silent past its timeout', 'silent', 'timeout', 504],
  ] as const)('moves to the fallback when the primary %s', async (_label, mode, reason, status) => {
    primaryMode = mode;
    const { started, openai, warnings } = await gateway(primary.baseUrl);
    const before = { primary: primary.requests.length, fallback: fallback.requests.length };
    const completion = await openai.chat.completions.create(
      { model: 'openclaw', messages: [{ role: 'user', content: 'hi' }] },
      { headers: { 'x-openclaw-session-key': `fallback-${mode}` } },
    );
    expect(completion.choices[0]?.message.content).toBe('from the fallback');
    // The answer names what the client asked for, not the model that answered.
    expect(completion.model).toBe('openclaw');
    expect(primary.requests.slice(before.primary).map((record) => record.body.model)).toEqual(['primary-model']);
    expect(fallback.requests.slice(before.fallback).map((record) => record.body.model)).toEqual(['fallback-model']);
    expect(warnings).toEqual([
      {
        agentId: 'main',
        model: 'first/primary-model',
        reason,
        status,
        next: { model: 'second/fallback-model', sameModel: false },
      },
    ]);
    await started.gateway.close();
    expect(await storedModels(started.stateDir, `fallback-${mode}`)).toEqual(['second/fallback-model']);
  });

  it('tries a refused connection once more on the same model, then the fallback, streamed', async () => {
    const { openai, warnings } = await gateway(downUrl);
    const stream = await openai.chat.completions.create({
      model: 'openclaw',
      stream: true,
      messages: [{ role: 'user', content: 'hi' }],
    });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe('from the fallback');
    expect(warnings.map((warning) => [warning.reason, warning.next])).toEqual([
      ['connect', { model: 'first/primary-model', sameModel: true }],
      ['connect', { model: 'second/fallback-model', sameModel: false }],
    ]);
  });

  it('keeps the primary when it answers, and gives an x-openclaw-model pick no fallback', async () => {
    primaryMode = 'ok';
    const { openai, warnings } = await gateway(primary.baseUrl);
    const completion = await openai.chat.completions.create({
      model: 'openclaw',
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(completion.choices[0]?.message.content).toBe('from the primary');
    primaryMode = '500';
    const picked = await openai.chat.completions
      .create(
        { model: 'openclaw', messages: [{ role: 'user', content: 'hi' }] },
        { headers: { 'x-openclaw-model': 'first/primary-model' } },
      )
      .catch((error: unknown) => error);
    expect(picked).toBeInstanceOf(OpenAI.APIError);
    expect((picked as InstanceType<typeof OpenAI.APIError>).status).toBe(502);
    expect(warnings).toEqual([]);
  });
});
