/** `status {}` (docs/ws-protocol.md#methods): a short summary of the gateway. */
import { splitProviderModel } from '@clawgate/session-key';
import { z } from 'zod';
import { resolveAgentSettings } from '../../config/resolve-agent-settings.js';
import { GATEWAY_VERSION } from '../../gateway-version.js';
import { findCatalogueModel } from '../model-catalogue.js';
import { defineMethod } from '../define-method.js';

export const statusMethod = defineMethod({
  name: 'status',
  scope: 'operator.read',
  params: () => z.strictObject({}),
  handle: ({ door }) => {
    const model = resolveAgentSettings(door.config, door.defaultAgentId)?.model ?? '';
    const split = splitProviderModel(model);
    return {
      runtimeVersion: GATEWAY_VERSION,
      sessions: {
        defaults: {
          model: split?.model ?? model,
          contextTokens:
            split === undefined
              ? null
              : (findCatalogueModel(door.config, split.provider, split.model)?.contextWindow ?? null),
        },
      },
      heartbeat: { defaultAgentId: door.defaultAgentId },
      uptimeMs: door.now() - door.startedAt,
    };
  },
});
