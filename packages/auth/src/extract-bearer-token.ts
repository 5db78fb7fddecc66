import { firstHeaderValue, type HeaderValue } from './header-value.js';

const bearerScheme = 'bearer';

/**
 * Extracts the credential from an `Authorization: Bearer <secret>` header value.
 *
 * Only the first value of a repeated header is read; the scheme is case-insensitive and must be
 * followed by a space or tab; the secret is trimmed. Any other scheme, a missing secret, or a
 * non-string value yields `undefined` (never an exception), which the authorizer treats as
 * "no credential".
 *
 * @param headerValue - The raw `authorization` header value(s).
 * @returns The trimmed secret, or `undefined` when there is none.
 *
 * @example
 * ```ts
 * extractBearerToken('Bearer abc ');        // 'abc'
 * extractBearerToken(['bearer x', 'Bearer y']); // 'x'
 * extractBearerToken('Basic dXNlcg==');     // undefined
 * ```
 */
export function extractBearerToken(headerValue: HeaderValue | unknown): string | undefined {
  const value = firstHeaderValue(headerValue)?.trimStart();
  if (value === undefined || value.length <= bearerScheme.length) return undefined;
  if (value.slice(0, bearerScheme.length).toLowerCase() !== bearerScheme) return undefined;
  // "Bearerabc" is not the Bearer scheme: a separator is required
  // (RFC 6750 section 2.1, https://www.rfc-editor.org/rfc/rfc6750#section-2.1).
  const separator = value.charCodeAt(bearerScheme.length);
  if (separator !== 0x20 && separator !== 0x09) return undefined;
  const token = value.slice(bearerScheme.length + 1).trim();
  return token.length > 0 ? token : undefined;
}
