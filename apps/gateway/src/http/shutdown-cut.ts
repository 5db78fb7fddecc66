/**
 * The shutdown deadline as seen by the routes that run turns: every open run is aborted with the
 * shutdown's reason, so each answers with that error (docs/http-contract.md#6-responses).
 */
import { GatewayError } from '../errors.js';

/** Aborts the open runs when the shutdown signal aborts; see {@link createShutdownCut}. */
export interface ShutdownCut {
  /** Aborts `run` with the shutdown's reason at the deadline (at once when it has passed already). */
  track(run: AbortController): void;
  /** Forgets `run` (it ended). */
  untrack(run: AbortController): void;
  /** The shutdown's error when it is what ended `run`. */
  errorOf(run: AbortController): GatewayError | undefined;
}

/**
 * One listener on the shutdown signal for the whole handler and a set of the open runs: a listener
 * per run on the shared signal would cost O(open runs) to add and to remove (AbortSignal keeps its
 * listeners in a list), while a set entry costs the same with ten runs open or ten thousand.
 */
export function createShutdownCut(signal: AbortSignal): ShutdownCut {
  const open = new Set<AbortController>();
  signal.addEventListener(
    'abort',
    () => {
      for (const run of open) run.abort(signal.reason);
      open.clear();
    },
    { once: true },
  );
  return {
    track(run) {
      if (signal.aborted) run.abort(signal.reason);
      else open.add(run);
    },
    untrack(run) {
      open.delete(run);
    },
    errorOf(run) {
      const reason: unknown = run.signal.reason;
      return signal.aborted && reason === signal.reason && GatewayError.isInstance(reason) ? reason : undefined;
    },
  };
}
