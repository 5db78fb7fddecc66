/**
 * `agent {message, idempotencyKey, agentId?, sessionKey?, …}` (docs/ws-protocol.md#methods): runs a
 * turn and answers twice on the request's id: `accepted` at once, then the result after the run's
 * `chat` final event. The same key while the run is going answers `in_flight` and starts nothing.
 */
import { splitProviderModel } from '@clawgate/session-key';
import { z } from 'zod';
import { defineMethod } from '../define-method.js';
import { fromGatewayError, ProtocolFailure } from '../protocol-error.js';
import { resolveTurnTarget } from '../resolve-turn-target.js';
import { startTurn } from '../run-turn.js';
import { agentIdSchema, idempotencyKeySchema, messageSchema, sessionKeySchema } from '../turn-params.js';

export const agentMethod = defineMethod({
  name: 'agent',
  scope: 'operator.write',
  params: () =>
    z.strictObject({
      message: messageSchema(),
      idempotencyKey: idempotencyKeySchema(),
      agentId: agentIdSchema().optional(),
      sessionKey: sessionKeySchema().optional(),
      /** A model override (`provider/model`), allowed by the agent's `allowedModels`. */
      model: z.string().max(256).optional(),
      /** Seconds until the run is aborted (`status: "timeout"`); 0 or absent: no limit of its own. */
      timeout: z.number().int().min(0).max(86_400).optional(),
      extraSystemPrompt: z.string().optional(),
      /** OpenClaw delivers the reply to a chat channel; this gateway has none, so it is accepted and ignored. */
      deliver: z.boolean().optional(),
      /** The message channel recorded with the turn. @defaultValue `webchat` */
      channel: z.string().trim().min(1).max(64).optional(),
      label: z.string().max(256).optional(),
      thinking: z.string().max(64).optional(),
    }),
  handle: async ({ params, door, connection, respondEarly }) => {
    const target = resolveTurnTarget(door, 'agent', params.agentId, params.sessionKey);
    const runId = params.idempotencyKey;
    const known = door.runs.get(runId);
    if (known !== undefined) {
      return known.status === 'running'
        ? { runId, status: 'in_flight', sessionKey: known.sessionKey, agentId: known.agentId }
        : { runId, status: known.status, sessionKey: known.sessionKey, agentId: known.agentId };
    }
    const { run, end } = startTurn(door, connection, {
      method: 'agent',
      runId,
      ...target,
      message: params.message,
      ...(params.extraSystemPrompt === undefined ? {} : { extraSystemPrompt: params.extraSystemPrompt }),
      ...(params.model === undefined ? {} : { modelOverride: params.model }),
      ...(params.timeout === undefined || params.timeout === 0 ? {} : { timeoutMs: params.timeout * 1000 }),
      messageChannel: params.channel?.toLowerCase() ?? 'webchat',
    });
    if (connection.canRead) door.watchers.watch(target.sessionKey, connection);
    respondEarly({
      runId,
      sessionKey: target.sessionKey,
      agentId: target.agentId,
      status: 'accepted',
      acceptedAt: run.startedAt,
    });
    const result = await end;
    if (result.status === 'error') throw new ProtocolFailure(fromGatewayError(result.error));
    if (result.status === 'timeout') {
      return {
        runId,
        status: 'timeout',
        summary: result.stopReason === 'rpc' ? 'aborted' : 'timed out',
        stopReason: result.stopReason,
      };
    }
    const model = splitProviderModel(result.model);
    return {
      runId,
      status: 'ok',
      summary: 'completed',
      result: {
        payloads: [{ text: result.text }],
        meta: {
          durationMs: result.durationMs,
          agentMeta: {
            provider: model?.provider ?? null,
            model: model?.model ?? result.model,
            usage: {
              input: result.usage.prompt_tokens,
              output: result.usage.completion_tokens,
              total: result.usage.total_tokens,
            },
          },
        },
      },
    };
  },
});
