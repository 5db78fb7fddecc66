/**
 * The `hello-ok` payload that answers a successful `connect` (docs/ws-protocol.md#handshake):
 * exactly `type, protocol, server, features, snapshot, auth, policy`, and no `deviceToken` (this
 * gateway has no pairing).
 */
import { GATEWAY_VERSION } from '../gateway-version.js';
import { PROTOCOL_VERSION, type ConnectionIdentity } from './authenticate-connect.js';
import type { DoorContext } from './door-context.js';
import { METHOD_NAMES } from './method-table.js';
import { mainSessionKey } from './resolve-turn-target.js';

/** Events this door sends. */
export const EVENT_NAMES: readonly string[] = ['connect.challenge', 'agent', 'chat', 'tick', 'health', 'shutdown'];

export function buildHelloOk(door: DoorContext, connId: string, identity: ConnectionIdentity) {
  const ws = door.config.gateway.ws;
  return {
    type: 'hello-ok',
    protocol: PROTOCOL_VERSION,
    server: { version: GATEWAY_VERSION, connId },
    features: { methods: METHOD_NAMES, events: EVENT_NAMES },
    snapshot: {
      presence: [],
      stateVersion: { presence: 0, health: door.healthVersion() },
      uptimeMs: door.now() - door.startedAt,
      healthOk: true,
      sessionDefaults: {
        defaultAgentId: door.defaultAgentId,
        mainKey: 'main',
        mainSessionKey: mainSessionKey(door.defaultAgentId),
      },
      authMode: identity.authMethod,
    },
    auth: { method: identity.authMethod, role: identity.role, scopes: identity.scopes },
    policy: { maxPayload: ws.maxPayload, maxBufferedBytes: ws.maxBufferedBytes, tickIntervalMs: ws.tickIntervalMs },
  };
}
