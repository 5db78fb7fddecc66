// RFC 9110 section 10.2.3 (https://www.rfc-editor.org/rfc/rfc9110#section-10.2.3): `Retry-After` is either
// delay-seconds (a non-negative integer) or an HTTP-date. Fractional seconds are not in the RFC but
// some proxies send them; accepting them costs nothing.
const DELAY_SECONDS = /^\d+(?:\.\d+)?$/;

// The three HTTP-date forms a recipient must accept
// (https://www.rfc-editor.org/rfc/rfc9110#section-5.6.7): IMF-fixdate
// `Sun, 06 Nov 1994 08:49:37 GMT`, the obsolete RFC 850 `Sunday, 06-Nov-94 08:49:37 GMT` and
// asctime `Sun Nov  6 08:49:37 1994` (GMT, though it does not say so). Matched first because
// `Date.parse` alone reads almost anything with a digit in it (`abc 12`) as some date.
const MONTH = '(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)';
const TIME = '\\d{2}:\\d{2}:\\d{2}';
const IMF_FIXDATE = new RegExp(`^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), \\d{2} ${MONTH} \\d{4} ${TIME} GMT$`);
const RFC850_DATE = new RegExp(
  `^(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), \\d{2}-${MONTH}-\\d{2} ${TIME} GMT$`,
);
const ASCTIME_DATE = new RegExp(`^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) ${MONTH} (?: \\d|\\d{2}) ${TIME} \\d{4}$`);

/**
 * Converts a `Retry-After` header value into milliseconds to wait. Callers that need seconds (a
 * server passing the header on) round up: `Math.ceil(ms / 1000)`.
 *
 * @param header - The raw header value (`"3"`, `"Wed, 21 Oct 2015 07:28:00 GMT"`), `null` or
 *   `undefined` when absent; of a repeated header (Node's `string[]`) the first value counts.
 * @param now - The current time in ms since the epoch, for HTTP dates. @defaultValue `Date.now()`
 * @returns The delay in whole milliseconds (0 for a date in the past), or `undefined` when the header
 *   is absent or unparseable (negative, exponent notation, not a date).
 * @example
 * ```ts
 * parseRetryAfter('2'); // 2000
 * parseRetryAfter('1.5'); // 1500
 * parseRetryAfter(new Date(Date.now() + 5000).toUTCString()); // about 5000
 * ```
 */
export function parseRetryAfter(
  header: string | readonly string[] | null | undefined,
  now: number = Date.now(),
): number | undefined {
  const value = typeof header === 'string' || header === null || header === undefined ? header : header[0];
  if (value === null || value === undefined) return undefined;
  const trimmed = value.trim();
  if (trimmed === '') return undefined;
  if (DELAY_SECONDS.test(trimmed)) {
    return Math.ceil(Number(trimmed) * 1000);
  }
  let date: number;
  if (IMF_FIXDATE.test(trimmed) || RFC850_DATE.test(trimmed)) date = Date.parse(trimmed);
  else if (ASCTIME_DATE.test(trimmed)) date = Date.parse(`${trimmed} GMT`);
  else return undefined;
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}
