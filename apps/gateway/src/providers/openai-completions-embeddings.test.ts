import type { ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { GatewayError } from '../errors.js';
import {
  startUpstreamServer,
  type UpstreamHandler,
  type UpstreamServer,
} from './__fixtures__/start-upstream-server.js';
import type { ModelProvider, ProviderEmbeddingRequest } from './model-provider.js';
import { createOpenAICompletionsProvider } from './openai-completions-provider.js';

const API_KEY = 'sk-test-secret-key-1234567890';
const signal = new AbortController().signal;

let server: UpstreamServer | undefined;
const providers: ModelProvider[] = [];

afterEach(async () => {
  await Promise.all(providers.splice(0).map((provider) => provider.close()));
  await server?.close();
  server = undefined;
});

async function setup(handler: UpstreamHandler, options: { timeoutMs?: number } = {}) {
  server = await startUpstreamServer(handler);
  const provider = createOpenAICompletionsProvider({
    id: 'test',
    config: {
      api: 'openai-completions',
      baseUrl: `${server.baseUrl}/`,
      apiKey: API_KEY,
      headers: { 'x-extra': 'yes' },
      timeoutMs: options.timeoutMs ?? 5000,
    },
  });
  providers.push(provider);
  return provider;
}

function json(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(typeof body === 'string' ? body : JSON.stringify(body));
}

function embed(provider: ModelProvider, request: ProviderEmbeddingRequest, abort = signal) {
  if (provider.embed === undefined) throw new Error('no embed');
  return provider.embed(request, { signal: abort });
}

async function failure(promise: Promise<unknown>): Promise<GatewayError> {
  try {
    await promise;
  } catch (error) {
    if (GatewayError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected a failure');
}

const twoVectors = {
  object: 'list',
  // Out of order on purpose: the answer is put back in input order by index.
  data: [
    { object: 'embedding', index: 1, embedding: [0.5, -0.25] },
    { object: 'embedding', index: 0, embedding: [1, 0] },
  ],
  model: 'text-embedding-3-small',
  usage: { prompt_tokens: 7, total_tokens: 7 },
};

describe('openai-completions provider: embed', () => {
  it('posts the model, the input, float encoding and dimensions to <baseUrl>/embeddings with the chat headers', async () => {
    const provider = await setup((_request, response) => json(response, 200, twoVectors));
    const result = await embed(provider, { model: 'text-embedding-3-small', input: ['a', 'b'], dimensions: 2 });
    expect(result).toEqual({
      embeddings: [
        [1, 0],
        [0.5, -0.25],
      ],
      usage: { prompt_tokens: 7, total_tokens: 7 },
    });
    const seen = server?.requests[0];
    expect(seen?.method).toBe('POST');
    expect(seen?.url).toBe('/v1/embeddings');
    expect(seen?.rawBody).toBe(
      '{"model":"text-embedding-3-small","input":["a","b"],"encoding_format":"float","dimensions":2}',
    );
    expect(seen?.headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect(seen?.headers['x-extra']).toBe('yes');
    expect(seen?.headers['content-type']).toBe('application/json');
  });

  it('sends token lists as they are, leaves dimensions out when not asked, and reuses the connection', async () => {
    const provider = await setup((_request, response) =>
      json(response, 200, { data: [{ index: 0, embedding: [1] }], usage: { prompt_tokens: 3 } }),
    );
    const first = await embed(provider, { model: 'm', input: [[1, 2, 3]] });
    // A few event-loop turns for undici to pool the socket; back-to-back requests would (correctly) open a second one.
    for (let turn = 0; turn < 5; turn += 1) await new Promise((resolve) => setImmediate(resolve));
    await embed(provider, { model: 'm', input: [[4]] });
    expect(first).toEqual({ embeddings: [[1]], usage: { prompt_tokens: 3, total_tokens: 3 } });
    expect(server?.requests[0]?.body).toEqual({ model: 'm', input: [[1, 2, 3]], encoding_format: 'float' });
    expect(server?.requests[1]?.remotePort).toBe(server?.requests[0]?.remotePort);
  });

  it('estimates usage when the upstream sends none', async () => {
    const provider = await setup((_request, response) =>
      json(response, 200, {
        data: [
          { index: 0, embedding: [1] },
          { index: 1, embedding: [2] },
        ],
      }),
    );
    const result = await embed(provider, { model: 'm', input: ['12345678', 'x'] });
    expect(result.usage).toEqual({ prompt_tokens: 3, total_tokens: 3 });
  });

  it.each([
    ['a body that is not JSON', '<html>oops</html>'],
    [
      'base64 vectors',
      {
        data: [
          { index: 0, embedding: 'AACAPw==' },
          { index: 1, embedding: 'AACAPw==' },
        ],
      },
    ],
    ['a missing data list', { object: 'list' }],
    ['fewer vectors than inputs', { data: [{ index: 0, embedding: [1] }] }],
    ['more vectors than inputs', { data: [0, 1, 2].map((index) => ({ index, embedding: [1] })) }],
    [
      'an index twice',
      {
        data: [
          { index: 0, embedding: [1] },
          { index: 0, embedding: [2] },
        ],
      },
    ],
    [
      'an index out of range',
      {
        data: [
          { index: 0, embedding: [1] },
          { index: 2, embedding: [2] },
        ],
      },
    ],
  ])('answers 502 upstream provider error for %s', async (_name, body) => {
    const provider = await setup((_request, response) => json(response, 200, body));
    const error = await failure(embed(provider, { model: 'm', input: ['a', 'b'] }));
    expect([error.status, error.toJSON()]).toEqual([
      502,
      { error: { message: 'upstream provider error', type: 'api_error' } },
    ]);
  });

  it('answers an {error} body with 502 and its message, secrets scrubbed', async () => {
    const provider = await setup((_request, response) =>
      json(response, 200, { error: { message: `model overloaded for ${API_KEY}`, code: 'busy' } }),
    );
    const error = await failure(embed(provider, { model: 'm', input: ['a'] }));
    expect([error.status, error.toJSON()]).toEqual([
      502,
      { error: { message: 'model overloaded for ***', type: 'api_error', code: 'busy' } },
    ]);
  });

  it.each([
    [
      401,
      {},
      { error: { message: `bad key ${API_KEY}` } },
      401,
      { message: 'bad key ***', type: 'authentication_error' },
    ],
    [
      429,
      { 'retry-after': '2' },
      { error: { message: 'slow down' } },
      429,
      { message: 'slow down', type: 'rate_limit_error' },
    ],
    [
      500,
      {},
      { error: { message: 'stack trace here' } },
      502,
      { message: 'upstream provider error', type: 'api_error' },
    ],
    [
      400,
      {},
      { error: { message: 'input too long', code: 'too_long' } },
      400,
      { message: 'input too long', type: 'invalid_request_error', code: 'too_long' },
    ],
  ])('maps upstream %i as chat completions do', async (status, headers, body, mapped, wire) => {
    const provider = await setup((_request, response) => json(response, status, body, headers));
    const error = await failure(embed(provider, { model: 'm', input: ['a'] }));
    expect([error.status, error.toJSON()]).toEqual([mapped, { error: wire }]);
    expect(error.retryAfterSeconds).toBe(status === 429 ? 2 : undefined);
  });

  it('answers 504 when the upstream does not answer within timeoutMs', async () => {
    const provider = await setup(() => undefined, { timeoutMs: 100 });
    const error = await failure(embed(provider, { model: 'm', input: ['a'] }));
    expect([error.status, error.message]).toEqual([504, 'upstream provider timeout']);
  });

  it('answers 502 when the upstream is not there', async () => {
    const provider = await setup(() => undefined);
    await server?.close();
    const error = await failure(embed(provider, { model: 'm', input: ['a'] }));
    expect([error.status, error.message]).toEqual([502, 'upstream provider error']);
  });

  it('closes the upstream request when the signal aborts and rejects with its reason', async () => {
    let requestArrived: () => void = () => undefined;
    const arrived = new Promise<void>((resolve) => (requestArrived = resolve));
    const provider = await setup(() => requestArrived());
    const controller = new AbortController();
    const pending = embed(provider, { model: 'm', input: ['a'] }, controller.signal);
    await arrived;
    controller.abort(new Error('client left'));
    await expect(pending).rejects.toThrow('client left');
    await server?.closedEarly(0);
  });
});
