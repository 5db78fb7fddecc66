/**
 * `POST /v1/responses` on the wire: raw SSE framing, every row of the error table, failures before
 * and after the stream began, and a client that leaves (docs/responses-api.md).
 */
import type http from 'node:http';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type FakeUpstream, startFakeUpstream, upstreamChunk } from '../../__fixtures__/fake-upstream.js';
import { IN_PROCESS_GATEWAY_TOKEN, useInProcessGateways } from '../../__fixtures__/in-process-gateway.js';

vi.setConfig({ testTimeout: 20_000 });

const start = useInProcessGateways();
let upstream: FakeUpstream;
/** Streams held open by the `slow` model, released by the test. */
const held: http.ServerResponse[] = [];

beforeAll(async () => {
  // The model is chosen by the request's model id: `text` says "plain words", `boom` fails with 500,
  // `late-boom` fails after its first piece, `slow` sends one piece and holds the stream open.
  upstream = await startFakeUpstream((record, response) => {
    const model = record.body.model;
    if (model === 'boom') {
      response.writeHead(500, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: { message: 'upstream exploded', type: 'server_error' } }));
      return;
    }
    if (record.body.stream !== true) {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify({
          id: 'x',
          object: 'chat.completion',
          created: 1,
          model,
          choices: [{ index: 0, message: { role: 'assistant', content: 'plain words' }, finish_reason: 'stop' }],
          usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 },
        }),
      );
      return;
    }
    response.writeHead(200, { 'content-type': 'text/event-stream' });
    response.write(upstreamChunk({ role: 'assistant', content: 'plain ' }));
    if (model === 'slow') {
      held.push(response);
      return;
    }
    if (model === 'late-boom') {
      response.end('data: {not json\n\n');
      return;
    }
    response.end(`${upstreamChunk({ content: 'words' })}${upstreamChunk({}, 'stop')}data: [DONE]\n\n`);
  });
});
afterAll(async () => {
  for (const response of held) response.destroy();
  await upstream.close();
});

const agents = {
  list: [
    { id: 'main', default: true, model: 'up/text' },
    { id: 'boom', model: 'up/boom' },
    { id: 'lateboom', model: 'up/late-boom' },
    { id: 'slow', model: 'up/slow' },
    { id: 'offline', model: 'offline/clawgate-offline' },
  ],
};

async function gateway(responsesEnabled = true) {
  return start({
    gateway: { http: { endpoints: { responses: { enabled: responsesEnabled } } } },
    models: { providers: { up: { baseUrl: upstream.baseUrl } } },
    agents,
  });
}

async function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${url}/v1/responses`, {
    method: 'POST',
    headers: { authorization: `Bearer ${IN_PROCESS_GATEWAY_TOKEN}`, 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

/** The events of an SSE body: `[event name, parsed data]`, and whether it ended with `[DONE]`. */
function parseEvents(text: string): { events: Array<[string, Record<string, unknown>]>; done: boolean } {
  const blocks = text.split('\n\n').filter((block) => block !== '');
  const done = blocks.at(-1) === 'data: [DONE]';
  const events = blocks.slice(0, done ? -1 : undefined).map((block): [string, Record<string, unknown>] => {
    const lines = block.split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^event: /);
    expect(lines[1]).toMatch(/^data: /);
    return [lines[0]!.slice('event: '.length), JSON.parse(lines[1]!.slice('data: '.length)) as Record<string, unknown>];
  });
  return { events, done };
}

describe('POST /v1/responses on the wire', () => {
  it('frames every event as event: + data: with the same type, numbered from 0, ending with [DONE]', async () => {
    const { url } = await gateway();
    const answer = await post(url, { model: 'openclaw', input: 'hi', stream: true });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const { events, done } = parseEvents(answer.text);
    expect(done).toBe(true);
    for (const [name, data] of events) expect(data.type).toBe(name);
    expect(events.map(([, data]) => data.sequence_number)).toEqual(events.map((_, index) => index));
    const responseId = (events[0]![1].response as { id: string }).id;
    const itemId = (events[2]![1].item as { id: string }).id;
    expect(events.slice(4, 8).map(([, data]) => data)).toEqual([
      {
        type: 'response.output_text.delta',
        sequence_number: 4,
        item_id: itemId,
        output_index: 0,
        content_index: 0,
        delta: 'plain ',
      },
      {
        type: 'response.output_text.delta',
        sequence_number: 5,
        item_id: itemId,
        output_index: 0,
        content_index: 0,
        delta: 'words',
      },
      {
        type: 'response.output_text.done',
        sequence_number: 6,
        item_id: itemId,
        output_index: 0,
        content_index: 0,
        text: 'plain words',
      },
      {
        type: 'response.content_part.done',
        sequence_number: 7,
        item_id: itemId,
        output_index: 0,
        content_index: 0,
        part: { type: 'output_text', text: 'plain words', annotations: [] },
      },
    ]);
    expect(events[0]?.[1]).toEqual({
      type: 'response.created',
      sequence_number: 0,
      response: {
        id: responseId,
        object: 'response',
        created_at: expect.any(Number),
        status: 'in_progress',
        model: 'openclaw',
        output: [],
      },
    });
    expect(events.at(-1)?.[0]).toBe('response.completed');
  });

  it.each([
    ['with a token', { authorization: `Bearer ${IN_PROCESS_GATEWAY_TOKEN}` }],
    ['without one', { authorization: '' }],
  ])('answers 404 text/plain when disabled, %s', async (_label, headers) => {
    const { url } = await gateway(false);
    const answer = await post(url, { model: 'openclaw', input: 'hi' }, headers);
    expect(answer.status).toBe(404);
    expect(answer.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(answer.text).toBe('Not Found');
  });

  it('answers GET with 405 and Allow: POST', async () => {
    const { url } = await gateway();
    const answer = await fetch(`${url}/v1/responses`);
    expect(answer.status).toBe(405);
    expect(answer.headers.get('allow')).toBe('POST');
    expect(await answer.text()).toBe('Method Not Allowed');
  });

  it('answers 401 without the token', async () => {
    const { url } = await gateway();
    const answer = await post(url, { model: 'openclaw', input: 'hi' }, { authorization: 'Bearer wrong' });
    expect(answer.status).toBe(401);
    expect(JSON.parse(answer.text)).toEqual({ error: { message: 'Unauthorized', type: 'unauthorized' } });
  });

  it.each([
    ['bad JSON', '{"model":', {}, 'Invalid JSON in request body.'],
    ['a non-array input', { model: 'openclaw', input: 7 }, {}, 'input: Invalid input'],
    ['an empty input', { model: 'openclaw', input: [] }, {}, 'Missing user message in `input`.'],
    [
      'a system-only input',
      { model: 'openclaw', input: [{ role: 'system', content: 'x' }] },
      {},
      'Missing user message in `input`.',
    ],
    [
      'an input whose only user message is blank',
      { model: 'openclaw', input: [{ role: 'user', content: '   ' }] },
      {},
      'Missing user message in `input`.',
    ],
    ['an unknown key', { model: 'openclaw', input: 'hi', colour: 'red' }, {}, ': Unrecognized key: "colour"'],
    [
      'an out-of-range temperature while streaming',
      { model: 'openclaw', input: 'hi', temperature: 9, stream: true },
      {},
      '`temperature` must be between 0 and 2.',
    ],
    ['an unknown agent', { model: 'openclaw/ghost', input: 'hi' }, {}, "Unknown agent 'ghost'."],
    [
      'an invalid model',
      { model: 'gpt-4o', input: 'hi' },
      {},
      'Invalid `model`. Use `openclaw`, `openclaw/<agentId>`, `openclaw:<agentId>` or `agent:<agentId>`.',
    ],
    [
      'tool_choice required without tools',
      { model: 'openclaw', input: 'hi', tool_choice: 'required' },
      {},
      'invalid tool configuration',
    ],
    [
      'a reserved session key',
      { model: 'openclaw', input: 'hi' },
      { 'x-openclaw-session-key': 'cron:nightly' },
      '`x-openclaw-session-key` cannot use reserved internal session namespaces.',
    ],
    [
      'too many input items',
      { model: 'openclaw', input: new Array(2049).fill({ role: 'user', content: 'x' }) },
      {},
      "Invalid 'input': array too long. Expected an array with maximum length 2048, but got an array with length 2049 instead.",
    ],
    [
      'an image by file_id',
      { model: 'openclaw', input: [{ role: 'user', content: [{ type: 'input_image', file_id: 'file_1' }] }] },
      {},
      '`input_image` needs an `image_url` (a URL or a data: URI); `file_id` is not supported.',
    ],
    [
      'a remote image while only data URIs are allowed',
      {
        model: 'openclaw',
        input: [
          {
            role: 'user',
            content: [
              { type: 'input_text', text: 'look' },
              { type: 'input_image', image_url: 'https://example.com/a.png' },
            ],
          },
        ],
      },
      {},
      'Invalid input_image content in `input`.',
    ],
    [
      'an image in a tool result',
      {
        model: 'openclaw',
        input: [
          {
            type: 'function_call_output',
            call_id: 'c1',
            output: [{ type: 'input_image', image_url: 'data:image/png;base64,iVBORw0KGgo=' }],
          },
        ],
      },
      {},
      'Images in `function_call_output` are not supported; send them in a user message.',
    ],
    [
      'an input_file part',
      { model: 'openclaw', input: [{ role: 'user', content: [{ type: 'input_file', file_id: 'file_1' }] }] },
      {},
      "`input_file` is not supported; send the file's text as `input_text`.",
    ],
  ])('answers %s with 400 and its exact message', async (_label, body, headers, message) => {
    const { url } = await gateway();
    const upstreamCalls = upstream.requests.length;
    const answer = await post(url, body, headers);
    expect(answer.status).toBe(400);
    expect(answer.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(JSON.parse(answer.text)).toEqual({ error: { message, type: 'invalid_request_error' } });
    expect(upstream.requests).toHaveLength(upstreamCalls);
  });

  it('answers an unsatisfied tool_choice "required" with 502 and a failed response object', async () => {
    const { url } = await gateway();
    const tools = [{ type: 'function', name: 'f' }];
    const answer = await post(url, { model: 'openclaw', input: 'hi', tools, tool_choice: 'required' });
    expect(answer.status).toBe(502);
    expect(JSON.parse(answer.text)).toEqual({
      id: expect.stringMatching(/^resp_/),
      object: 'response',
      created_at: expect.any(Number),
      status: 'failed',
      model: 'openclaw',
      output: [],
      error: { code: 'api_error', message: 'tool_choice=required was not satisfied by the agent response' },
    });
    const streamed = parseEvents(
      (await post(url, { model: 'openclaw', input: 'hi', tools, tool_choice: 'required', stream: true })).text,
    );
    expect(streamed.done).toBe(true);
    expect(streamed.events.at(-1)?.[1]).toMatchObject({
      type: 'response.failed',
      response: {
        status: 'failed',
        output: [],
        error: { code: 'api_error', message: 'tool_choice=required was not satisfied by the agent response' },
      },
    });
  });

  it('answers an upstream failure before any output with its status and JSON body, streamed or not', async () => {
    const { url } = await gateway();
    for (const stream of [false, true]) {
      const answer = await post(url, { model: 'openclaw/boom', input: 'hi', stream });
      expect(answer.status).toBe(502);
      expect(answer.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(JSON.parse(answer.text)).toEqual({ error: { message: 'upstream provider error', type: 'api_error' } });
    }
  });

  it('ends a stream cut after its first piece with the item closed and response.failed', async () => {
    const { url } = await gateway();
    const { events, done } = parseEvents(
      (await post(url, { model: 'openclaw/lateboom', input: 'hi', stream: true })).text,
    );
    expect(done).toBe(true);
    expect(events.map(([name]) => name)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.failed',
    ]);
    expect(events[7]?.[1]).toMatchObject({ item: { status: 'incomplete', content: [{ text: 'plain ' }] } });
  });

  it('aborts the upstream request when the client leaves mid-stream', async () => {
    const { url } = await gateway();
    const controller = new AbortController();
    const answer = await fetch(`${url}/v1/responses`, {
      method: 'POST',
      headers: { authorization: `Bearer ${IN_PROCESS_GATEWAY_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'openclaw/slow', input: 'hi', stream: true }),
      signal: controller.signal,
    });
    const reader = answer.body!.getReader();
    let received = '';
    while (!received.includes('response.output_text.delta')) {
      const { value } = await reader.read();
      received += new TextDecoder().decode(value);
    }
    const record = upstream.requests.filter((request) => request.body.model === 'slow').at(-1);
    controller.abort();
    await expect(record?.closed).resolves.toEqual(expect.any(Number));
  });

  it('ends an open stream at the shutdown deadline with response.failed and [DONE]', async () => {
    const started = await gateway();
    const answer = await fetch(`${started.url}/v1/responses`, {
      method: 'POST',
      headers: { authorization: `Bearer ${IN_PROCESS_GATEWAY_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'openclaw/slow', input: 'hi', stream: true }),
    });
    const reader = answer.body!.getReader();
    let received = '';
    while (!received.includes('response.output_text.delta')) {
      const { value } = await reader.read();
      received += new TextDecoder().decode(value);
    }
    const shutdown = started.gateway.shutdown({ deadlineMs: 0 });
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
      received += new TextDecoder().decode(chunk.value);
    }
    await shutdown;
    const { events, done } = parseEvents(received);
    expect(done).toBe(true);
    expect(events.at(-1)?.[1]).toMatchObject({
      type: 'response.failed',
      response: { status: 'failed', error: { code: 'service_unavailable', message: 'gateway is shutting down' } },
    });
  });

  it('keeps one session per user, apart from the chat completions session of the same user', async () => {
    const { url } = await gateway();
    const first = upstream.requests.length;
    await post(url, { model: 'openclaw', input: 'one', user: 'Ada' });
    await post(url, { model: 'openclaw', input: 'two', user: 'ada' });
    const messages = upstream.requests[first + 1]?.body.messages;
    expect(messages).toEqual([
      { role: 'user', content: 'one' },
      { role: 'assistant', content: 'plain words' },
      { role: 'user', content: 'two' },
    ]);
  });

  it('lets x-openclaw-session-key win over previous_response_id', async () => {
    const { url } = await gateway();
    const first = JSON.parse((await post(url, { model: 'openclaw', input: 'in session A' })).text) as { id: string };
    const calls = upstream.requests.length;
    const answer = await post(
      url,
      { model: 'openclaw', input: 'in session B', previous_response_id: first.id },
      { 'x-openclaw-session-key': 'session-b' },
    );
    expect(answer.status).toBe(200);
    expect(upstream.requests[calls]?.body.messages).toEqual([{ role: 'user', content: 'in session B' }]);
  });
});
