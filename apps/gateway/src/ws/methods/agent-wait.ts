/**
 * `agent.wait {runId, timeoutMs?}` (docs/ws-protocol.md#methods): waits for a run to end, up to
 * `timeoutMs`, and answers its state; a run that is still going or unknown then is `timeout`.
 */
import { z } from 'zod';
import { defineMethod } from '../define-method.js';
import type { TrackedRun } from '../run-registry.js';
import { idempotencyKeySchema } from '../turn-params.js';

const DEFAULT_TIMEOUT_MS = 30_000;

export const agentWaitMethod = defineMethod({
  name: 'agent.wait',
  scope: 'operator.read',
  params: () =>
    z.strictObject({
      runId: idempotencyKeySchema(),
      timeoutMs: z.number().int().min(0).max(600_000).default(DEFAULT_TIMEOUT_MS),
    }),
  handle: async ({ params, door }) => {
    let run = door.runs.get(params.runId);
    if (run === undefined || run.status === 'running') {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, params.timeoutMs)));
      await Promise.race(run === undefined ? [timeout] : [run.ended, timeout]);
      clearTimeout(timer);
      // A run started while we waited (the wait came first) is answered as it stands now.
      run = door.runs.get(params.runId);
    }
    return describeRun(params.runId, run);
  },
});

function describeRun(runId: string, run: TrackedRun | undefined) {
  if (run === undefined || run.status === 'running')
    return run === undefined ? { runId, status: 'timeout' } : { runId, status: 'timeout', startedAt: run.startedAt };
  return {
    runId,
    status: run.status,
    startedAt: run.startedAt,
    endedAt: run.endedAt,
    ...(run.stopReason === undefined ? {} : { stopReason: run.stopReason }),
    ...(run.error === undefined ? {} : { error: run.error }),
  };
}
