import { readFileSync, readdirSync } from 'node:fs';
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { decodeSseStream, type ParseResult } from './decode-sse-stream.js';
import { SseDecodeError } from './sse-decode-error.js';

const fixturesDirectory = new URL('./__fixtures__/', import.meta.url);
const encoder = new TextEncoder();

function readFixture(name: string): string {
  return readFileSync(new URL(name, fixturesDirectory), 'utf8');
}

/** A pull-based byte stream over fixed chunks, with a spy on `cancel`. */
function streamOf(chunks: Uint8Array[]): { stream: ReadableStream<Uint8Array>; cancel: ReturnType<typeof vi.fn> } {
  const cancel = vi.fn();
  let index = 0;
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        const chunk = chunks[index++];
        if (chunk === undefined) {
          controller.close();
        } else {
          controller.enqueue(chunk);
        }
      },
      cancel,
    },
    { highWaterMark: 0 },
  );
  return { stream, cancel };
}

async function* iterableOf(chunks: Uint8Array[]): AsyncGenerator<Uint8Array> {
  for (const chunk of chunks) {
    yield chunk;
  }
}

async function collect<T>(iterable: AsyncIterable<ParseResult<T>>): Promise<ParseResult<T>[]> {
  const results: ParseResult<T>[] = [];
  for await (const result of iterable) {
    results.push(result);
  }
  return results;
}

function splitAt(bytes: Uint8Array, offsets: number[]): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  let start = 0;
  for (const offset of offsets) {
    chunks.push(bytes.subarray(start, offset));
    start = offset;
  }
  chunks.push(bytes.subarray(start));
  return chunks;
}

/** Results as plain data, so two decodings can be compared with toEqual. */
function summarize(results: ParseResult<unknown>[]): unknown[] {
  return results.map((result) =>
    result.success
      ? { value: result.value }
      : {
          type: result.error.type,
          message: result.error.message,
          payload: result.error.payload,
          rawValue: result.rawValue,
        },
  );
}

interface Chunk {
  choices: {
    index: number;
    delta: {
      content?: string | null;
      tool_calls?: { index: number; id?: string; function?: { name?: string; arguments?: string } }[];
    };
    finish_reason: string | null;
  }[];
  usage?: { total_tokens: number } | null;
}

function values(results: ParseResult<unknown>[]): Chunk[] {
  return results.map((result) => {
    if (!result.success) {
      throw new Error(`unexpected failure ${result.error.type}: ${result.error.message}`);
    }
    return result.value as Chunk;
  });
}

function contentOf(results: ParseResult<unknown>[]): string {
  return values(results)
    .flatMap((chunk) => chunk.choices.map((choice) => choice.delta.content ?? ''))
    .join('');
}

// What each fixture must decode to; checked on the whole-buffer decoding, which every chunked
// replay must then equal exactly.
const expectations: Record<string, (results: ParseResult<unknown>[]) => void> = {
  'openai-text.sse': (results) => {
    expect(results).toHaveLength(6);
    expect(contentOf(results)).toBe('Hello! Grüße — how can I help 🙂 today?');
    expect(values(results).at(-1)?.choices[0]?.finish_reason).toBe('stop');
  },
  'openai-tool-calls.sse': (results) => {
    expect(results).toHaveLength(7);
    const calls = new Map<number, { id?: string; name?: string; arguments: string }>();
    for (const chunk of values(results)) {
      for (const call of chunk.choices[0]?.delta.tool_calls ?? []) {
        const entry = calls.get(call.index) ?? { arguments: '' };
        entry.id ??= call.id;
        entry.name ??= call.function?.name;
        entry.arguments += call.function?.arguments ?? '';
        calls.set(call.index, entry);
      }
    }
    expect(Object.fromEntries(calls)).toEqual({
      0: { id: 'call_ZL9kQm5o0aJf1R2bW7xYc3Tn', name: 'get_weather', arguments: '{"city":"Zürich"}' },
      1: { id: 'call_8hQeYv2LxP0dT6sKcN4mWbA1', name: 'get_time', arguments: '{"tz":"Europe/Zurich"}' },
    });
    expect(values(results).at(-1)?.choices[0]?.finish_reason).toBe('tool_calls');
  },
  'openai-usage.sse': (results) => {
    expect(results).toHaveLength(4);
    expect(contentOf(results)).toBe('4');
    const last = values(results).at(-1);
    expect(last?.choices).toEqual([]);
    expect(last?.usage).toMatchObject({ prompt_tokens: 14, completion_tokens: 1, total_tokens: 15 });
  },
  'vllm.sse': (results) => {
    expect(results).toHaveLength(5);
    expect(contentOf(results)).toBe('你好，世界!');
    expect(values(results).at(-1)?.usage).toEqual({
      prompt_tokens: 21,
      total_tokens: 25,
      completion_tokens: 4,
      prompt_tokens_details: null,
    });
  },
  'ollama.sse': (results) => {
    expect(results).toHaveLength(4);
    expect(contentOf(results)).toBe('The sky is blue.');
  },
  'error-payload.sse': (results) => {
    expect(summarize(results.slice(1))).toEqual([
      {
        type: 'error-payload',
        message: 'SSE stream sent an error: The server had an error while processing your request. Sorry about that!',
        payload: {
          message: 'The server had an error while processing your request. Sorry about that!',
          type: 'server_error',
          param: null,
          code: null,
        },
        rawValue:
          '{"error":{"message":"The server had an error while processing your request. Sorry about that!","type":"server_error","param":null,"code":null}}',
      },
      {
        type: 'error-payload',
        message: 'SSE stream sent an error: upstream connection reset',
        payload: { message: 'upstream connection reset', type: 'api_error' },
        rawValue: '{"message":"upstream connection reset","type":"api_error"}',
      },
    ]);
    expect(contentOf(results.slice(0, 1))).toBe('Partial');
  },
  'comments-heartbeats.sse': (results) => {
    expect(results).toHaveLength(3);
    expect(contentOf(results)).toBe('still here');
    expect(values(results).at(-1)?.choices[0]?.finish_reason).toBe('stop');
  },
};

const variants: Record<string, (text: string) => string> = {
  LF: (text) => text,
  CRLF: (text) => text.replaceAll('\n', '\r\n'),
  CR: (text) => text.replaceAll('\n', '\r'),
  'BOM + LF': (text) => `\uFEFF${text}`,
  'BOM + CRLF': (text) => `\uFEFF${text.replaceAll('\n', '\r\n')}`,
};

describe('decodeSseStream fixtures', () => {
  const fixtureNames = readdirSync(fixturesDirectory).filter((name) => name.endsWith('.sse'));

  it('has an expectation for every fixture', () => {
    expect(fixtureNames.sort()).toEqual(Object.keys(expectations).sort());
  });

  for (const name of fixtureNames) {
    describe(name, () => {
      for (const [variantName, transform] of Object.entries(variants)) {
        it(`${variantName}: whole, byte by byte and at every split offset give the same results`, async () => {
          const bytes = encoder.encode(transform(readFixture(name)));
          const whole = await collect(decodeSseStream(streamOf([bytes]).stream));
          expectations[name]?.(whole);
          const expected = summarize(whole);

          const byteByByte = Array.from({ length: bytes.length }, (_, index) => bytes.subarray(index, index + 1));
          expect(summarize(await collect(decodeSseStream(iterableOf(byteByByte))))).toEqual(expected);

          // BOM variants only differ from their base variant at the start, so their split sweep
          // covers the first bytes; the base variants sweep every offset.
          const lastOffset = variantName.startsWith('BOM') ? Math.min(bytes.length, 16) : bytes.length;
          for (let offset = 1; offset < lastOffset; offset += 1) {
            const results = await collect(decodeSseStream(iterableOf(splitAt(bytes, [offset]))));
            // toEqual on every offset would be slow; compare a cheap fingerprint and fail with the offset.
            const actual = JSON.stringify(summarize(results));
            if (actual !== JSON.stringify(expected)) {
              expect({ offset, actual }).toEqual({ offset, actual: JSON.stringify(expected) });
            }
          }
        });
      }
    });
  }
});

describe('decodeSseStream behaviour', () => {
  it('decodes a multi-byte character split across chunks at every byte', async () => {
    const bytes = encoder.encode('data: {"t":"🙂é你"}\n\n');
    const emojiStart = bytes.indexOf(0xf0);
    for (let offset = emojiStart + 1; offset < emojiStart + 9; offset += 1) {
      const results = await collect(decodeSseStream(iterableOf(splitAt(bytes, [offset]))));
      expect(results).toEqual([{ success: true, value: { t: '🙂é你' } }]);
    }
  });

  it('drops a BOM split across chunks but keeps a BOM that is not at the start', async () => {
    const bytes = encoder.encode('\uFEFFdata: {"a":"\uFEFF"}\n\n');
    const results = await collect(decodeSseStream(iterableOf(splitAt(bytes, [1, 2]))));
    expect(results).toEqual([{ success: true, value: { a: '\uFEFF' } }]);
  });

  it('ignores comments, id, retry and unknown fields', async () => {
    const text = ': hello\nid: 7\nretry: 100\nretry: soon\nfoo: bar\ndata: {"n":1}\n\n';
    expect(await collect(decodeSseStream(iterableOf([encoder.encode(text)])))).toEqual([
      { success: true, value: { n: 1 } },
    ]);
  });

  it('joins multi-line data with LF before parsing JSON', async () => {
    const text = 'data: {\ndata:   "n": 1\r\ndata: }\r\r';
    expect(await collect(decodeSseStream(iterableOf([encoder.encode(text)])))).toEqual([
      { success: true, value: { n: 1 } },
    ]);
  });

  it('yields invalid-json for a broken chunk and keeps decoding', async () => {
    const text = 'data: {"n":1}\n\ndata: {oops\n\ndata: {"n":2}\n\ndata: [DONE]\n\n';
    const results = await collect(decodeSseStream(iterableOf([encoder.encode(text)])));
    expect(results).toHaveLength(3);
    expect(results[0]).toEqual({ success: true, value: { n: 1 } });
    const failure = results[1];
    expect(failure?.success).toBe(false);
    if (failure?.success === false) {
      expect(failure.rawValue).toBe('{oops');
      expect(failure.error.type).toBe('invalid-json');
      expect(failure.error.message).toMatch(/^SSE event data is not valid JSON: /);
      expect(failure.error.cause).toBeInstanceOf(SyntaxError);
      expect(SseDecodeError.isInstance(failure.error)).toBe(true);
    }
    expect(results[2]).toEqual({ success: true, value: { n: 2 } });
  });

  it('validates with any safeParse schema and reports schema-mismatch with the schema error as cause', async () => {
    const schema = z.object({ n: z.number() });
    const text = 'data: {"n":1}\n\ndata: {"n":"one"}\n\n';
    const results = await collect(decodeSseStream(iterableOf([encoder.encode(text)]), { schema }));
    expect(results[0]).toEqual({ success: true, value: { n: 1 } });
    const failure = results[1];
    if (failure?.success !== false) {
      throw new Error('expected a failure');
    }
    expect(failure.error.type).toBe('schema-mismatch');
    expect(failure.rawValue).toBe('{"n":"one"}');
    expect(failure.error.cause).toBeInstanceOf(z.ZodError);
    expect(failure.error.message).toMatch(/^SSE event does not match the schema: /);
  });

  it('infers the value type from the schema', async () => {
    const schema = z.object({ n: z.number() });
    for await (const result of decodeSseStream(iterableOf([encoder.encode('data: {"n":3}\n\n')]), { schema })) {
      // Compile-time check: `value` is `{ n: number }`, not `unknown`.
      const n: number = result.success ? result.value.n : -1;
      expect(n).toBe(3);
    }
  });

  it('replaces invalid UTF-8 with U+FFFD instead of failing', async () => {
    const bytes = Uint8Array.from([...encoder.encode('data: {"t":"a'), 0xff, 0xc3, ...encoder.encode('"}\n\n')]);
    expect(await collect(decodeSseStream(iterableOf([bytes])))).toEqual([
      { success: true, value: { t: 'a\uFFFD\uFFFD' } },
    ]);
  });

  it('uses the schema output, so transforms apply', async () => {
    const schema = z.object({ n: z.number() }).transform((value) => value.n * 2);
    const results = await collect(decodeSseStream(iterableOf([encoder.encode('data: {"n":21}\n\n')]), { schema }));
    expect(results).toEqual([{ success: true, value: 42 }]);
  });

  it('reports a plain-text event: error as error-payload with the text as payload', async () => {
    const results = await collect(decodeSseStream(iterableOf([encoder.encode('event: error\ndata: overloaded\n\n')])));
    expect(summarize(results)).toEqual([
      {
        type: 'error-payload',
        message: 'SSE stream sent an error event: overloaded',
        payload: 'overloaded',
        rawValue: 'overloaded',
      },
    ]);
  });

  it('treats "error": null and JSON arrays as ordinary values', async () => {
    const text = 'data: {"error":null,"n":1}\n\ndata: [1,2]\n\n';
    expect(await collect(decodeSseStream(iterableOf([encoder.encode(text)])))).toEqual([
      { success: true, value: { error: null, n: 1 } },
      { success: true, value: [1, 2] },
    ]);
  });

  it('dispatches a CR-terminated last event that ends exactly at the end of the stream', async () => {
    const bytes = encoder.encode('data: {"n":1}\r\r');
    for (let offset = 1; offset < bytes.length; offset += 1) {
      expect(await collect(decodeSseStream(iterableOf(splitAt(bytes, [offset]))))).toEqual([
        { success: true, value: { n: 1 } },
      ]);
    }
  });

  it('ends quietly without [DONE] and discards an unterminated last event', async () => {
    const text = 'data: {"n":1}\n\ndata: {"n":2}\n';
    expect(await collect(decodeSseStream(iterableOf([encoder.encode(text)])))).toEqual([
      { success: true, value: { n: 1 } },
    ]);
  });

  it('stops at [DONE] and cancels the source even though more data follows', async () => {
    const { stream, cancel } = streamOf([
      encoder.encode('data: {"n":1}\n\ndata: [DONE]\n\n'),
      encoder.encode('data: {"n":2}\n\n'),
    ]);
    expect(await collect(decodeSseStream(stream))).toEqual([{ success: true, value: { n: 1 } }]);
    expect(cancel).toHaveBeenCalledTimes(1);
  });

  it('cancels a ReadableStream when the consumer breaks early', async () => {
    const frames = Array.from({ length: 5 }, (_, index) => encoder.encode(`data: {"n":${index}}\n\n`));
    const { stream, cancel } = streamOf(frames);
    const seen: unknown[] = [];
    for await (const result of decodeSseStream(stream)) {
      seen.push(result.success ? result.value : undefined);
      if (seen.length === 2) {
        break;
      }
    }
    expect(seen).toEqual([{ n: 0 }, { n: 1 }]);
    expect(cancel).toHaveBeenCalledTimes(1);
  });

  it('returns an AsyncIterable source when the consumer breaks early', async () => {
    let cleanedUp = false;
    async function* source(): AsyncGenerator<Uint8Array> {
      try {
        for (let index = 0; index < 100; index += 1) {
          yield encoder.encode(`data: {"n":${index}}\n\n`);
        }
      } finally {
        cleanedUp = true;
      }
    }
    for await (const result of decodeSseStream(source())) {
      expect(result).toEqual({ success: true, value: { n: 0 } });
      break;
    }
    // iterator.return() is scheduled on a microtask so it never races the generator's own step.
    await new Promise((resolve) => setImmediate(resolve));
    expect(cleanedUp).toBe(true);
  });

  it('throws the abort reason and cancels the source when the signal aborts during a read', async () => {
    const cancel = vi.fn();
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(encoder.encode('data: {"n":1}\n\n'));
        // ...and then nothing more: the decoder waits on a read that never completes by itself.
      },
      cancel,
    });
    const controller = new AbortController();
    const iterator = decodeSseStream(stream, { signal: controller.signal })[Symbol.asyncIterator]();
    expect(await iterator.next()).toEqual({ done: false, value: { success: true, value: { n: 1 } } });
    const pending = iterator.next();
    const reason = new Error('client went away');
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
    expect(cancel).toHaveBeenCalledWith(reason);
  });

  it('throws at once for an already aborted signal', async () => {
    const { stream, cancel } = streamOf([encoder.encode('data: {"n":1}\n\n')]);
    const iterator = decodeSseStream(stream, { signal: AbortSignal.abort() })[Symbol.asyncIterator]();
    await expect(iterator.next()).rejects.toMatchObject({ name: 'AbortError' });
    expect(cancel).not.toHaveBeenCalled();
  });

  it('rejects unsupported sources and non-byte chunks with a TypeError', async () => {
    await expect(collect(decodeSseStream('data: x' as never))).rejects.toThrow(
      new TypeError('decodeSseStream expects a ReadableStream, a Response or an AsyncIterable of bytes'),
    );
    await expect(collect(decodeSseStream({} as never))).rejects.toThrow(TypeError);
    await expect(collect(decodeSseStream(iterableOf(['data: {}\n\n' as unknown as Uint8Array])))).rejects.toThrow(
      new TypeError('decodeSseStream expects Uint8Array chunks, received string'),
    );
  });

  it('throws a RangeError when one event exceeds maxBufferSize', async () => {
    const text = `data: "${'x'.repeat(200)}`;
    await expect(collect(decodeSseStream(iterableOf([encoder.encode(text)]), { maxBufferSize: 100 }))).rejects.toThrow(
      new RangeError('SSE event exceeded maxBufferSize (100 characters)'),
    );
    await expect(collect(decodeSseStream(iterableOf([]), { maxBufferSize: 0 }))).rejects.toThrow(
      new TypeError('maxBufferSize must be a positive integer, received 0'),
    );
  });
});

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve: () => void = () => undefined;
  const promise = new Promise<void>((settle) => {
    resolve = settle;
  });
  return { promise, resolve };
}

function settledWithin(promise: Promise<unknown>, milliseconds: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise.then(() => true),
    new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), milliseconds);
    }),
  ]).finally(() => clearTimeout(timer));
}

async function withServer(
  handler: Parameters<typeof createServer>[1],
  run: (url: string, server: Server) => Promise<void>,
): Promise<void> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    await run(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`, server);
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

describe('decodeSseStream with fetch Responses from a real server', () => {
  it('decodes a fixture streamed in small chunks over HTTP', async () => {
    const bytes = encoder.encode(readFixture('openai-text.sse'));
    await withServer(
      async (_request, response) => {
        response.writeHead(200, { 'content-type': 'text/event-stream' });
        for (let offset = 0; offset < bytes.length; offset += 97) {
          response.write(bytes.subarray(offset, offset + 97));
          await new Promise((resolve) => setImmediate(resolve));
        }
        response.end();
      },
      async (url) => {
        const results = await collect(decodeSseStream(await fetch(url)));
        expectations['openai-text.sse']?.(results);
      },
    );
  });

  it('throws a TypeError naming the status for a non-2xx Response', async () => {
    await withServer(
      (_request, response) => {
        response.writeHead(502, { 'content-type': 'application/json' });
        response.end('{"error":{"message":"bad gateway","type":"api_error"}}');
      },
      async (url) => {
        await expect(collect(decodeSseStream(await fetch(url)))).rejects.toThrow(
          new TypeError('decodeSseStream received a Response with status 502; expected a 2xx event stream'),
        );
      },
    );
  });

  it('throws a TypeError for a Response without a body', async () => {
    await expect(collect(decodeSseStream(new Response(null, { status: 204 })))).rejects.toThrow(
      new TypeError('decodeSseStream received a Response without a body'),
    );
  });

  it('decodes a Node IncomingMessage (an AsyncIterable of Buffers) and closes it on break', async () => {
    const serverSawClose = deferred();
    await withServer(
      (_request, response) => {
        response.writeHead(200, { 'content-type': 'text/event-stream' });
        response.write('data: {"n":1}\n\n');
        response.on('close', serverSawClose.resolve);
      },
      async (url) => {
        const message = await new Promise<IncomingMessage>((resolve, reject) => {
          httpRequest(url, resolve).on('error', reject).end();
        });
        for await (const result of decodeSseStream(message)) {
          expect(result).toEqual({ success: true, value: { n: 1 } });
          break;
        }
        // Node's iterator return() aborts the request, so the server sees the connection close.
        expect(await settledWithin(serverSawClose.promise, 2000)).toBe(true);
      },
    );
  });

  it('rejects (never hangs) when the upstream connection dies mid-event, after yielding what arrived', async () => {
    let cut = (): void => undefined;
    await withServer(
      (_request, response) => {
        response.writeHead(200, { 'content-type': 'text/event-stream' });
        cut = () => response.socket?.destroy();
        response.write('data: {"n":1}\n\ndata: {"n":');
      },
      async (url) => {
        const seen: unknown[] = [];
        const outcome = (async () => {
          for await (const result of decodeSseStream(await fetch(url))) {
            seen.push(result);
            // The connection dies once the first event is out, with the second one half sent.
            cut();
          }
        })();
        await expect(outcome).rejects.toThrow(TypeError);
        expect(seen).toEqual([{ success: true, value: { n: 1 } }]);
      },
    );
  });

  it('closes the HTTP connection when the consumer stops early', async () => {
    let closed: () => void = () => undefined;
    const serverSawClose = new Promise<void>((resolve) => {
      closed = resolve;
    });
    await withServer(
      (_request, response) => {
        response.writeHead(200, { 'content-type': 'text/event-stream' });
        response.write('data: {"n":1}\n\n');
        // Never ends by itself: only the client's cancellation can close it.
        response.on('close', closed);
      },
      async (url) => {
        for await (const result of decodeSseStream(await fetch(url))) {
          expect(result).toEqual({ success: true, value: { n: 1 } });
          break;
        }
        await serverSawClose;
      },
    );
  });
});
