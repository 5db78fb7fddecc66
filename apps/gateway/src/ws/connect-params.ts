/**
 * The params of the `connect` request (docs/ws-protocol.md#handshake): closed objects, as OpenClaw
 * checks them, with OpenClaw's known client ids and modes. Built on first use and kept: the schema
 * is small and every connection needs it.
 */
import { z } from 'zod';

/** Client ids OpenClaw's gateway knows; any other is refused. */
export const KNOWN_CLIENT_IDS = [
  'cli',
  'gateway-client',
  'webchat',
  'webchat-ui',
  'openclaw-control-ui',
  'openclaw-tui',
  'openclaw-macos',
  'openclaw-ios',
  'openclaw-android',
  'node-host',
  'test',
  'fingerprint',
  'openclaw-probe',
] as const;

/** Client modes OpenClaw's gateway knows. */
export const CLIENT_MODES = ['webchat', 'cli', 'ui', 'backend', 'node', 'worker', 'probe', 'test'] as const;

/** Scopes a shared-secret holder may ask for (docs/ws-protocol.md#scopes). */
export const GRANTABLE_SCOPES = ['operator.read', 'operator.write', 'operator.admin'] as const;

// Bounds for strings the client picks: generous for real clients, small enough to refuse junk early.
const shortText = z.string().max(256);
const longText = z.string().max(4096);

function createConnectParamsSchema() {
  return z.strictObject({
    minProtocol: z.number().int().min(1),
    maxProtocol: z.number().int().min(1),
    client: z.strictObject({
      id: z.enum(KNOWN_CLIENT_IDS),
      displayName: shortText.optional(),
      version: shortText,
      platform: shortText,
      deviceFamily: shortText.optional(),
      modelIdentifier: shortText.optional(),
      mode: z.enum(CLIENT_MODES),
      instanceId: shortText.optional(),
    }),
    caps: z.array(shortText).max(64).optional(),
    commands: z.array(shortText).max(256).optional(),
    permissions: z.record(shortText, z.boolean()).optional(),
    pathEnv: longText.optional(),
    role: shortText.optional(),
    scopes: z.array(shortText).max(64).optional(),
    device: z
      .strictObject({
        id: shortText,
        publicKey: shortText,
        signature: shortText,
        signedAt: z.number().int().nonnegative(),
        nonce: shortText,
      })
      .optional(),
    auth: z
      .strictObject({
        token: longText.optional(),
        password: longText.optional(),
        deviceToken: longText.optional(),
        bootstrapToken: longText.optional(),
      })
      .optional(),
    locale: shortText.optional(),
    userAgent: longText.optional(),
  });
}

/** The checked `connect` params. */
export type ConnectParams = z.output<ReturnType<typeof createConnectParamsSchema>>;

let schema: ReturnType<typeof createConnectParamsSchema> | undefined;

/** The `connect` params schema (built once, on the first handshake). */
export function connectParamsSchema(): ReturnType<typeof createConnectParamsSchema> {
  schema ??= createConnectParamsSchema();
  return schema;
}
