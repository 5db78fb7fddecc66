import { describe, expect, expectTypeOf, it } from 'vitest';
import { chatCompletionRequestSchema, type ChatCompletionRequest } from './chat-completion-request.js';
import type { ChatCompletionToolChoice } from './chat-completion-tool.js';
import type { ChatMessage, ChatMessageRole } from './chat-message.js';
import { formatZodError } from './format-zod-error.js';

describe('chatCompletionRequestSchema', () => {
  it('infers the agreed field types (compile-time checks, run by `tsc --noEmit`)', () => {
    expectTypeOf<ChatCompletionRequest['messages']>().toEqualTypeOf<ChatMessage[]>();
    expectTypeOf<ChatCompletionRequest['model']>().toEqualTypeOf<string | undefined>();
    expectTypeOf<ChatCompletionRequest['temperature']>().toEqualTypeOf<number | undefined>();
    expectTypeOf<ChatCompletionRequest['stop']>().toEqualTypeOf<string | string[] | undefined>();
    expectTypeOf<ChatMessageRole>().toEqualTypeOf<
      'system' | 'developer' | 'user' | 'assistant' | 'tool' | 'function'
    >();
    expectTypeOf<ChatCompletionToolChoice>().toEqualTypeOf<
      'auto' | 'none' | 'required' | { type: 'function'; function: { name: string } }
    >();
    // The runtime half: a parsed request really has these shapes.
    const parsed = chatCompletionRequestSchema.parse({ messages: [{ role: 'user', content: 'hi' }], stop: ['x'] });
    expect(parsed).toEqual({ messages: [{ role: 'user', content: 'hi' }], stop: ['x'] });
  });

  it('defaults missing messages to [] instead of failing (the parse helper reports it last)', () => {
    expect(chatCompletionRequestSchema.parse({})).toEqual({ messages: [] });
  });

  it('gives the same message through safeParse + formatZodError as the contract lists', () => {
    const result = chatCompletionRequestSchema.safeParse({ messages: [], top_p: 2 });
    expect(result.success).toBe(false);
    expect(result.error && formatZodError(result.error)).toBe('`top_p` must be between 0 and 1.');
  });

  it('collects issues in field order so the first one is deterministic', () => {
    const result = chatCompletionRequestSchema.safeParse({ max_tokens: 0, stream: 'x', user: 3, messages: [] });
    expect(result.error?.issues.map((issue) => issue.path.join('.'))).toEqual(['stream', 'user', 'max_tokens']);
  });

  it('does not mutate the input body', () => {
    const body = { messages: [{ role: 'user', content: 'hi', extra: true }], temperature: null, unknown: 1 };
    const snapshot = structuredClone(body);
    chatCompletionRequestSchema.parse(body);
    expect(body).toEqual(snapshot);
  });
});
