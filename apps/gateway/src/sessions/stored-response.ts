/**
 * The checks and the stored form every store shares for `rememberResponse`/`recallResponse`
 * (docs/responses-api.md#sessions), so the three stores accept and refuse the same arguments.
 */
import type { StoredResponse } from './session-store.js';

/**
 * Throws unless `responseId` is a non-empty string (any characters: the stores hash, escape or
 * JSON-encode it).
 *
 * @param storeName - Starts the message, e.g. `Redis session store`.
 * @throws TypeError `<storeName>: the response id must be a non-empty string`.
 */
export function assertResponseId(storeName: string, responseId: unknown): asserts responseId is string {
  if (typeof responseId !== 'string' || responseId === '') {
    throw new TypeError(`${storeName}: the response id must be a non-empty string`);
  }
}

/**
 * Checks the arguments of `rememberResponse`: a wrong TTL would otherwise keep an id for ever (NaN
 * never compares as passed) or forget it at once, and a record without its strings leads nowhere.
 *
 * @param storeName - Starts the messages, e.g. `Redis session store`.
 * @returns The record's own copy (only `sessionKey` and `agentId`, so the caller's object stays its own).
 * @throws TypeError for an empty or non-string id, a record without string `sessionKey` and
 *   `agentId`, or a `ttlMs` that is not a positive integer.
 */
export function checkResponseToRemember(
  storeName: string,
  responseId: unknown,
  record: unknown,
  options: unknown,
): { record: StoredResponse; ttlMs: number } {
  assertResponseId(storeName, responseId);
  const stored = storedResponseOf(record);
  if (stored === undefined) {
    throw new TypeError(`${storeName}: a remembered response needs a string \`sessionKey\` and \`agentId\``);
  }
  const ttlMs = (options as { ttlMs?: unknown } | null | undefined)?.ttlMs;
  if (typeof ttlMs !== 'number' || !Number.isSafeInteger(ttlMs) || ttlMs < 1) {
    throw new TypeError(`${storeName}: \`ttlMs\` must be a positive integer`);
  }
  return { record: stored, ttlMs };
}

/**
 * The record a value holds: a new object with its `sessionKey` and `agentId`, or `undefined` when
 * either is not a string (a foreign or damaged value in a file or in Redis).
 */
export function storedResponseOf(value: unknown): StoredResponse | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const { sessionKey, agentId } = value as { sessionKey?: unknown; agentId?: unknown };
  if (typeof sessionKey !== 'string' || typeof agentId !== 'string') return undefined;
  return { sessionKey, agentId };
}
