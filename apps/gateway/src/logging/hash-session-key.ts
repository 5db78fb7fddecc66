/**
 * `hashSessionKey`: the session key as it may appear in logs. A session key can carry a user name
 * (`...:openai-user:alice`), so logs get a short digest that still groups one conversation's lines.
 */
import { createHash } from 'node:crypto';

/**
 * The first 12 hex digits (48 bits) of the key's SHA-256: enough to tell conversations apart in
 * logs, not a lookup key.
 *
 * @param sessionKey - The resolved session key.
 * @returns 12 lowercase hex characters.
 * @example
 * hashSessionKey('agent:main:openai-user:alice'); // e.g. '3f1c0a9b2d4e'
 */
export function hashSessionKey(sessionKey: string): string {
  return createHash('sha256').update(sessionKey, 'utf8').digest('hex').slice(0, 12);
}
