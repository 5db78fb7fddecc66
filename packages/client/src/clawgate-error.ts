// The client's one error family (docs/architecture.md#errors). Every class carries a `Symbol.for` marker so
// `isInstance` works when two copies of this package end up in one program (a library and the app
// each installing their own), where `instanceof` silently fails.

import type { OpenAIErrorBody } from '@clawgate/openai-schemas';

/** Sets a non-enumerable brand so logs and `JSON.stringify` stay clean. */
function brand(target: object, marker: symbol): void {
  Object.defineProperty(target, marker, { value: true, enumerable: false });
}

/** True when `value` is an object carrying `marker`. */
function hasBrand(value: unknown, marker: symbol): boolean {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[marker] === true;
}

const CLAWGATE_ERROR = Symbol.for('@clawgate/client.ClawgateError');
const BAD_REQUEST_ERROR = Symbol.for('@clawgate/client.BadRequestError');
const AUTHENTICATION_ERROR = Symbol.for('@clawgate/client.AuthenticationError');
const PERMISSION_DENIED_ERROR = Symbol.for('@clawgate/client.PermissionDeniedError');
const NOT_FOUND_ERROR = Symbol.for('@clawgate/client.NotFoundError');
const RATE_LIMIT_ERROR = Symbol.for('@clawgate/client.RateLimitError');
const INTERNAL_SERVER_ERROR = Symbol.for('@clawgate/client.InternalServerError');
const CONNECTION_ERROR = Symbol.for('@clawgate/client.ConnectionError');
const TIMEOUT_ERROR = Symbol.for('@clawgate/client.TimeoutError');
const ABORT_ERROR = Symbol.for('@clawgate/client.AbortError');

/** Fields shared by every {@link ClawgateError}; all optional because not every failure has them. */
export interface ClawgateErrorOptions {
  /** HTTP status of the response, when there was one. */
  status?: number;
  /** OpenAI error `type` from the body, e.g. `invalid_request_error`, `unauthorized`. */
  type?: string;
  /** OpenAI error `code` from the body, when the server sent one. */
  code?: string;
  /** OpenAI error `param` from the body, when the server sent one. */
  param?: string;
  /** The `x-request-id` response header, for correlating with server logs. */
  requestId?: string;
  /** The underlying error (a network `TypeError`, an `SseDecodeError`, …). */
  cause?: unknown;
}

/** Options of {@link RateLimitError}: the base fields plus the server's `Retry-After`. */
export interface RateLimitErrorOptions extends ClawgateErrorOptions {
  /** `Retry-After` converted to milliseconds, when the header was present and valid. */
  retryAfterMs?: number;
}

/**
 * Base class of every error the client throws. Check with `ClawgateError.isInstance(error)` (or a
 * subclass's `isInstance`) rather than `instanceof`, which fails across duplicate installs.
 *
 * @example
 * ```ts
 * try {
 *   await client.chat.completions.create({ messages: [{ role: 'user', content: 'hi' }] });
 * } catch (error) {
 *   if (RateLimitError.isInstance(error)) console.log('retry in', error.retryAfterMs, 'ms');
 *   else if (ClawgateError.isInstance(error)) console.log(error.status, error.type, error.requestId);
 *   else throw error;
 * }
 * ```
 */
export class ClawgateError extends Error {
  /** HTTP status; `undefined` for connection failures, timeouts, aborts and in-stream error frames. */
  readonly status: number | undefined;
  /** OpenAI error `type` (e.g. `invalid_request_error`), or the client's own kind for non-HTTP errors. */
  readonly type: string | undefined;
  /** OpenAI error `code`, when the server sent one. */
  readonly code: string | undefined;
  /** OpenAI error `param`, when the server sent one. */
  readonly param: string | undefined;
  /** The `x-request-id` response header, when the server sent one. */
  readonly requestId: string | undefined;

  /**
   * @param message - What went wrong, in the server's words when it gave any.
   * @param options - {@link ClawgateErrorOptions}.
   */
  constructor(message: string, options: ClawgateErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ClawgateError';
    this.status = options.status;
    this.type = options.type;
    this.code = options.code;
    this.param = options.param;
    this.requestId = options.requestId;
    brand(this, CLAWGATE_ERROR);
  }

  /**
   * Tells whether a value is a `ClawgateError` (any subclass), even from another copy of this package.
   *
   * @param error - Any value.
   * @returns `true` for every error this client throws.
   */
  static isInstance(error: unknown): error is ClawgateError {
    return hasBrand(error, CLAWGATE_ERROR);
  }

  /**
   * The OpenAI-shaped body (`{ error: { message, type?, code?, param? } }`), so a proxy can pass the
   * error on and `JSON.stringify(error)` shows more than `{}`.
   *
   * @returns The wire body without absent fields (`type` too, for an error that has none).
   */
  toJSON(): { error: Pick<OpenAIErrorBody['error'], 'message'> & Partial<OpenAIErrorBody['error']> } {
    const error: ReturnType<ClawgateError['toJSON']>['error'] = { message: this.message };
    if (this.type !== undefined) error.type = this.type;
    if (this.code !== undefined) error.code = this.code;
    if (this.param !== undefined) error.param = this.param;
    return { error };
  }
}

/**
 * HTTP 400: the gateway refused the request (validation, unknown agent, reserved session key, …), or
 * an in-stream error frame of type `invalid_request_error`. Never retried: the same request fails again.
 */
export class BadRequestError extends ClawgateError {
  // A literal type makes each class structurally distinct, so narrowing with one class's
  // isInstance never rules out the others.
  /** Always `'BadRequestError'`. */
  override readonly name = 'BadRequestError' as const;
  /** @inheritDoc */
  constructor(message: string, options: ClawgateErrorOptions = {}) {
    super(message, options);
    brand(this, BAD_REQUEST_ERROR);
  }

  /** `true` for a `BadRequestError` from any copy of this package (`error` may be anything). */
  static override isInstance(error: unknown): error is BadRequestError {
    return hasBrand(error, BAD_REQUEST_ERROR);
  }
}

/** HTTP 401: the token is missing or wrong. Repeating a wrong token counts toward the gateway's lockout. */
export class AuthenticationError extends ClawgateError {
  /** Always `'AuthenticationError'`. */
  override readonly name = 'AuthenticationError' as const;
  /** @inheritDoc */
  constructor(message: string, options: ClawgateErrorOptions = {}) {
    super(message, options);
    brand(this, AUTHENTICATION_ERROR);
  }

  /** `true` for an `AuthenticationError` from any copy of this package (`error` may be anything). */
  static override isInstance(error: unknown): error is AuthenticationError {
    return hasBrand(error, AUTHENTICATION_ERROR);
  }
}

/** HTTP 403: authenticated, but the caller lacks the scope (e.g. `missing scope: operator.write`). */
export class PermissionDeniedError extends ClawgateError {
  /** Always `'PermissionDeniedError'`. */
  override readonly name = 'PermissionDeniedError' as const;
  /** @inheritDoc */
  constructor(message: string, options: ClawgateErrorOptions = {}) {
    super(message, options);
    brand(this, PERMISSION_DENIED_ERROR);
  }

  /** `true` for a `PermissionDeniedError` from any copy of this package (`error` may be anything). */
  static override isInstance(error: unknown): error is PermissionDeniedError {
    return hasBrand(error, PERMISSION_DENIED_ERROR);
  }
}

/** HTTP 404: an unknown model id, or a gateway whose chat completions endpoint is disabled. */
export class NotFoundError extends ClawgateError {
  /** Always `'NotFoundError'`. */
  override readonly name = 'NotFoundError' as const;
  /** @inheritDoc */
  constructor(message: string, options: ClawgateErrorOptions = {}) {
    super(message, options);
    brand(this, NOT_FOUND_ERROR);
  }

  /** `true` for a `NotFoundError` from any copy of this package (`error` may be anything). */
  static override isInstance(error: unknown): error is NotFoundError {
    return hasBrand(error, NOT_FOUND_ERROR);
  }
}

/**
 * HTTP 429: the gateway's authentication lockout, or an upstream rate limit passed on. `retryAfterMs`
 * comes from the `Retry-After` header (seconds or an HTTP date).
 */
export class RateLimitError extends ClawgateError {
  /** Always `'RateLimitError'`. */
  override readonly name = 'RateLimitError' as const;
  /** How long the server asked to wait, in milliseconds; `undefined` without a valid `Retry-After`. */
  readonly retryAfterMs: number | undefined;

  /**
   * @param message - The server's message.
   * @param options - {@link RateLimitErrorOptions}.
   */
  constructor(message: string, options: RateLimitErrorOptions = {}) {
    super(message, options);
    this.retryAfterMs = options.retryAfterMs;
    brand(this, RATE_LIMIT_ERROR);
  }

  /** `true` for a `RateLimitError` from any copy of this package (`error` may be anything). */
  static override isInstance(error: unknown): error is RateLimitError {
    return hasBrand(error, RATE_LIMIT_ERROR);
  }
}

/** HTTP 500 or above (gateway failure, upstream provider error 502, overloaded 503, upstream timeout 504). */
export class InternalServerError extends ClawgateError {
  /** Always `'InternalServerError'`. */
  override readonly name = 'InternalServerError' as const;
  /** @inheritDoc */
  constructor(message: string, options: ClawgateErrorOptions = {}) {
    super(message, options);
    brand(this, INTERNAL_SERVER_ERROR);
  }

  /** `true` for an `InternalServerError` from any copy of this package (`error` may be anything). */
  static override isInstance(error: unknown): error is InternalServerError {
    return hasBrand(error, INTERNAL_SERVER_ERROR);
  }
}

/**
 * No usable response: the connection was refused, reset or cut mid-stream (`cause` holds the runtime's
 * error). `status` is `undefined`.
 */
export class ConnectionError extends ClawgateError {
  /** Always `'ConnectionError'`. */
  override readonly name = 'ConnectionError' as const;
  /** @inheritDoc */
  constructor(message: string, options: ClawgateErrorOptions = {}) {
    super(message, { ...options, type: options.type ?? 'connection_error' });
    brand(this, CONNECTION_ERROR);
  }

  /** `true` for a `ConnectionError` from any copy of this package (`error` may be anything). */
  static override isInstance(error: unknown): error is ConnectionError {
    return hasBrand(error, CONNECTION_ERROR);
  }
}

/** The request (or, for a stream, a silence between bytes) outlasted `timeoutMs`. */
export class TimeoutError extends ClawgateError {
  /** Always `'TimeoutError'`. */
  override readonly name = 'TimeoutError' as const;
  /** @inheritDoc */
  constructor(message: string, options: ClawgateErrorOptions = {}) {
    super(message, { ...options, type: options.type ?? 'timeout_error' });
    brand(this, TIMEOUT_ERROR);
  }

  /** `true` for a `TimeoutError` from any copy of this package (`error` may be anything). */
  static override isInstance(error: unknown): error is TimeoutError {
    return hasBrand(error, TIMEOUT_ERROR);
  }
}

/** The caller aborted (its `AbortSignal` fired, or `stream.abort()` was called). Never retried. */
export class AbortError extends ClawgateError {
  /** Always `'AbortError'`. */
  override readonly name = 'AbortError' as const;
  /** @inheritDoc */
  constructor(message: string, options: ClawgateErrorOptions = {}) {
    super(message, { ...options, type: options.type ?? 'abort_error' });
    brand(this, ABORT_ERROR);
  }

  /** `true` for an `AbortError` from any copy of this package (`error` may be anything). */
  static override isInstance(error: unknown): error is AbortError {
    return hasBrand(error, ABORT_ERROR);
  }
}
