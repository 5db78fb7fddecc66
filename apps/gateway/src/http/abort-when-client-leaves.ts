/**
 * The abort of work behind a one-body answer (a whole completion, a response object, embeddings):
 * a client that leaves before the answer is finished stops the run and so the upstream request
 * (docs/http-contract.md#6-responses), and the shutdown deadline cuts it like any open run.
 */
import type { ServerResponse } from 'node:http';
import type { ShutdownCut } from './shutdown-cut.js';

/** What {@link abortWhenClientLeaves} hands the handler. */
export interface ClientLeaveAbort {
  /** Aborted when the client leaves first, or with the shutdown's reason at its deadline. */
  controller: AbortController;
  /** Stops watching the client and the shutdown; call once the answer is written or given up. */
  release(): void;
}

/**
 * Watches `response` for a client that leaves before the answer is finished and tracks the
 * controller in `shutdown`. Call `release()` in a `finally`.
 */
export function abortWhenClientLeaves(response: ServerResponse, shutdown: ShutdownCut | undefined): ClientLeaveAbort {
  const controller = new AbortController();
  // `res` closes both when we finish and when the client leaves; only the latter aborts the run.
  const onClose = (): void => {
    if (!response.writableFinished) controller.abort();
  };
  response.on('close', onClose);
  shutdown?.track(controller);
  return {
    controller,
    release() {
      response.off('close', onClose);
      shutdown?.untrack(controller);
    },
  };
}
