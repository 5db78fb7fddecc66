/**
 * `POST /v1/embeddings` on the wire (docs/embeddings.md#errors): the exact status, headers and body
 * of every refusal and upstream failure, the client abort reaching the upstream, and logs that never
 * hold the input. A real gateway serves most rows; the two that need a provider of the test's own
 * (one without `embed`, one that waits for the shutdown) build the app directly.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { createGatewayAuthorizer, resolveAuthConfig } from '@clawgate/auth';
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { TEST_TOKEN, testConfig } from './__fixtures__/build-test-app.js';
import { useInProcessGateways } from './__fixtures__/in-process-gateway.js';
import { createRecordingRunner } from './__fixtures__/recording-runner.js';
import { createApp } from './app.js';
import { GatewayError } from './errors.js';
import { createLogger } from './logging/create-logger.js';
import type { ModelProvider } from './providers/model-provider.js';
import type { ProviderRegistry } from './providers/provider-registry.js';
import { startUpstreamServer, type UpstreamServer } from './providers/__fixtures__/start-upstream-server.js';

const startGateway = useInProcessGateways();
const OFFLINE = { agents: { defaults: { embeddingModel: 'offline/clawgate-offline-embed' } } };

let upstream: UpstreamServer | undefined;
afterEach(async () => {
  await upstream?.close();
  upstream = undefined;
});

/** A request's status, content type, `Retry-After`/`Allow` and exact body text. */
async function post(url: string, body: unknown, headers: Record<string, string>) {
  const response = await fetch(`${url}/v1/embeddings`, { method: 'POST', headers, body: JSON.stringify(body) });
  return {
    status: response.status,
    contentType: response.headers.get('content-type'),
    retryAfter: response.headers.get('retry-after'),
    text: await response.text(),
  };
}

/** `{"error":{"message":…,"type":"invalid_request_error"}}` as the wire has it. */
function invalidRequestBody(message: string): string {
  return JSON.stringify({ error: { message, type: 'invalid_request_error' } });
}

const JSON_TYPE = 'application/json; charset=utf-8';

describe('POST /v1/embeddings: routing and auth', () => {
  it('is not there when both chat completions and responses are disabled: the plain 404 of any unknown path', async () => {
    const gateway = await startGateway({
      ...OFFLINE,
      gateway: { http: { endpoints: { chatCompletions: { enabled: false } } } },
    });
    for (const method of ['POST', 'GET']) {
      const response = await fetch(`${gateway.url}/v1/embeddings`, { method, headers: gateway.headers });
      expect([response.status, response.headers.get('content-type'), await response.text()]).toEqual([
        404,
        'text/plain; charset=utf-8',
        'Not Found',
      ]);
    }
  });

  it('is mounted by the responses switch alone', async () => {
    const gateway = await startGateway({
      ...OFFLINE,
      gateway: { http: { endpoints: { chatCompletions: { enabled: false }, responses: { enabled: true } } } },
    });
    expect((await post(gateway.url, { model: 'openclaw', input: 'x' }, gateway.headers)).status).toBe(200);
  });

  it('answers GET with 405 and Allow: POST before authentication, and ignores the query string', async () => {
    const gateway = await startGateway(OFFLINE);
    const refused = await fetch(`${gateway.url}/v1/embeddings`);
    expect([refused.status, refused.headers.get('allow'), await refused.text()]).toEqual([
      405,
      'POST',
      'Method Not Allowed',
    ]);
    const withQuery = await fetch(`${gateway.url}/v1/embeddings?api-version=1`, {
      method: 'POST',
      headers: gateway.headers,
      body: JSON.stringify({ model: 'openclaw', input: 'x' }),
    });
    expect(withQuery.status).toBe(200);
    const trailingSlash = await fetch(`${gateway.url}/v1/embeddings/`, { method: 'POST', headers: gateway.headers });
    expect(trailingSlash.status).toBe(404);
  });

  it('answers 401 without a token or with a wrong one', async () => {
    const gateway = await startGateway(OFFLINE);
    const body = { model: 'openclaw', input: 'x' };
    const attempts: Record<string, string>[] = [
      { 'content-type': 'application/json' },
      { authorization: 'Bearer wrong' },
    ];
    for (const headers of attempts) {
      expect(await post(gateway.url, body, headers)).toEqual({
        status: 401,
        contentType: JSON_TYPE,
        retryAfter: null,
        text: '{"error":{"message":"Unauthorized","type":"unauthorized"}}',
      });
    }
  });
});

describe('POST /v1/embeddings: 400s', () => {
  it.each([
    ['no input', { model: 'openclaw' }, 'input: Invalid input: expected string or array, received undefined'],
    [
      'a number as input',
      { model: 'openclaw', input: 5 },
      'input: Invalid input: expected string or array, received number',
    ],
    [
      'mixed entries',
      { model: 'openclaw', input: ['a', 1] },
      'input[1]: Invalid input: expected string, received number',
    ],
    ['an empty string', { model: 'openclaw', input: '' }, 'input: Too small: expected string to have >=1 characters'],
    [
      'an empty string entry',
      { model: 'openclaw', input: ['a', ''] },
      'input[1]: Too small: expected string to have >=1 characters',
    ],
    ['an empty array', { model: 'openclaw', input: [] }, 'input: Too small: expected array to have >=1 items'],
    [
      '2049 entries',
      { model: 'openclaw', input: new Array(2049).fill('x') },
      "Invalid 'input': array too long. Expected an array with maximum length 2048, but got an array with length 2049 instead.",
    ],
    ['no model', { input: 'x' }, 'model: Invalid input: expected string, received undefined'],
    [
      'an unknown encoding',
      { model: 'openclaw', input: 'x', encoding_format: 'int8' },
      'encoding_format: Invalid option: expected one of "float"|"base64"',
    ],
    [
      'a model that names no agent',
      { model: 'text-embedding-3-small', input: 'x' },
      'Invalid `model`. Use `openclaw`, `openclaw/<agentId>`, `openclaw:<agentId>` or `agent:<agentId>`.',
    ],
    ['an unknown agent in model', { model: 'openclaw/ghost', input: 'x' }, "Unknown agent 'ghost'."],
  ])('refuses %s', async (_name, body, message) => {
    const gateway = await startGateway(OFFLINE);
    expect(await post(gateway.url, body, gateway.headers)).toEqual({
      status: 400,
      contentType: JSON_TYPE,
      retryAfter: null,
      text: invalidRequestBody(message),
    });
  });

  it('refuses an unknown agent named by x-openclaw-agent-id, and an invalid model even with the header', async () => {
    const gateway = await startGateway(OFFLINE);
    const unknown = await post(
      gateway.url,
      { model: 'openclaw', input: 'x' },
      { ...gateway.headers, 'x-openclaw-agent-id': 'Ghost' },
    );
    expect([unknown.status, unknown.text]).toEqual([400, invalidRequestBody("Unknown agent 'ghost'.")]);
    const invalid = await post(
      gateway.url,
      { model: 'gpt-4o', input: 'x' },
      { ...gateway.headers, 'x-openclaw-agent-id': 'main' },
    );
    expect(invalid.status).toBe(400);
    expect(invalid.text).toContain('Invalid `model`.');
  });

  it('refuses an agent without embeddingModel, saying which keys to set', async () => {
    const gateway = await startGateway({
      agents: {
        list: [
          { id: 'main', default: true },
          { id: 'beta', embeddingModel: 'offline/e' },
        ],
      },
    });
    expect(await post(gateway.url, { model: 'openclaw', input: 'x' }, gateway.headers)).toEqual({
      status: 400,
      contentType: JSON_TYPE,
      retryAfter: null,
      text: invalidRequestBody(
        'No embedding model is configured for agent \'main\'. Set `agents.defaults.embeddingModel` or `agents.list[].embeddingModel` to "<provider>/<model id>".',
      ),
    });
    expect((await post(gateway.url, { model: 'openclaw/beta', input: 'x' }, gateway.headers)).status).toBe(200);
  });

  it('refuses a provider without embeddings, naming it', async () => {
    const chatOnly: ModelProvider = {
      id: 'chat-only',
      stream: async () => ({
        usage: { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 },
        finishReason: 'stop',
      }),
      close: async () => undefined,
    };
    const providers: Pick<ProviderRegistry, 'resolve'> = { resolve: () => ({ provider: chatOnly, modelId: 'm' }) };
    const app = buildApp({ providers });
    const response = await request(app)
      .post('/v1/embeddings')
      .set('authorization', `Bearer ${TEST_TOKEN}`)
      .send({ model: 'openclaw', input: 'x' });
    expect([response.status, response.text]).toEqual([
      400,
      invalidRequestBody("Provider 'chat-only' does not support embeddings."),
    ]);
  });
});

describe('POST /v1/embeddings: upstream failures, mapped as chat completions map them', () => {
  async function gatewayWithUpstream(handler: Parameters<typeof startUpstreamServer>[0], timeoutMs = 5000) {
    upstream = await startUpstreamServer(handler);
    return startGateway({
      models: { providers: { up: { baseUrl: upstream.baseUrl, apiKey: 'sk-upstream-key-abcdef123456', timeoutMs } } },
      agents: { defaults: { embeddingModel: 'up/text-embedding-3-small' } },
    });
  }

  it('answers an upstream 500 with 502 upstream provider error, never the upstream text', async () => {
    const gateway = await gatewayWithUpstream((_request, response) => {
      response.writeHead(500, { 'content-type': 'application/json' });
      response.end('{"error":{"message":"Traceback: secret internals"}}');
    });
    expect(await post(gateway.url, { model: 'openclaw', input: 'x' }, gateway.headers)).toEqual({
      status: 502,
      contentType: JSON_TYPE,
      retryAfter: null,
      text: '{"error":{"message":"upstream provider error","type":"api_error"}}',
    });
  });

  it('answers an upstream 429 with 429, its message and its Retry-After', async () => {
    const gateway = await gatewayWithUpstream((_request, response) => {
      response.writeHead(429, { 'content-type': 'application/json', 'retry-after': '7' });
      response.end(
        '{"error":{"message":"Rate limit reached for text-embedding-3-small","code":"rate_limit_exceeded"}}',
      );
    });
    expect(await post(gateway.url, { model: 'openclaw', input: 'x' }, gateway.headers)).toEqual({
      status: 429,
      contentType: JSON_TYPE,
      retryAfter: '7',
      text: '{"error":{"message":"Rate limit reached for text-embedding-3-small","type":"rate_limit_error","code":"rate_limit_exceeded"}}',
    });
  });

  it('answers an upstream 401 with 401 authentication_error, the key scrubbed', async () => {
    const gateway = await gatewayWithUpstream((_request, response) => {
      response.writeHead(401, { 'content-type': 'application/json' });
      response.end('{"error":{"message":"Incorrect API key provided: sk-upstream-key-abcdef123456"}}');
    });
    const answer = await post(gateway.url, { model: 'openclaw', input: 'x' }, gateway.headers);
    expect([answer.status, answer.text]).toEqual([
      401,
      '{"error":{"message":"Incorrect API key provided: ***","type":"authentication_error"}}',
    ]);
  });

  it('answers 504 when the upstream does not answer in timeoutMs, and 502 when nothing listens', async () => {
    const silent = await gatewayWithUpstream(() => undefined, 100);
    const timedOut = await post(silent.url, { model: 'openclaw', input: 'x' }, silent.headers);
    expect([timedOut.status, timedOut.text]).toEqual([
      504,
      '{"error":{"message":"upstream provider timeout","type":"api_error"}}',
    ]);
    await upstream?.close();
    const refused = await post(silent.url, { model: 'openclaw', input: 'x' }, silent.headers);
    expect([refused.status, refused.text]).toEqual([
      502,
      '{"error":{"message":"upstream provider error","type":"api_error"}}',
    ]);
  });

  it('answers 502 when the upstream returns fewer vectors than inputs', async () => {
    const gateway = await gatewayWithUpstream((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end('{"data":[{"index":0,"embedding":[1]}]}');
    });
    const answer = await post(gateway.url, { model: 'openclaw', input: ['a', 'b'] }, gateway.headers);
    expect([answer.status, answer.text]).toEqual([
      502,
      '{"error":{"message":"upstream provider error","type":"api_error"}}',
    ]);
  });

  it('closes the upstream request when the client goes away', async () => {
    let arrived: () => void = () => undefined;
    const upstreamHasIt = new Promise<void>((resolve) => (arrived = resolve));
    // A timeout far beyond the test's own: only the client's abort can close the upstream request in time.
    const gateway = await gatewayWithUpstream(() => arrived(), 120_000);
    const client = new AbortController();
    const pending = fetch(`${gateway.url}/v1/embeddings`, {
      method: 'POST',
      headers: gateway.headers,
      body: JSON.stringify({ model: 'openclaw', input: 'x' }),
      signal: client.signal,
    }).catch((error: unknown) => error);
    await upstreamHasIt;
    client.abort();
    await pending;
    await upstream?.closedEarly(0);
    expect(upstream?.requests.map((seen) => seen.url)).toEqual(['/v1/embeddings']);
  });
});

describe('POST /v1/embeddings: logs and shutdown', () => {
  it('never logs the input text, even with logging.includeContent, on success or failure', async () => {
    const SECRET = 'the-patient-record-nobody-may-log';
    const lines: string[] = [];
    const logger = createLogger({
      level: 'trace',
      destination: new Writable({
        write(chunk: Buffer, _encoding, done) {
          lines.push(chunk.toString('utf8'));
          done();
        },
      }),
    });
    upstream = await startUpstreamServer((_request, response) => {
      response.writeHead(500).end(`crash while embedding ${SECRET}`);
    });
    const gateway = await startGateway(
      {
        models: { providers: { up: { baseUrl: upstream.baseUrl } } },
        agents: {
          list: [
            { id: 'main', default: true, embeddingModel: 'offline/e' },
            { id: 'up', embeddingModel: 'up/e' },
          ],
        },
        logging: { includeContent: true, level: 'trace' },
      },
      { logger },
    );
    expect((await post(gateway.url, { model: 'openclaw', input: [SECRET] }, gateway.headers)).status).toBe(200);
    expect((await post(gateway.url, { model: 'openclaw/up', input: SECRET }, gateway.headers)).status).toBe(502);
    expect((await post(gateway.url, { model: 'openclaw', input: [SECRET, 3] }, gateway.headers)).status).toBe(400);
    expect(lines.filter((line) => line.includes('"path":"/v1/embeddings"'))).toHaveLength(3);
    expect(lines.filter((line) => line.includes(SECRET))).toEqual([]);
  });

  it('answers 503 gateway is shutting down when the deadline cuts a request still waiting for its upstream', async () => {
    let embedStarted: () => void = () => undefined;
    const started = new Promise<void>((resolve) => (embedStarted = resolve));
    const waiting: ModelProvider = {
      id: 'slow',
      stream: async () => ({
        usage: { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 },
        finishReason: 'stop',
      }),
      embed: (_request, { signal }) =>
        new Promise((_resolve, reject) => {
          embedStarted();
          signal.addEventListener('abort', () => reject(signal.reason), { once: true });
        }),
      close: async () => undefined,
    };
    const shutdown = new AbortController();
    const app = buildApp({
      providers: { resolve: () => ({ provider: waiting, modelId: 'm' }) },
      shutdownSignal: shutdown.signal,
    });
    const server = http.createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const pending = post(
        `http://127.0.0.1:${port}`,
        { model: 'openclaw', input: 'x' },
        {
          authorization: `Bearer ${TEST_TOKEN}`,
        },
      );
      await started;
      shutdown.abort(new GatewayError('gateway is shutting down', { status: 503, type: 'service_unavailable' }));
      expect(await pending).toEqual({
        status: 503,
        contentType: JSON_TYPE,
        retryAfter: null,
        text: '{"error":{"message":"gateway is shutting down","type":"service_unavailable"}}',
      });
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

/** `createApp` on the test config with embeddings sent to `providers`. */
function buildApp(options: { providers: Pick<ProviderRegistry, 'resolve'>; shutdownSignal?: AbortSignal }) {
  const config = testConfig({ agents: { defaults: { embeddingModel: 'offline/e' } } });
  return createApp({
    config,
    runner: createRecordingRunner(),
    authorizer: createGatewayAuthorizer({
      auth: resolveAuthConfig(config.gateway.auth, {}),
      trustedProxies: [],
      rateLimit: false,
    }),
    providers: options.providers,
    ...(options.shutdownSignal === undefined ? {} : { shutdownSignal: options.shutdownSignal }),
  });
}
