import { createHash } from 'node:crypto';

/** The Redis keys of one session. */
export interface RedisSessionKeys {
  /** The transcript list: one JSON element per turn, oldest first. */
  transcript: string;
  /** The run lock: a string holding the holder's random token, with an expiry. */
  lock: string;
  /** The waiter first in line (its token), so one busy replica cannot starve another's waiter. */
  next: string;
}

/**
 * The keys a session is stored under: `<prefix>session:{<sha256 hex>}`, `<prefix>session-lock:{…}`
 * and `<prefix>session-next:{…}`.
 *
 * The session key is hashed so any string (very long, binary, `*` or `{` characters) gives a short,
 * safe key, and the hash sits in a `{hash tag}` so the three keys share one Redis Cluster slot, which
 * the Lua scripts touching several of them need.
 *
 * @param prefix - The store's key prefix.
 * @param sessionKey - Any string.
 * @example
 * redisSessionKeys('clawgate:', 'agent:main:openai-user:alice').transcript
 * // 'clawgate:session:{5b1c…}'
 */
export function redisSessionKeys(prefix: string, sessionKey: string): RedisSessionKeys {
  const hash = createHash('sha256').update(sessionKey, 'utf8').digest('hex');
  return {
    transcript: `${prefix}session:{${hash}}`,
    lock: `${prefix}session-lock:{${hash}}`,
    next: `${prefix}session-next:{${hash}}`,
  };
}

/** The Redis keys listing every session of a store. */
export interface RedisSessionIndexKeys {
  /** Sorted set: member = session key, score = epoch ms of its newest turn (`createdAt`). */
  sessions: string;
  /** Hash: session key → agent id of its newest turn (no field when the turn had no agent). */
  agents: string;
}

/**
 * The keys of the session listing: `<prefix>sessions` and `<prefix>session-agents`. They hold the
 * raw session keys (a listing must show them), and they are not in any session's `{hash tag}`: the
 * append script writes them with the transcript, which needs one Redis server (the gateway README's
 * "Several replicas with Redis"), not Cluster.
 *
 * @param prefix - The store's key prefix.
 */
export function redisSessionIndexKeys(prefix: string): RedisSessionIndexKeys {
  return { sessions: `${prefix}sessions`, agents: `${prefix}session-agents` };
}

/**
 * The key a remembered response id is stored under: `<prefix>response:<response id>`, a string
 * holding `{"sessionKey":…,"agentId":…}` with the TTL as its expiry (docs/responses-api.md#sessions).
 * The id is used as it is (Redis keys may hold any bytes); a read or write touches this key alone, so
 * it needs no hash tag.
 *
 * @param prefix - The store's key prefix.
 * @param responseId - Any non-empty string.
 * @example
 * redisResponseKey('clawgate:', 'resp_abc') // 'clawgate:response:resp_abc'
 */
export function redisResponseKey(prefix: string, responseId: string): string {
  return `${prefix}response:${responseId}`;
}
