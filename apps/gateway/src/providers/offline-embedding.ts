/**
 * The offline model's vectors (its exact rule is in `offline-provider.ts`'s file comment): a hashed
 * bag of words, so the same text always gives the same vector and texts that share words share
 * components, which is enough to try retrieval code without a network.
 */

/** Words: runs of letters and digits, in any script. */
const WORD = /[\p{L}\p{N}]+/gu;

/**
 * The L2-normalised vector of one entry.
 *
 * @param entry - A text, or a token-id list.
 * @param dimensions - The vector's length (a positive integer).
 * @example
 * offlineEmbedding('The cat', 256); // 256 floats, two of them 1/√2
 */
export function offlineEmbedding(entry: string | readonly number[], dimensions: number): number[] {
  const vector = new Array<number>(dimensions).fill(0);
  const features = typeof entry === 'string' ? wordsOf(entry) : entry.map((token) => `#${String(token)}`);
  for (const feature of features) {
    const component = fnv1a(feature) % dimensions;
    vector[component] = (vector[component] ?? 0) + 1;
  }
  let squares = 0;
  for (const value of vector) squares += value * value;
  const norm = Math.sqrt(squares);
  return vector.map((value) => value / norm);
}

/** The lowercased words of `text`, or the whole text as one feature when it has none (`"?!"`). */
function wordsOf(text: string): string[] {
  const words = text.toLowerCase().match(WORD);
  return words === null ? [text] : words;
}

/** 32-bit FNV-1a over the UTF-16 code units, as an unsigned integer. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index += 1) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
