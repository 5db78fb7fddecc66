/**
 * Session-key prefixes reserved for the gateway's own sessions
 * (docs/http-contract.md#4-agent-selection-session-keys-and-headers). A client-supplied
 * `x-openclaw-session-key` starting with any of them is refused.
 */
export const RESERVED_SESSION_KEY_PREFIXES: readonly string[] = Object.freeze(['subagent:', 'cron:', 'acp:']);

/**
 * Checks whether a session key falls in a reserved namespace.
 *
 * The key is trimmed and compared case-insensitively, so `CRON:x` or ` acp:y` cannot slip past
 * a check that the internal code (which lowercases namespaces) would not repeat.
 *
 * @param key - A session key, e.g. the `x-openclaw-session-key` header value.
 * @returns `true` when the key starts with `subagent:`, `cron:` or `acp:` in any letter case.
 * @example
 * isReservedSessionKey('Cron:nightly'); // true
 * isReservedSessionKey('agent:main:cron:x'); // false
 */
export function isReservedSessionKey(key: string): boolean {
  const lowered = key.trim().toLowerCase();
  return RESERVED_SESSION_KEY_PREFIXES.some((prefix) => lowered.startsWith(prefix));
}
