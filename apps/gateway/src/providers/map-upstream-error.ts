/**
 * Maps upstream failures to the gateway's errors (docs/http-contract.md#upstream-errors). Upstream
 * `message`/`code` are copied when present, after every secret the gateway knows (the provider's
 * API key) and anything shaped like an API key is masked: upstream 401 bodies often quote the key
 * back.
 */
import { GatewayError, type UpstreamFailure } from '../errors.js';

/** The contract's fixed messages. */
export const UPSTREAM_ERROR_MESSAGE = 'upstream provider error';
export const UPSTREAM_TIMEOUT_MESSAGE = 'upstream provider timeout';

// `sk-...`, `sk-proj-...`, `sk-or-v1-...` and partially starred forms OpenAI echoes back.
const KEY_LIKE = /\b(?:sk|rk|pk)-[A-Za-z0-9*_-]{6,}/g;

/** What we could read from an upstream error body. */
export interface UpstreamErrorDetails {
  message?: string;
  code?: string;
}

/**
 * Reads `{error: {message, code}}`, `{error: "text"}` or `{message}` from an upstream body.
 *
 * @param text - The raw response body (possibly not JSON).
 */
export function parseUpstreamErrorBody(text: string): UpstreamErrorDetails {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return {};
  }
  if (value === null || typeof value !== 'object') return {};
  const record = value as Record<string, unknown>;
  const inner = record.error;
  if (typeof inner === 'string') return { message: inner };
  const source = inner !== null && typeof inner === 'object' ? (inner as Record<string, unknown>) : record;
  return {
    message: typeof source.message === 'string' && source.message.trim() !== '' ? source.message : undefined,
    code:
      typeof source.code === 'string' ? source.code : typeof source.code === 'number' ? String(source.code) : undefined,
  };
}

/**
 * Removes secrets from upstream text before it reaches a client or a log.
 *
 * @param text - Upstream message.
 * @param secrets - Values that must never appear (the API key, header values).
 */
export function scrubSecrets(text: string, secrets: readonly string[]): string {
  let result = text;
  for (const secret of secrets) {
    // Very short "secrets" would mangle ordinary words; real keys are long.
    if (secret.length >= 4) result = result.split(secret).join('***');
  }
  return result.replace(KEY_LIKE, '***');
}

/**
 * The `GatewayError` for an upstream HTTP status.
 *
 * @param status - Upstream status code (≥ 400).
 * @param details - Message and code read from the upstream body.
 * @param retryAfterSeconds - Parsed `Retry-After` of a 429, passed on to the client.
 */
export function mapUpstreamStatus(
  status: number,
  details: UpstreamErrorDetails,
  retryAfterSeconds?: number,
): GatewayError {
  const make = (fallback: string, mappedStatus: number, type: string, upstreamFailure?: UpstreamFailure) =>
    new GatewayError(details.message ?? fallback, { status: mappedStatus, type, code: details.code, upstreamFailure });
  if (status === 401 || status === 403)
    return make('upstream provider authentication failed', 401, 'authentication_error', 'auth');
  if (status === 402) return make('upstream provider quota exceeded', 402, 'insufficient_quota');
  // 413/422 are how vLLM and llama.cpp reject an oversized or malformed request.
  if (status === 400 || status === 413 || status === 422)
    return make('upstream provider rejected the request', 400, 'invalid_request_error');
  if (status === 404) return make('model not found', 404, 'not_found_error');
  if (status === 429) {
    return new GatewayError(details.message ?? 'upstream provider rate limit reached', {
      status: 429,
      type: 'rate_limit_error',
      code: details.code,
      retryAfterSeconds,
      upstreamFailure: 'rate-limit',
    });
  }
  // 529 is Anthropic-style "overloaded", seen behind OpenAI-compatible proxies.
  if (status === 503 || status === 529) return make('upstream provider overloaded', 503, 'api_error', 'server');
  if (status === 504 || status === 408) {
    return new GatewayError(UPSTREAM_TIMEOUT_MESSAGE, {
      status: 504,
      type: 'api_error',
      code: details.code,
      upstreamFailure: 'timeout',
    });
  }
  // Other 5xx: the contract's fixed message; the upstream text may leak internals of someone else's stack.
  if (status >= 500) {
    return new GatewayError(UPSTREAM_ERROR_MESSAGE, {
      status: 502,
      type: 'api_error',
      code: details.code,
      upstreamFailure: 'server',
    });
  }
  return new GatewayError('internal error', { status: 500, type: 'api_error' });
}

/**
 * Maps a transport failure (undici or socket error) to 504 (timeouts) or 502 (refused, reset,
 * closed, DNS); an abort is rethrown as is so the caller can tell it from a failure.
 *
 * @param error - What the HTTP client threw.
 */
export function mapTransportError(error: unknown): GatewayError {
  if (GatewayError.isInstance(error)) return error;
  const code = findErrorCode(error);
  if (code !== undefined && CONNECT_FAILURES.has(code)) {
    const status = code === 'UND_ERR_CONNECT_TIMEOUT' ? 504 : 502;
    const message = status === 504 ? UPSTREAM_TIMEOUT_MESSAGE : UPSTREAM_ERROR_MESSAGE;
    return new GatewayError(message, { status, type: 'api_error', cause: error, upstreamFailure: 'connect' });
  }
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'ETIMEDOUT') {
    return new GatewayError(UPSTREAM_TIMEOUT_MESSAGE, {
      status: 504,
      type: 'api_error',
      cause: error,
      upstreamFailure: 'timeout',
    });
  }
  return new GatewayError(UPSTREAM_ERROR_MESSAGE, {
    status: 502,
    type: 'api_error',
    cause: error,
    upstreamFailure: 'reset',
  });
}

/** Socket errors that mean no connection was made, so the request never reached the upstream. */
const CONNECT_FAILURES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/** The first `code` along the `cause` chain (undici wraps socket errors). */
function findErrorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current !== null && typeof current === 'object'; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
