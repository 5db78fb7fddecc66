/**
 * A fresh session key for a new conversation with an agent: `agent:<agentId>:webchat-<random>`. The
 * `agent:<id>:` prefix makes the gateway run the turns on that agent (docs/ws-protocol.md#methods),
 * and the same key continues the conversation over HTTP with `x-openclaw-session-key`.
 */

/** A new session key for `agentId`. @param randomId - @defaultValue `crypto.randomUUID` */
export function newSessionKey(agentId: string, randomId: () => string = () => crypto.randomUUID()): string {
  return `agent:${agentId}:webchat-${randomId()}`;
}
