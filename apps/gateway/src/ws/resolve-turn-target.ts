/**
 * Which agent and session a WebSocket turn runs in (docs/ws-protocol.md#methods): `agentId` when
 * given (it must be configured), else the agent named by an `agent:<id>:…` session key, else the
 * default agent; the session is the given key, else the agent's main session.
 */
import { normalizeAgentId, parseSessionKey } from '@clawgate/session-key';
import type { DoorContext } from './door-context.js';
import { printable } from './frames.js';
import { invalidRequestError, ProtocolFailure } from './protocol-error.js';

export function resolveTurnTarget(
  door: DoorContext,
  method: string,
  agentId: string | undefined,
  sessionKey: string | undefined,
): { agentId: string; sessionKey: string } {
  const key = sessionKey?.trim() || undefined;
  let resolved: string;
  if (agentId !== undefined && agentId.trim() !== '') {
    resolved = normalizeAgentId(agentId);
    if (!isConfigured(door, resolved))
      throw new ProtocolFailure(
        invalidRequestError(`invalid ${method} params: unknown agent id ${JSON.stringify(printable(agentId))}`),
      );
  } else {
    const fromKey = key === undefined ? undefined : parseSessionKey(key)?.agentId;
    resolved = fromKey !== undefined && isConfigured(door, fromKey) ? fromKey : door.defaultAgentId;
  }
  return { agentId: resolved, sessionKey: key ?? mainSessionKey(resolved) };
}

function isConfigured(door: DoorContext, agentId: string): boolean {
  return door.config.agents.list.some((agent) => agent.id === agentId);
}

/** The session an `agent` call without `sessionKey` runs in: `agent:<agentId>:main`, as OpenClaw's. */
export function mainSessionKey(agentId: string): string {
  return `agent:${agentId}:main`;
}
