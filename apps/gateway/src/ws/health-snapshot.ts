/**
 * The `health` payload (docs/ws-protocol.md#methods), answered to `health` and sent as the
 * periodic `health` event: exactly `ok, ts, durationMs, defaultAgentId, agents, sessions,
 * channels` (`channels` is empty: this gateway has no chat channels).
 */
import type { DoorContext } from './door-context.js';

export async function buildHealthSnapshot(door: DoorContext) {
  const started = door.now();
  let count: number | null = null;
  let storeOk = door.sessionStore.isReady?.() ?? true;
  try {
    count = (await door.sessionStore.list({ limit: 0, offset: 0 })).totalCount;
  } catch (error) {
    storeOk = false;
    door.logger.warn({ err: error }, 'health: listing sessions failed');
  }
  const ts = door.now();
  return {
    ok: storeOk,
    ts,
    durationMs: ts - started,
    defaultAgentId: door.defaultAgentId,
    agents: door.config.agents.list.map((agent) => ({
      agentId: agent.id,
      isDefault: agent.id === door.defaultAgentId,
    })),
    sessions: { count },
    channels: {},
  };
}
