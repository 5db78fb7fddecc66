import { parseRetryAfter } from '@clawgate/openai-schemas';
import { AbortError, type ClawgateError } from './clawgate-error.js';
import { createErrorFromResponse } from './create-error-from-response.js';
import { RequestAttempt } from './request-attempt.js';
import { computeRetryDelay, isConnectFailure, shouldRetry } from './retry-policy.js';

/** The subset of `fetch` the client calls; the global `fetch` and most polyfills fit. */
export type FetchFunction = (url: string, init: RequestInit) => Promise<Response>;

/** Everything {@link sendRequest} needs for one logical request (all attempts). */
export interface SendRequestOptions {
  fetch: FetchFunction;
  url: string;
  method: 'GET' | 'POST';
  headers: Headers;
  body?: string;
  signal?: AbortSignal | undefined;
  timeoutMs: number;
  maxRetries: number;
  /** GET: a retry is harmless even if the server processed the first attempt. */
  idempotent: boolean;
  /** Test seam for the jitter. @defaultValue `Math.random` */
  random?: () => number;
}

/** A successful (2xx) response whose body is still unread, with the attempt that owns it. */
export interface SentRequest {
  response: Response;
  attempt: RequestAttempt;
  requestId: string | undefined;
}

/** Reads an error body as JSON when it is JSON, else as text; never throws past the attempt mapping. */
async function readErrorBody(response: Response): Promise<unknown> {
  const text = await response.text();
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Waits `ms`, or rejects with an {@link AbortError} as soon as the caller aborts. */
function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new AbortError('Request was aborted', { cause: signal.reason }));
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new AbortError('Request was aborted', { cause: signal?.reason }));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Sends one logical request with retries (see `shouldRetry` and `computeRetryDelay` in
 * retry-policy.ts). Resolves once a 2xx response's headers arrive; the caller reads the body under
 * the returned attempt and must call `attempt.finish()` or `attempt.cancel()`. Retries happen only
 * here, before any body byte has been handed to the caller, so a stream that has started is never
 * replayed.
 *
 * @param options - {@link SendRequestOptions}.
 * @returns The response with its live attempt.
 * @throws ClawgateError subclasses for HTTP errors, network failures, timeouts and aborts.
 */
export async function sendRequest(options: SendRequestOptions): Promise<SentRequest> {
  for (let attemptIndex = 0; ; attemptIndex += 1) {
    const attempt = new RequestAttempt({ signal: options.signal, timeoutMs: options.timeoutMs });
    let error: ClawgateError;
    let retryAfterMs: number | undefined;
    let connectFailed = false;
    try {
      const init: RequestInit = { method: options.method, headers: options.headers, signal: attempt.signal };
      if (options.body !== undefined) init.body = options.body;
      const response = await options.fetch(options.url, init);
      const requestId = response.headers.get('x-request-id') ?? undefined;
      if (response.ok) {
        return { response, attempt, requestId };
      }
      // Reading the error body also frees the connection for reuse before a retry.
      const body = await readErrorBody(response).catch((readError: unknown) => {
        throw attempt.toError(readError, requestId);
      });
      attempt.finish();
      error = createErrorFromResponse({ status: response.status, headers: response.headers, body });
      retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
    } catch (caught) {
      connectFailed = isConnectFailure(caught);
      error = attempt.toError(caught);
      attempt.finish();
    }
    if (attemptIndex >= options.maxRetries || attempt.aborted) throw error;
    if (!shouldRetry({ error, idempotent: options.idempotent, connectFailed })) throw error;
    const delay = computeRetryDelay({
      attempt: attemptIndex,
      retryAfterMs,
      ...(options.random === undefined ? {} : { random: options.random }),
    });
    if (delay === undefined) throw error;
    await sleep(delay, options.signal);
  }
}
