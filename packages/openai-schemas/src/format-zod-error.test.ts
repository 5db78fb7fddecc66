import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { formatZodError } from './format-zod-error.js';

function errorOf(schema: z.ZodType, value: unknown): z.ZodError {
  const result = schema.safeParse(value);
  if (result.success) throw new Error('expected a validation failure');
  return result.error;
}

describe('formatZodError', () => {
  it('prefixes built-in issues with the dotted path', () => {
    const schema = z.object({ stream_options: z.object({ include_usage: z.boolean() }) });
    expect(formatZodError(errorOf(schema, { stream_options: { include_usage: 1 } }))).toBe(
      'stream_options.include_usage: Invalid input: expected boolean, received number',
    );
  });

  it('writes array indexes in brackets, like OpenAI param names', () => {
    const schema = z.object({ messages: z.array(z.object({ content: z.array(z.object({ text: z.string() })) })) });
    expect(formatZodError(errorOf(schema, { messages: [{ content: [{ text: 'a' }, { text: 2 }] }] }))).toBe(
      'messages[0].content[1].text: Invalid input: expected string, received number',
    );
  });

  it('returns the reason alone for a root issue', () => {
    expect(formatZodError(errorOf(z.object({}), []))).toBe('Invalid input: expected object, received array');
  });

  it('returns refinement (custom) messages verbatim, without the path', () => {
    const schema = z.object({
      temperature: z.number().refine((value) => value <= 2, '`temperature` must be between 0 and 2.'),
    });
    expect(formatZodError(errorOf(schema, { temperature: 3 }))).toBe('`temperature` must be between 0 and 2.');
  });

  it('uses only the first issue', () => {
    const schema = z.object({ a: z.string(), b: z.string() });
    expect(formatZodError(errorOf(schema, { a: 1, b: 2 }))).toBe('a: Invalid input: expected string, received number');
  });

  it('never returns an empty message for an issue-less error', () => {
    expect(formatZodError(new z.ZodError([]))).toBe('Invalid request body.');
  });
});
