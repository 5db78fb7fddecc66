import {
  createSseDecoder,
  DEFAULT_MAX_BUFFER_SIZE,
  type ParseResult,
  type SafeParseSchema,
} from './create-sse-decoder.js';

export type { ParseResult, SafeParseSchema } from './create-sse-decoder.js';

/**
 * Options for {@link decodeSseStream}.
 */
export interface DecodeSseStreamOptions<T> {
  /**
   * Validates each parsed JSON payload; failures yield `schema-mismatch` results.
   *
   * @defaultValue none: payloads are yielded as parsed (typed `unknown` unless `T` is given)
   */
  schema?: SafeParseSchema<T>;
  /**
   * Stops decoding and cancels the source; the iteration then throws `signal.reason`.
   *
   * @defaultValue none
   */
  signal?: AbortSignal;
  /**
   * Upper bound, in characters, for one unfinished line or event. A source exceeding it (a broken
   * or hostile upstream) makes the iteration throw a `RangeError` instead of exhausting memory.
   *
   * @defaultValue `16777216` (16 Mi characters)
   */
  maxBufferSize?: number;
}

/** What {@link decodeSseStream} reads: a byte stream, a fetch `Response`, or any async byte iterable. */
export type SseSource = ReadableStream<Uint8Array> | Response | AsyncIterable<Uint8Array>;

// A uniform pull interface over the three source kinds, with a way to stop the producer.
interface ByteReader {
  read(): Promise<IteratorResult<Uint8Array, unknown>>;
  cancel(reason: unknown): void;
}

function isResponseLike(source: object): source is Response {
  // Duck-typed: undici's Response and a polyfilled one are different classes.
  return 'body' in source && 'ok' in source && 'status' in source && 'headers' in source;
}

function openReader(source: SseSource): ByteReader {
  let stream: unknown = source;
  if (typeof source !== 'object' || source === null) {
    throw new TypeError('decodeSseStream expects a ReadableStream, a Response or an AsyncIterable of bytes');
  }
  if (isResponseLike(source)) {
    if (!source.ok) {
      // A non-2xx body is an error document, not an event stream; reading it as SSE would yield
      // nothing and hide the failure. Free the connection before reporting it.
      void source.body?.cancel().catch(() => undefined);
      throw new TypeError(
        `decodeSseStream received a Response with status ${source.status}; expected a 2xx event stream`,
      );
    }
    if (source.body === null) {
      throw new TypeError('decodeSseStream received a Response without a body');
    }
    stream = source.body;
  }
  if (typeof (stream as ReadableStream<Uint8Array>).getReader === 'function') {
    const reader = (stream as ReadableStream<Uint8Array>).getReader();
    return {
      read: () => reader.read(),
      cancel: (reason) => {
        // cancel() also settles a pending read() with done, which unblocks the loop on abort.
        void reader.cancel(reason).catch(() => undefined);
      },
    };
  }
  if (typeof (stream as AsyncIterable<Uint8Array>)[Symbol.asyncIterator] === 'function') {
    const iterator = (stream as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]();
    return {
      read: () => iterator.next(),
      cancel: () => {
        void Promise.resolve()
          .then(() => iterator.return?.())
          .catch(() => undefined);
      },
    };
  }
  throw new TypeError('decodeSseStream expects a ReadableStream, a Response or an AsyncIterable of bytes');
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
}

/**
 * Decodes a Server-Sent Events byte stream into validated JSON values, one {@link ParseResult} per
 * event. Built on eventsource-parser 3, so every line ending (LF, CRLF, CR), comments, `id` and
 * `retry` fields, and chunks split anywhere (even inside a multi-byte UTF-8 character) are handled.
 *
 * - Stops at `data: [DONE]` and cancels the source. A source that ends without `[DONE]` simply ends
 *   (an unterminated last event is discarded, as the SSE spec requires).
 * - A `{"error": ...}` payload or an `event: error` yields `{ success: false }` with an
 *   `error-payload` {@link SseDecodeError}; decoding continues.
 * - Breaking out of the loop (or `return()`) cancels the source; so does aborting `signal`, after
 *   which the iteration throws `signal.reason`.
 * - A UTF-8 byte-order mark at the start is dropped; invalid UTF-8 becomes U+FFFD.
 *
 * @param source - A `ReadableStream<Uint8Array>`, a fetch `Response` or an `AsyncIterable<Uint8Array>`.
 * @param options - See {@link DecodeSseStreamOptions}.
 * @param options.schema - Validates each payload (anything with `safeParse`). Default: none.
 * @param options.signal - Cancels decoding. Default: none.
 * @param options.maxBufferSize - Max characters of one unfinished event. Default `16777216`.
 * @returns An async iterable that can be iterated once.
 * @throws TypeError (when iteration starts) for an unsupported source, a non-2xx `Response`, a
 *   `Response` without a body, or a chunk that is not a `Uint8Array`; RangeError when an event
 *   exceeds `maxBufferSize`; `signal.reason` when aborted; any error the source itself raises.
 * @example
 * ```ts
 * const response = await fetch(url, { method: 'POST', body, headers });
 * for await (const result of decodeSseStream(response, { schema: chatCompletionChunkSchema })) {
 *   if (result.success) process.stdout.write(result.value.choices[0]?.delta.content ?? '');
 *   else console.error(result.error.type, result.error.message);
 * }
 * ```
 */
export async function* decodeSseStream<T = unknown>(
  source: SseSource,
  options: DecodeSseStreamOptions<T> = {},
): AsyncGenerator<ParseResult<T>, void, undefined> {
  const { schema, signal } = options;
  const maxBufferSize = options.maxBufferSize ?? DEFAULT_MAX_BUFFER_SIZE;
  if (!Number.isSafeInteger(maxBufferSize) || maxBufferSize <= 0) {
    throw new TypeError(`maxBufferSize must be a positive integer, received ${String(maxBufferSize)}`);
  }
  if (signal?.aborted) {
    throw abortReason(signal);
  }
  const reader = openReader(source);
  const pending: ParseResult<T>[] = [];
  const decoder = createSseDecoder<T>({ schema, maxBufferSize, onResult: (result) => pending.push(result) });

  let finished = false;
  // One abort listener for the whole stream, which rejects whichever read is pending: adding and
  // removing a listener per read costs more than the read itself on streams of small frames.
  let rejectPendingRead: ((reason: unknown) => void) | undefined;
  const onAbort = (): void => {
    if (signal !== undefined) rejectPendingRead?.(abortReason(signal));
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  const readOrAbort = (): Promise<IteratorResult<Uint8Array, unknown>> => {
    if (signal === undefined) {
      return reader.read();
    }
    if (signal.aborted) {
      return Promise.reject(abortReason(signal));
    }
    return new Promise((resolve, reject) => {
      rejectPendingRead = reject;
      reader.read().then(resolve, reject);
    });
  };

  try {
    while (true) {
      const next = await readOrAbort();
      if (next.done) {
        finished = true;
        decoder.end();
      } else {
        decoder.push(next.value as Uint8Array);
      }
      // Indexed, then cleared: shift() would move every remaining message once per message.
      for (let index = 0; index < pending.length; index += 1) {
        yield pending[index] as ParseResult<T>;
        if (signal?.aborted) {
          throw abortReason(signal);
        }
      }
      pending.length = 0;
      if (finished || decoder.done) {
        return;
      }
    }
  } finally {
    signal?.removeEventListener('abort', onAbort);
    // Reached on [DONE], break/return, abort and errors alike: release the upstream connection.
    if (!finished) {
      reader.cancel(signal?.aborted ? abortReason(signal) : undefined);
    }
  }
}
