import { describe, expect, it } from 'vitest';
import { createErrorBody, openAIErrorSchema } from './openai-error.js';

describe('createErrorBody', () => {
  it('builds the two-field body the contract sends by default', () => {
    const body = createErrorBody({ message: 'Unauthorized', type: 'unauthorized' });
    expect(JSON.stringify(body)).toBe('{"error":{"message":"Unauthorized","type":"unauthorized"}}');
  });

  it('keeps code and param when known, in a stable key order', () => {
    const body = createErrorBody({
      message: 'Rate limited',
      type: 'rate_limit_error',
      code: 'rate_limit_exceeded',
      param: 'model',
    });
    expect(JSON.stringify(body)).toBe(
      '{"error":{"message":"Rate limited","type":"rate_limit_error","code":"rate_limit_exceeded","param":"model"}}',
    );
  });

  it.each([null, undefined, ''])('omits code and param when they are %j (never null on the wire)', (value) => {
    const body = createErrorBody({ message: 'x', type: 'api_error', code: value, param: value });
    expect(body).toEqual({ error: { message: 'x', type: 'api_error' } });
    expect(Object.keys(body.error)).toEqual(['message', 'type']);
  });

  it('produces bodies that openAIErrorSchema accepts', () => {
    const body = createErrorBody({ message: 'Missing user message in `messages`.', type: 'invalid_request_error' });
    expect(openAIErrorSchema.parse(body)).toEqual(body);
  });
});

describe('openAIErrorSchema', () => {
  it('rejects null fields, which the gateway never sends', () => {
    const result = openAIErrorSchema.safeParse({ error: { message: 'x', type: 'y', code: null } });
    expect(result.error?.issues[0]?.path).toEqual(['error', 'code']);
  });

  it('requires message and type', () => {
    expect(openAIErrorSchema.safeParse({ error: { message: 'x' } }).error?.issues[0]?.path).toEqual(['error', 'type']);
    expect(openAIErrorSchema.safeParse({ error: 'x' }).success).toBe(false);
  });
});
