import { readFileSync, readdirSync } from 'node:fs';
import { upstreamChatCompletionChunkSchema } from '@clawgate/openai-schemas';
import { describe, expect, it } from 'vitest';
import { decodeSseStream, type ParseResult } from './decode-sse-stream.js';

// The gateway and client validate upstream chunks with the shared tolerant schema; this proves the
// decoder's structural `safeParse` contract accepts it and every fixture passes it.
const fixturesDirectory = new URL('./__fixtures__/', import.meta.url);

async function* once(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  yield bytes;
}

describe('decodeSseStream with @clawgate/openai-schemas', () => {
  for (const name of readdirSync(fixturesDirectory).filter((file) => file.endsWith('.sse'))) {
    it(`${name}: every non-error event matches upstreamChatCompletionChunkSchema`, async () => {
      const bytes = readFileSync(new URL(name, fixturesDirectory));
      const results: ParseResult<unknown>[] = [];
      for await (const result of decodeSseStream(once(bytes), { schema: upstreamChatCompletionChunkSchema })) {
        results.push(result);
      }
      expect(results.length).toBeGreaterThan(0);
      for (const result of results) {
        if (!result.success) {
          // Only the deliberate error fixture may fail, and only as an error payload.
          expect({ name, type: result.error.type }).toEqual({ name: 'error-payload.sse', type: 'error-payload' });
        }
      }
      expect(results.filter((result) => result.success).length).toBe(name === 'error-payload.sse' ? 1 : results.length);
    });
  }

  it('reports a chunk of the wrong shape as schema-mismatch', async () => {
    const bytes = new TextEncoder().encode('data: {"id":"x","object":"chat.completion.chunk","choices":"nope"}\n\n');
    const results: ParseResult<unknown>[] = [];
    for await (const result of decodeSseStream(once(bytes), { schema: upstreamChatCompletionChunkSchema })) {
      results.push(result);
    }
    expect(results).toHaveLength(1);
    expect(results[0]?.success === false && results[0].error.type).toBe('schema-mismatch');
  });
});
