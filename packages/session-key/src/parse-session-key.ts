import type { SessionKeyKind } from './derive-session-key.js';
import {
  EPHEMERAL_SESSION_NAMESPACE,
  RESPONSES_SESSION_NAMESPACE,
  RESPONSES_USER_SESSION_NAMESPACE,
  USER_SESSION_NAMESPACE,
} from './derive-session-key.js';
import { isValidAgentId } from './normalize-agent-id.js';
import { isReservedSessionKey } from './reserved-session-namespaces.js';

/** The parts of a session key, as returned by {@link parseSessionKey}. */
export interface ParsedSessionKey {
  /** The trimmed key that was parsed. */
  key: string;
  /**
   * `'user'` for `agent:<id>:openai-user:…` (or `openresponses-user`), `'ephemeral'` for `agent:<id>:openai:…`
   * (or `openresponses`), else
   * `'explicit'`. It describes the key's shape: a header that copies a derived shape parses as that shape.
   */
  kind: SessionKeyKind;
  /** The agent id of an `agent:<id>:…` key whose `<id>` is a valid agent id; absent otherwise. */
  agentId?: string;
  /**
   * For agent keys the segment after `agent:<id>:` (`openai-user`, `openai`, …); for other keys the
   * segment before the first `:`; `''` when there is no such segment.
   */
  namespace: string;
  /** Everything after the namespace and its `:` (the lowercased user, the UUID, …); may contain `:`. */
  rest: string;
  /** Whether the key is in a reserved namespace (`subagent:`, `cron:`, `acp:`, any letter case). */
  reserved: boolean;
}

const AGENT_KEY_PREFIX = 'agent:';

/**
 * Splits a session key back into its parts; the inverse of {@link deriveSessionKey} for derived keys.
 *
 * The key is trimmed first, as `deriveSessionKey` trims the header. `agent:<id>:<namespace>:<rest>`
 * keys yield `agentId`; `agent:<id>` with nothing after it yields `namespace: ''`, `rest: ''`.
 * Keys without `:` yield `namespace: ''` and the whole key as `rest`.
 *
 * @param key - Any string; never throws.
 * @returns The parts, or `undefined` when the key is empty or whitespace-only.
 * @example
 * parseSessionKey('agent:main:openai-user:alice');
 * // { key: 'agent:main:openai-user:alice', kind: 'user', agentId: 'main',
 * //   namespace: 'openai-user', rest: 'alice', reserved: false }
 */
export function parseSessionKey(key: string): ParsedSessionKey | undefined {
  if (typeof key !== 'string') return undefined;
  const trimmed = key.trim();
  if (trimmed === '') return undefined;
  const reserved = isReservedSessionKey(trimmed);

  if (trimmed.startsWith(AGENT_KEY_PREFIX)) {
    const [agentId, remainder] = splitAtFirstColon(trimmed.slice(AGENT_KEY_PREFIX.length));
    // Only a valid id makes this an agent-scoped key; `agent:Main:x` stays an opaque explicit key.
    if (isValidAgentId(agentId)) {
      const [namespace, rest] = remainder === undefined ? ['', ''] : splitAtFirstColon(remainder);
      // Derived keys always have `:` after the namespace, so `agent:main:openai` alone is explicit.
      const kind: SessionKeyKind =
        rest === undefined
          ? 'explicit'
          : namespace === USER_SESSION_NAMESPACE || namespace === RESPONSES_USER_SESSION_NAMESPACE
            ? 'user'
            : namespace === EPHEMERAL_SESSION_NAMESPACE || namespace === RESPONSES_SESSION_NAMESPACE
              ? 'ephemeral'
              : 'explicit';
      return { key: trimmed, kind, agentId, namespace, rest: rest ?? '', reserved };
    }
  }

  const [namespace, rest] = splitAtFirstColon(trimmed);
  return rest === undefined
    ? { key: trimmed, kind: 'explicit', namespace: '', rest: trimmed, reserved }
    : { key: trimmed, kind: 'explicit', namespace, rest, reserved };
}

// Splits at the first `:`; the second part is undefined when there is no `:` at all.
function splitAtFirstColon(value: string): [string, string | undefined] {
  const separator = value.indexOf(':');
  if (separator === -1) return [value, undefined];
  return [value.slice(0, separator), value.slice(separator + 1)];
}
