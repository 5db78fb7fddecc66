import { describe, expect, it } from 'vitest';
import {
  MAX_EMBEDDING_INPUTS,
  embeddingInputList,
  embeddingListSchema,
  parseEmbeddingRequest,
  upstreamEmbeddingListSchema,
} from './embeddings.js';

/** Parses `{ model, ...fields }` and returns the failure message (or `OK`). */
function messageFor(fields: Record<string, unknown>): string {
  const result = parseEmbeddingRequest({ model: 'openclaw', ...fields });
  return result.success ? 'OK' : result.message;
}

describe('parseEmbeddingRequest: accepted bodies', () => {
  it.each([
    ['a string', 'hello'],
    ['an array of strings', ['a', 'b']],
    ['an array of token ids', [0, 1, 2]],
    ['an array of token-id arrays', [[1, 2], [3]]],
    ['exactly the maximum number of entries', new Array(MAX_EMBEDDING_INPUTS).fill('x')],
  ])('accepts %s', (_name, input) => {
    expect(messageFor({ input })).toBe('OK');
  });

  it('fills in encoding_format, strips unknown keys and drops null optional fields', () => {
    const result = parseEmbeddingRequest({
      model: 'openclaw/beta',
      input: 'hi',
      dimensions: null,
      user: null,
      extra: { nested: true },
    });
    expect(result).toEqual({
      success: true,
      data: { model: 'openclaw/beta', input: 'hi', encoding_format: 'float' },
    });
  });

  it('keeps encoding_format, dimensions and user', () => {
    const result = parseEmbeddingRequest({
      model: 'openclaw',
      input: ['a'],
      encoding_format: 'base64',
      dimensions: 64,
      user: 'alice',
    });
    expect(result).toEqual({
      success: true,
      data: { model: 'openclaw', input: ['a'], encoding_format: 'base64', dimensions: 64, user: 'alice' },
    });
  });
});

describe('parseEmbeddingRequest: refusals, one line each', () => {
  it.each([
    ['an array body', [], 'Invalid input: expected object, received array'],
    ['a null body', null, 'Invalid input: expected object, received null'],
  ])('refuses %s', (_name, body, message) => {
    expect(parseEmbeddingRequest(body)).toEqual({ success: false, message });
  });

  it.each([
    ['no model', { model: undefined, input: 'a' }, 'model: Invalid input: expected string, received undefined'],
    ['no input', {}, 'input: Invalid input: expected string or array, received undefined'],
    ['a number input', { input: 3 }, 'input: Invalid input: expected string or array, received number'],
    ['an object input', { input: { text: 'a' } }, 'input: Invalid input: expected string or array, received object'],
    ['an empty string', { input: '' }, 'input: Too small: expected string to have >=1 characters'],
    ['an empty array', { input: [] }, 'input: Too small: expected array to have >=1 items'],
    ['an empty string entry', { input: ['a', 'b', ''] }, 'input[2]: Too small: expected string to have >=1 characters'],
    ['a number among strings', { input: ['a', 1] }, 'input[1]: Invalid input: expected string, received number'],
    [
      'a string among tokens',
      { input: [1, 'a'] },
      'input[1]: Invalid input: expected non-negative integer, received string',
    ],
    ['a negative token', { input: [1, -2] }, 'input[1]: Invalid input: expected non-negative integer, received number'],
    ['a fractional token', { input: [1.5] }, 'input[0]: Invalid input: expected non-negative integer, received number'],
    ['an empty token list', { input: [[1], []] }, 'input[1]: Too small: expected array to have >=1 items'],
    [
      'a bad token in a list',
      { input: [[1], [2, 'x']] },
      'input[1][1]: Invalid input: expected non-negative integer, received string',
    ],
    ['a string among token lists', { input: [[1], 'a'] }, 'input[1]: Invalid input: expected array, received string'],
    ['an object entry', { input: [{}] }, 'input[0]: Invalid input: expected string, integer or array, received object'],
    ['a null entry', { input: [null] }, 'input[0]: Invalid input: expected string, integer or array, received null'],
    [
      'an unknown encoding',
      { input: 'a', encoding_format: 'int8' },
      'encoding_format: Invalid option: expected one of "float"|"base64"',
    ],
    ['zero dimensions', { input: 'a', dimensions: 0 }, 'dimensions: Too small: expected number to be >0'],
    [
      'fractional dimensions',
      { input: 'a', dimensions: 1.5 },
      'dimensions: Invalid input: expected int, received number',
    ],
    ['a numeric user', { input: 'a', user: 1 }, 'user: Invalid input: expected string, received number'],
  ])('refuses %s', (_name, fields, message) => {
    expect(messageFor(fields)).toBe(message);
  });

  it('refuses more than the maximum number of entries in OpenAI words, before looking at any entry', () => {
    const input = [...new Array(MAX_EMBEDDING_INPUTS).fill('x'), 42];
    expect(messageFor({ input })).toBe(
      "Invalid 'input': array too long. Expected an array with maximum length 2048, but got an array with length 2049 instead.",
    );
    expect(MAX_EMBEDDING_INPUTS).toBe(2048);
  });
});

describe('embeddingInputList', () => {
  it('makes one entry of a single text or token list and keeps lists as they are', () => {
    expect(embeddingInputList('hi')).toEqual(['hi']);
    expect(embeddingInputList([5, 6])).toEqual([[5, 6]]);
    expect(embeddingInputList(['a', 'b'])).toEqual(['a', 'b']);
    expect(embeddingInputList([[1], [2, 3]])).toEqual([[1], [2, 3]]);
  });
});

describe('answer schemas', () => {
  it('accepts OpenAI’s answer shape with float and base64 vectors', () => {
    const answer = {
      object: 'list',
      data: [
        { object: 'embedding', index: 0, embedding: [0.1, -0.2] },
        { object: 'embedding', index: 1, embedding: 'zczMPc3MTL4=' },
      ],
      model: 'text-embedding-3-small',
      usage: { prompt_tokens: 2, total_tokens: 2 },
    };
    expect(embeddingListSchema.parse(answer)).toEqual(answer);
  });

  it('reads an upstream answer loosely: usage may be missing or malformed, vectors must be numbers', () => {
    expect(
      upstreamEmbeddingListSchema.parse({
        object: 'list',
        data: [{ index: 0, embedding: [1, 2], object: 'embedding' }],
      }),
    ).toEqual({ data: [{ index: 0, embedding: [1, 2] }] });
    expect(
      upstreamEmbeddingListSchema.parse({ data: [{ index: 0, embedding: [1] }], usage: { prompt_tokens: 'x' } }).usage,
    ).toBeUndefined();
    expect(upstreamEmbeddingListSchema.safeParse({ data: [{ index: 0, embedding: 'AAAA' }] }).success).toBe(false);
    expect(upstreamEmbeddingListSchema.safeParse({ data: [{ index: 0, embedding: [1, '2'] }] }).success).toBe(false);
    expect(upstreamEmbeddingListSchema.safeParse({ data: {} }).success).toBe(false);
  });
});
