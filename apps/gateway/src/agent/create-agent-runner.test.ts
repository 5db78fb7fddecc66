import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../config/parse-config.js';
import { GatewayError } from '../errors.js';
import {
  sseFrame,
  startUpstreamServer,
  textChunk,
  type UpstreamServer,
} from '../providers/__fixtures__/start-upstream-server.js';
import { createProviderRegistry, type ProviderRegistry } from '../providers/provider-registry.js';
import { createMemorySessionStore } from '../sessions/memory-session-store.js';
import type { SessionStore } from '../sessions/session-store.js';
import { runEvents, type RunEvent } from '../__fixtures__/run-events.js';
import type { AgentRunInput, AgentRunner } from './agent-runner.js';
import { createAgentRunner } from './create-agent-runner.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

function setup(configValue: unknown = {}): { runner: AgentRunner; store: SessionStore; providers: ProviderRegistry } {
  const config = parseConfig(configValue, {});
  const store = createMemorySessionStore();
  const providers = createProviderRegistry({ config });
  cleanups.push(() => providers.close());
  const runner = createAgentRunner({ config, sessionStore: store, providers, now: () => Date.UTC(2026, 0, 1) });
  return { runner, store, providers };
}

function input(overrides: Partial<AgentRunInput> & { text?: string } = {}): AgentRunInput {
  const { text = 'hello', ...rest } = overrides;
  return {
    agentId: 'main',
    sessionKey: 'agent:main:openai-user:alice',
    sessionKind: 'user',
    messages: [{ role: 'user', content: text }] as AgentRunInput['messages'],
    parameters: {},
    messageChannel: 'webchat',
    ...rest,
  };
}

async function runOnce(
  runner: AgentRunner,
  runInput: AgentRunInput,
  signal = new AbortController().signal,
): Promise<RunEvent[]> {
  const events: RunEvent[] = [];
  for await (const event of runEvents(runner, runner.prepare(runInput), { signal })) events.push(event);
  return events;
}

const endOf = (events: RunEvent[]) => {
  const last = events.at(-1);
  if (last?.type !== 'end') throw new Error(`expected end, got ${JSON.stringify(last)}`);
  return last;
};

function prepareError(runner: AgentRunner, runInput: AgentRunInput): GatewayError {
  try {
    runner.prepare(runInput);
  } catch (error) {
    if (GatewayError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected prepare to throw');
}

describe('agent runner: prepare', () => {
  it('refuses an unknown agent', () => {
    const { runner } = setup();
    expect(prepareError(runner, input({ agentId: 'ghost' })).toJSON()).toEqual({
      error: { message: "Unknown agent 'ghost'.", type: 'invalid_request_error' },
    });
  });

  it('allows model overrides only within the allow-list, and runs the model the override names', async () => {
    const server = await startUpstreamServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.end(sseFrame(textChunk('ok', 'stop')) + sseFrame('[DONE]'));
    });
    cleanups.push(() => server.close());
    const { runner } = setup({
      models: { providers: { local: { baseUrl: server.baseUrl } } },
      agents: { list: [{ id: 'main', model: 'local/llama3', allowedModels: ['qwen3', 'offline/*'] }] },
    });
    // What a run with this override called: the model id it asked the `local` upstream for, or the
    // offline model (which ignores the id, so its reply is what shows it ran).
    const ranWith = async (modelOverride: string): Promise<string> => {
      const before = server.requests.length;
      const { text } = endOf(await runOnce(runner, input({ modelOverride })));
      const asked = server.requests
        .slice(before)
        .map((request) => `local/${(request.body as { model: string }).model}`);
      return asked.length === 0 && text.startsWith('[clawgate offline model] ') ? 'offline' : asked.join(', ');
    };
    expect(await ranWith('local/llama3')).toBe('local/llama3');
    expect(await ranWith('llama3')).toBe('local/llama3');
    expect(await ranWith('qwen3')).toBe('local/qwen3');
    expect(await ranWith('local/qwen3')).toBe('local/qwen3');
    expect(await ranWith('offline/anything')).toBe('offline');
    expect(prepareError(runner, input({ modelOverride: 'openai/gpt-4o' })).message).toBe(
      "Model 'openai/gpt-4o' is not allowed for agent 'main'.",
    );
    expect(prepareError(runner, input({ modelOverride: 'gpt-4o' })).message).toBe(
      "Model 'gpt-4o' is not allowed for agent 'main'.",
    );
    expect(prepareError(runner, input({ modelOverride: 'openai/' })).message).toBe('Invalid `x-openclaw-model`.');
  });

  it('refuses overrides for an agent without an allow-list, except its own model', async () => {
    const { runner } = setup();
    expect(endOf(await runOnce(runner, input({ modelOverride: 'offline/clawgate-offline' }))).text).toBe(
      '[clawgate offline model] Turn 1. You said: "hello"',
    );
    expect(prepareError(runner, input({ modelOverride: 'offline/other' })).message).toBe(
      "Model 'offline/other' is not allowed for agent 'main'.",
    );
  });

  it('refuses a missing user message before any run', () => {
    const { runner } = setup();
    expect(prepareError(runner, input({ messages: [] })).message).toBe('Missing user message in `messages`.');
  });
});

describe('agent runner: run', () => {
  it('streams deltas, then ends with text, usage and finish reason, and keeps the session', async () => {
    const { runner, store } = setup();
    const first = await runOnce(runner, input({ text: 'one' }));
    expect(first.filter((event) => event.type === 'delta').length).toBeGreaterThan(1);
    expect(endOf(first)).toEqual({
      type: 'end',
      finishReason: 'stop',
      text: '[clawgate offline model] Turn 1. You said: "one"',
      toolCalls: [],
      usage: { prompt_tokens: 1, completion_tokens: 8, total_tokens: 9 },
      model: 'offline/clawgate-offline',
    });
    expect(endOf(await runOnce(runner, input({ text: 'two' }))).text).toBe(
      '[clawgate offline model] Turn 2. You said: "two"',
    );
    expect(await store.load('agent:main:openai-user:alice', { maxMessages: 100 })).toEqual([
      { role: 'user', content: 'one' },
      { role: 'assistant', content: '[clawgate offline model] Turn 1. You said: "one"' },
      { role: 'user', content: 'two' },
      { role: 'assistant', content: '[clawgate offline model] Turn 2. You said: "two"' },
    ]);
    // Each turn is stored with what ran it, the run's usage among it.
    const { turns } = await store.readTurns('agent:main:openai-user:alice', { maxMessages: 100 });
    expect(turns.map((turn) => turn.meta)).toEqual([
      {
        agentId: 'main',
        model: 'offline/clawgate-offline',
        messageChannel: 'webchat',
        finishReason: 'stop',
        usage: { prompt_tokens: 1, completion_tokens: 8, total_tokens: 9 },
      },
      {
        agentId: 'main',
        model: 'offline/clawgate-offline',
        messageChannel: 'webchat',
        finishReason: 'stop',
        usage: { prompt_tokens: 14, completion_tokens: 8, total_tokens: 22 },
      },
    ]);
  });

  it('serialises concurrent runs on one session key so transcripts never interleave', async () => {
    const { runner, store } = setup({ models: { providers: { offline: { api: 'offline', delayMs: 5 } } } });
    const log: string[] = [];
    const runs = ['A', 'B', 'C'].map(async (name) => {
      for await (const event of runEvents(runner, runner.prepare(input({ text: name })), {
        signal: new AbortController().signal,
      })) {
        if (event.type === 'delta' && log.at(-1) !== `delta ${name}`) log.push(`delta ${name}`);
        if (event.type === 'end') log.push(`end ${name}: ${event.text}`);
      }
    });
    // A run on another key is not blocked by them.
    const other = runOnce(runner, input({ text: 'Z', sessionKey: 'agent:main:openai-user:zed' }));
    await Promise.all([...runs, other]);
    expect(log).toEqual([
      'delta A',
      'end A: [clawgate offline model] Turn 1. You said: "A"',
      'delta B',
      'end B: [clawgate offline model] Turn 2. You said: "B"',
      'delta C',
      'end C: [clawgate offline model] Turn 3. You said: "C"',
    ]);
    const stored = await store.load('agent:main:openai-user:alice', { maxMessages: 100 });
    expect(stored.map((message) => message.content)).toEqual([
      'A',
      '[clawgate offline model] Turn 1. You said: "A"',
      'B',
      '[clawgate offline model] Turn 2. You said: "B"',
      'C',
      '[clawgate offline model] Turn 3. You said: "C"',
    ]);
    expect(endOf(await other).text).toBe('[clawgate offline model] Turn 1. You said: "Z"');
  });

  it("trims the transcript to the agent's maxHistoryMessages", async () => {
    const { runner } = setup({ agents: { defaults: { maxHistoryMessages: 4 } } });
    const texts: string[] = [];
    for (let index = 0; index < 5; index += 1)
      texts.push(endOf(await runOnce(runner, input({ text: `m${index}` }))).text);
    // At most 2 stored user messages + this one reach the model.
    expect(texts.map((text) => text.slice(25, 31))).toEqual(['Turn 1', 'Turn 2', 'Turn 3', 'Turn 3', 'Turn 3']);
  });

  it('does not persist ephemeral sessions unless sessions.persistEphemeral', async () => {
    const ephemeral = input({
      sessionKey: 'agent:main:openai:1b4e28ba-2fa1-4d2b-883f-0016d3cca427',
      sessionKind: 'ephemeral',
    });
    const plain = setup();
    await runOnce(plain.runner, ephemeral);
    expect(endOf(await runOnce(plain.runner, ephemeral)).text).toContain('Turn 1.');
    expect(await plain.store.load(ephemeral.sessionKey, { maxMessages: 10 })).toEqual([]);

    const persisting = setup({ sessions: { persistEphemeral: true } });
    await runOnce(persisting.runner, ephemeral);
    expect(endOf(await runOnce(persisting.runner, ephemeral)).text).toContain('Turn 2.');
    expect(await persisting.store.load(ephemeral.sessionKey, { maxMessages: 10 })).toHaveLength(4);
  });

  it('stores an ephemeral session when the input asks for it (a Responses turn with store not false)', async () => {
    const ephemeral = input({ sessionKey: 'agent:main:openresponses:7', sessionKind: 'ephemeral', storeTurn: true });
    const { runner, store } = setup();
    await runOnce(runner, ephemeral);
    expect(endOf(await runOnce(runner, ephemeral)).text).toContain('Turn 2.');
    expect(await store.load(ephemeral.sessionKey, { maxMessages: 10 })).toHaveLength(4);
  });

  it('emits tool calls and stores them with the turn', async () => {
    const { runner, store } = setup();
    const events = await runOnce(
      runner,
      input({
        text: 'call get_time {"zone":"UTC"}',
        parameters: { tools: [{ type: 'function', function: { name: 'get_time' } }] } as AgentRunInput['parameters'],
      }),
    );
    expect(events).toEqual([
      { type: 'tool_call_start', index: 0, id: 'call_offline_1_get_time', name: 'get_time' },
      { type: 'tool_call_delta', index: 0, arguments: '{"zone":"UTC"}' },
      {
        type: 'end',
        finishReason: 'tool_calls',
        text: '',
        toolCalls: [{ id: 'call_offline_1_get_time', name: 'get_time', arguments: '{"zone":"UTC"}' }],
        usage: { prompt_tokens: 7, completion_tokens: 4, total_tokens: 11 },
        model: 'offline/clawgate-offline',
      },
    ]);
    expect((await store.load('agent:main:openai-user:alice', { maxMessages: 10 }))[1]).toEqual({
      role: 'assistant',
      content: '',
      toolCalls: [{ id: 'call_offline_1_get_time', name: 'get_time', arguments: '{"zone":"UTC"}' }],
    });
  });

  it('ends with one error event (and stores nothing) when the signal aborts, then frees the session', async () => {
    const { runner, store } = setup({ models: { providers: { offline: { api: 'offline', delayMs: 20 } } } });
    const controller = new AbortController();
    const events: RunEvent[] = [];
    for await (const event of runEvents(runner, runner.prepare(input()), { signal: controller.signal })) {
      events.push(event);
      if (events.length === 2) controller.abort(new Error('client closed'));
    }
    expect(events).toHaveLength(3);
    const last = events.at(-1);
    expect(last?.type === 'error' && [last.error.status, last.error.message]).toEqual([499, 'request aborted']);
    expect(await store.load('agent:main:openai-user:alice', { maxMessages: 10 })).toEqual([]);
    expect(endOf(await runOnce(runner, input())).text).toContain('Turn 1.');
  });

  it('releases the session when the consumer stops reading mid-reply (the run is aborted)', async () => {
    // Paced words, so the consumer stops while the reply is still arriving.
    const { runner, store } = setup({ models: { providers: { offline: { api: 'offline', delayMs: 20 } } } });
    for await (const event of runEvents(runner, runner.prepare(input()), { signal: new AbortController().signal })) {
      expect(event.type).toBe('delta');
      break;
    }
    // Nothing stored for the aborted turn, and the next turn on the session is not blocked.
    expect(endOf(await runOnce(runner, input())).text).toContain('Turn 1.');
    expect(await store.load('agent:main:openai-user:alice', { maxMessages: 10 })).toHaveLength(2);
  });
});

describe('agent runner with an OpenAI-compatible upstream', () => {
  async function upstreamSetup(
    handler: Parameters<typeof startUpstreamServer>[0],
    extra: Record<string, unknown> = {},
  ) {
    const server: UpstreamServer = await startUpstreamServer(handler);
    cleanups.push(() => server.close());
    const parts = setup({
      models: { providers: { up: { baseUrl: server.baseUrl, apiKey: 'sk-upstream-secret-000', timeoutMs: 3000 } } },
      agents: { list: [{ id: 'main', model: 'up/vendor/model-x', systemPrompt: 'You are Claw.' }] },
      ...extra,
    });
    return { ...parts, server };
  }

  it('sends agent + extra system prompt, transcript (tool calls as text), this turn with images, and tools', async () => {
    let call = 0;
    const { runner, server } = await upstreamSetup((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      call += 1;
      if (call === 1) {
        const chunk = {
          id: 'c',
          object: 'chat.completion.chunk',
          created: 1,
          model: 'm',
          choices: [
            {
              index: 0,
              delta: {
                tool_calls: [
                  { index: 0, id: 'call_1', type: 'function', function: { name: 'lookup', arguments: '{"q":1}' } },
                ],
              },
              finish_reason: 'tool_calls',
            },
          ],
        };
        response.end(sseFrame(chunk) + sseFrame('[DONE]'));
      } else response.end(sseFrame(textChunk('done', 'stop')) + sseFrame('[DONE]'));
    });
    const tools = [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object' } } }];
    await runOnce(
      runner,
      input({ text: 'first', parameters: { tools, temperature: 0.2 } as AgentRunInput['parameters'] }),
    );
    const png =
      'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
    const events = await runOnce(
      runner,
      input({
        messages: [
          { role: 'developer', content: 'Answer in French.' },
          {
            role: 'user',
            content: [
              { type: 'text', text: 'look' },
              { type: 'image_url', image_url: { url: png } },
            ],
          },
        ] as AgentRunInput['messages'],
      }),
    );
    expect(endOf(events).text).toBe('done');
    expect(server.requests[0]!.body).toMatchObject({ model: 'vendor/model-x', tools, temperature: 0.2 });
    expect((server.requests[1]!.body as { messages: unknown }).messages).toEqual([
      { role: 'system', content: 'You are Claw.\n\nAnswer in French.' },
      { role: 'user', content: 'first' },
      { role: 'assistant', content: 'tool_call id=call_1 name=lookup arguments={"q":1}' },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'look' },
          { type: 'image_url', image_url: { url: png } },
        ],
      },
    ]);
  });

  it('fetches the whole answer (stream: false upstream) when the transport will not stream, with the same events and transcript', async () => {
    const { runner, server, store } = await upstreamSetup((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify({
          id: 'c',
          object: 'chat.completion',
          created: 1,
          model: 'm',
          choices: [{ index: 0, message: { role: 'assistant', content: 'Bonjour' }, finish_reason: 'stop' }],
          usage: { prompt_tokens: 4, completion_tokens: 1, total_tokens: 5 },
        }),
      );
    });
    const events = await runOnce(runner, input({ stream: false }));
    expect(events).toEqual([
      { type: 'delta', text: 'Bonjour' },
      {
        type: 'end',
        finishReason: 'stop',
        text: 'Bonjour',
        toolCalls: [],
        usage: { prompt_tokens: 4, completion_tokens: 1, total_tokens: 5 },
        model: 'up/vendor/model-x',
      },
    ]);
    const body = server.requests[0]!.body as Record<string, unknown>;
    expect([body.stream, 'stream_options' in body]).toEqual([false, false]);
    expect(await store.load('agent:main:openai-user:alice', { maxMessages: 10 })).toEqual([
      { role: 'user', content: 'hello' },
      { role: 'assistant', content: 'Bonjour' },
    ]);
  });

  it('streams from the upstream when the input does not say stream: false', async () => {
    const { runner, server } = await upstreamSetup((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.end(sseFrame(textChunk('streamed', 'stop')) + sseFrame('[DONE]'));
    });
    expect(endOf(await runOnce(runner, input())).text).toBe('streamed');
    expect(endOf(await runOnce(runner, input({ stream: true }))).text).toBe('streamed');
    expect(server.requests.map((request) => (request.body as { stream: unknown }).stream)).toEqual([true, true]);
  });

  it('answers "No response from OpenClaw." for empty output', async () => {
    const { runner } = await upstreamSetup((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.end(sseFrame(textChunk('', 'stop')) + sseFrame('[DONE]'));
    });
    const events = await runOnce(runner, input());
    expect(events[0]).toEqual({ type: 'delta', text: 'No response from OpenClaw.' });
    expect(endOf(events).text).toBe('No response from OpenClaw.');
  });

  it('turns an upstream failure into one error event and stores nothing', async () => {
    const { runner, store } = await upstreamSetup((_request, response) => {
      response.writeHead(429, { 'content-type': 'application/json', 'retry-after': '3' });
      response.end(JSON.stringify({ error: { message: 'Slow down', code: 'rate_limit_exceeded' } }));
    });
    const events = await runOnce(runner, input());
    expect(events).toHaveLength(1);
    const only = events[0];
    expect(only?.type === 'error' && [only.error.status, only.error.retryAfterSeconds, only.error.toJSON()]).toEqual([
      429,
      3,
      { error: { message: 'Slow down', type: 'rate_limit_error', code: 'rate_limit_exceeded' } },
    ]);
    expect(await store.load('agent:main:openai-user:alice', { maxMessages: 10 })).toEqual([]);
  });

  it("fails with 502 reply_too_large past the agent's maxReplyChars, passing on only what fit, and stores nothing", async () => {
    const { runner, store } = await upstreamSetup(
      (_request, response) => {
        response.writeHead(200, { 'content-type': 'text/event-stream' });
        for (let index = 0; index < 5; index += 1) response.write(sseFrame(textChunk('abcd')));
        response.end(sseFrame(textChunk('', 'stop')) + sseFrame('[DONE]'));
      },
      { agents: { defaults: { maxReplyChars: 10 }, list: [{ id: 'main', model: 'up/vendor/model-x' }] } },
    );
    const events = await runOnce(runner, input());
    expect(events.slice(0, 2)).toEqual([
      { type: 'delta', text: 'abcd' },
      { type: 'delta', text: 'abcd' },
    ]);
    const last = events.at(-1);
    expect(events).toHaveLength(3);
    expect(last?.type === 'error' && [last.error.status, last.error.toJSON()]).toEqual([
      502,
      {
        error: {
          message: "The model's reply exceeded the limit of 10 characters.",
          type: 'api_error',
          code: 'reply_too_large',
        },
      },
    ]);
    expect(await store.load('agent:main:openai-user:alice', { maxMessages: 10 })).toEqual([]);
  });

  it('aborting the run closes the upstream request within one second', async () => {
    const { runner, server } = await upstreamSetup((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write(sseFrame(textChunk('partial ')));
    });
    const controller = new AbortController();
    const events: RunEvent[] = [];
    const started = { at: 0 };
    for await (const event of runEvents(runner, runner.prepare(input()), { signal: controller.signal })) {
      events.push(event);
      if (event.type === 'delta') {
        started.at = Date.now();
        controller.abort(new Error('gone'));
      }
    }
    await server.closedEarly(0);
    expect(Date.now() - started.at).toBeLessThan(1000);
    expect(events.map((event) => event.type)).toEqual(['delta', 'error']);
  });
});

describe('agent runner: remote images', () => {
  it('verify() refuses a URL whose host is private, before any run', async () => {
    const { runner } = setup({ gateway: { http: { endpoints: { chatCompletions: { images: { allowUrl: true } } } } } });
    const prepared = runner.prepare(
      input({
        messages: [
          { role: 'user', content: [{ type: 'image_url', image_url: { url: 'http://127.0.0.1/x.png' } }] },
        ] as AgentRunInput['messages'],
      }),
    );
    await expect(runner.verify!(prepared)).rejects.toMatchObject({
      status: 400,
      message: 'Invalid image_url content in `messages`.',
    });
    const events: RunEvent[] = [];
    for await (const event of runEvents(runner, prepared, { signal: new AbortController().signal })) events.push(event);
    expect(events.map((event) => event.type === 'error' && event.error.status)).toEqual([400]);
  });
});
