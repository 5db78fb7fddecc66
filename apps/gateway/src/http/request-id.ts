/**
 * Which `x-request-id` a response carries: the caller's, when it is a plain token a log search can
 * use safely, so one id follows a request through a proxy chain; otherwise a fresh one.
 */

/** A reusable incoming id: 1-128 characters of `[A-Za-z0-9._-]` (no spaces, quotes or control bytes). */
const REUSABLE_REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;

/**
 * Picks the request id.
 *
 * @param incoming - The request's `x-request-id` header as Node parsed it (repeated headers arrive
 *   joined or as an array; either is refused).
 * @param generate - Source of fresh ids.
 * @returns The incoming id when well-formed, else `generate()`.
 * @example
 * chooseRequestId('abc-123', randomUUID); // 'abc-123'
 * chooseRequestId('a b', randomUUID);     // a fresh UUID
 */
export function chooseRequestId(incoming: string | string[] | undefined, generate: () => string): string {
  return typeof incoming === 'string' && REUSABLE_REQUEST_ID.test(incoming) ? incoming : generate();
}
