/**
 * `encoding_format: "base64"`: OpenAI sends each vector as the base64 of its float32 values in
 * little-endian byte order, a quarter of the JSON's size; the official SDKs ask for it by default
 * and decode it (https://platform.openai.com/docs/api-reference/embeddings/create). The gateway
 * always asks its upstream for floats and encodes here, so every upstream answers both formats.
 */

/**
 * Encodes `vector` as float32 little-endian bytes in base64 (each value rounded to float32).
 *
 * @example
 * encodeFloat32Base64([1, -2]); // "AACAPwAAAMA="
 */
export function encodeFloat32Base64(vector: readonly number[]): string {
  const bytes = Buffer.allocUnsafe(vector.length * 4);
  for (let index = 0; index < vector.length; index += 1) bytes.writeFloatLE(vector[index] ?? 0, index * 4);
  return bytes.toString('base64');
}
