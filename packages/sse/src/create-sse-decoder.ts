/**
 * The push half of the SSE decoder: bytes in (as they arrive), one callback per event out, with no
 * promise or async iteration per chunk or per event. A busy gateway decodes tens of thousands of
 * upstream frames a second, and each layer of async iteration costs several microtask hops per
 * frame; {@link decodeSseStream} is the pull (async iterable) view built on this.
 */
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { SseDecodeError } from './sse-decode-error.js';

/**
 * The outcome of decoding one event: the validated value, or the error plus the raw `data` text.
 */
export type ParseResult<T> = { success: true; value: T } | { success: false; error: SseDecodeError; rawValue: string };

/**
 * Any schema with a zod-style `safeParse` (zod, valibot adapters, hand-written checks). Declared
 * structurally so this package needs no zod dependency.
 */
export interface SafeParseSchema<T> {
  /** Validates `value` without throwing. */
  safeParse(value: unknown): { success: true; data: T } | { success: false; error: unknown };
}

/** Options of {@link createSseDecoder}. */
export interface SseDecoderOptions<T> {
  /**
   * Called once per event, in order, with the parsed (and, with `schema`, validated) payload or
   * the reason it was not one. Not called for `data: [DONE]`.
   */
  onResult(result: ParseResult<T>): void;
  /** Called once when `data: [DONE]` arrives; nothing is reported after it. @defaultValue none */
  onDone?(): void;
  /** Validates each parsed JSON payload; failures give `schema-mismatch` results. @defaultValue none */
  schema?: SafeParseSchema<T>;
  /**
   * Upper bound, in characters, for one unfinished line or event; past it `push` throws a
   * `RangeError` instead of buffering without end.
   * @defaultValue `16777216` (16 Mi characters)
   */
  maxBufferSize?: number;
}

/** A push decoder: feed it bytes; it calls back per event. */
export interface SseDecoder {
  /**
   * Decodes one chunk (split anywhere, even inside a UTF-8 character) and reports every event it
   * completes before returning. Chunks after `[DONE]` are ignored.
   * @throws TypeError for a chunk that is not a `Uint8Array`/`ArrayBuffer`; RangeError past `maxBufferSize`.
   */
  push(chunk: Uint8Array | ArrayBuffer): void;
  /** The source ended: completes a trailing CR line ending; an unterminated last event is discarded (SSE spec). */
  end(): void;
  /** `true` once `data: [DONE]` was seen. */
  readonly done: boolean;
}

/** Default of {@link SseDecoderOptions.maxBufferSize}. */
export const DEFAULT_MAX_BUFFER_SIZE = 16 * 1024 * 1024;

/**
 * Creates a push decoder on eventsource-parser 3: every line ending (LF, CRLF, CR), comments,
 * `id`/`retry` fields, a leading UTF-8 byte-order mark (dropped) and invalid UTF-8 (U+FFFD) are
 * handled. A `{"error": ...}` payload or an `event: error` is reported as an `error-payload`
 * {@link SseDecodeError}.
 *
 * @param options - See {@link SseDecoderOptions}.
 * @throws TypeError when `maxBufferSize` is not a positive integer.
 * @example
 * ```ts
 * const decoder = createSseDecoder({ onResult: (result) => console.log(result), onDone: () => socket.end() });
 * socket.on('data', (chunk) => decoder.push(chunk));
 * socket.on('end', () => decoder.end());
 * ```
 */
export function createSseDecoder<T = unknown>(options: SseDecoderOptions<T>): SseDecoder {
  const { onResult, onDone, schema } = options;
  const maxBufferSize = options.maxBufferSize ?? DEFAULT_MAX_BUFFER_SIZE;
  if (!Number.isSafeInteger(maxBufferSize) || maxBufferSize <= 0) {
    throw new TypeError(`maxBufferSize must be a positive integer, received ${String(maxBufferSize)}`);
  }
  // stream:true keeps a multi-byte character that straddles two chunks; the default ignoreBOM:false
  // strips a leading BOM, which eventsource-parser itself does not.
  const textDecoder = new TextDecoder('utf-8');
  let done = false;
  let ended = false;
  let overflow: RangeError | undefined;
  let lastText = '';
  const parser = createParser({
    maxBufferSize,
    onEvent: (message) => {
      if (done) return;
      // Some servers pad the sentinel with spaces; the sentinel is never valid JSON, so trimming is safe.
      if (message.data.trim() === '[DONE]') {
        done = true;
        onDone?.();
        return;
      }
      onResult(decodeMessage(message, schema));
    },
    onError: (error) => {
      // Unknown fields and bad `retry` values are ignorable per spec; only overflow is fatal.
      if (error.type === 'max-buffer-size-exceeded') {
        overflow = new RangeError(`SSE event exceeded maxBufferSize (${maxBufferSize} characters)`);
      }
    },
  });
  const feed = (text: string): void => {
    if (text.length === 0) return;
    parser.feed(text);
    lastText = text;
    if (overflow !== undefined) throw overflow;
  };
  return {
    push(chunk) {
      if (done || ended) return;
      feed(textDecoder.decode(toBytes(chunk), { stream: true }));
    },
    end() {
      if (done || ended) return;
      ended = true;
      let text = textDecoder.decode();
      // The parser holds a trailing CR back in case LF follows. At the end of the stream no LF
      // can follow, so complete the pair; otherwise a CR-only stream would lose its last event.
      if ((text.length > 0 ? text : lastText).endsWith('\r')) text += '\n';
      feed(text);
    },
    get done() {
      return done;
    },
  };
}

function toBytes(chunk: unknown): Uint8Array {
  if (chunk instanceof Uint8Array) {
    return chunk;
  }
  if (chunk instanceof ArrayBuffer) {
    return new Uint8Array(chunk);
  }
  // Node streams in string mode would otherwise be decoded twice or crash the TextDecoder.
  throw new TypeError(`decodeSseStream expects Uint8Array chunks, received ${typeof chunk}`);
}

function describeSchemaError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function decodeMessage<T>(message: EventSourceMessage, schema: SafeParseSchema<T> | undefined): ParseResult<T> {
  const rawValue = message.data;
  let parsed: unknown;
  try {
    parsed = JSON.parse(rawValue);
  } catch (error) {
    if (message.event === 'error') {
      // A plain-text `event: error` is still an error from the server, not a JSON problem.
      return {
        success: false,
        error: new SseDecodeError(`SSE stream sent an error event: ${rawValue}`, {
          type: 'error-payload',
          payload: rawValue,
        }),
        rawValue,
      };
    }
    return {
      success: false,
      error: new SseDecodeError(`SSE event data is not valid JSON: ${(error as Error).message}`, {
        type: 'invalid-json',
        cause: error,
      }),
      rawValue,
    };
  }
  // OpenAI-compatible servers report mid-stream failures as `data: {"error": {...}}`.
  const errorValue =
    typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>).error
      : undefined;
  if (message.event === 'error' || (errorValue !== undefined && errorValue !== null)) {
    const payload = errorValue ?? parsed;
    const detail =
      typeof payload === 'object' && payload !== null && typeof (payload as { message?: unknown }).message === 'string'
        ? (payload as { message: string }).message
        : JSON.stringify(payload);
    return {
      success: false,
      error: new SseDecodeError(`SSE stream sent an error: ${detail}`, { type: 'error-payload', payload }),
      rawValue,
    };
  }
  if (schema === undefined) {
    return { success: true, value: parsed as T };
  }
  const validation = schema.safeParse(parsed);
  if (validation.success) {
    return { success: true, value: validation.data };
  }
  return {
    success: false,
    error: new SseDecodeError(`SSE event does not match the schema: ${describeSchemaError(validation.error)}`, {
      type: 'schema-mismatch',
      cause: validation.error,
    }),
    rawValue,
  };
}
