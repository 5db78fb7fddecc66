import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { arrayUntilFirstError } from './array-until-first-error.js';
import { DEFAULT_CHAT_COMPLETION_REQUEST_LIMITS } from './chat-completion-request-limits.js';
import { parseChatCompletionRequest } from './parse-chat-completion-request.js';

const limits = { maxMessages: 3, maxContentParts: 4, maxTools: 2, maxToolCalls: 2 };
const user = { role: 'user', content: 'hi' };
const tool = { type: 'function', function: { name: 'f' } };
const call = { id: 'c', type: 'function', function: { name: 'f', arguments: '{}' } };

function messageFor(body: unknown): string {
  const result = parseChatCompletionRequest(body, { limits });
  return result.success ? 'OK' : result.message;
}

describe('parseChatCompletionRequest: item limits', () => {
  it('accepts each count at its limit', () => {
    const parts = [
      { type: 'text', text: 'a' },
      { type: 'text', text: 'b' },
    ];
    const body = {
      messages: [
        { role: 'user', content: parts },
        { role: 'assistant', content: null, tool_calls: [call, call] },
        { role: 'user', content: parts },
      ],
      tools: [tool, tool],
    };
    expect(messageFor(body)).toBe('OK');
  });

  it.each([
    [
      'messages',
      { messages: [user, user, user, user] },
      "Invalid 'messages': array too long. Expected an array with maximum length 3, but got an array with length 4 instead.",
    ],
    [
      'content parts summed over messages',
      {
        messages: [
          { role: 'user', content: [{}, {}, {}] },
          { role: 'user', content: [{}, {}] },
        ],
      },
      "Invalid 'messages': too many content parts. Expected at most 4 across all messages, but got 5 instead.",
    ],
    [
      'tool calls summed over messages',
      { messages: [user, { role: 'assistant', tool_calls: [call, call] }, { role: 'assistant', tool_calls: [call] }] },
      "Invalid 'messages': too many tool calls. Expected at most 2 across all messages, but got 3 instead.",
    ],
    [
      'tools',
      { messages: [user], tools: [tool, tool, tool] },
      "Invalid 'tools': array too long. Expected an array with maximum length 2, but got an array with length 3 instead.",
    ],
  ])('refuses too many %s before validating an element', (_name, body, expected) => {
    expect(messageFor(body)).toBe(expected);
  });

  it('refuses a million invalid messages by their count, not by their first error', () => {
    const body = { model: 'openclaw', messages: new Array(1_000_000).fill(1) };
    const result = parseChatCompletionRequest(body);
    expect(result).toEqual({
      success: false,
      message: `Invalid 'messages': array too long. Expected an array with maximum length ${DEFAULT_CHAT_COMPLETION_REQUEST_LIMITS.maxMessages}, but got an array with length 1000000 instead.`,
    });
  });

  it('uses the defaults (OpenAI maxima for messages and tools) when no limits are given', () => {
    expect(DEFAULT_CHAT_COMPLETION_REQUEST_LIMITS).toEqual({
      maxMessages: 2048,
      maxContentParts: 4096,
      maxTools: 128,
      maxToolCalls: 4096,
    });
    const atLimit = { messages: new Array(2048).fill(user) };
    expect(parseChatCompletionRequest(atLimit).success).toBe(true);
  });
});

describe('validation stops at the first invalid element', () => {
  it('reports the first bad message and records no issue for the others', () => {
    const schema = arrayUntilFirstError(z.object({ role: z.string() }));
    const result = schema.safeParse([{ role: 'user' }, {}, 1, {}]);
    expect(result.success).toBe(false);
    expect(result.error?.issues).toHaveLength(1);
    expect(result.error?.issues[0]?.path).toEqual([1, 'role']);
  });

  it('names the first bad message, part and tool in the request message', () => {
    expect(messageFor({ messages: [user, 1, {}] })).toBe(
      'messages[1]: Invalid input: expected object, received number',
    );
    expect(
      messageFor({
        messages: [{ role: 'user', content: [{ type: 'text', text: 'a' }, { type: 'text' }, { type: 'x' }] }],
      }),
    ).toBe('messages[0].content[1].text: Invalid input: expected string, received undefined');
    expect(messageFor({ messages: [user], tools: [tool, { type: 'function', function: {} }] })).toBe(
      'tools[1].function.name: Invalid input: expected string, received undefined',
    );
  });

  it('keeps the parsed elements with unknown keys stripped', () => {
    const result = parseChatCompletionRequest({
      messages: [{ role: 'user', content: [{ type: 'text', text: 'a', extra: 1 }], extra: 2 }],
    });
    expect(result).toEqual({
      success: true,
      data: { messages: [{ role: 'user', content: [{ type: 'text', text: 'a' }] }] },
    });
  });
});
