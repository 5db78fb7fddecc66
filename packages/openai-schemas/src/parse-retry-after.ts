// RFC 9110 §10.2.3: `Retry-After` is either delay-seconds (a non-negative integer) or an HTTP-date.
// Fractional seconds are not in the RFC but some proxies send them; accepting them costs nothing.
const DELAY_SECONDS = /^\d+(?:\.\d+)?$/;

/**
 * Converts a `Retry-After` header value into milliseconds to wait.
 *
 * @param value - The raw header value (`"3"`, `"Wed, 21 Oct 2015 07:28:00 GMT"`), or `null` when absent.
 * @param now - The current time in ms since the epoch, for HTTP dates. @defaultValue `Date.now()`
 * @returns The delay in whole milliseconds (0 for a date in the past), or `undefined` when the header
 *   is absent or unparseable.
 * @example
 * ```ts
 * parseRetryAfter('2'); // 2000
 * parseRetryAfter(new Date(Date.now() + 5000).toUTCString()); // about 5000
 * ```
 */
export function parseRetryAfter(value: string | null | undefined, now: number = Date.now()): number | undefined {
  if (value === null || value === undefined) return undefined;
  const trimmed = value.trim();
  if (trimmed === '') return undefined;
  if (DELAY_SECONDS.test(trimmed)) {
    return Math.ceil(Number(trimmed) * 1000);
  }
  // Date.parse also accepts bare numbers and ISO strings; the seconds form is already handled above,
  // and requiring a letter avoids reading "-5" as a year.
  if (!/[a-z]/i.test(trimmed)) return undefined;
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}
