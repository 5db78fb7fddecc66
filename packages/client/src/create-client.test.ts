import { afterEach, describe, expect, it } from 'vitest';
import {
  AbortError,
  ClawgateError,
  ConnectionError,
  InternalServerError,
  RateLimitError,
  TimeoutError,
} from './clawgate-error.js';
import { createClient } from './create-client.js';
import {
  completion,
  findClosedPort,
  sendJson,
  startLoopbackServer,
  type LoopbackServer,
} from './__fixtures__/loopback-server.js';
import { CALL_ROUTING_OVERRIDES, CLIENT_ROUTING_DEFAULTS } from './__fixtures__/routing-options.js';

const messages = [{ role: 'user' as const, content: 'hi' }];
let server: LoopbackServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('createClient options', () => {
  it('rejects bad options with messages that never echo secrets', () => {
    expect(() => createClient({ baseURL: '' })).toThrow('baseURL must be a non-empty string');
    expect(() => createClient({ baseURL: 'not a url' })).toThrow('baseURL is not a valid absolute URL');
    expect(() => createClient({ baseURL: 'ftp://host' })).toThrow('baseURL must use http: or https:');
    expect(() => createClient({ baseURL: 'http://me:hunter2@host' })).toThrow(
      'baseURL must not contain credentials; pass the token option instead',
    );
    expect(() => createClient({ baseURL: 'http://host?x=1' })).toThrow(
      'baseURL must not contain a query string or fragment',
    );
    expect(() => createClient({ baseURL: 'http://host', token: 'sec\nret' })).toThrow(
      'token must be a string without CR, LF or NUL characters',
    );
    expect(() => createClient({ baseURL: 'http://host', token: '  ' })).toThrow('token must not be empty');
    expect(() => createClient({ baseURL: 'http://host', timeoutMs: 0 })).toThrow(
      'timeoutMs must be a number of milliseconds between 1 and 2147483647',
    );
    expect(() => createClient({ baseURL: 'http://host', maxRetries: 1.5 })).toThrow(
      'maxRetries must be an integer between 0 and 10',
    );
    expect(() => createClient({ baseURL: 'http://host', headers: { 'x-a': 'b\r\n' } })).toThrow(
      'headers["x-a"] must be a string without CR, LF or NUL characters',
    );
    expect(() => createClient({ baseURL: 'http://host', fetch: 'nope' as never })).toThrow('fetch must be a function');
    expect(() => createClient(undefined as never)).toThrow(
      'createClient expects an options object with at least baseURL',
    );
  });

  it('normalises baseURL: trailing slash and /v1 are not doubled, a path prefix is kept', () => {
    expect(createClient({ baseURL: 'http://127.0.0.1:18789/' }).baseURL).toBe('http://127.0.0.1:18789');
    expect(createClient({ baseURL: 'http://127.0.0.1:18789/v1/' }).baseURL).toBe('http://127.0.0.1:18789');
    expect(createClient({ baseURL: 'https://example.com/gw' }).baseURL).toBe('https://example.com/gw');
  });
});

describe('requests', () => {
  it('sends the token, routing headers and the client user, and per-call options win', async () => {
    server = await startLoopbackServer((_request, response) => sendJson(response, 200, completion('ok')));
    const client = createClient({ baseURL: `${server.url}/v1`, ...CLIENT_ROUTING_DEFAULTS });
    await client.chat.completions.create({ model: 'openclaw', messages });
    await client.chat.completions.create({ messages, user: 'bob' }, CALL_ROUTING_OVERRIDES);
    const [first, second] = server.requests;
    expect(first?.method).toBe('POST');
    expect(first?.url).toBe('/v1/chat/completions');
    expect(first?.headers.authorization).toBe('Bearer tok');
    expect(first?.headers['content-type']).toBe('application/json');
    expect(first?.headers.accept).toBe('application/json');
    expect(first?.headers['x-openclaw-agent-id']).toBe('main');
    expect(first?.headers['x-openclaw-session-key']).toBe('client-key');
    expect(first?.headers['x-openclaw-model']).toBeUndefined();
    expect(first?.headers['x-extra']).toBe('one');
    expect(JSON.parse(first?.body ?? '')).toEqual({ model: 'openclaw', messages, user: 'alice' });
    expect(second?.headers['x-openclaw-agent-id']).toBe('beta');
    expect(second?.headers['x-openclaw-session-key']).toBe('call-key');
    expect(second?.headers['x-openclaw-model']).toBe('local/qwen3');
    expect(second?.headers['x-openclaw-message-channel']).toBe('Slack');
    expect(second?.headers['x-extra']).toBe('two');
    expect(JSON.parse(second?.body ?? '')).toEqual({ messages, user: 'bob' });
  });

  it('omits Authorization without a token and URL-encodes model ids', async () => {
    server = await startLoopbackServer((_request, response) =>
      sendJson(response, 200, {
        id: 'openclaw/main',
        object: 'model',
        created: 0,
        owned_by: 'openclaw',
        permission: [],
      }),
    );
    const client = createClient({ baseURL: server.url });
    const model = await client.models.retrieve('openclaw/main');
    expect(model).toEqual({ id: 'openclaw/main', object: 'model', created: 0, owned_by: 'openclaw', permission: [] });
    expect(server.requests[0]?.url).toBe('/v1/models/openclaw%2Fmain');
    expect(server.requests[0]?.method).toBe('GET');
    expect(server.requests[0]?.headers.authorization).toBeUndefined();
    await expect(client.models.retrieve('')).rejects.toThrow('models.retrieve expects a non-empty model id');
  });

  it('rejects bad per-call input before sending anything', async () => {
    server = await startLoopbackServer((_request, response) => sendJson(response, 200, completion('ok')));
    const client = createClient({ baseURL: server.url });
    await expect(client.chat.completions.create({ messages }, { agent: 'a\nb' })).rejects.toThrow(
      'options.agent must be a string without CR, LF or NUL characters',
    );
    await expect(client.chat.completions.create(null as never)).rejects.toThrow(
      'chat.completions.create expects a request object with messages',
    );
    await expect(client.chat.completions.create({ messages }, { timeoutMs: -1 })).rejects.toThrow(
      'options.timeoutMs must be a number of milliseconds between 1 and 2147483647',
    );
    expect(server.requests).toHaveLength(0);
  });

  it('normalises a tolerant completion (nulls, unknown finish reason) to the typed shape', async () => {
    server = await startLoopbackServer((_request, response) =>
      sendJson(response, 200, {
        id: 'x',
        object: 'chat.completion',
        created: 5,
        model: 'm',
        system_fingerprint: null,
        choices: [
          {
            index: 0,
            message: { role: 'assistant', content: null, tool_calls: null, reasoning_content: 'r' },
            finish_reason: 'eos',
          },
        ],
        usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: null },
      }),
    );
    const client = createClient({ baseURL: server.url });
    await expect(client.chat.completions.create({ messages })).resolves.toEqual({
      id: 'x',
      object: 'chat.completion',
      created: 5,
      model: 'm',
      choices: [{ index: 0, message: { role: 'assistant', content: null }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 },
    });
  });

  it('throws a typed error for a 2xx body that is not JSON or not a completion', async () => {
    server = await startLoopbackServer((request, response) => {
      response.writeHead(200, { 'content-type': 'text/html', 'x-request-id': 'req-html' });
      response.end(request.url === '/v1/models' ? '{"object":"list"}' : '<html>proxy</html>');
    });
    const client = createClient({ baseURL: server.url });
    const error = await client.chat.completions.create({ messages }).catch((caught: unknown) => caught);
    expect(ClawgateError.isInstance(error) && [error.message, error.type, error.status, error.requestId]).toEqual([
      'The server answered with a body that is not JSON',
      'invalid_response',
      200,
      'req-html',
    ]);
    await expect(client.models.list()).rejects.toThrow('The server answered with an unexpected model list body');
  });
});

describe('retries', () => {
  it('retries a 503 on POST and succeeds, counting attempts exactly', async () => {
    server = await startLoopbackServer((_request, response, _recorded, index) => {
      if (index < 2)
        sendJson(response, 503, { error: { message: 'overloaded', type: 'api_error' } }, { 'retry-after': '0' });
      else sendJson(response, 200, completion('third time'));
    });
    const client = createClient({ baseURL: server.url });
    const result = await client.chat.completions.create({ messages });
    expect(result.choices[0]?.message.content).toBe('third time');
    expect(server.requests).toHaveLength(3);
    expect(server.requests.map((request) => request.body)).toEqual(Array(3).fill(JSON.stringify({ messages })));
  });

  it('gives up after maxRetries and throws the last error', async () => {
    server = await startLoopbackServer((_request, response) =>
      sendJson(
        response,
        503,
        { error: { message: 'overloaded', type: 'api_error' } },
        { 'retry-after': '0', 'x-request-id': 'r503' },
      ),
    );
    const client = createClient({ baseURL: server.url, maxRetries: 1 });
    const error = await client.chat.completions.create({ messages }).catch((caught: unknown) => caught);
    expect(InternalServerError.isInstance(error) && [error.status, error.message, error.requestId]).toEqual([
      503,
      'overloaded',
      'r503',
    ]);
    expect(server.requests).toHaveLength(2);
  });

  it('does not retry a 500 on POST (the gateway may have run the turn)', async () => {
    server = await startLoopbackServer((_request, response) =>
      sendJson(response, 500, { error: { message: 'internal error', type: 'api_error' } }),
    );
    const client = createClient({ baseURL: server.url, maxRetries: 5 });
    await expect(client.chat.completions.create({ messages })).rejects.toMatchObject({
      name: 'InternalServerError',
      status: 500,
    });
    expect(server.requests).toHaveLength(1);
  });

  it('retries a 500 on GET models', async () => {
    server = await startLoopbackServer((_request, response, _recorded, index) => {
      if (index === 0)
        sendJson(response, 500, { error: { message: 'internal error', type: 'api_error' } }, { 'retry-after': '0' });
      else sendJson(response, 200, { object: 'list', data: [] });
    });
    const client = createClient({ baseURL: server.url });
    await expect(client.models.list()).resolves.toEqual({ object: 'list', data: [] });
    expect(server.requests).toHaveLength(2);
  });

  it('retries 429 with a short Retry-After but throws at once when it is longer than a minute', async () => {
    server = await startLoopbackServer((_request, response, _recorded, index) => {
      if (index === 0)
        sendJson(response, 429, { error: { message: 'slow', type: 'rate_limit_error' } }, { 'retry-after': '0' });
      else sendJson(response, 429, { error: { message: 'locked', type: 'rate_limited' } }, { 'retry-after': '300' });
    });
    const client = createClient({ baseURL: server.url });
    const started = Date.now();
    const error = await client.chat.completions.create({ messages }).catch((caught: unknown) => caught);
    expect(RateLimitError.isInstance(error) && [error.message, error.retryAfterMs]).toEqual(['locked', 300_000]);
    expect(server.requests).toHaveLength(2);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('retries a refused connection on POST (nothing reached a server), counting fetch calls', async () => {
    const port = await findClosedPort();
    let calls = 0;
    const client = createClient({
      baseURL: `http://127.0.0.1:${port}`,
      maxRetries: 2,
      fetch: (url, init) => {
        calls += 1;
        return fetch(url, init);
      },
    });
    const error = await client.chat.completions.create({ messages }).catch((caught: unknown) => caught);
    expect(ConnectionError.isInstance(error)).toBe(true);
    expect((error as ConnectionError).message).toMatch(/^Connection error: connect ECONNREFUSED 127\.0\.0\.1:\d+$/);
    expect((error as ConnectionError).status).toBeUndefined();
    expect(calls).toBe(3);
  });

  it('does not retry a connection that dropped after the request was sent', async () => {
    server = await startLoopbackServer((request) => {
      request.socket.destroy();
    });
    const client = createClient({ baseURL: server.url, maxRetries: 3 });
    await expect(client.chat.completions.create({ messages })).rejects.toMatchObject({ name: 'ConnectionError' });
    expect(server.requests).toHaveLength(1);
  });
});

describe('timeouts and aborts', () => {
  it('maps the per-attempt timeout to TimeoutError and does not retry it on POST', async () => {
    server = await startLoopbackServer(() => undefined);
    const client = createClient({ baseURL: server.url, timeoutMs: 150 });
    const error = await client.chat.completions.create({ messages }).catch((caught: unknown) => caught);
    expect(TimeoutError.isInstance(error) && error.message).toBe('Request timed out after 150 ms');
    expect(server.requests).toHaveLength(1);
    await server.closed(0);
  });

  it('retries a timeout on GET', async () => {
    server = await startLoopbackServer((_request, response, _recorded, index) => {
      if (index > 0) sendJson(response, 200, { object: 'list', data: [] });
    });
    const client = createClient({ baseURL: server.url, timeoutMs: 300 });
    await expect(client.models.list()).resolves.toEqual({ object: 'list', data: [] });
    expect(server.requests).toHaveLength(2);
  });

  it('maps a caller abort to AbortError, closes the connection and does not retry', async () => {
    let arrived!: () => void;
    const requestArrived = new Promise<void>((resolve) => (arrived = resolve));
    // Never answers: the request stays in flight until the caller aborts.
    server = await startLoopbackServer(() => arrived());
    const client = createClient({ baseURL: server.url });
    const controller = new AbortController();
    const pending = client.models.list({ signal: controller.signal });
    await requestArrived;
    controller.abort();
    const error = await pending.catch((caught: unknown) => caught);
    expect(AbortError.isInstance(error) && error.message).toBe('Request was aborted');
    await server.closed(0);
    expect(server.requests).toHaveLength(1);
  });

  it('rejects at once with an already aborted signal, and aborts a retry wait', async () => {
    server = await startLoopbackServer((_request, response) =>
      sendJson(response, 503, { error: { message: 'busy', type: 'api_error' } }, { 'retry-after': '30' }),
    );
    let answered!: () => void;
    const firstAnswer = new Promise<void>((resolve) => (answered = resolve));
    // Hands the client the 503 with its body already read, and says when: from then on the client
    // only parses it and starts its 30 s wait before the retry.
    const client = createClient({
      baseURL: server.url,
      fetch: async (url, init) => {
        const response = await fetch(url, init);
        const body = await response.text();
        answered();
        return new Response(body, { status: response.status, headers: response.headers });
      },
    });
    await expect(client.models.list({ signal: AbortSignal.abort() })).rejects.toMatchObject({ name: 'AbortError' });
    expect(server.requests).toHaveLength(0);
    const controller = new AbortController();
    const started = Date.now();
    const pending = client.models.list({ signal: controller.signal }).catch((caught: unknown) => caught);
    await firstAnswer;
    // Once the callbacks queued behind the answer have run, the client is in its retry wait.
    await new Promise((resolve) => setImmediate(resolve));
    controller.abort();
    const error = await pending;
    expect(AbortError.isInstance(error)).toBe(true);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(server.requests).toHaveLength(1);
  });
});
