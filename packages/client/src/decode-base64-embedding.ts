/**
 * Decodes an embedding sent as `encoding_format: "base64"`: the base64 of the vector's float32
 * values, little-endian, back to back (https://platform.openai.com/docs/api-reference/embeddings/create).
 * Uses `atob` and `DataView`, which Node 20+, browsers, Deno and Bun all have.
 *
 * @param base64 - The `embedding` string of one entry.
 * @returns The floats (each widened from float32 to a JavaScript number, so e.g. 0.1 reads back as 0.10000000149011612).
 * @throws TypeError for text that is not base64, or whose byte count is not a multiple of 4.
 * @example
 * decodeBase64Embedding('AACAPwAAAAA='); // [1, 0]
 */
export function decodeBase64Embedding(base64: string): number[] {
  let binary: string;
  try {
    binary = atob(base64);
  } catch (error) {
    throw new TypeError('The embedding is not valid base64', { cause: error });
  }
  if (binary.length % 4 !== 0) {
    throw new TypeError(`The embedding has ${binary.length} bytes, not a whole number of float32 values`);
  }
  const bytes = new Uint8Array(binary.length);
  for (let index = 0; index < binary.length; index += 1) bytes[index] = binary.charCodeAt(index);
  const view = new DataView(bytes.buffer);
  const vector = new Array<number>(bytes.length / 4);
  for (let index = 0; index < vector.length; index += 1) vector[index] = view.getFloat32(index * 4, true);
  return vector;
}
