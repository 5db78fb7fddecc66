/** A header value as Node's `IncomingMessage.headers` (and most frameworks) expose it. */
export type HeaderValue = string | readonly string[] | undefined;

/** Request headers keyed by name; lower-case names are looked up first. */
export type HeaderRecord = Readonly<Record<string, HeaderValue>>;

/**
 * Looks up a header by lower-case name, falling back to a case-insensitive scan so callers
 * that pass hand-built records (`{ Authorization: ... }`) are not silently refused.
 */
export function getHeader(headers: HeaderRecord, lowerCaseName: string): HeaderValue {
  const direct = headers[lowerCaseName];
  if (direct !== undefined) return direct;
  for (const name of Object.keys(headers)) {
    if (name.toLowerCase() === lowerCaseName) return headers[name];
  }
  return undefined;
}

/** The first value of a possibly repeated header, or `undefined` when absent or malformed. */
export function firstHeaderValue(value: HeaderValue | unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) {
    const first: unknown = value[0];
    return typeof first === 'string' ? first : undefined;
  }
  return undefined;
}

/** All values of a possibly repeated header joined with `,` (the HTTP list-header rule). */
export function joinHeaderValues(value: HeaderValue | unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) {
    const strings = value.filter((item): item is string => typeof item === 'string');
    return strings.length > 0 ? strings.join(',') : undefined;
  }
  return undefined;
}
