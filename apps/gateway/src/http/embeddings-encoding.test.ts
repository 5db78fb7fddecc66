import { describe, expect, it } from 'vitest';
import { encodeFloat32Base64 } from './embeddings-encoding.js';

describe('encodeFloat32Base64', () => {
  it('writes float32 little-endian bytes: 1 is 00 00 80 3f, -2 is 00 00 00 c0', () => {
    expect(encodeFloat32Base64([1, -2])).toBe(Buffer.from([0, 0, 0x80, 0x3f, 0, 0, 0, 0xc0]).toString('base64'));
    expect(encodeFloat32Base64([])).toBe('');
  });

  it('decodes, as the openai SDK decodes it, to each value rounded to float32', () => {
    const vector = [0.1, -1e-7, 1 / 3, 123456.789, 0];
    const bytes = Buffer.from(encodeFloat32Base64(vector), 'base64');
    const decoded = Array.from(new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4));
    expect(decoded).toEqual(vector.map((value) => Math.fround(value)));
  });
});
