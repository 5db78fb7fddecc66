// End-to-end: responses.create and embeddings.create against the real gateway app (`startGateway`
// from @clawgate/gateway) on 127.0.0.1, with the built-in offline model and a loopback upstream for
// failures. The wire it checks is docs/responses-api.md#streaming and docs/responses-api.md#errors.
import type { ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ResponsesStreamEvent } from '@clawgate/openai-schemas';
import { BadRequestError, InternalServerError, NotFoundError } from './clawgate-error.js';
import { createClient } from './create-client.js';
import { chunk, sseJson } from './__fixtures__/loopback-server.js';
import { startModelUpstream, type ModelUpstream } from './__fixtures__/model-upstream.js';
import { startTestGateway, type TestGateway } from './__fixtures__/test-gateway.js';
import { readToEnd } from './__fixtures__/read-to-end.js';

const TOKEN = 'client-responses-test-token-0123';
const REQUEST_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const OFFLINE_REPLY = '[clawgate offline model] Turn 1. You said: "hello gateway"';
const getTime = { type: 'function' as const, name: 'get_time', parameters: { type: 'object' } };

// The first requests load part of the gateway; see create-client.gateway.test.ts for the timings.
vi.setConfig({ testTimeout: 20_000 });

const cleanups: Array<() => Promise<void>> = [];
let upstream: ModelUpstream;
let gateway: TestGateway;
/** Cuts the 'midfail' upstream's connection; the test calls it once the client holds the partial text. */
let cutMidfail = (): void => undefined;

/** The upstream's behaviour is chosen by the model id each agent is configured with. */
function answerUpstream(response: ServerResponse, model: string): void {
  if (model === 'fail500') {
    response.writeHead(500, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ error: { message: 'upstream exploded', type: 'server_error' } }));
    return;
  }
  response.writeHead(200, { 'content-type': 'text/event-stream' });
  response.flushHeaders();
  response.write(sseJson(chunk({ role: 'assistant', content: model === 'plain' ? 'no tools here' : 'partial ' })));
  if (model === 'plain') {
    response.write(sseJson(chunk({}, 'stop')));
    response.end('data: [DONE]\n\n');
    return;
  }
  cutMidfail = () => response.socket?.destroy();
}

beforeAll(async () => {
  upstream = await startModelUpstream(answerUpstream);
  cleanups.push(() => upstream.close());
  gateway = await startTestGateway(`{
    gateway: { auth: { mode: "token", token: "${TOKEN}" }, http: { endpoints: { responses: { enabled: true } } } },
    models: { providers: { up: { baseUrl: "${upstream.url}/v1", apiKey: "sk-client-test-upstream", timeoutMs: 5000 } } },
    agents: {
      defaults: { embeddingModel: "offline/clawgate-offline-embed" },
      list: [{ id: "main", default: true }, { id: "beta" }, { id: "broken", model: "up/fail500" }, { id: "midfail", model: "up/midfail" },
        { id: "plain", model: "up/plain" }],
    },
    sessions: { store: "memory" },
  }`);
  cleanups.push(() => gateway.close());
});

afterAll(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('responses.create against the real gateway', () => {
  it('answers with the offline model: the response object plus output_text', async () => {
    const client = createClient({ baseURL: gateway.url, token: TOKEN });
    const response = await client.responses.create({ model: 'openclaw/beta', input: 'hello gateway' });
    expect(response.id).toMatch(/^resp_/);
    expect([response.object, response.status, response.model]).toEqual(['response', 'completed', 'openclaw/beta']);
    expect(response.output_text).toBe(OFFLINE_REPLY);
    expect(response.output).toEqual([
      {
        type: 'message',
        id: expect.stringMatching(/^msg_/),
        role: 'assistant',
        status: 'completed',
        content: [{ type: 'output_text', text: OFFLINE_REPLY, annotations: [] }],
      },
    ]);
    expect(response.usage?.output_tokens).toBe(OFFLINE_REPLY.split(' ').length);
    expect(response.usage?.total_tokens).toBe(
      (response.usage?.input_tokens ?? 0) + (response.usage?.output_tokens ?? 0),
    );
  });

  it('streams the same answer as numbered events in the documented order; finalResponse() matches', async () => {
    const client = createClient({ baseURL: `${gateway.url}/v1`, token: TOKEN });
    const stream = await client.responses.create({ model: 'openclaw', input: 'hello gateway', stream: true });
    expect(stream.requestId).toMatch(REQUEST_ID);
    const seen: ResponsesStreamEvent[] = [];
    expect(await readToEnd(stream, seen)).toBeUndefined();
    const deltas = seen.flatMap((event) => (event.type === 'response.output_text.delta' ? [event.delta] : []));
    expect(deltas.join('')).toBe(OFFLINE_REPLY);
    expect(seen.map((event) => event.type)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      ...deltas.map(() => 'response.output_text.delta'),
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
    expect(seen.map((event) => event.sequence_number)).toEqual(seen.map((_event, index) => index));
    const final = await stream.finalResponse();
    const completed = seen.at(-1);
    expect(completed?.type === 'response.completed' && completed.response).toEqual({
      ...final,
      output_text: undefined,
    });
    expect([final.status, final.output_text]).toEqual(['completed', OFFLINE_REPLY]);
    expect(final.id).toBe(seen[0]?.type === 'response.created' ? seen[0].response.id : 'missing');
  });

  it('continues a conversation with previous_response_id, and per user with the client user', async () => {
    const client = createClient({ baseURL: gateway.url, token: TOKEN });
    const first = await client.responses.create({ model: 'openclaw', input: 'one' });
    const second = await client.responses.create({ model: 'openclaw', input: 'two', previous_response_id: first.id });
    expect(second.output_text).toBe('[clawgate offline model] Turn 2. You said: "two"');

    const perUser = createClient({ baseURL: gateway.url, token: TOKEN, user: `user-${Date.now()}` });
    await perUser.responses.create({ model: 'openclaw', input: 'first' });
    const again = await perUser.responses.create({ model: 'openclaw', input: 'again', stream: true });
    expect(await again.toText()).toBe('[clawgate offline model] Turn 2. You said: "again"');
  });

  it('sends the per-call session key and agent headers', async () => {
    const client = createClient({ baseURL: gateway.url, token: TOKEN });
    const sessionKey = `client-responses-${Date.now()}`;
    await client.responses.create({ model: 'openclaw', input: 'one' }, { sessionKey, messageChannel: 'cli' });
    const next = await client.responses.create({ model: 'openclaw', input: 'more' }, { sessionKey, agent: 'main' });
    expect(next.output_text).toBe('[clawgate offline model] Turn 2. You said: "more"');
    await expect(client.responses.create({ model: 'openclaw', input: 'hi' }, { agent: 'nope' })).rejects.toMatchObject({
      name: 'BadRequestError',
      status: 400,
      message: "Unknown agent 'nope'.",
    });
  });

  it('streams a function call and takes its output back with previous_response_id', async () => {
    const client = createClient({ baseURL: gateway.url, token: TOKEN });
    const stream = await client.responses.create({
      model: 'openclaw',
      input: 'please call get_time {"tz":"UTC"}',
      tools: [getTime],
      stream: true,
    });
    const seen: ResponsesStreamEvent[] = [];
    expect(await readToEnd(stream, seen)).toBeUndefined();
    const types = seen.map((event) => event.type);
    const added = types.indexOf('response.output_item.added');
    expect(types.slice(0, 2)).toEqual(['response.created', 'response.in_progress']);
    expect(types.at(-1)).toBe('response.completed');
    const middle = types.slice(added, -1);
    expect(middle[0]).toBe('response.output_item.added');
    expect(middle.at(-2)).toBe('response.function_call_arguments.done');
    expect(middle.at(-1)).toBe('response.output_item.done');
    expect(new Set(middle.slice(1, -2))).toEqual(new Set(['response.function_call_arguments.delta']));
    const argumentDeltas = seen.flatMap((event) =>
      event.type === 'response.function_call_arguments.delta' ? [event.delta] : [],
    );
    expect(argumentDeltas.join('')).toBe('{"tz":"UTC"}');
    const final = await stream.finalResponse();
    expect(final.output_text).toBe('');
    expect(final.output).toEqual([
      {
        type: 'function_call',
        id: expect.stringMatching(/^fc_/),
        call_id: 'call_offline_1_get_time',
        name: 'get_time',
        arguments: '{"tz":"UTC"}',
        status: 'completed',
      },
    ]);

    const answer = await client.responses.create({
      model: 'openclaw',
      input: [{ type: 'function_call_output', call_id: 'call_offline_1_get_time', output: '12:00' }],
      tools: [getTime],
      previous_response_id: final.id,
    });
    // The output is the turn's message (docs/responses-api.md#from-input-to-a-turn); the run saw it.
    expect([answer.status, answer.output_text]).toEqual(['completed', expect.stringContaining('12:00')]);
  });
});

describe('responses.create failures against the real gateway', () => {
  it('400 validation → BadRequestError with the contract message', async () => {
    const client = createClient({ baseURL: gateway.url, token: TOKEN });
    const error = await client.responses
      .create({ model: 'openclaw', input: 'hi', temperature: 5 })
      .catch((caught: unknown) => caught);
    expect(BadRequestError.isInstance(error)).toBe(true);
    expect([(error as BadRequestError).status, (error as BadRequestError).message]).toEqual([
      400,
      '`temperature` must be between 0 and 2.',
    ]);
  });

  it('an upstream 500 → 502 → InternalServerError with the gateway message, not retried', async () => {
    const client = createClient({ baseURL: gateway.url, token: TOKEN, maxRetries: 2 });
    const error = await client.responses
      .create({ model: 'openclaw', input: 'hi' }, { agent: 'broken' })
      .catch((caught: unknown) => caught);
    expect(InternalServerError.isInstance(error)).toBe(true);
    const typed = error as InternalServerError;
    expect([typed.status, typed.message, typed.type]).toEqual([502, 'upstream provider error', 'api_error']);
    expect(typed.requestId).toMatch(REQUEST_ID);
    expect(upstream.requestsFor('fail500')).toHaveLength(1);
  });

  it('tool_choice required but unmet → 502 failed response object (or response.failed) → InternalServerError', async () => {
    const client = createClient({ baseURL: gateway.url, token: TOKEN, maxRetries: 2 });
    const body = { model: 'openclaw', input: 'hi', tools: [getTime], tool_choice: 'required' as const };
    const unmet = 'tool_choice=required was not satisfied by the agent response';
    const error = await client.responses.create(body, { agent: 'plain' }).catch((caught: unknown) => caught);
    expect(InternalServerError.isInstance(error)).toBe(true);
    const typed = error as InternalServerError;
    expect([typed.status, typed.message, typed.code]).toEqual([502, unmet, 'api_error']);

    const stream = await client.responses.create({ ...body, stream: true }, { agent: 'plain' });
    const streamed = await stream.finalResponse().catch((caught: unknown) => caught);
    expect(InternalServerError.isInstance(streamed)).toBe(true);
    const streamedTyped = streamed as InternalServerError;
    expect([streamedTyped.status, streamedTyped.message, streamedTyped.code]).toEqual([undefined, unmet, 'api_error']);
    expect(upstream.requestsFor('plain')).toHaveLength(2);
  });

  it('a failure after the stream began → response.failed → InternalServerError after the partial text', async () => {
    const client = createClient({ baseURL: gateway.url, token: TOKEN, maxRetries: 2 });
    const stream = await client.responses.create(
      { model: 'openclaw', input: 'hi', stream: true },
      { agent: 'midfail' },
    );
    const deltas: string[] = [];
    const error = await (async () => {
      for await (const event of stream) {
        if (event.type !== 'response.output_text.delta') continue;
        deltas.push(event.delta);
        cutMidfail();
      }
    })().catch((caught: unknown) => caught);
    expect(deltas).toEqual(['partial ']);
    expect(InternalServerError.isInstance(error)).toBe(true);
    const typed = error as InternalServerError;
    expect([typed.message, typed.code, typed.status]).toEqual(['upstream provider error', 'api_error', undefined]);
    expect(typed.requestId).toBe(stream.requestId);
    await expect(stream.finalResponse()).rejects.toBe(error);
    expect(upstream.requestsFor('midfail')).toHaveLength(1);
  });

  it('a gateway without responses.enabled → NotFoundError', async () => {
    const chatOnly = await startTestGateway(`{
      gateway: { auth: { mode: "token", token: "${TOKEN}" }, http: { endpoints: { chatCompletions: { enabled: true } } } },
      sessions: { store: "memory" },
    }`);
    cleanups.push(() => chatOnly.close());
    const error = await createClient({ baseURL: chatOnly.url, token: TOKEN })
      .responses.create({ model: 'openclaw', input: 'hi' })
      .catch((caught: unknown) => caught);
    expect(NotFoundError.isInstance(error) && error.status).toBe(404);
  });
});

/** 32-bit FNV-1a over UTF-16 code units: the offline embedding's hash (its rule is documented in the gateway's offline provider). */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index += 1) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

function norm(vector: number[]): number {
  return Math.sqrt(vector.reduce((sum, value) => sum + value * value, 0));
}

describe('embeddings.create against the real gateway', () => {
  it('embeds texts with the offline model: one unit vector of 256 floats per entry, in order', async () => {
    const client = createClient({ baseURL: gateway.url, token: TOKEN });
    const result = await client.embeddings.create({ model: 'openclaw', input: ['hello', 'The cat sat'] });
    expect([result.object, result.model]).toEqual(['list', 'openclaw']);
    expect(result.data.map((entry) => [entry.object, entry.index, entry.embedding.length])).toEqual([
      ['embedding', 0, 256],
      ['embedding', 1, 256],
    ]);
    for (const entry of result.data) expect(norm(entry.embedding)).toBeCloseTo(1, 6);
    // One word: all of its weight on component fnv1a(word) mod 256.
    const hello = new Array<number>(256).fill(0);
    hello[fnv1a('hello') % 256] = 1;
    expect(result.data[0]?.embedding).toEqual(hello);
    expect(result.usage.total_tokens).toBeGreaterThan(0);
  });

  it('decodes base64 to the same vectors (at float32 precision), honours dimensions and the agent option', async () => {
    const client = createClient({ baseURL: gateway.url, token: TOKEN });
    const input = ['hello', 'The cat sat'];
    const floats = await client.embeddings.create({ model: 'openclaw', input, dimensions: 64 });
    const decoded = await client.embeddings.create(
      { model: 'openclaw', input, dimensions: 64, encoding_format: 'base64' },
      { agent: 'beta' },
    );
    expect(decoded.data.map((entry) => entry.embedding.length)).toEqual([64, 64]);
    expect(decoded.data.map((entry) => entry.embedding)).toEqual(
      floats.data.map((entry) => [...new Float32Array(entry.embedding)]),
    );
    expect(decoded.usage).toEqual(floats.usage);
    await expect(client.embeddings.create({ model: 'openclaw', input: 'hi' }, { agent: 'nope' })).rejects.toMatchObject(
      { name: 'BadRequestError', message: "Unknown agent 'nope'." },
    );
  });
});
