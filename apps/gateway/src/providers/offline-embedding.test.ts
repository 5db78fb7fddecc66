import { describe, expect, it } from 'vitest';
import { offlineEmbedding } from './offline-embedding.js';
import {
  OFFLINE_EMBEDDING_DIMENSIONS,
  OFFLINE_MAX_EMBEDDING_DIMENSIONS,
  createOfflineProvider,
} from './offline-provider.js';

const signal = new AbortController().signal;

/** Euclidean length. */
function norm(vector: readonly number[]): number {
  return Math.sqrt(vector.reduce((sum, value) => sum + value * value, 0));
}

function dot(a: readonly number[], b: readonly number[]): number {
  return a.reduce((sum, value, index) => sum + value * (b[index] ?? 0), 0);
}

/** The components that are not zero, as `{ index: value }`. */
function nonZero(vector: readonly number[]): Record<number, number> {
  return Object.fromEntries(vector.flatMap((value, index) => (value === 0 ? [] : [[index, value]])));
}

describe('offlineEmbedding', () => {
  it('puts each word at its 32-bit FNV-1a hash modulo the length (published test values)', () => {
    // FNV-1a("a") = 0xe40c292c, FNV-1a("foobar") = 0xbf9cf968 (http://www.isthe.com/chongo/tech/comp/fnv/).
    // 0xe40c292c % 256 = 0x2c = 44; 0xbf9cf968 % 256 = 0x68 = 104.
    expect(nonZero(offlineEmbedding('a', 256))).toEqual({ 44: 1 });
    expect(nonZero(offlineEmbedding('a', 1000))).toEqual({ [0xe40c292c % 1000]: 1 });
    expect(nonZero(offlineEmbedding('A a FOOBAR', 256))).toEqual({
      44: 2 / Math.sqrt(5),
      104: 1 / Math.sqrt(5),
    });
  });

  it('gives the same vector for the same text, ignoring case and punctuation', () => {
    expect(offlineEmbedding('Hello, world!', 64)).toEqual(offlineEmbedding('hello world', 64));
    expect(offlineEmbedding('Hello, world!', 64)).toEqual(offlineEmbedding('Hello, world!', 64));
  });

  it('has length 1 and the requested number of components', () => {
    for (const text of ['x', 'the quick brown fox jumps over the lazy dog', 'Ünïcödé 中文 123', '?!']) {
      const vector = offlineEmbedding(text, 32);
      expect(vector).toHaveLength(32);
      expect(norm(vector)).toBeCloseTo(1, 12);
    }
  });

  it('makes texts that share words closer than texts that share none', () => {
    const cat = offlineEmbedding('the cat sat on the mat', 256);
    const catToo = offlineEmbedding('a cat on a mat', 256);
    const other = offlineEmbedding('quantum chromodynamics lecture', 256);
    expect(dot(cat, catToo)).toBeGreaterThan(0.4);
    expect(dot(cat, catToo)).toBeGreaterThan(dot(cat, other));
  });

  it('treats a text without words as one feature, and token ids as the words #<id>', () => {
    expect(norm(offlineEmbedding('?!', 16))).toBeCloseTo(1, 12);
    // Two features, one counted twice: components 2/√5 and 1/√5.
    expect(Object.values(nonZero(offlineEmbedding([7, 7, 9], 128))).sort()).toEqual([
      1 / Math.sqrt(5),
      2 / Math.sqrt(5),
    ]);
    expect(offlineEmbedding([7], 128)).not.toEqual(offlineEmbedding('7', 128));
    expect(norm(offlineEmbedding([7, 7, 9], 128))).toBeCloseTo(1, 12);
  });
});

describe('offline provider: embed', () => {
  it('answers one vector per entry, 256 components by default, with the character estimate as usage', async () => {
    const provider = createOfflineProvider();
    const result = await provider.embed?.(
      { model: 'clawgate-offline-embed', input: ['hello', 'hello world'] },
      { signal },
    );
    expect(result?.embeddings).toEqual([offlineEmbedding('hello', 256), offlineEmbedding('hello world', 256)]);
    expect(OFFLINE_EMBEDDING_DIMENSIONS).toBe(256);
    // 5 + 11 = 16 characters → 4 tokens.
    expect(result?.usage).toEqual({ prompt_tokens: 4, total_tokens: 4 });
  });

  it('honours dimensions, counts token ids one each, and refuses more than 3072 components', async () => {
    const provider = createOfflineProvider();
    const result = await provider.embed?.({ model: 'm', input: [[1, 2], [3]], dimensions: 8 }, { signal });
    expect(result?.embeddings.map((vector) => vector.length)).toEqual([8, 8]);
    expect(result?.usage).toEqual({ prompt_tokens: 3, total_tokens: 3 });
    expect(OFFLINE_MAX_EMBEDDING_DIMENSIONS).toBe(3072);
    await expect(provider.embed?.({ model: 'm', input: ['x'], dimensions: 3073 }, { signal })).rejects.toMatchObject({
      status: 400,
      type: 'invalid_request_error',
      message: '`dimensions` must be at most 3072 for the offline model.',
    });
  });

  it('rejects with the abort reason when the signal has already aborted', async () => {
    const controller = new AbortController();
    controller.abort(new Error('gone'));
    await expect(
      createOfflineProvider().embed?.({ model: 'm', input: ['x'] }, { signal: controller.signal }),
    ).rejects.toThrow('gone');
  });
});
