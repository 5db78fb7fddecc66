import { afterEach, describe, expect, it } from 'vitest';
import { BadRequestError, ClawgateError, InternalServerError } from './clawgate-error.js';
import { createClient } from './create-client.js';
import { functionCallItem, messageItem, responseObject } from './__fixtures__/responses-wire.js';
import {
  sendJson,
  startEventStream,
  startLoopbackServer,
  type LoopbackServer,
} from './__fixtures__/loopback-server.js';
import { CALL_ROUTING_OVERRIDES, CLIENT_ROUTING_DEFAULTS } from './__fixtures__/routing-options.js';

let server: LoopbackServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('responses.create requests', () => {
  it('posts the body to /v1/responses with the token, routing headers and the client user', async () => {
    server = await startLoopbackServer((_request, response, recorded) => {
      if ((JSON.parse(recorded.body) as { stream?: boolean }).stream === true) {
        startEventStream(response);
        response.end('data: [DONE]\n\n');
      } else {
        sendJson(response, 200, responseObject({ output: [messageItem('ok')] }));
      }
    });
    const client = createClient({ baseURL: `${server.url}/v1`, ...CLIENT_ROUTING_DEFAULTS });
    await client.responses.create({ model: 'openclaw', input: 'hi', instructions: 'be brief' });
    const stream = await client.responses.create(
      { model: 'openclaw/beta', input: [{ role: 'user', content: 'hi' }], stream: true, user: 'bob' },
      CALL_ROUTING_OVERRIDES,
    );
    stream.abort();
    const [first, second] = server.requests;
    expect([first?.method, first?.url]).toEqual(['POST', '/v1/responses']);
    expect(first?.headers).toMatchObject({
      authorization: 'Bearer tok',
      'content-type': 'application/json',
      accept: 'application/json',
      'x-openclaw-agent-id': 'main',
      'x-openclaw-session-key': 'client-key',
      'x-extra': 'one',
    });
    expect(first?.headers['x-openclaw-model']).toBeUndefined();
    expect(first?.headers['x-openclaw-message-channel']).toBeUndefined();
    expect(JSON.parse(first?.body ?? '')).toEqual({
      model: 'openclaw',
      input: 'hi',
      instructions: 'be brief',
      user: 'alice',
    });
    expect([second?.method, second?.url]).toEqual(['POST', '/v1/responses']);
    expect(second?.headers).toMatchObject({
      accept: 'text/event-stream',
      'x-openclaw-agent-id': 'beta',
      'x-openclaw-session-key': 'call-key',
      'x-openclaw-model': 'local/qwen3',
      'x-openclaw-message-channel': 'Slack',
      'x-extra': 'two',
    });
    expect(JSON.parse(second?.body ?? '')).toEqual({
      model: 'openclaw/beta',
      input: [{ role: 'user', content: 'hi' }],
      stream: true,
      user: 'bob',
    });
  });

  it('rejects bad input and options before sending anything', async () => {
    server = await startLoopbackServer((_request, response) => sendJson(response, 200, responseObject()));
    const client = createClient({ baseURL: server.url });
    await expect(client.responses.create(null as never)).rejects.toThrow(
      'responses.create expects a request object with model',
    );
    await expect(client.responses.create({ model: 'openclaw', input: 'hi' }, { sessionKey: 'a\r\nb' })).rejects.toThrow(
      'options.sessionKey must be a string without CR, LF or NUL characters',
    );
    expect(server.requests).toHaveLength(0);
  });
});

describe('responses.create results', () => {
  it('returns the validated response object plus output_text joined from the message items', async () => {
    const body = responseObject({
      output: [
        { type: 'reasoning', id: 'rs_1', summary: [] },
        messageItem('Hello, ', 'msg_1'),
        functionCallItem('get_weather', '{"city":"Oslo"}'),
        {
          ...messageItem('world', 'msg_2'),
          content: [
            { type: 'output_text', text: 'world', annotations: [] },
            { type: 'refusal', refusal: 'not this' },
            { type: 'output_text', text: '!', annotations: [] },
          ],
        },
      ],
      metadata: { kept: 'yes' },
    });
    server = await startLoopbackServer((_request, response) => sendJson(response, 200, body));
    const result = await createClient({ baseURL: server.url }).responses.create({ model: 'openclaw', input: 'hi' });
    expect(result.output_text).toBe('Hello, world!');
    // Keys the schema does not name (metadata, the reasoning item's summary) are kept, as in the openai SDK.
    expect(result).toEqual({ ...body, output_text: 'Hello, world!' });
  });

  it("gives output_text '' for a response that only called a function", async () => {
    server = await startLoopbackServer((_request, response) =>
      sendJson(response, 200, responseObject({ output: [functionCallItem('get_time', '{}')] })),
    );
    const result = await createClient({ baseURL: server.url }).responses.create({ model: 'openclaw', input: 'hi' });
    expect(result.output_text).toBe('');
    expect(result.output).toEqual([functionCallItem('get_time', '{}')]);
  });

  it('throws invalid_response for a 200 that is not a response object', async () => {
    server = await startLoopbackServer((_request, response) =>
      sendJson(response, 200, { object: 'chat.completion', choices: [] }, { 'x-request-id': 'req-odd' }),
    );
    const error = await createClient({ baseURL: server.url })
      .responses.create({ model: 'openclaw', input: 'hi' })
      .catch((caught: unknown) => caught);
    expect(ClawgateError.isInstance(error) && [error.message, error.type, error.status, error.requestId]).toEqual([
      'The server answered with an unexpected response body',
      'invalid_response',
      200,
      'req-odd',
    ]);
  });
});

describe('responses.create errors and retries', () => {
  it('400 → BadRequestError with the gateway message and param, not retried', async () => {
    server = await startLoopbackServer((_request, response) =>
      sendJson(
        response,
        400,
        { error: { message: '`temperature` must be between 0 and 2.', type: 'invalid_request_error', param: null } },
        { 'x-request-id': 'req-400' },
      ),
    );
    const client = createClient({ baseURL: server.url, maxRetries: 3 });
    const error = await client.responses
      .create({ model: 'openclaw', input: 'hi', temperature: 5 })
      .catch((caught: unknown) => caught);
    expect(BadRequestError.isInstance(error)).toBe(true);
    const typed = error as BadRequestError;
    expect([typed.status, typed.type, typed.message, typed.requestId]).toEqual([
      400,
      'invalid_request_error',
      '`temperature` must be between 0 and 2.',
      'req-400',
    ]);
    expect(server.requests).toHaveLength(1);
  });

  it('502 with a failed response object → InternalServerError with its error message and code, not retried', async () => {
    const failed = responseObject({
      id: 'resp_failed',
      status: 'failed',
      usage: null,
      error: { code: 'api_error', message: 'upstream provider error' },
    });
    server = await startLoopbackServer((_request, response) => sendJson(response, 502, failed));
    const client = createClient({ baseURL: server.url, maxRetries: 2 });
    const error = await client.responses.create({ model: 'openclaw', input: 'hi' }).catch((caught: unknown) => caught);
    expect(InternalServerError.isInstance(error)).toBe(true);
    const typed = error as InternalServerError;
    expect([typed.status, typed.message, typed.code]).toEqual([502, 'upstream provider error', 'api_error']);
    // The run may have happened (and been stored): repeating the POST could duplicate the turn.
    expect(server.requests).toHaveLength(1);
  });

  it('retries a 503 (the gateway refused before running) like chat completions, counting attempts', async () => {
    server = await startLoopbackServer((_request, response, _recorded, index) => {
      if (index < 2) {
        sendJson(response, 503, { error: { message: 'overloaded', type: 'api_error' } }, { 'retry-after': '0' });
      } else {
        sendJson(response, 200, responseObject({ output: [messageItem('third time')] }));
      }
    });
    const result = await createClient({ baseURL: server.url }).responses.create({ model: 'openclaw', input: 'hi' });
    expect(result.output_text).toBe('third time');
    expect(server.requests.map((request) => request.body)).toEqual(
      Array(3).fill(JSON.stringify({ model: 'openclaw', input: 'hi' })),
    );
  });

  it('does not retry a connection that dropped after the request was sent', async () => {
    server = await startLoopbackServer((request) => {
      request.socket.destroy();
    });
    const client = createClient({ baseURL: server.url, maxRetries: 3 });
    await expect(client.responses.create({ model: 'openclaw', input: 'hi' })).rejects.toMatchObject({
      name: 'ConnectionError',
    });
    expect(server.requests).toHaveLength(1);
  });
});
