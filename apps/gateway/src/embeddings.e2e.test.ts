/**
 * `POST /v1/embeddings` through the official `openai` SDK against an in-process gateway, with the
 * offline model and with a real upstream HTTP server (docs/embeddings.md). The SDK asks for base64
 * unless told otherwise and decodes it, so every vector here crossed the wire both ways.
 */
import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { IN_PROCESS_GATEWAY_TOKEN, useInProcessGateways } from './__fixtures__/in-process-gateway.js';
import { startUpstreamServer, type UpstreamServer } from './providers/__fixtures__/start-upstream-server.js';
import { offlineEmbedding } from './providers/offline-embedding.js';

const startGateway = useInProcessGateways();
const UPSTREAM_KEY = 'sk-upstream-embeddings-key-0123456789';

let upstream: UpstreamServer | undefined;
afterEach(async () => {
  await upstream?.close();
  upstream = undefined;
});

function client(url: string): OpenAI {
  return new OpenAI({ apiKey: IN_PROCESS_GATEWAY_TOKEN, baseURL: `${url}/v1`, maxRetries: 0 });
}

/** What a float vector becomes after a float32 round trip. */
const toFloat32 = (vector: readonly number[]) => vector.map((value) => Math.fround(value));

describe('embeddings with the openai SDK: offline model', () => {
  const offline = { agents: { defaults: { embeddingModel: 'offline/clawgate-offline-embed' } } };

  it('embeds a string: base64 by default, decoded by the SDK to the float32 of the offline vector', async () => {
    const gateway = await startGateway(offline);
    const answer = await client(gateway.url).embeddings.create({ model: 'openclaw', input: 'hello world' });
    expect(answer).toEqual({
      object: 'list',
      data: [{ object: 'embedding', index: 0, embedding: toFloat32(offlineEmbedding('hello world', 256)) }],
      model: 'openclaw',
      // 11 characters → 3 tokens.
      usage: { prompt_tokens: 3, total_tokens: 3 },
    });
  });

  it('embeds an array of strings; the base64 answer decodes to the float answer to float32 precision', async () => {
    const gateway = await startGateway(offline);
    const input = ['The cat sat on the mat.', 'A cat on a mat', 'Quantum chromodynamics'];
    const floats = await client(gateway.url).embeddings.create({
      model: 'openclaw/main',
      input,
      encoding_format: 'float',
    });
    expect(floats).toEqual({
      object: 'list',
      data: input.map((text, index) => ({ object: 'embedding', index, embedding: offlineEmbedding(text, 256) })),
      model: 'openclaw/main',
      // 23 + 14 + 22 = 59 characters → 15 tokens.
      usage: { prompt_tokens: 15, total_tokens: 15 },
    });
    const decoded = await client(gateway.url).embeddings.create({ model: 'openclaw/main', input });
    expect(decoded.data.map((entry) => entry.embedding)).toEqual(
      floats.data.map((entry) => toFloat32(entry.embedding)),
    );
    expect(decoded.usage).toEqual(floats.usage);
  });

  it('honours dimensions and token-id input', async () => {
    const gateway = await startGateway(offline);
    const answer = await client(gateway.url).embeddings.create({
      model: 'openclaw',
      input: [
        [1, 2, 3],
        [4, 5],
      ],
      dimensions: 16,
      encoding_format: 'float',
    });
    expect(answer.data.map((entry) => entry.embedding)).toEqual([
      offlineEmbedding([1, 2, 3], 16),
      offlineEmbedding([4, 5], 16),
    ]);
    expect(answer.usage).toEqual({ prompt_tokens: 5, total_tokens: 5 });
  });
});

describe('embeddings with the openai SDK: an OpenAI-compatible upstream', () => {
  /** Vectors that float32 cannot hold exactly, in reverse index order (the gateway restores it). */
  async function startEmbeddingsUpstream(): Promise<UpstreamServer> {
    upstream = await startUpstreamServer((request, response) => {
      if (request.url !== '/v1/embeddings') {
        response.writeHead(404).end();
        return;
      }
      const { input } = request.body as { input: string[] };
      const data = input.map((text, index) => ({
        object: 'embedding',
        index,
        embedding: [index + 0.1, text.length / 3, -1e-7],
      }));
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify({
          object: 'list',
          data: data.reverse(),
          model: 'text-embedding-3-small',
          usage: { prompt_tokens: 42, total_tokens: 42 },
        }),
      );
    });
    return upstream;
  }

  function upstreamConfig(server: UpstreamServer, agents: Record<string, unknown> = {}) {
    return {
      models: { providers: { up: { baseUrl: server.baseUrl, apiKey: UPSTREAM_KEY } } },
      agents: { defaults: { embeddingModel: 'up/text-embedding-3-small' }, ...agents },
    };
  }

  it('forwards a string to <baseUrl>/embeddings with the upstream model id and key, floats asked for', async () => {
    const server = await startEmbeddingsUpstream();
    const gateway = await startGateway(upstreamConfig(server));
    const answer = await client(gateway.url).embeddings.create({
      model: 'openclaw',
      input: 'hello',
      encoding_format: 'float',
    });
    expect(answer).toEqual({
      object: 'list',
      data: [{ object: 'embedding', index: 0, embedding: [0.1, 5 / 3, -1e-7] }],
      model: 'openclaw',
      usage: { prompt_tokens: 42, total_tokens: 42 },
    });
    expect(server.requests).toHaveLength(1);
    const seen = server.requests[0];
    expect(seen?.method).toBe('POST');
    expect(seen?.url).toBe('/v1/embeddings');
    expect(seen?.body).toEqual({ model: 'text-embedding-3-small', input: ['hello'], encoding_format: 'float' });
    expect(seen?.headers.authorization).toBe(`Bearer ${UPSTREAM_KEY}`);
  });

  it('forwards an array of strings with dimensions; the SDK’s base64 decodes to the float32 of the upstream floats', async () => {
    const server = await startEmbeddingsUpstream();
    const gateway = await startGateway(upstreamConfig(server));
    const input = ['first text', 'second', 'third one here'];
    const answer = await client(gateway.url).embeddings.create({ model: 'openclaw', input, dimensions: 3 });
    expect(answer.data).toEqual(
      input.map((text, index) => ({
        object: 'embedding',
        index,
        embedding: toFloat32([index + 0.1, text.length / 3, -1e-7]),
      })),
    );
    expect(answer.usage).toEqual({ prompt_tokens: 42, total_tokens: 42 });
    expect(server.requests[0]?.body).toEqual({
      model: 'text-embedding-3-small',
      input,
      encoding_format: 'float',
      dimensions: 3,
    });
  });

  it('picks the agent from x-openclaw-agent-id or model, and that agent’s embeddingModel', async () => {
    const server = await startEmbeddingsUpstream();
    const gateway = await startGateway(
      upstreamConfig(server, {
        list: [
          { id: 'main', default: true },
          { id: 'beta', embeddingModel: 'offline/clawgate-offline-embed' },
        ],
      }),
    );
    const sdk = client(gateway.url);
    const byHeader = await sdk.embeddings.create(
      { model: 'openclaw', input: 'hi there', encoding_format: 'float' },
      { headers: { 'x-openclaw-agent-id': 'beta' } },
    );
    const byModel = await sdk.embeddings.create({ model: 'agent:beta', input: 'hi there', encoding_format: 'float' });
    expect(byHeader.data[0]?.embedding).toEqual(offlineEmbedding('hi there', 256));
    expect(byModel.data[0]?.embedding).toEqual(offlineEmbedding('hi there', 256));
    expect(byModel.model).toBe('agent:beta');
    expect(server.requests).toHaveLength(0);
    await sdk.embeddings.create({ model: 'openclaw:main', input: 'to the upstream' });
    expect(server.requests.map((request) => request.body)).toEqual([
      { model: 'text-embedding-3-small', input: ['to the upstream'], encoding_format: 'float' },
    ]);
  });
});
