/**
 * `chat.send {sessionKey, message, idempotencyKey, …}` (docs/ws-protocol.md#methods): starts a turn
 * and answers `started` at once; the reply arrives as `chat` and `agent` events. A key already
 * seen answers `in_flight` (still running) or `ok` (finished in the last five minutes) and starts
 * nothing, so a client may resend after a reconnect.
 */
import { z } from 'zod';
import { defineMethod } from '../define-method.js';
import { resolveTurnTarget } from '../resolve-turn-target.js';
import { startTurn } from '../run-turn.js';
import { agentIdSchema, idempotencyKeySchema, messageSchema, sessionKeySchema } from '../turn-params.js';

export const chatSendMethod = defineMethod({
  name: 'chat.send',
  scope: 'operator.write',
  params: () =>
    z.strictObject({
      sessionKey: sessionKeySchema(),
      message: messageSchema(),
      idempotencyKey: idempotencyKeySchema(),
      agentId: agentIdSchema().optional(),
      /** Aborts the run after this long (`chat` `aborted`, stop reason `timeout`). */
      timeoutMs: z.number().int().min(1).max(86_400_000).optional(),
      thinking: z.string().max(64).optional(),
      deliver: z.boolean().optional(),
    }),
  handle: ({ params, door, connection }) => {
    const target = resolveTurnTarget(door, 'chat.send', params.agentId, params.sessionKey);
    const runId = params.idempotencyKey;
    const known = door.runs.get(runId);
    if (known !== undefined) return { runId, status: known.status === 'running' ? 'in_flight' : 'ok' };
    startTurn(door, connection, {
      method: 'chat.send',
      runId,
      ...target,
      message: params.message,
      ...(params.timeoutMs === undefined ? {} : { timeoutMs: params.timeoutMs }),
      messageChannel: 'webchat',
    });
    if (connection.canRead) door.watchers.watch(target.sessionKey, connection);
    return { runId, status: 'started' };
  },
});
