import { normalizeAgentId } from './normalize-agent-id.js';
import { isReservedSessionKey } from './reserved-session-namespaces.js';

/** How a session key was obtained: from the header, from `user`, or freshly generated. */
export type SessionKeyKind = 'explicit' | 'user' | 'ephemeral';

/** Namespace of keys derived from the OpenAI `user` field. */
export const USER_SESSION_NAMESPACE = 'openai-user';
/** Namespace of per-request keys made when neither a header nor `user` is given. */
export const EPHEMERAL_SESSION_NAMESPACE = 'openai';
/** Namespace of keys derived from `user` on OpenAI's Responses API (`POST /v1/responses`). */
export const RESPONSES_USER_SESSION_NAMESPACE = 'openresponses-user';
/** Namespace of per-request keys on OpenAI's Responses API. */
export const RESPONSES_SESSION_NAMESPACE = 'openresponses';

/** The two namespaces a door derives its keys in: from `user`, and per request. */
export interface SessionNamespaces {
  user: string;
  ephemeral: string;
}

/** Inputs of {@link deriveSessionKey}. */
export interface DeriveSessionKeyOptions {
  /** The resolved agent id; normalised again (a no-op for resolved ids) so keys stay parseable. */
  agentId: string;
  /** The `x-openclaw-session-key` header value; blank counts as absent. */
  sessionKeyHeader?: string;
  /** The request's OpenAI `user` field; blank counts as absent. */
  user?: string;
  /**
   * Source of the UUID for per-request keys (inject it for deterministic tests).
   * @defaultValue `() => globalThis.crypto.randomUUID()`
   */
  randomUUID?: () => string;
  /**
   * The namespaces of derived keys: Chat Completions uses `openai-user` / `openai`, the Responses API
   * `openresponses-user` / `openresponses`, so the two doors' sessions never collide.
   * @defaultValue `{ user: 'openai-user', ephemeral: 'openai' }`
   */
  namespaces?: SessionNamespaces;
}

/** Result of {@link deriveSessionKey}. */
export type DeriveSessionKeyResult =
  | { ok: true; sessionKey: string; kind: SessionKeyKind }
  | { ok: false; reason: 'reserved-namespace' };

/**
 * Derives the session key a turn belongs to
 * (docs/http-contract.md#4-agent-selection-session-keys-and-headers), first match wins:
 *
 * 1. `x-openclaw-session-key`, trimmed, used verbatim (`kind: 'explicit'`); a key starting with
 *    `subagent:`, `cron:` or `acp:` in any letter case is refused (`reserved-namespace`).
 * 2. A non-blank `user` → `agent:<agentId>:openai-user:<trimmed user, lowercased>` (`kind: 'user'`).
 *    The user is kept whole: no length cap, non-ASCII kept as `toLowerCase()` leaves it.
 * 3. Otherwise `agent:<agentId>:openai:<uuid v4>` (`kind: 'ephemeral'`), a fresh session per request.
 *
 * `namespaces` replaces `openai-user` and `openai` (the Responses API passes its own).
 *
 * @param options - Agent id, header, user and UUID source; see {@link DeriveSessionKeyOptions}.
 * @returns The key and how it was obtained, or `{ ok: false, reason: 'reserved-namespace' }`.
 * @throws {TypeError} Only when a UUID is needed, no `randomUUID` was injected and the runtime
 *   lacks `globalThis.crypto.randomUUID` (never on Node ≥ 20).
 * @example
 * deriveSessionKey({ agentId: 'main', user: 'Alice' });
 * // { ok: true, sessionKey: 'agent:main:openai-user:alice', kind: 'user' }
 */
export function deriveSessionKey(options: DeriveSessionKeyOptions): DeriveSessionKeyResult {
  const header = typeof options.sessionKeyHeader === 'string' ? options.sessionKeyHeader.trim() : '';
  if (header !== '') {
    if (isReservedSessionKey(header)) return { ok: false, reason: 'reserved-namespace' };
    return { ok: true, sessionKey: header, kind: 'explicit' };
  }
  const agentId = normalizeAgentId(options.agentId);
  const user = typeof options.user === 'string' ? options.user.trim() : '';
  if (user !== '') {
    return {
      ok: true,
      sessionKey: `agent:${agentId}:${options.namespaces?.user ?? USER_SESSION_NAMESPACE}:${user.toLowerCase()}`,
      kind: 'user',
    };
  }
  const uuid = (options.randomUUID ?? defaultRandomUUID)();
  const namespace = options.namespaces?.ephemeral ?? EPHEMERAL_SESSION_NAMESPACE;
  return { ok: true, sessionKey: `agent:${agentId}:${namespace}:${uuid}`, kind: 'ephemeral' };
}

// Looked up per call rather than captured at import, so a polyfill installed later still works.
function defaultRandomUUID(): string {
  const webCrypto = (globalThis as { crypto?: { randomUUID?: () => string } }).crypto;
  if (typeof webCrypto?.randomUUID !== 'function') {
    throw new TypeError(
      'globalThis.crypto.randomUUID is not available; pass the `randomUUID` option to deriveSessionKey.',
    );
  }
  return webCrypto.randomUUID();
}
