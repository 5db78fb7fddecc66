// Marker shared across duplicate installs of this package, so `isInstance` works where
// `instanceof` would not (two copies of the class in one process).
const marker = Symbol.for('@clawgate/auth.RateLimitStoreUnavailableError');

/**
 * Thrown (as a rejection of `authorize`) when the rate-limit store fails, e.g. Redis is down.
 *
 * The gateway answers such a request with `503 service_unavailable`, never `401`: refusing a
 * caller because our own storage broke would look like a wrong secret. The message never
 * contains a credential or a client key; the original error is kept as `cause`.
 *
 * @example
 * ```ts
 * try {
 *   decision = await authorizer.authorize(request, { requiredScope: 'operator.write' });
 * } catch (error) {
 *   if (RateLimitStoreUnavailableError.isInstance(error)) return reply503();
 *   throw error;
 * }
 * ```
 */
export class RateLimitStoreUnavailableError extends Error {
  /** The store operation that failed: `check`, `recordFailure` or `reset`. */
  readonly operation: 'check' | 'recordFailure' | 'reset';

  // biome-ignore lint/correctness/noUnusedPrivateClassMembers: read through the symbol by `isInstance`.
  private readonly [marker] = true;

  /**
   * @param message - A human-readable message without secrets.
   * @param options - `operation` that failed and the underlying `cause`.
   */
  constructor(message: string, options: { operation: 'check' | 'recordFailure' | 'reset'; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.name = 'RateLimitStoreUnavailableError';
    this.operation = options.operation;
  }

  /**
   * Whether `error` is a `RateLimitStoreUnavailableError`, even from another copy of this package.
   *
   * @param error - Any thrown value.
   */
  static isInstance(error: unknown): error is RateLimitStoreUnavailableError {
    return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[marker] === true;
  }
}
