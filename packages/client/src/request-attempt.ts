import { AbortError, ClawgateError, ConnectionError, TimeoutError } from './clawgate-error.js';

// setTimeout stores delays as a signed 32-bit integer; a larger value would fire at once.
export const MAX_TIMEOUT_MS = 2_147_483_647;

/** Gives a readable reason for a network failure; undici's top-level message is just "fetch failed". */
function describeNetworkError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause;
  if (error.message === 'fetch failed' && cause instanceof Error && cause.message !== '') {
    return cause.message;
  }
  return error.message;
}

/**
 * One HTTP attempt's lifetime: an `AbortController` for `fetch` and the body, tied to the caller's
 * signal and to a timer, plus the mapping of whatever fails into the typed errors. Both the response
 * headers and the body are read under the same controller, so a timeout or abort also stops a body
 * that is still arriving.
 */
export class RequestAttempt {
  /** Passed to `fetch`; aborts on caller abort, timeout or {@link RequestAttempt.cancel}. */
  readonly signal: AbortSignal;
  readonly #controller = new AbortController();
  readonly #userSignal: AbortSignal | undefined;
  readonly #timeoutMs: number;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #state: 'active' | 'timed-out' | 'aborted' | 'cancelled' | 'finished' = 'active';
  readonly #onUserAbort = (): void => {
    if (this.#state !== 'active') return;
    this.#state = 'aborted';
    this.#stop();
    this.#controller.abort(this.#userSignal?.reason);
  };

  /**
   * @param options - The caller's signal (optional) and the timeout in ms.
   * @param options.signal - Aborting it ends the attempt with an {@link AbortError}.
   * @param options.timeoutMs - Armed at once; {@link RequestAttempt.restartTimer} re-arms it.
   */
  constructor(options: { signal?: AbortSignal | undefined; timeoutMs: number }) {
    this.signal = this.#controller.signal;
    this.#userSignal = options.signal;
    this.#timeoutMs = options.timeoutMs;
    this.#arm();
    if (this.#userSignal !== undefined) {
      if (this.#userSignal.aborted) this.#onUserAbort();
      else this.#userSignal.addEventListener('abort', this.#onUserAbort, { once: true });
    }
  }

  #arm(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      if (this.#state !== 'active') return;
      this.#state = 'timed-out';
      this.#stop();
      this.#controller.abort(new TimeoutError(`Request timed out after ${this.#timeoutMs} ms`));
    }, this.#timeoutMs);
  }

  #stop(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#userSignal?.removeEventListener('abort', this.#onUserAbort);
  }

  /** Re-arms the timer: streams call this on every received byte so `timeoutMs` bounds silences. */
  restartTimer(): void {
    if (this.#state === 'active') this.#arm();
  }

  /** Releases the timer and the listener once the response is fully read. */
  finish(): void {
    if (this.#state === 'active') this.#state = 'finished';
    this.#stop();
  }

  /** Aborts the HTTP exchange (connection and body) because the consumer stopped reading. */
  cancel(): void {
    if (this.#state === 'active' || this.#state === 'finished') this.#state = 'cancelled';
    this.#stop();
    this.#controller.abort();
  }

  /** Whether the caller's signal ended this attempt. */
  get aborted(): boolean {
    return this.#state === 'aborted';
  }

  /**
   * Maps anything that failed during the attempt to the typed error: the caller's abort wins, then
   * the timer, then a genuine network failure. Typed errors pass through unchanged.
   *
   * @param error - What `fetch` or a body read rejected with.
   * @param requestId - The response's `x-request-id`, once headers arrived.
   * @returns The error to throw.
   */
  toError(error: unknown, requestId?: string): ClawgateError {
    if (ClawgateError.isInstance(error)) return error;
    const options = requestId === undefined ? {} : { requestId };
    if (this.#state === 'aborted') {
      return new AbortError('Request was aborted', { ...options, cause: this.#userSignal?.reason });
    }
    if (this.#state === 'timed-out') {
      return new TimeoutError(`Request timed out after ${this.#timeoutMs} ms`, options);
    }
    if (this.#state === 'cancelled') {
      return new AbortError('The stream was cancelled', { ...options, cause: error });
    }
    return new ConnectionError(`Connection error: ${describeNetworkError(error)}`, { ...options, cause: error });
  }
}
