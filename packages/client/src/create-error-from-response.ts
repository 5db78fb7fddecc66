import { normalizeUpstreamError, parseRetryAfter, upstreamErrorSchema } from '@clawgate/openai-schemas';
import {
  AuthenticationError,
  BadRequestError,
  ClawgateError,
  InternalServerError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  type ClawgateErrorOptions,
} from './clawgate-error.js';

// Plain-text bodies (a proxy's HTML error page, express's "Not Found") are cut so a huge page
// never ends up in a log line.
const MAX_TEXT_MESSAGE_LENGTH = 500;

/** The parts of a failed HTTP response {@link createErrorFromResponse} reads. */
export interface ErrorResponseInit {
  /** The HTTP status code. */
  status: number;
  /** Response headers (`x-request-id`, `Retry-After`); anything with a `get(name)` method. */
  headers?: { get(name: string): string | null };
  /** The body: parsed JSON when it was JSON, else the text, else `undefined`. */
  body?: unknown;
}

interface ErrorDetail {
  message: string;
  type?: string;
  code?: string;
}

/** Reads `{error:{…}}`, vLLM's flat `{object:"error",…}`, `{error:"…"}` or plain text. */
function readErrorDetail(body: unknown): ErrorDetail | undefined {
  if (typeof body === 'string') {
    const text = body.trim();
    if (text === '') return undefined;
    return {
      message: text.length > MAX_TEXT_MESSAGE_LENGTH ? `${text.slice(0, MAX_TEXT_MESSAGE_LENGTH)}…` : text,
    };
  }
  const parsed = upstreamErrorSchema.safeParse(body);
  return parsed.success ? normalizeUpstreamError(parsed.data) : undefined;
}

function readParam(body: unknown): string | undefined {
  // normalizeUpstreamError drops `param`; it matters to callers fixing a 400, so read it here.
  if (typeof body !== 'object' || body === null) return undefined;
  const error = (body as { error?: unknown }).error;
  const param = typeof error === 'object' && error !== null ? (error as { param?: unknown }).param : undefined;
  return typeof param === 'string' && param !== '' ? param : undefined;
}

/**
 * Builds the typed error for a failed HTTP response: 400 {@link BadRequestError}, 401
 * {@link AuthenticationError}, 403 {@link PermissionDeniedError}, 404 {@link NotFoundError}, 429
 * {@link RateLimitError} (with `retryAfterMs` from `Retry-After`), 500 and above
 * {@link InternalServerError}, anything else a plain {@link ClawgateError}.
 *
 * @param response - `status`, `headers` and the already-read `body` (JSON value or text).
 * @param response.status - The HTTP status.
 * @param response.headers - Source of `x-request-id` and `Retry-After`. @defaultValue none
 * @param response.body - The error body. @defaultValue none (message becomes `Request failed with status <status>`)
 * @returns The error to throw; never throws itself.
 * @example
 * ```ts
 * const response = await fetch(url);
 * if (!response.ok) throw createErrorFromResponse({ status: response.status, headers: response.headers, body: await
 * response.json() });
 * ```
 */
export function createErrorFromResponse(response: ErrorResponseInit): ClawgateError {
  const { status, headers, body } = response;
  const detail = readErrorDetail(body);
  const options: ClawgateErrorOptions = { status };
  if (detail?.type !== undefined) options.type = detail.type;
  if (detail?.code !== undefined) options.code = detail.code;
  const param = readParam(body);
  if (param !== undefined) options.param = param;
  const requestId = headers?.get('x-request-id');
  if (requestId !== null && requestId !== undefined && requestId !== '') options.requestId = requestId;
  const message = detail?.message ?? `Request failed with status ${status}`;

  if (status === 400) return new BadRequestError(message, options);
  if (status === 401) return new AuthenticationError(message, options);
  if (status === 403) return new PermissionDeniedError(message, options);
  if (status === 404) return new NotFoundError(message, options);
  if (status === 429) {
    const retryAfterMs = parseRetryAfter(headers?.get('retry-after'));
    return new RateLimitError(message, retryAfterMs === undefined ? options : { ...options, retryAfterMs });
  }
  if (status >= 500) return new InternalServerError(message, options);
  return new ClawgateError(message, options);
}

// An error frame arrives after a 200, so it has no status of its own; its OpenAI `type` picks the
// class instead. Both OpenAI's names and OpenClaw's (`unauthorized`, `forbidden`, `rate_limited`) appear.
// A Map, not an object literal, so a frame typed `constructor` or `toString` cannot pick a prototype member.
const CLASS_BY_TYPE = new Map<string, new (message: string, options: ClawgateErrorOptions) => ClawgateError>([
  ['invalid_request_error', BadRequestError],
  ['authentication_error', AuthenticationError],
  ['unauthorized', AuthenticationError],
  ['permission_error', PermissionDeniedError],
  ['forbidden', PermissionDeniedError],
  ['not_found_error', NotFoundError],
  ['rate_limit_error', RateLimitError],
  ['rate_limited', RateLimitError],
  // Codes a failed response carries where the gateway or OpenAI names the cause rather than the type.
  ['session_busy', RateLimitError],
  ['rate_limit_exceeded', RateLimitError],
  ['api_error', InternalServerError],
  ['server_error', InternalServerError],
  ['service_unavailable', InternalServerError],
  ['overloaded_error', InternalServerError],
]);

/**
 * Builds the typed error for an `{"error": …}` frame received inside a stream. `status` stays
 * `undefined` (the HTTP status was already 200); the class follows the frame's `type`, and an
 * unknown type gives a plain {@link ClawgateError}.
 *
 * @param payload - The frame's `error` value (object or string).
 * @param requestId - The stream response's `x-request-id`, if any.
 * @returns The error to throw from the iterator.
 */
export function createErrorFromStreamPayload(payload: unknown, requestId: string | undefined): ClawgateError {
  const detail = readErrorDetail({ error: payload }) ?? { message: 'The stream sent an error without a message' };
  const options: ClawgateErrorOptions = {};
  if (detail.type !== undefined) options.type = detail.type;
  if (detail.code !== undefined) options.code = detail.code;
  const param = readParam({ error: payload });
  if (param !== undefined) options.param = param;
  if (requestId !== undefined) options.requestId = requestId;
  const ErrorClass = detail.type === undefined ? undefined : CLASS_BY_TYPE.get(detail.type);
  return ErrorClass === undefined
    ? new ClawgateError(detail.message, options)
    : new ErrorClass(detail.message, options);
}

/**
 * Builds the typed error for a Responses stream that failed after it began: a `response.failed`
 * event's `response.error` (`{ code, message }`), or an `error` event (`{ message, code }`).
 * The class follows `code` like an error frame's `type` (the gateway's `api_error` gives
 * {@link InternalServerError}); an unknown or missing code also gives {@link InternalServerError},
 * because a response that failed once running is a server-side failure. `status` stays `undefined`
 * (the HTTP status was already 200) and `code` keeps the server's value.
 *
 * @param error - The `{ code?, message? }` the server reported, if any.
 * @param requestId - The stream response's `x-request-id`, if any.
 * @returns The error to throw from the iterator.
 */
export function createErrorFromFailedResponse(
  error: { code?: string | null | undefined; message?: string | null | undefined } | null | undefined,
  requestId: string | undefined,
): ClawgateError {
  const message =
    typeof error?.message === 'string' && error.message !== ''
      ? error.message
      : 'The response failed without a message';
  const options: ClawgateErrorOptions = {};
  const code = error?.code;
  if (typeof code === 'string' && code !== '') options.code = code;
  if (requestId !== undefined) options.requestId = requestId;
  const ErrorClass = (options.code === undefined ? undefined : CLASS_BY_TYPE.get(options.code)) ?? InternalServerError;
  return new ErrorClass(message, options);
}
