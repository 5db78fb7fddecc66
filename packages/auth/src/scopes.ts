import { joinHeaderValues, type HeaderValue } from './header-value.js';

/** The scope that implies every other scope. */
export const ADMIN_SCOPE = 'operator.admin';

/**
 * The full operator scope set held by callers that presented the shared secret
 * (token or password mode), as OpenClaw grants it.
 */
export const OPERATOR_SCOPES: readonly string[] = Object.freeze([
  'operator.admin',
  'operator.read',
  'operator.write',
  'operator.approvals',
  'operator.pairing',
]);

// Bounds for a header the caller controls: a real scope list is a few short names.
const maxScopes = 64;
const maxScopeLength = 128;

/**
 * Whether `scopes` satisfies `required`. `operator.admin` implies every scope.
 *
 * @param scopes - Scopes the caller holds.
 * @param required - The scope the operation needs, e.g. `operator.write`.
 *
 * @example
 * ```ts
 * hasScope(['operator.admin'], 'operator.write'); // true
 * hasScope(['operator.read'], 'operator.write');  // false
 * ```
 */
export function hasScope(scopes: readonly string[], required: string): boolean {
  return scopes.includes(required) || scopes.includes(ADMIN_SCOPE);
}

/**
 * Parses the comma-separated `x-openclaw-scopes` header (repeated headers are merged).
 *
 * Items are trimmed; empty items, items longer than 128 characters and items past the 64th are
 * dropped; duplicates are removed. Never throws.
 *
 * @param headerValue - The raw header value(s).
 * @returns The scopes, or `undefined` when the header is absent (an empty header yields `[]`).
 */
export function parseScopesHeader(headerValue: HeaderValue | unknown): string[] | undefined {
  const joined = joinHeaderValues(headerValue);
  if (joined === undefined) return undefined;
  const scopes: string[] = [];
  let start = 0;
  while (start <= joined.length && scopes.length < maxScopes) {
    const comma = joined.indexOf(',', start);
    const end = comma === -1 ? joined.length : comma;
    if (end - start <= maxScopeLength + 64) {
      const scope = joined.slice(start, end).trim();
      if (scope.length > 0 && scope.length <= maxScopeLength && !scopes.includes(scope)) {
        scopes.push(scope);
      }
    }
    if (comma === -1) break;
    start = comma + 1;
  }
  return scopes;
}
