import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { AUTH_HEADER, buildTestApp, testConfig } from '../__fixtures__/build-test-app.js';
import { createRecordingRunner } from '../__fixtures__/recording-runner.js';

const USER = [{ role: 'user', content: 'hi' }];

/**
 * Each rule of docs/http-contract.md#3-request-validation: the body and the exact 400 message
 * (schema wording from @clawgate/openai-schemas).
 */
const CASES: Array<[string, unknown, string]> = [
  ['body not an object', [], 'Invalid input: expected object, received array'],
  ['messages a string', { messages: 'hi' }, 'messages: Invalid input: expected array, received string'],
  ['messages missing', {}, 'Missing user message in `messages`.'],
  ['messages empty', { messages: [] }, 'Missing user message in `messages`.'],
  ['user a number', { messages: USER, user: 1 }, 'user: Invalid input: expected string, received number'],
  ['stream a string', { messages: USER, stream: 'yes' }, 'stream: Invalid input: expected boolean, received string'],
  ['max_tokens zero', { messages: USER, max_tokens: 0 }, 'max_tokens: Too small: expected number to be >0'],
  [
    'max_tokens fractional',
    { messages: USER, max_tokens: 1.5 },
    'max_tokens: Invalid input: expected int, received number',
  ],
  ['temperature', { messages: USER, temperature: 3 }, '`temperature` must be between 0 and 2.'],
  ['top_p', { messages: USER, top_p: 1.5 }, '`top_p` must be between 0 and 1.'],
  ['frequency_penalty', { messages: USER, frequency_penalty: -3 }, '`frequency_penalty` must be between -2.0 and 2.0.'],
  ['presence_penalty', { messages: USER, presence_penalty: 2.5 }, '`presence_penalty` must be between -2.0 and 2.0.'],
  ['seed', { messages: USER, seed: 1.5 }, '`seed` must be an integer.'],
  ['stop', { messages: USER, stop: ['a', 'b', 'c', 'd', 'e'] }, 'Invalid stop: stop supports at most 4 sequences'],
  [
    'response_format',
    { messages: USER, response_format: { type: 'xml' } },
    'Invalid response_format: response_format.type must be text, json_object, or json_schema',
  ],
  [
    'tool_choice required without tools',
    { messages: USER, tool_choice: 'required' },
    'Invalid tools/tool_choice: tool_choice=required but no tools were provided',
  ],
  [
    'tool_choice unknown tool',
    {
      messages: USER,
      tools: [{ type: 'function', function: { name: 'lookup' } }],
      tool_choice: { type: 'function', function: { name: 'other' } },
    },
    'Invalid tools/tool_choice: tool_choice requested unknown tool: other',
  ],
];

describe('request validation (docs/http-contract.md#3-request-validation)', () => {
  const { app } = buildTestApp({ config: testConfig(), runner: createRecordingRunner() });

  it.each(CASES)('%s → 400 with the exact message', async (_name, body, message) => {
    const response = await request(app).post('/v1/chat/completions').set(AUTH_HEADER).send(JSON.stringify(body));
    expect(response.status).toBe(400);
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(response.body).toEqual({ error: { message, type: 'invalid_request_error' } });
  });

  it('ignores unknown fields and accepts stream: null as not streaming', async () => {
    const response = await request(app)
      .post('/v1/chat/completions')
      .set(AUTH_HEADER)
      .send({ messages: USER, stream: null, logprobs: true, n: 1, metadata: { a: 1 }, parallel_tool_calls: false });
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(response.body.object).toBe('chat.completion');
  });

  it('forwards sampling fields and tools to the run unchanged', async () => {
    const runner = createRecordingRunner();
    const built = buildTestApp({ config: testConfig(), runner });
    const tools = [
      { type: 'function', function: { name: 'lookup', description: 'd', parameters: { type: 'object' } } },
    ];
    const response = await request(built.app)
      .post('/v1/chat/completions')
      .set(AUTH_HEADER)
      .send({
        messages: USER,
        temperature: 0.5,
        top_p: 0.9,
        seed: 7,
        stop: ['x'],
        max_completion_tokens: 10,
        tools,
        tool_choice: 'auto',
      });
    expect(response.status).toBe(200);
    expect(runner.inputs[0]?.parameters).toEqual({
      temperature: 0.5,
      top_p: 0.9,
      seed: 7,
      stop: ['x'],
      max_completion_tokens: 10,
      tools,
      tool_choice: 'auto',
    });
  });
});
