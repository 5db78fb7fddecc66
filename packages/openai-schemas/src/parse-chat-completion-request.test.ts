import { describe, expect, it } from 'vitest';
import { MISSING_USER_MESSAGE, parseChatCompletionRequest } from './parse-chat-completion-request.js';

const messages = [{ role: 'user', content: 'hi' }];
const weatherTool = { type: 'function', function: { name: 'get_weather', parameters: { type: 'object' } } };

/** Parses `{ messages, ...fields }` and returns the failure message (or the success marker). */
function messageFor(fields: Record<string, unknown>): string {
  const result = parseChatCompletionRequest({ messages, ...fields });
  return result.success ? 'OK' : result.message;
}

describe('parseChatCompletionRequest: body', () => {
  it.each([
    ['an array', [], 'Invalid input: expected object, received array'],
    ['null', null, 'Invalid input: expected object, received null'],
    ['a string', 'hello', 'Invalid input: expected object, received string'],
    ['a number', 42, 'Invalid input: expected object, received number'],
    ['undefined', undefined, 'Invalid input: expected object, received undefined'],
  ])('rejects %s with a root-level message', (_name, body, expected) => {
    expect(parseChatCompletionRequest(body)).toEqual({ success: false, message: expected });
  });

  it('reports an empty object as a missing user message', () => {
    expect(parseChatCompletionRequest({})).toEqual({ success: false, message: MISSING_USER_MESSAGE });
    expect(MISSING_USER_MESSAGE).toBe('Missing user message in `messages`.');
  });

  it('accepts a minimal request and strips unknown fields', () => {
    const result = parseChatCompletionRequest({
      model: 'openclaw',
      messages,
      n: 1,
      logprobs: false,
      metadata: { trace: 'x' },
      parallel_tool_calls: true,
    });
    expect(result).toEqual({ success: true, data: { model: 'openclaw', messages } });
  });

  it('never throws, even on a hostile object', () => {
    const body = Object.create(null) as Record<string, unknown>;
    body.messages = messages;
    expect(parseChatCompletionRequest(body)).toEqual({ success: true, data: { messages } });
  });
});

describe('parseChatCompletionRequest: messages', () => {
  it.each([
    ['a string', 'hi', 'messages: Invalid input: expected array, received string'],
    ['an object', { role: 'user' }, 'messages: Invalid input: expected array, received object'],
    ['null', null, 'messages: Invalid input: expected array, received null'],
  ])('rejects messages as %s', (_name, value, expected) => {
    expect(parseChatCompletionRequest({ messages: value })).toEqual({ success: false, message: expected });
  });

  it('treats missing and empty messages as a missing user message', () => {
    expect(parseChatCompletionRequest({ model: 'openclaw' })).toEqual({
      success: false,
      message: MISSING_USER_MESSAGE,
    });
    expect(parseChatCompletionRequest({ messages: [] })).toEqual({ success: false, message: MISSING_USER_MESSAGE });
  });

  it('accepts every role with its own fields', () => {
    const conversation = [
      { role: 'system', content: 'be brief' },
      { role: 'developer', content: [{ type: 'text', text: 'no emojis' }] },
      { role: 'user', content: [{ type: 'input_text', text: 'weather?' }], name: 'ada' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'call_1', content: '{"temp":21}' },
      { role: 'function', name: 'legacy', content: 'ok' },
      { role: 'assistant' },
    ];
    const result = parseChatCompletionRequest({ messages: conversation });
    expect(result).toEqual({ success: true, data: { messages: conversation } });
  });

  it('accepts image parts with and without detail, and strips unknown part fields', () => {
    const result = parseChatCompletionRequest({
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'what is this?', cache_control: { type: 'ephemeral' } },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
            { type: 'image_url', image_url: { url: 'https://example.com/cat.png', detail: 'high' } },
          ],
        },
      ],
    });
    expect(result.success && result.data.messages[0]).toEqual({
      role: 'user',
      content: [
        { type: 'text', text: 'what is this?' },
        { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
        { type: 'image_url', image_url: { url: 'https://example.com/cat.png', detail: 'high' } },
      ],
    });
  });

  it.each([
    [
      'an unknown role',
      [{ role: 'robot', content: 'x' }],
      "messages[0].role: Invalid discriminator value. Expected 'system' | 'developer' | 'user' | 'assistant' | 'tool' | 'function'",
    ],
    [
      'a missing role',
      [{ content: 'x' }],
      "messages[0].role: Invalid discriminator value. Expected 'system' | 'developer' | 'user' | 'assistant' | 'tool' | 'function'",
    ],
    ['a non-object message', ['hi'], 'messages[0]: Invalid input: expected object, received string'],
    [
      'numeric content',
      [{ role: 'user', content: 5 }],
      'messages[0].content: Invalid input: expected string or array, received number',
    ],
    [
      'object content',
      [{ role: 'user', content: { text: 'x' } }],
      'messages[0].content: Invalid input: expected string or array, received object',
    ],
    [
      'an unsupported part type',
      [{ role: 'user', content: [{ type: 'input_audio', input_audio: {} }] }],
      "messages[0].content[0].type: Invalid discriminator value. Expected 'text' | 'input_text' | 'image_url'",
    ],
    [
      'a text part without text',
      [{ role: 'user', content: [{ type: 'text' }] }],
      'messages[0].content[0].text: Invalid input: expected string, received undefined',
    ],
    [
      'an image part without url',
      [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'a' },
            { type: 'image_url', image_url: {} },
          ],
        },
      ],
      'messages[0].content[1].image_url.url: Invalid input: expected string, received undefined',
    ],
    [
      'a bad image detail',
      [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'u', detail: 'max' } }] }],
      'messages[0].content[0].image_url.detail: Invalid option: expected one of "auto"|"low"|"high"',
    ],
    [
      'a tool call without id',
      [
        { role: 'user', content: 'a' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [{ type: 'function', function: { name: 'f', arguments: '{}' } }],
        },
      ],
      'messages[1].tool_calls[0].id: Invalid input: expected string, received undefined',
    ],
    [
      'tool call arguments as an object',
      [{ role: 'assistant', tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: {} } }] }],
      'messages[0].tool_calls[0].function.arguments: Invalid input: expected string, received object',
    ],
    [
      'a numeric tool_call_id',
      [{ role: 'tool', tool_call_id: 7, content: 'x' }],
      'messages[0].tool_call_id: Invalid input: expected string, received number',
    ],
  ])('rejects %s', (_name, value, expected) => {
    expect(parseChatCompletionRequest({ messages: value })).toEqual({ success: false, message: expected });
  });
});

describe('parseChatCompletionRequest: scalar fields', () => {
  it.each([
    ['model', { model: 'openclaw/beta' }],
    ['model as empty string (echoed back as sent)', { model: '' }],
    ['stream true', { stream: true }],
    ['stream false', { stream: false }],
    ['user', { user: 'Ada@Example.com' }],
    ['stream_options.include_usage', { stream: true, stream_options: { include_usage: true } }],
    ['empty stream_options', { stream_options: {} }],
    ['temperature 0', { temperature: 0 }],
    ['temperature 2', { temperature: 2 }],
    ['top_p 0', { top_p: 0 }],
    ['top_p 1', { top_p: 1 }],
    ['frequency_penalty -2', { frequency_penalty: -2 }],
    ['frequency_penalty 2', { frequency_penalty: 2 }],
    ['presence_penalty -2', { presence_penalty: -2 }],
    ['presence_penalty 1.5', { presence_penalty: 1.5 }],
    ['seed 0', { seed: 0 }],
    ['negative seed', { seed: -42 }],
    ['stop string', { stop: '\n' }],
    ['stop with 4 sequences', { stop: ['a', 'b', 'c', 'd'] }],
    ['empty stop list', { stop: [] }],
    ['response_format text', { response_format: { type: 'text' } }],
    ['response_format json_object', { response_format: { type: 'json_object' } }],
    [
      'response_format json_schema',
      {
        response_format: {
          type: 'json_schema',
          json_schema: { name: 'answer', schema: { type: 'object' }, strict: true },
        },
      },
    ],
    ['max_completion_tokens 1', { max_completion_tokens: 1 }],
    ['max_tokens 4096', { max_tokens: 4096 }],
  ])('accepts %s and keeps the value', (_name, fields) => {
    expect(parseChatCompletionRequest({ messages, ...fields })).toEqual({
      success: true,
      data: { messages, ...fields },
    });
  });

  it.each([
    'stream',
    'stream_options',
    'temperature',
    'top_p',
    'frequency_penalty',
    'presence_penalty',
    'seed',
    'stop',
    'max_completion_tokens',
    'max_tokens',
  ])('treats %s: null as absent (OpenAI documents it as nullable)', (field) => {
    const result = parseChatCompletionRequest({ messages, [field]: null });
    expect(result).toEqual({ success: true, data: { messages } });
    expect(result.success && field in result.data).toBe(false);
  });

  it.each([
    [{ model: 7 }, 'model: Invalid input: expected string, received number'],
    [{ model: null }, 'model: Invalid input: expected string, received null'],
    [{ stream: 'true' }, 'stream: Invalid input: expected boolean, received string'],
    [{ stream: 1 }, 'stream: Invalid input: expected boolean, received number'],
    [{ stream_options: true }, 'stream_options: Invalid input: expected object, received boolean'],
    [
      { stream_options: { include_usage: 'yes' } },
      'stream_options.include_usage: Invalid input: expected boolean, received string',
    ],
    [{ user: 1 }, 'user: Invalid input: expected string, received number'],
    [{ user: null }, 'user: Invalid input: expected string, received null'],
    [{ temperature: 2.01 }, '`temperature` must be between 0 and 2.'],
    [{ temperature: -0.1 }, '`temperature` must be between 0 and 2.'],
    [{ temperature: '1' }, 'temperature: Invalid input: expected number, received string'],
    [{ top_p: 1.5 }, '`top_p` must be between 0 and 1.'],
    [{ top_p: -1 }, '`top_p` must be between 0 and 1.'],
    [{ top_p: [] }, 'top_p: Invalid input: expected number, received array'],
    [{ frequency_penalty: 2.5 }, '`frequency_penalty` must be between -2.0 and 2.0.'],
    [{ frequency_penalty: -3 }, '`frequency_penalty` must be between -2.0 and 2.0.'],
    [{ frequency_penalty: true }, 'frequency_penalty: Invalid input: expected number, received boolean'],
    [{ presence_penalty: 2.5 }, '`presence_penalty` must be between -2.0 and 2.0.'],
    [{ presence_penalty: -2.01 }, '`presence_penalty` must be between -2.0 and 2.0.'],
    [{ seed: 1.5 }, '`seed` must be an integer.'],
    [{ seed: '7' }, 'seed: Invalid input: expected number, received string'],
    [{ stop: ['a', 'b', 'c', 'd', 'e'] }, 'Invalid stop: stop supports at most 4 sequences'],
    [{ stop: 5 }, 'Invalid stop: stop must be a string or an array of strings'],
    [{ stop: ['a', 1] }, 'Invalid stop: stop must be a string or an array of strings'],
    [
      { response_format: { type: 'xml' } },
      'Invalid response_format: response_format.type must be text, json_object, or json_schema',
    ],
    [
      { response_format: {} },
      'Invalid response_format: response_format.type must be text, json_object, or json_schema',
    ],
    [{ response_format: 'json' }, 'Invalid response_format: response_format must be an object'],
    [{ response_format: null }, 'Invalid response_format: response_format must be an object'],
    [
      { response_format: { type: 'json_schema' } },
      'Invalid response_format: response_format.json_schema must be an object',
    ],
    [{ max_completion_tokens: 0 }, 'max_completion_tokens: Too small: expected number to be >0'],
    [{ max_completion_tokens: 2.5 }, 'max_completion_tokens: Invalid input: expected int, received number'],
    [{ max_completion_tokens: '10' }, 'max_completion_tokens: Invalid input: expected number, received string'],
    [{ max_tokens: 0 }, 'max_tokens: Too small: expected number to be >0'],
    [{ max_tokens: -5 }, 'max_tokens: Too small: expected number to be >0'],
    [{ max_tokens: 1.5 }, 'max_tokens: Invalid input: expected int, received number'],
    [{ max_tokens: -1.5 }, 'max_tokens: Invalid input: expected int, received number'],
    [{ max_tokens: 1e300 }, 'max_tokens: Too big: expected int to be <=9007199254740991'],
  ])('rejects %j with the exact contract message', (fields, expected) => {
    expect(messageFor(fields)).toBe(expected);
  });

  it('strips unknown keys from stream_options and response_format', () => {
    const result = parseChatCompletionRequest({
      messages,
      stream_options: { include_usage: true, include_obfuscation: false },
      response_format: { type: 'json_object', extra: 1 },
    });
    expect(result).toEqual({
      success: true,
      data: { messages, stream_options: { include_usage: true }, response_format: { type: 'json_object' } },
    });
  });
});

describe('parseChatCompletionRequest: tools and tool_choice', () => {
  it.each([
    ['tools with auto', { tools: [weatherTool], tool_choice: 'auto' }],
    ['tools with none', { tools: [weatherTool], tool_choice: 'none' }],
    ['tools with required', { tools: [weatherTool], tool_choice: 'required' }],
    [
      'tools with a named choice',
      { tools: [weatherTool], tool_choice: { type: 'function', function: { name: 'get_weather' } } },
    ],
    ['none without tools', { tool_choice: 'none' }],
    ['auto without tools', { tool_choice: 'auto' }],
    ['an empty tools list', { tools: [] }],
    [
      'a strict tool with description',
      { tools: [{ type: 'function', function: { name: 'f', description: 'd', parameters: {}, strict: true } }] },
    ],
  ])('accepts %s', (_name, fields) => {
    expect(parseChatCompletionRequest({ messages, ...fields })).toEqual({
      success: true,
      data: { messages, ...fields },
    });
  });

  it.each([
    [{ tools: [{ type: 'web_search_preview' }] }, 'Invalid tools/tool_choice: only function tools are supported'],
    [
      { tools: [weatherTool, { type: 'code_interpreter' }] },
      'Invalid tools/tool_choice: only function tools are supported',
    ],
    [{ tools: [{ function: { name: 'f' } }] }, 'Invalid tools/tool_choice: only function tools are supported'],
    [{ tools: { type: 'function' } }, 'tools: Invalid input: expected array, received object'],
    [{ tools: [{ type: 'function' }] }, 'tools[0].function: Invalid input: expected object, received undefined'],
    [
      { tools: [{ type: 'function', function: { name: 3 } }] },
      'tools[0].function.name: Invalid input: expected string, received number',
    ],
    [
      { tools: [{ type: 'function', function: { name: 'f', parameters: 'x' } }] },
      'tools[0].function.parameters: Invalid input: expected record, received string',
    ],
    [{ tool_choice: 'required' }, 'Invalid tools/tool_choice: tool_choice=required but no tools were provided'],
    [
      { tools: [], tool_choice: 'required' },
      'Invalid tools/tool_choice: tool_choice=required but no tools were provided',
    ],
    [
      { tools: [weatherTool], tool_choice: { type: 'function', function: { name: 'get_time' } } },
      'Invalid tools/tool_choice: tool_choice requested unknown tool: get_time',
    ],
    [
      { tool_choice: { type: 'function', function: { name: 'get_time' } } },
      'Invalid tools/tool_choice: tool_choice requested unknown tool: get_time',
    ],
    [
      { tools: [weatherTool], tool_choice: 'any' },
      'Invalid tools/tool_choice: tool_choice must be auto, none, required, or a function tool',
    ],
    [
      { tools: [weatherTool], tool_choice: 3 },
      'Invalid tools/tool_choice: tool_choice must be auto, none, required, or a function tool',
    ],
    [
      { tools: [weatherTool], tool_choice: { type: 'file_search' } },
      'Invalid tools/tool_choice: only function tools are supported',
    ],
    [
      { tools: [weatherTool], tool_choice: { type: 'function', function: {} } },
      'tool_choice.function.name: Invalid input: expected string, received undefined',
    ],
  ])('rejects %j with the exact contract message', (fields, expected) => {
    expect(messageFor(fields)).toBe(expected);
  });
});

describe('parseChatCompletionRequest: order of checks', () => {
  it('reports the first wrong field in schema order', () => {
    // Schema order: model, messages, stream, stream_options, user, temperature, top_p, …, tools, tool_choice.
    expect(parseChatCompletionRequest({ model: 1, messages: 'x', temperature: 9 })).toEqual({
      success: false,
      message: 'model: Invalid input: expected string, received number',
    });
    expect(parseChatCompletionRequest({ messages: 'x', temperature: 9 })).toEqual({
      success: false,
      message: 'messages: Invalid input: expected array, received string',
    });
    expect(messageFor({ max_tokens: 0, temperature: 9, stop: 1 })).toBe('`temperature` must be between 0 and 2.');
  });

  it('prefers a field error over the missing-message error', () => {
    expect(parseChatCompletionRequest({ temperature: 9 })).toEqual({
      success: false,
      message: '`temperature` must be between 0 and 2.',
    });
    expect(parseChatCompletionRequest({ messages: [], tool_choice: 'required' })).toEqual({
      success: false,
      message: 'Invalid tools/tool_choice: tool_choice=required but no tools were provided',
    });
  });

  it('runs the tools/tool_choice cross-check only after every field is valid', () => {
    expect(messageFor({ tool_choice: 'required', max_tokens: 0 })).toBe(
      'max_tokens: Too small: expected number to be >0',
    );
  });
});
