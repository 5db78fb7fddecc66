const MARKER = Symbol.for('@clawgate/sse.SseDecodeError');

/**
 * Why one event of a decoded stream could not be turned into a value.
 *
 * - `invalid-json`: the `data` was not valid JSON.
 * - `schema-mismatch`: the JSON did not pass the caller's schema (`cause` holds the schema's error).
 * - `error-payload`: the server sent an error instead of a chunk: a JSON object with an `error`
 *   key, or an event named `error` (`payload` holds the parsed JSON, or the raw text if not JSON).
 */
export type SseDecodeErrorType = 'invalid-json' | 'schema-mismatch' | 'error-payload';

/**
 * Options for {@link SseDecodeError}.
 */
export interface SseDecodeErrorOptions {
  /** The failure kind. */
  type: SseDecodeErrorType;
  /** For `error-payload`: the server's error value. */
  payload?: unknown;
  /** The underlying error (JSON `SyntaxError`, schema error). */
  cause?: unknown;
}

/**
 * A decode failure for one SSE event. It is yielded inside a `{ success: false }` result rather
 * than thrown, so one bad chunk does not end the stream.
 *
 * @example
 * ```ts
 * for await (const result of decodeSseStream(response)) {
 *   if (!result.success && result.error.type === 'error-payload') console.error(result.error.payload);
 * }
 * ```
 */
export class SseDecodeError extends Error {
  /** The failure kind; see {@link SseDecodeErrorType}. */
  readonly type: SseDecodeErrorType;
  /** For `error-payload`: the parsed error body (or raw text); otherwise `undefined`. */
  readonly payload?: unknown;
  // A cross-realm marker: `instanceof` fails when two copies of this package are installed.
  // biome-ignore lint/correctness/noUnusedPrivateClassMembers: read through the symbol by `isInstance`.
  private readonly [MARKER] = true;

  /**
   * @param message - A human-readable description.
   * @param options - The failure kind, plus `payload` and `cause` when known.
   */
  constructor(message: string, options: SseDecodeErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SseDecodeError';
    this.type = options.type;
    if (options.payload !== undefined) {
      this.payload = options.payload;
    }
  }

  /**
   * Tells whether a value is an `SseDecodeError`, even one created by another copy of this package.
   *
   * @param error - Any value.
   * @returns `true` for an `SseDecodeError`.
   */
  static isInstance(error: unknown): error is SseDecodeError {
    return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[MARKER] === true;
  }
}
