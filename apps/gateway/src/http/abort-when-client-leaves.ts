/**
 * The abort of a run behind an HTTP answer: a client that leaves before the answer is finished
 * stops the run and so the upstream request, and the shutdown deadline cuts it like any open run
 * (docs/http-contract.md#6-responses). One form for a one-body answer (a whole completion, a
 * response object, embeddings), one for a stream, whose writer already knows when its client left.
 */
import type { ServerResponse } from 'node:http';
import type { GatewayError } from '../errors.js';
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
  // A client that left while the request was still being checked closed before we listened.
  if (response.destroyed) onClose();
  shutdown?.track(controller);
  return {
    controller,
    release() {
      response.off('close', onClose);
      shutdown?.untrack(controller);
    },
  };
}

/** What {@link abortStreamWhenClientLeaves} hands the handler. */
export interface StreamLeaveAbort {
  /** The run's signal: aborted when the client leaves, or with the shutdown's reason at its deadline. */
  signal: AbortSignal;
  /** The shutdown's error when it is what ended the run. */
  shutdownError(): GatewayError | undefined;
  /** Stops tracking the run in the shutdown; call once the stream is over. */
  release(): void;
}

/**
 * The run signal of a stream whose writer aborts `clientGone` when its client leaves. Without a
 * shutdown that signal is the run's own: no controller per request.
 */
export function abortStreamWhenClientLeaves(
  clientGone: AbortSignal,
  shutdown: ShutdownCut | undefined,
): StreamLeaveAbort {
  if (shutdown === undefined) {
    return { signal: clientGone, shutdownError: () => undefined, release: () => undefined };
  }
  const controller = new AbortController();
  clientGone.addEventListener('abort', () => controller.abort(clientGone.reason), { once: true });
  shutdown.track(controller);
  return {
    signal: controller.signal,
    shutdownError: () => shutdown.errorOf(controller),
    release: () => shutdown.untrack(controller),
  };
}
