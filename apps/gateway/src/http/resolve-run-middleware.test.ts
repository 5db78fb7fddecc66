import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { AUTH_HEADER, buildTestApp, testConfig } from '../__fixtures__/build-test-app.js';
import { createRecordingRunner } from '../__fixtures__/recording-runner.js';
import { buildRunnerApp } from '../__fixtures__/build-runner-app.js';
import {
  startFakeUpstream,
  upstreamChunk,
  upstreamUsageChunk,
  writeUpstreamStream,
  type FakeUpstream,
} from '../__fixtures__/fake-upstream.js';

const USER = [{ role: 'user', content: 'hi' }];
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0)) {
    await close();
  }
});

function offlineApp(overrides: Record<string, unknown> = {}, randomUUID?: () => string) {
  const built = buildRunnerApp({ config: testConfig(overrides), randomUUID });
  closers.push(built.close);
  return built;
}

async function storedKeys(sessionStore: ReturnType<typeof offlineApp>['sessionStore'], keys: string[]) {
  const found: Record<string, number> = {};
  for (const key of keys) {
    const messages = await sessionStore.load(key, { maxMessages: 100 });
    if (messages.length > 0) {
      found[key] = messages.length;
    }
  }
  return found;
}

describe('agent and session resolution, observed through the stored session (docs/http-contract.md#4-agent-selection-session-keys-and-headers)', () => {
  it('derives agent:<id>:openai-user:<user lowercased> from `user`, with the agent from `model`', async () => {
    const { app, sessionStore } = offlineApp();
    for (const model of ['openclaw', 'openclaw:BETA', 'agent:beta', 'openclaw/beta', 'openclaw/default']) {
      const response = await request(app)
        .post('/v1/chat/completions')
        .set(AUTH_HEADER)
        .send({ model, user: 'Alice', messages: USER });
      expect(response.status, model).toBe(200);
    }
    expect(await storedKeys(sessionStore, ['agent:main:openai-user:alice', 'agent:beta:openai-user:alice'])).toEqual({
      'agent:main:openai-user:alice': 4,
      'agent:beta:openai-user:alice': 6,
    });
  });

  it('lets the agent header win over `model`, x-openclaw-agent-id over x-openclaw-agent, and uses the first of repeated headers', async () => {
    const { app, sessionStore } = offlineApp();
    const send = (headers: Record<string, string | string[]>, user: string) =>
      request(app)
        .post('/v1/chat/completions')
        .set(AUTH_HEADER)
        .set(headers)
        .send({ model: 'openclaw:main', user, messages: USER });
    expect((await send({ 'x-openclaw-agent-id': ' Beta ' }, 'u1')).status).toBe(200);
    expect((await send({ 'x-openclaw-agent': 'beta' }, 'u2')).status).toBe(200);
    expect((await send({ 'x-openclaw-agent-id': 'main', 'x-openclaw-agent': 'beta' }, 'u3')).status).toBe(200);
    expect((await send({ 'x-openclaw-agent-id': ['beta', 'main'] }, 'u4')).status).toBe(200);
    expect(
      await storedKeys(sessionStore, [
        'agent:beta:openai-user:u1',
        'agent:beta:openai-user:u2',
        'agent:main:openai-user:u3',
        'agent:beta:openai-user:u4',
      ]),
    ).toEqual({
      'agent:beta:openai-user:u1': 2,
      'agent:beta:openai-user:u2': 2,
      'agent:main:openai-user:u3': 2,
      'agent:beta:openai-user:u4': 2,
    });
  });

  it('uses x-openclaw-session-key verbatim (trimmed) and keeps a conversation across requests', async () => {
    const { app, sessionStore } = offlineApp();
    for (const content of ['first', 'second']) {
      const response = await request(app)
        .post('/v1/chat/completions')
        .set(AUTH_HEADER)
        .set('x-openclaw-session-key', '  My:Custom Key  ')
        .send({ user: 'ignored', messages: [{ role: 'user', content }] });
      expect(response.status).toBe(200);
    }
    const messages = await sessionStore.load('My:Custom Key', { maxMessages: 100 });
    expect(messages.map((message) => message.role)).toEqual(['user', 'assistant', 'user', 'assistant']);
    expect(messages[2]).toEqual({ role: 'user', content: 'second' });
    // The offline model counts user turns: the second reply saw the stored first turn.
    expect(messages[3]?.content).toBe('[clawgate offline model] Turn 2. You said: "second"');
  });

  it('keeps per-request sessions out of the store unless sessions.persistEphemeral is set', async () => {
    const uuid = '11111111-2222-4333-8444-555555555555';
    const stateless = offlineApp({}, () => uuid);
    expect(
      (await request(stateless.app).post('/v1/chat/completions').set(AUTH_HEADER).send({ messages: USER })).status,
    ).toBe(200);
    expect(await storedKeys(stateless.sessionStore, [`agent:main:openai:${uuid}`])).toEqual({});

    const persisted = offlineApp({ sessions: { persistEphemeral: true } }, () => uuid);
    expect(
      (await request(persisted.app).post('/v1/chat/completions').set(AUTH_HEADER).send({ messages: USER })).status,
    ).toBe(200);
    expect(await storedKeys(persisted.sessionStore, [`agent:main:openai:${uuid}`])).toEqual({
      [`agent:main:openai:${uuid}`]: 2,
    });
  });

  it.each([
    [
      'reserved session key',
      { 'x-openclaw-session-key': 'subagent:x' },
      {},
      '`x-openclaw-session-key` cannot use reserved internal session namespaces.',
    ],
    [
      'reserved cron key',
      { 'x-openclaw-session-key': ' cron:nightly' },
      {},
      '`x-openclaw-session-key` cannot use reserved internal session namespaces.',
    ],
    ['unknown agent by model', {}, { model: 'openclaw:gamma' }, "Unknown agent 'gamma'."],
    ['unknown agent by header', { 'x-openclaw-agent-id': 'Gamma Team' }, {}, "Unknown agent 'gamma-team'."],
    [
      'invalid model',
      {},
      { model: 'gpt-4o' },
      'Invalid `model`. Use `openclaw`, `openclaw/<agentId>`, `openclaw:<agentId>` or `agent:<agentId>`.',
    ],
    [
      'invalid model despite a header',
      { 'x-openclaw-agent-id': 'main' },
      { model: 'openai/gpt-4o' },
      'Invalid `model`. Use `openclaw`, `openclaw/<agentId>`, `openclaw:<agentId>` or `agent:<agentId>`.',
    ],
    ['invalid x-openclaw-model', { 'x-openclaw-model': 'openai/' }, {}, 'Invalid `x-openclaw-model`.'],
    [
      'x-openclaw-model outside the allow-list',
      { 'x-openclaw-model': 'offline/other' },
      {},
      "Model 'offline/other' is not allowed for agent 'main'.",
    ],
    [
      'no usable message text',
      {},
      { messages: [{ role: 'system', content: 'only system' }] },
      'Missing user message in `messages`.',
    ],
  ] as const)('%s → 400 with the exact message and nothing stored', async (_name, headers, body, message) => {
    const { app, sessionStore } = offlineApp();
    const response = await request(app)
      .post('/v1/chat/completions')
      .set(AUTH_HEADER)
      .set(headers)
      .send({ user: 'u', messages: USER, ...body });
    expect(response.status).toBe(400);
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(response.body).toEqual({ error: { message, type: 'invalid_request_error' } });
    expect(await storedKeys(sessionStore, ['agent:main:openai-user:u'])).toEqual({});
  });
});

describe('prompt construction, observed through what the upstream received (docs/http-contract.md#prompt-building)', () => {
  let upstream: FakeUpstream;

  async function upstreamApp(agent: Record<string, unknown> = {}) {
    upstream = await startFakeUpstream((_record, response) =>
      writeUpstreamStream(response, [
        upstreamChunk({ role: 'assistant', content: 'ok' }),
        upstreamChunk({}, 'stop'),
        upstreamUsageChunk(),
      ]),
    );
    closers.push(() => upstream.close());
    return offlineApp({
      models: { providers: { up: { baseUrl: upstream.baseUrl, apiKey: 'sk-test-key-123456' } } },
      agents: {
        list: [{ id: 'main', default: true, model: 'up/up-model', allowedModels: ['up/*'], ...agent }, { id: 'beta' }],
      },
    }).app;
  }

  it('asks the upstream for a stream exactly when the client streams', async () => {
    const app = await upstreamApp({});
    const streamed = await request(app)
      .post('/v1/chat/completions')
      .set(AUTH_HEADER)
      .send({ messages: USER, stream: true });
    expect(streamed.status).toBe(200);
    expect(streamed.text.endsWith('data: [DONE]\n\n')).toBe(true);
    const whole = await request(app)
      .post('/v1/chat/completions')
      .set(AUTH_HEADER)
      .send({ messages: USER, stream: null });
    expect(whole.status).toBe(200);
    expect(whole.body.choices[0].message.content).toBe('ok');
    expect(upstream.requests.map((sent) => [sent.body.stream, sent.body.stream_options])).toEqual([
      [true, { include_usage: true }],
      [false, undefined],
    ]);
  });

  it('sends a lone user message as the body alone, with the agent system prompt and the model id', async () => {
    const app = await upstreamApp({ systemPrompt: 'Be brief.' });
    const response = await request(app)
      .post('/v1/chat/completions')
      .set(AUTH_HEADER)
      .send({ messages: USER, temperature: 0.2 });
    expect(response.status).toBe(200);
    const sent = upstream.requests[0]!;
    expect(sent.headers.authorization).toBe('Bearer sk-test-key-123456');
    expect(sent.body.model).toBe('up-model');
    expect(sent.body.temperature).toBe(0.2);
    // The client did not ask to stream, so the gateway asks its upstream for one JSON body.
    expect(sent.body.stream).toBe(false);
    expect(sent.body.messages).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'hi' },
    ]);
  });

  it('joins system/developer prompts and renders earlier entries with history markers, tool and function roles', async () => {
    const app = await upstreamApp();
    const response = await request(app)
      .post('/v1/chat/completions')
      .set(AUTH_HEADER)
      .set('x-openclaw-model', 'up/other-model')
      .send({
        messages: [
          { role: 'system', content: 'S1' },
          { role: 'developer', content: [{ type: 'text', text: 'D1' }] },
          {
            role: 'user',
            content: [
              { type: 'text', text: 'a' },
              { type: 'input_text', text: 'b' },
            ],
          },
          {
            role: 'assistant',
            content: null,
            tool_calls: [{ id: 'c1', type: 'function', function: { name: 'lookup', arguments: '{"q":1}' } }],
          },
          { role: 'tool', tool_call_id: 'c1', content: 'result' },
          { role: 'function', name: 'legacy', content: 'old' },
          { role: 'user', content: 'now?' },
          { role: 'assistant', content: 'dropped' },
        ],
      });
    expect(response.status).toBe(200);
    const sent = upstream.requests[0]!;
    expect(sent.body.model).toBe('other-model');
    expect(sent.body.messages).toEqual([
      { role: 'system', content: 'S1\n\nD1' },
      {
        role: 'user',
        content: [
          '[Chat messages since your last reply - for context]',
          'User: a\nb',
          'Assistant: tool_call id=c1 name=lookup arguments={"q":1}',
          'Tool:c1: result',
          'Tool:legacy: old',
          '',
          '[Current message - respond to this]',
          'User: now?',
        ].join('\n'),
      },
    ]);
  });

  it('forwards data-URI images of the current user message; image-only turns get the placeholder text', async () => {
    const png =
      'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';
    const app = await upstreamApp();
    const response = await request(app)
      .post('/v1/chat/completions')
      .set(AUTH_HEADER)
      .send({ messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: png } }] }] });
    expect(response.status).toBe(200);
    expect(upstream.requests[0]!.body.messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'User sent image(s) with no text.' },
          { type: 'image_url', image_url: { url: png } },
        ],
      },
    ]);
  });

  it.each([
    ['a non-image data URI', 'data:text/plain;base64,aGVsbG8='],
    ['bytes that are not the declared format', 'data:image/png;base64,aGVsbG8gd29ybGQ='],
    ['a remote URL (images.allowUrl is off)', 'https://example.com/cat.png'],
  ])('refuses %s with 400 and never calls the upstream', async (_name, url) => {
    const app = await upstreamApp();
    const response = await request(app)
      .post('/v1/chat/completions')
      .set(AUTH_HEADER)
      .send({
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'look' },
              { type: 'image_url', image_url: { url } },
            ],
          },
        ],
      });
    expect(response.status).toBe(400);
    expect(response.body).toEqual({
      error: { message: 'Invalid image_url content in `messages`.', type: 'invalid_request_error' },
    });
    expect(upstream.requests).toHaveLength(0);
  });
});

describe('message channel (docs/http-contract.md#4-agent-selection-session-keys-and-headers)', () => {
  it('hands the trimmed, lowercased x-openclaw-message-channel to the run, default webchat', async () => {
    const runner = createRecordingRunner();
    const { app } = buildTestApp({ config: testConfig(), runner });
    await request(app)
      .post('/v1/chat/completions')
      .set(AUTH_HEADER)
      .set('x-openclaw-message-channel', '  SLACK ')
      .send({ messages: USER });
    await request(app).post('/v1/chat/completions').set(AUTH_HEADER).send({ messages: USER });
    expect(runner.inputs.map((input) => input.messageChannel)).toEqual(['slack', 'webchat']);
  });
});
