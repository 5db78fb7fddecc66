import { afterEach, describe, expect, it } from 'vitest';
import { BadRequestError, ClawgateError } from './clawgate-error.js';
import { createClient } from './create-client.js';
import { decodeBase64Embedding } from './decode-base64-embedding.js';
import { sendJson, startLoopbackServer, type LoopbackServer } from './__fixtures__/loopback-server.js';

let server: LoopbackServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** The base64 of `values` as float32 little-endian, as OpenAI sends `encoding_format: "base64"`. */
function toBase64Float32(values: number[]): string {
  const view = new DataView(new ArrayBuffer(values.length * 4));
  for (const [index, value] of values.entries()) view.setFloat32(index * 4, value, true);
  return Buffer.from(view.buffer).toString('base64');
}

function embeddingList(embeddings: Array<number[] | string>): Record<string, unknown> {
  return {
    object: 'list',
    data: embeddings.map((embedding, index) => ({ object: 'embedding', index, embedding })),
    model: 'openclaw',
    usage: { prompt_tokens: 4, total_tokens: 4 },
  };
}

describe('embeddings.create', () => {
  it('posts to /v1/embeddings asking for floats, with the agent header and the client user, and returns the list', async () => {
    server = await startLoopbackServer((_request, response) =>
      sendJson(
        response,
        200,
        embeddingList([
          [0.6, 0.8],
          [1, 0],
        ]),
      ),
    );
    const client = createClient({ baseURL: server.url, token: 'tok', agent: 'main', user: 'alice' });
    const result = await client.embeddings.create(
      { model: 'openclaw', input: ['hello', 'world'], dimensions: 2 },
      { agent: 'search' },
    );
    expect(result).toEqual(
      embeddingList([
        [0.6, 0.8],
        [1, 0],
      ]),
    );
    const [request] = server.requests;
    expect([request?.method, request?.url]).toEqual(['POST', '/v1/embeddings']);
    expect(request?.headers).toMatchObject({
      authorization: 'Bearer tok',
      'content-type': 'application/json',
      accept: 'application/json',
      'x-openclaw-agent-id': 'search',
    });
    expect(JSON.parse(request?.body ?? '')).toEqual({
      model: 'openclaw',
      input: ['hello', 'world'],
      dimensions: 2,
      encoding_format: 'float',
      user: 'alice',
    });
  });

  it("decodes encoding_format: 'base64' (float32 little-endian) into number[]", async () => {
    const first = [0.25, -1.5, 3.140625, 0];
    const second = [0.1, 1e-7, -65504, 42];
    server = await startLoopbackServer((_request, response) =>
      sendJson(response, 200, embeddingList([toBase64Float32(first), toBase64Float32(second)])),
    );
    const client = createClient({ baseURL: server.url });
    const result = await client.embeddings.create({ model: 'openclaw', input: 'hi', encoding_format: 'base64' });
    expect(JSON.parse(server.requests[0]?.body ?? '')).toEqual({
      model: 'openclaw',
      input: 'hi',
      encoding_format: 'base64',
    });
    // Exactly representable values come back exact; the others as their float32 roundings.
    expect(result.data[0]?.embedding).toEqual(first);
    expect(result.data[1]?.embedding).toEqual([...new Float32Array(second)]);
    expect(result.data.map((entry) => entry.index)).toEqual([0, 1]);
    expect(result.usage).toEqual({ prompt_tokens: 4, total_tokens: 4 });
  });

  it('throws invalid_response for a vector that does not decode or a body that is not a list', async () => {
    server = await startLoopbackServer((_request, response, _recorded, index) =>
      sendJson(response, 200, index === 0 ? embeddingList(['AAAA@@==']) : { object: 'list', data: 'none' }),
    );
    const client = createClient({ baseURL: server.url });
    const undecodable = await client.embeddings
      .create({ model: 'openclaw', input: 'hi', encoding_format: 'base64' })
      .catch((caught: unknown) => caught);
    expect(ClawgateError.isInstance(undecodable) && [undecodable.type, undecodable.message]).toEqual([
      'invalid_response',
      'The server answered with an embedding that does not decode: The embedding is not valid base64',
    ]);
    await expect(client.embeddings.create({ model: 'openclaw', input: 'hi' })).rejects.toThrow(
      'The server answered with an unexpected embedding list body',
    );
  });

  it('maps a 400 to BadRequestError, without retrying it', async () => {
    server = await startLoopbackServer((_request, response) =>
      sendJson(response, 400, {
        error: { message: "Agent 'main' has no embeddingModel.", type: 'invalid_request_error' },
      }),
    );
    const error = await createClient({ baseURL: server.url })
      .embeddings.create({ model: 'openclaw', input: 'hi' })
      .catch((caught: unknown) => caught);
    expect(BadRequestError.isInstance(error) && [error.status, error.message]).toEqual([
      400,
      "Agent 'main' has no embeddingModel.",
    ]);
    expect(server.requests).toHaveLength(1);
  });

  it('retries a 500 (an embedding stores nothing, so repeating it is harmless), unlike responses', async () => {
    server = await startLoopbackServer((_request, response, _recorded, index) => {
      if (index === 0) {
        sendJson(response, 500, { error: { message: 'internal error', type: 'api_error' } }, { 'retry-after': '0' });
      } else {
        sendJson(response, 200, embeddingList([[1]]));
      }
    });
    const result = await createClient({ baseURL: server.url }).embeddings.create({ model: 'openclaw', input: 'hi' });
    expect(result.data[0]?.embedding).toEqual([1]);
    expect(server.requests).toHaveLength(2);
  });

  it('rejects a non-object body before sending anything', async () => {
    server = await startLoopbackServer((_request, response) => sendJson(response, 200, embeddingList([])));
    await expect(createClient({ baseURL: server.url }).embeddings.create('hi' as never)).rejects.toThrow(
      'embeddings.create expects a request object with model and input',
    );
    expect(server.requests).toHaveLength(0);
  });
});

describe('decodeBase64Embedding', () => {
  it('reads float32 little-endian values and refuses a partial value', () => {
    expect(decodeBase64Embedding('AACAPwAAAAA=')).toEqual([1, 0]);
    expect(decodeBase64Embedding('')).toEqual([]);
    expect(() => decodeBase64Embedding('AACA')).toThrow(
      'The embedding has 3 bytes, not a whole number of float32 values',
    );
  });
});
