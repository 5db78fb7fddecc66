/**
 * The measured phase of a closed loop with a fixed count: `concurrency` workers each send their
 * requests (HTTP requests, WebSocket turns or connections) one after another, first a warm-up that
 * is counted apart and dropped, then the measured ones, bracketed by the hooks where CPU readings go.
 * Every outcome is counted in a tally shared by the workers, never thrown.
 */
import type { ClosedLoopResult } from './load-generator.js';

/** What a fixed-count closed loop is asked to run. */
export interface MeasuredPhaseOptions {
  /** Workers, each with one request in flight. */
  concurrency: number;
  /** Requests each worker sends before the measured phase (not counted). */
  warmupPerWorker: number;
  /**
   * Requests each worker sends in the measured phase. Per worker rather than in total, so with one
   * session per worker every stored session gets exactly this many turns.
   */
  measuredPerWorker: number;
  /**
   * Called once every warm-up answer is in and before the first measured request, and again right
   * after the last measured answer: where a CPU reading of the server goes.
   */
  onMeasuredStart?: () => void;
  onMeasuredEnd?: () => void;
}

/** Counters of one phase, shared by its workers (the shape {@link ClosedLoopResult} reports). */
export interface Tally {
  requests: number;
  errors: number;
  statusCounts: Record<string, number>;
  firstError?: string;
}

export const newTally = (): Tally => ({ requests: 0, errors: 0, statusCounts: {} });

/** Counts one request under `outcome` (a status code, `ok`, `exception`…); an `error` text makes it an error. */
export function countOutcome(tally: Tally, outcome: string, error?: string): void {
  tally.requests++;
  tally.statusCounts[outcome] = (tally.statusCounts[outcome] ?? 0) + 1;
  if (error !== undefined) {
    tally.errors++;
    tally.firstError ??= error;
  }
}

export function summariseTally(tally: Tally, concurrency: number, elapsedMs: number): ClosedLoopResult {
  return {
    concurrency,
    durationMs: Math.round(elapsedMs),
    requests: tally.requests,
    errors: tally.errors,
    requestsPerSecond: tally.requests / (elapsedMs / 1000),
    statusCounts: tally.statusCounts,
    ...(tally.firstError === undefined ? {} : { firstError: tally.firstError }),
  };
}

/**
 * Runs the warm-up, then the measured phase between the hooks.
 * @param sendOne - sends one request of worker `worker` and counts its outcome in `tally`
 * @returns the measured phase only
 */
export async function warmUpThenMeasure(
  options: MeasuredPhaseOptions,
  sendOne: (worker: number, tally: Tally) => Promise<void>,
): Promise<ClosedLoopResult> {
  const phase = async (perWorker: number, tally: Tally): Promise<void> => {
    await Promise.all(
      Array.from({ length: options.concurrency }, async (_, worker) => {
        for (let sent = 0; sent < perWorker; sent++) await sendOne(worker, tally);
      }),
    );
  };
  await phase(options.warmupPerWorker, newTally());
  const tally = newTally();
  options.onMeasuredStart?.();
  const started = performance.now();
  await phase(options.measuredPerWorker, tally);
  const elapsed = performance.now() - started;
  options.onMeasuredEnd?.();
  return summariseTally(tally, options.concurrency, elapsed);
}
