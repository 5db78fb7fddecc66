// End-to-end: the client against the real gateway app (`startGateway` from @clawgate/gateway) on
// 127.0.0.1, with the built-in offline model and a real loopback upstream for failure cases. Kept
// apart from create-client.test.ts because it needs the gateway built and starts real services.
import type { ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ChatCompletionChunk } from '@clawgate/openai-schemas';
import {
  AbortError,
  AuthenticationError,
  BadRequestError,
  ConnectionError,
  InternalServerError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  TimeoutError,
} from './clawgate-error.js';
import { createClient } from './create-client.js';
import { chunk, sseJson } from './__fixtures__/loopback-server.js';
import { startModelUpstream, type ModelUpstream } from './__fixtures__/model-upstream.js';
import { startTestGateway, type TestGateway } from './__fixtures__/test-gateway.js';

const TOKEN = 'client-test-token-0123456789';
const REQUEST_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const OFFLINE_REPLY = '[clawgate offline model] Turn 1. You said: "hello gateway"';
const messages = [{ role: 'user' as const, content: 'hello gateway' }];

// The first request and the first upstream request each load part of the gateway (its HTTP
// client among them): ~0.5 s alone, ~0.75 s with both cores of a 2-core machine busy, and past
// vitest's 5 s default when more work than that queues on the two cores.
vi.setConfig({ testTimeout: 20_000 });

const cleanups: Array<() => Promise<void>> = [];
let upstream: ModelUpstream;
let gateway: TestGateway;
let busyAnswered = 0;
/** Cuts the 'midfail' upstream's connection; the test calls it once the client holds the partial text. */
let cutMidfail = (): void => undefined;

function upstreamStream(response: ServerResponse): void {
  response.writeHead(200, { 'content-type': 'text/event-stream' });
  response.flushHeaders();
}

/** The upstream's behaviour is chosen by the model id each agent is configured with. */
function answerUpstream(response: ServerResponse, model: string): void {
  const finish = (text: string) => {
    upstreamStream(response);
    response.write(sseJson(chunk({ role: 'assistant', content: text })));
    response.write(sseJson(chunk({}, 'stop')));
    response.end('data: [DONE]\n\n');
  };
  switch (model) {
    case 'fail500':
      response.writeHead(500, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: { message: 'upstream exploded', type: 'server_error' } }));
      return;
    case 'busy-then-ok':
      busyAnswered += 1;
      if (busyAnswered === 1) {
        response.writeHead(503, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ error: { message: 'overloaded', type: 'server_error' } }));
      } else {
        finish('recovered');
      }
      return;
    case 'midfail':
      upstreamStream(response);
      cutMidfail = () => response.socket?.destroy();
      response.write(sseJson(chunk({ role: 'assistant', content: 'partial ' })));
      return;
    case 'slow': {
      upstreamStream(response);
      let index = 0;
      // Bounded: at most 300 words, 20 ms apart; stops as soon as the gateway hangs up.
      const timer = setInterval(() => {
        index += 1;
        if (index > 300) {
          clearInterval(timer);
          response.end('data: [DONE]\n\n');
          return;
        }
        response.write(sseJson(chunk({ content: `w${index} ` })));
      }, 20);
      response.on('close', () => clearInterval(timer));
      return;
    }
    case 'hang':
      return;
    default:
      finish(`unexpected model ${model}`);
  }
}

beforeAll(async () => {
  upstream = await startModelUpstream(answerUpstream);
  cleanups.push(() => upstream.close());
  gateway = await startTestGateway(`{
    gateway: { auth: { mode: "token", token: "${TOKEN}" }, http: { endpoints: { chatCompletions: { enabled: true } } } },
    models: { providers: { up: { baseUrl: "${upstream.url}/v1", apiKey: "sk-client-test-upstream", timeoutMs: 5000 } } },
    agents: { list: [
      { id: "main", default: true }, { id: "beta" },
      { id: "broken", model: "up/fail500" }, { id: "busy", model: "up/busy-then-ok" },
      { id: "midfail", model: "up/midfail" }, { id: "slow", model: "up/slow" }, { id: "hang", model: "up/hang" },
    ] },
    sessions: { store: "memory" },
  }`);
  cleanups.push(() => gateway.close());
});

afterAll(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('against the real gateway: success', () => {
  it('creates a non-streaming completion with the offline model', async () => {
    const client = createClient({ baseURL: gateway.url, token: TOKEN });
    const completion = await client.chat.completions.create({ model: 'openclaw/beta', messages });
    expect(completion.id).toMatch(/^chatcmpl_[0-9a-f-]{36}$/);
    expect(completion.object).toBe('chat.completion');
    expect(completion.model).toBe('openclaw/beta');
    expect(completion.choices).toEqual([
      { index: 0, message: { role: 'assistant', content: OFFLINE_REPLY }, finish_reason: 'stop' },
    ]);
    const usage = completion.usage;
    expect(usage?.completion_tokens).toBe(OFFLINE_REPLY.split(' ').length);
    expect(usage?.total_tokens).toBe((usage?.prompt_tokens ?? 0) + (usage?.completion_tokens ?? 0));
  });

  it('streams the same answer word by word, with the role chunk first and usage last', async () => {
    const client = createClient({ baseURL: `${gateway.url}/v1`, token: TOKEN });
    const stream = await client.chat.completions.create({
      messages,
      stream: true,
      stream_options: { include_usage: true },
    });
    expect(stream.requestId).toMatch(REQUEST_ID);
    const chunks: ChatCompletionChunk[] = [];
    for await (const value of stream) chunks.push(value);
    expect(chunks[0]?.choices[0]?.delta).toEqual({ role: 'assistant' });
    const words = chunks.flatMap((value) => (value.choices[0]?.delta.content ? [value.choices[0].delta.content] : []));
    expect(words.join('')).toBe(OFFLINE_REPLY);
    expect(words.length).toBe(OFFLINE_REPLY.split(' ').length);
    expect(chunks.at(-2)?.choices[0]).toEqual({ index: 0, delta: {}, finish_reason: 'stop' });
    expect(chunks.at(-1)?.choices).toEqual([]);
    expect(new Set(chunks.map((value) => value.id)).size).toBe(1);
    expect((await stream.finalChatCompletion()).choices[0]?.message.content).toBe(OFFLINE_REPLY);
    expect((await stream.finalChatCompletion()).usage).toEqual(chunks.at(-1)?.usage);
  });

  it('fills body.user from the client, so the gateway keeps one session per user', async () => {
    const client = createClient({ baseURL: gateway.url, token: TOKEN, user: `user-${Date.now()}` });
    await client.chat.completions.create({ messages });
    const second = await client.chat.completions.create({ messages: [{ role: 'user', content: 'again' }] });
    expect(second.choices[0]?.message.content).toBe('[clawgate offline model] Turn 2. You said: "again"');
  });

  it('sends the per-call session key, agent and model headers', async () => {
    const client = createClient({ baseURL: gateway.url, token: TOKEN });
    const sessionKey = `client-test-${Date.now()}`;
    await client.chat.completions.create({ messages }, { sessionKey, messageChannel: 'cli' });
    const stream = await client.chat.completions.create(
      { messages: [{ role: 'user', content: 'more' }], stream: true },
      { sessionKey },
    );
    expect(await stream.toText()).toBe('[clawgate offline model] Turn 2. You said: "more"');
    await expect(client.chat.completions.create({ messages }, { agent: 'nope' })).rejects.toMatchObject({
      name: 'BadRequestError',
      message: "Unknown agent 'nope'.",
    });
    await expect(client.chat.completions.create({ messages }, { model: 'openai/' })).rejects.toMatchObject({
      name: 'BadRequestError',
      message: 'Invalid `x-openclaw-model`.',
    });
  });

  it('lists and retrieves models', async () => {
    const client = createClient({ baseURL: gateway.url, token: TOKEN });
    const list = await client.models.list();
    expect(list.data.map((model) => model.id)).toEqual([
      'openclaw',
      'openclaw/default',
      'openclaw/main',
      'openclaw/beta',
      'openclaw/broken',
      'openclaw/busy',
      'openclaw/midfail',
      'openclaw/slow',
      'openclaw/hang',
    ]);
    await expect(client.models.retrieve('openclaw/beta')).resolves.toEqual({
      id: 'openclaw/beta',
      object: 'model',
      created: 0,
      owned_by: 'openclaw',
      permission: [],
    });
  });
});

describe('against the real gateway: every error class', () => {
  it('400 validation → BadRequestError with the contract message and request id', async () => {
    const client = createClient({ baseURL: gateway.url, token: TOKEN });
    const error = await client.chat.completions.create({ messages, temperature: 5 }).catch((caught: unknown) => caught);
    expect(BadRequestError.isInstance(error)).toBe(true);
    const typed = error as BadRequestError;
    expect([typed.status, typed.type, typed.message]).toEqual([
      400,
      'invalid_request_error',
      '`temperature` must be between 0 and 2.',
    ]);
    expect(typed.requestId).toMatch(REQUEST_ID);
  });

  it('401 wrong token → AuthenticationError, not retried, token never in the message', async () => {
    const client = createClient({ baseURL: gateway.url, token: 'wrong-token-value' });
    const error = await client.models.list().catch((caught: unknown) => caught);
    expect(AuthenticationError.isInstance(error)).toBe(true);
    expect((error as AuthenticationError).toJSON()).toEqual({
      error: { message: 'Unauthorized', type: 'unauthorized' },
    });
    expect(JSON.stringify(error) + String(error)).not.toContain('wrong-token-value');
  });

  it('403 missing scope with auth mode none → PermissionDeniedError; the scope header fixes it', async () => {
    const open = await startTestGateway(`{
      gateway: { auth: { mode: "none" }, http: { endpoints: { chatCompletions: { enabled: true } } } },
      sessions: { store: "memory" },
    }`);
    cleanups.push(() => open.close());
    const error = await createClient({ baseURL: open.url })
      .chat.completions.create({ messages })
      .catch((caught: unknown) => caught);
    expect(PermissionDeniedError.isInstance(error)).toBe(true);
    expect((error as PermissionDeniedError).status).toBe(403);
    expect((error as PermissionDeniedError).message).toBe('missing scope: operator.write');
    const scoped = createClient({ baseURL: open.url, headers: { 'x-openclaw-scopes': 'operator.write' } });
    expect((await scoped.chat.completions.create({ messages })).choices[0]?.message.content).toBe(OFFLINE_REPLY);
  });

  it('404 unknown model → NotFoundError', async () => {
    const client = createClient({ baseURL: gateway.url, token: TOKEN });
    const error = await client.models.retrieve('openclaw/nope').catch((caught: unknown) => caught);
    expect(NotFoundError.isInstance(error)).toBe(true);
    expect([(error as NotFoundError).status, (error as NotFoundError).message]).toEqual([
      404,
      "Model 'openclaw/nope' not found.",
    ]);
  });

  it('429 after the authentication lockout → RateLimitError with retryAfterMs, thrown without waiting', async () => {
    const limited = await startTestGateway(`{
      gateway: {
        auth: { mode: "token", token: "${TOKEN}", rateLimit: { maxAttempts: 2, windowMs: 60000, lockoutMs: 300000, exemptLoopback: false } },
        http: { endpoints: { chatCompletions: { enabled: true } } },
      },
      sessions: { store: "memory" },
    }`);
    cleanups.push(() => limited.close());
    const wrong = createClient({ baseURL: limited.url, token: 'not-the-token' });
    for (let attempt = 0; attempt < 2; attempt += 1) {
      await expect(wrong.chat.completions.create({ messages })).rejects.toMatchObject({
        name: 'AuthenticationError',
        status: 401,
      });
    }
    const started = Date.now();
    const error = await createClient({ baseURL: limited.url, token: TOKEN })
      .chat.completions.create({ messages })
      .catch((caught: unknown) => caught);
    expect(RateLimitError.isInstance(error)).toBe(true);
    const typed = error as RateLimitError;
    expect([typed.status, typed.type, typed.retryAfterMs]).toEqual([429, 'rate_limited', 300_000]);
    expect(typed.message).toBe('Too many failed authentication attempts. Please try again later.');
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('5xx from an upstream that returns 500 → InternalServerError 502, and a POST is not retried', async () => {
    const client = createClient({ baseURL: gateway.url, token: TOKEN, maxRetries: 2 });
    const error = await client.chat.completions
      .create({ messages }, { agent: 'broken' })
      .catch((caught: unknown) => caught);
    expect(InternalServerError.isInstance(error)).toBe(true);
    expect([(error as InternalServerError).status, (error as InternalServerError).message]).toEqual([
      502,
      'upstream provider error',
    ]);
    expect(upstream.requestsFor('fail500')).toHaveLength(1);
  });

  it('connection error to a closed port → ConnectionError', async () => {
    const closed = await startTestGateway('{ sessions: { store: "memory" } }');
    const url = closed.url;
    await closed.close();
    const error = await createClient({ baseURL: url, token: TOKEN, maxRetries: 0 })
      .models.list()
      .catch((caught: unknown) => caught);
    expect(ConnectionError.isInstance(error)).toBe(true);
    expect((error as ConnectionError).message).toMatch(/^Connection error: connect ECONNREFUSED 127\.0\.0\.1:\d+$/);
  });

  it('timeout → TimeoutError; the gateway drops the upstream request it was waiting on', async () => {
    const client = createClient({ baseURL: gateway.url, token: TOKEN, timeoutMs: 300 });
    const error = await client.chat.completions
      .create({ messages }, { agent: 'hang' })
      .catch((caught: unknown) => caught);
    expect(TimeoutError.isInstance(error) && error.message).toBe('Request timed out after 300 ms');
    const [index] = upstream.requestsFor('hang');
    await upstream.closed(index ?? -1);
    expect(upstream.requestsFor('hang')).toHaveLength(1);
  });
});

describe('against the real gateway: retries and streams', () => {
  it('retries the gateway 503 (upstream overloaded) and succeeds: exactly two upstream attempts', async () => {
    const client = createClient({ baseURL: gateway.url, token: TOKEN });
    const completion = await client.chat.completions.create({ messages }, { agent: 'busy' });
    expect(completion.choices[0]?.message.content).toBe('recovered');
    expect(upstream.requestsFor('busy-then-ok')).toHaveLength(2);
  });

  it('an error frame mid-stream throws the typed error after the first chunks, with no retry', async () => {
    const client = createClient({ baseURL: gateway.url, token: TOKEN, maxRetries: 2 });
    const stream = await client.chat.completions.create({ messages, stream: true }, { agent: 'midfail' });
    const contents: string[] = [];
    const error = await (async () => {
      for await (const value of stream) {
        contents.push(value.choices[0]?.delta.content ?? '');
        if (value.choices[0]?.delta.content === 'partial ') cutMidfail();
      }
    })().catch((caught: unknown) => caught);
    expect(contents).toEqual(['', 'partial ']);
    expect(InternalServerError.isInstance(error)).toBe(true);
    expect([(error as InternalServerError).message, (error as InternalServerError).type]).toEqual([
      'upstream provider error',
      'api_error',
    ]);
    expect((error as InternalServerError).requestId).toBe(stream.requestId);
    expect(upstream.requestsFor('midfail')).toHaveLength(1);
  });

  it('break cancels the body; the gateway then aborts the upstream request', async () => {
    const client = createClient({ baseURL: gateway.url, token: TOKEN });
    const stream = await client.chat.completions.create({ messages, stream: true }, { agent: 'slow' });
    const words: string[] = [];
    for await (const value of stream) {
      const content = value.choices[0]?.delta.content;
      if (content) words.push(content);
      if (words.length === 3) break;
    }
    expect(words).toEqual(['w1 ', 'w2 ', 'w3 ']);
    const [index] = upstream.requestsFor('slow');
    await upstream.closed(index ?? -1);
  });

  it('an AbortSignal mid-stream throws AbortError and the upstream request is dropped', async () => {
    const client = createClient({ baseURL: gateway.url, token: TOKEN });
    const controller = new AbortController();
    const earlier = upstream.requestsFor('slow').length;
    const stream = await client.chat.completions.create(
      { messages, stream: true },
      { agent: 'slow', signal: controller.signal },
    );
    let received = 0;
    const error = await (async () => {
      for await (const value of stream) {
        if (value.choices[0]?.delta.content) received += 1;
        if (received === 2) controller.abort();
      }
    })().catch((caught: unknown) => caught);
    expect(AbortError.isInstance(error)).toBe(true);
    expect(received).toBe(2);
    const indexes = upstream.requestsFor('slow');
    await upstream.closed(indexes.at(-1) ?? -1);
    expect(indexes).toHaveLength(earlier + 1);
  });
});
