/**
 * `POST /v1/responses` end to end with the official `openai` SDK: an in-process gateway in front of
 * a real upstream on 127.0.0.1 (docs/responses-api.md).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import OpenAI from 'openai';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { FakeUpstream } from '../../__fixtures__/fake-upstream.js';
import { startGateway } from '../../server.js';
import { IN_PROCESS_GATEWAY_TOKEN, useInProcessGateways } from '../../__fixtures__/in-process-gateway.js';
import { silentLogger } from '../http-logger.js';
import { startChatUpstream, UPSTREAM_USAGE, upstreamMessages } from './__fixtures__/chat-upstream.js';

// The first request loads the gateway's HTTP client: headroom on a busy 2-core machine.
vi.setConfig({ testTimeout: 20_000 });

const start = useInProcessGateways();
let upstream: FakeUpstream;

/** The scripted model: a tool result is acknowledged, "weather" with tools calls `get_weather`, else it counts. */
function reply(body: Record<string, unknown>) {
  const messages = body.messages as Array<{ role: string; content: unknown }>;
  const last = messages[messages.length - 1];
  const text = typeof last?.content === 'string' ? last.content : JSON.stringify(last?.content);
  if (Array.isArray(body.tools) && text.includes('weather') && !text.includes('Tool:')) {
    return { call: { id: 'call_w1', name: 'get_weather', arguments: '{"city":"Paris"}' } };
  }
  return { text: `Heard ${messages.length} messages` };
}

beforeAll(async () => {
  upstream = await startChatUpstream(reply);
});
afterAll(() => upstream.close());
afterEach(() => {
  upstream.requests.length = 0;
});

function gatewayConfig(overrides: Record<string, unknown> = {}) {
  return {
    gateway: { http: { endpoints: { responses: { enabled: true } } } },
    models: { providers: { up: { baseUrl: upstream.baseUrl } } },
    agents: { defaults: { model: 'up/test-model' }, list: [{ id: 'main', default: true }, { id: 'beta' }] },
    ...overrides,
  };
}

async function client(overrides: Record<string, unknown> = {}) {
  const gateway = await start(gatewayConfig(overrides));
  return {
    gateway,
    openai: new OpenAI({ apiKey: IN_PROCESS_GATEWAY_TOKEN, baseURL: `${gateway.url}/v1`, maxRetries: 0 }),
  };
}

describe('the openai SDK on /v1/responses', () => {
  it('creates a response without streaming: output_text, usage, ids', async () => {
    const { openai } = await client();
    const response = await openai.responses.create({ model: 'openclaw', input: 'hello there' });
    expect(response.output_text).toBe('Heard 1 messages');
    expect(response).toMatchObject({
      object: 'response',
      status: 'completed',
      model: 'openclaw',
      usage: {
        input_tokens: UPSTREAM_USAGE.prompt_tokens,
        input_tokens_details: { cached_tokens: 0 },
        output_tokens: UPSTREAM_USAGE.completion_tokens,
        output_tokens_details: { reasoning_tokens: 0 },
        total_tokens: UPSTREAM_USAGE.total_tokens,
      },
    });
    expect(response.id).toMatch(/^resp_[0-9a-f-]{36}$/);
    expect(response.output).toEqual([
      {
        type: 'message',
        id: expect.stringMatching(/^msg_[0-9a-f-]{36}$/),
        role: 'assistant',
        status: 'completed',
        content: [{ type: 'output_text', text: 'Heard 1 messages', annotations: [] }],
      },
    ]);
    expect(upstream.requests[0]?.body.model).toBe('test-model');
    expect(upstreamMessages(upstream.requests[0])).toEqual([{ role: 'user', content: 'hello there' }]);
  });

  it('streams with for await: the event order, sequence numbers and deltas joining to the text', async () => {
    const { openai } = await client();
    const stream = await openai.responses.create({ model: 'openclaw', input: 'hello there', stream: true });
    const events: Array<{ type: string; sequence_number: number }> = [];
    let deltas = '';
    let completedText = '';
    for await (const event of stream) {
      events.push(event);
      if (event.type === 'response.output_text.delta') deltas += event.delta;
      if (event.type === 'response.completed') {
        const [message] = event.response.output;
        completedText =
          message?.type === 'message' && message.content[0]?.type === 'output_text' ? message.content[0].text : '';
      }
    }
    expect(events.map((event) => event.type)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
    expect(events.map((event) => event.sequence_number)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(deltas).toBe('Heard 1 messages');
    expect(completedText).toBe('Heard 1 messages');
    expect(upstream.requests[0]?.body.stream).toBe(true);
  });

  it('runs the responses.stream helper to its final response', async () => {
    const { openai } = await client();
    const seen: string[] = [];
    const stream = openai.responses
      .stream({ model: 'openclaw', input: 'hello there' })
      .on('response.output_text.delta', (event) => seen.push(event.delta));
    const final = await stream.finalResponse();
    expect(final.output_text).toBe('Heard 1 messages');
    expect(seen.join('')).toBe('Heard 1 messages');
  });

  it('sends instructions and a developer message as the system prompt, earlier items as context', async () => {
    const { openai } = await client();
    const response = await openai.responses.create({
      model: 'openclaw/beta',
      instructions: 'Answer in French.',
      input: [
        { role: 'developer', content: 'Be brief.' },
        { role: 'user', content: 'first question' },
        { role: 'assistant', content: 'first answer' },
        { role: 'user', content: [{ type: 'input_text', text: 'second question' }] },
      ],
    });
    expect(response.output_text).toBe('Heard 2 messages');
    expect(upstreamMessages(upstream.requests[0])).toEqual([
      { role: 'system', content: 'Answer in French.\n\nBe brief.' },
      {
        role: 'user',
        content:
          '[Chat messages since your last reply - for context]\nUser: first question\nAssistant: first answer\n\n[Current message - respond to this]\nUser: second question',
      },
    ]);
  });

  it('passes an input_image data URI to the upstream as an image part', async () => {
    const { openai } = await client();
    const png =
      'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';
    await openai.responses.create({
      model: 'openclaw',
      input: [
        {
          role: 'user',
          content: [
            { type: 'input_text', text: 'what is this?' },
            { type: 'input_image', image_url: png, detail: 'low' },
          ],
        },
      ],
    });
    expect(upstreamMessages(upstream.requests[0])).toEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'what is this?' },
          { type: 'image_url', image_url: { url: png } },
        ],
      },
    ]);
  });

  it('round-trips a function call: function_call item, then function_call_output with previous_response_id', async () => {
    const { openai } = await client();
    const tools = [
      {
        type: 'function' as const,
        name: 'get_weather',
        description: 'Weather of a city',
        parameters: { type: 'object', properties: { city: { type: 'string' } } },
        strict: false,
      },
    ];
    const first = await openai.responses.create({ model: 'openclaw', input: 'weather in Paris?', tools });
    expect(first.output).toEqual([
      {
        type: 'function_call',
        id: expect.stringMatching(/^fc_/),
        call_id: 'call_w1',
        name: 'get_weather',
        arguments: '{"city":"Paris"}',
        status: 'completed',
      },
    ]);
    expect(upstream.requests[0]?.body.tools).toEqual([
      {
        type: 'function',
        function: {
          name: 'get_weather',
          description: 'Weather of a city',
          parameters: { type: 'object', properties: { city: { type: 'string' } } },
          strict: false,
        },
      },
    ]);
    const second = await openai.responses.create({
      model: 'openclaw',
      previous_response_id: first.id,
      input: [{ type: 'function_call_output', call_id: 'call_w1', output: 'sunny, 21°C' }],
      tools,
    });
    expect(second.output_text).toBe('Heard 3 messages');
    expect(upstreamMessages(upstream.requests[1])).toEqual([
      { role: 'user', content: 'weather in Paris?' },
      { role: 'assistant', content: 'tool_call id=call_w1 name=get_weather arguments={"city":"Paris"}' },
      { role: 'user', content: 'sunny, 21°C' },
    ]);
  });

  it('continues a conversation with previous_response_id: the upstream sees the earlier turn', async () => {
    const { openai } = await client();
    const first = await openai.responses.create({ model: 'openclaw', input: 'my name is Ada' });
    const second = await openai.responses.create({
      model: 'openclaw',
      input: 'what is my name?',
      previous_response_id: first.id,
    });
    expect(second.output_text).toBe('Heard 3 messages');
    expect(upstreamMessages(upstream.requests[1])).toEqual([
      { role: 'user', content: 'my name is Ada' },
      { role: 'assistant', content: 'Heard 1 messages' },
      { role: 'user', content: 'what is my name?' },
    ]);
    // A third turn on the second id sees both earlier turns.
    const third = await openai.responses.create({ model: 'openclaw', input: 'again', previous_response_id: second.id });
    expect(third.output_text).toBe('Heard 5 messages');
  });

  it('refuses an unknown previous_response_id with BadRequestError, as OpenAI does', async () => {
    const { openai } = await client();
    const failure = await openai.responses
      .create({ model: 'openclaw', input: 'hi', previous_response_id: 'resp_nope' })
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(OpenAI.BadRequestError);
    const error = failure as InstanceType<typeof OpenAI.BadRequestError>;
    expect(error.status).toBe(400);
    expect(error.error).toEqual({
      message: "Previous response with id 'resp_nope' not found.",
      type: 'invalid_request_error',
      param: 'previous_response_id',
      code: 'previous_response_not_found',
    });
    expect(upstream.requests).toHaveLength(0);
  });

  it('does not remember a response created with store: false', async () => {
    const { openai } = await client();
    const first = await openai.responses.create({ model: 'openclaw', input: 'forget me', store: false });
    const failure = await openai.responses
      .create({ model: 'openclaw', input: 'hi', previous_response_id: first.id })
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(OpenAI.BadRequestError);
  });

  it('continues a response after a gateway restart with the file store', async () => {
    const stateDir = await mkdtemp(path.join(os.tmpdir(), 'clawgate-responses-restart-'));
    const configPath = path.join(stateDir, 'clawgate.json5');
    await writeFile(
      configPath,
      JSON.stringify({
        ...gatewayConfig(),
        gateway: {
          auth: { mode: 'token', token: IN_PROCESS_GATEWAY_TOKEN },
          http: { endpoints: { responses: { enabled: true } } },
        },
        sessions: { store: 'file' },
      }),
    );
    const startOnce = () =>
      startGateway({ configPath, stateDir, port: 0, env: {}, print: () => undefined, logger: silentLogger });
    try {
      const before = await startOnce();
      const openaiBefore = new OpenAI({ apiKey: IN_PROCESS_GATEWAY_TOKEN, baseURL: `${before.url}/v1`, maxRetries: 0 });
      const first = await openaiBefore.responses.create({ model: 'openclaw', input: 'remember the number 7' });
      await before.close();

      const after = await startOnce();
      try {
        const openaiAfter = new OpenAI({ apiKey: IN_PROCESS_GATEWAY_TOKEN, baseURL: `${after.url}/v1`, maxRetries: 0 });
        const second = await openaiAfter.responses.create({
          model: 'openclaw',
          input: 'which number?',
          previous_response_id: first.id,
        });
        expect(second.output_text).toBe('Heard 3 messages');
        expect(upstreamMessages(upstream.requests[1])).toEqual([
          { role: 'user', content: 'remember the number 7' },
          { role: 'assistant', content: 'Heard 1 messages' },
          { role: 'user', content: 'which number?' },
        ]);
      } finally {
        await after.close();
      }
    } finally {
      await rm(stateDir, { recursive: true, force: true });
    }
  });

  it('shares a session with chat completions through x-openclaw-session-key', async () => {
    const { openai } = await client({
      gateway: { http: { endpoints: { responses: { enabled: true }, chatCompletions: { enabled: true } } } },
    });
    const headers = { 'x-openclaw-session-key': 'shared-session' };
    await openai.responses.create({ model: 'openclaw', input: 'said over responses' }, { headers });
    const completion = await openai.chat.completions.create(
      { model: 'openclaw', messages: [{ role: 'user', content: 'said over chat' }] },
      { headers },
    );
    expect(completion.choices[0]?.message.content).toBe('Heard 3 messages');
    expect(upstreamMessages(upstream.requests[1])).toEqual([
      { role: 'user', content: 'said over responses' },
      { role: 'assistant', content: 'Heard 1 messages' },
      { role: 'user', content: 'said over chat' },
    ]);
  });
});
