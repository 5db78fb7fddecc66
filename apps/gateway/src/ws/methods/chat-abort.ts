/**
 * `chat.abort {sessionKey, runId?}` (docs/ws-protocol.md#methods): aborts the session's running
 * turns (or the one named), which aborts their upstream requests; each ends with `chat` `aborted`
 * and stop reason `rpc`.
 */
import { z } from 'zod';
import { defineMethod } from '../define-method.js';
import { ABORTED_BY_CLIENT } from '../run-turn.js';
import { idempotencyKeySchema, sessionKeySchema } from '../turn-params.js';

export const chatAbortMethod = defineMethod({
  name: 'chat.abort',
  scope: 'operator.write',
  params: () => z.strictObject({ sessionKey: sessionKeySchema(), runId: idempotencyKeySchema().optional() }),
  handle: ({ params, door }) => {
    const runs = door.runs
      .runningIn(params.sessionKey)
      .filter((run) => params.runId === undefined || run.runId === params.runId);
    for (const run of runs) run.controller.abort(ABORTED_BY_CLIENT);
    return { ok: true, aborted: runs.length > 0, runIds: runs.map((run) => run.runId) };
  },
});
