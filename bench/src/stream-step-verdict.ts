/**
 * The verdict on a step of concurrent paced streams, the same for HTTP streams and WebSocket turns:
 * each stream's arrivals are timed (time to the first byte, longest pause between two arrivals) and
 * the step holds when every stream completed and none waited longer than the stall limit.
 */

/** How one stream ended and how its arrivals were spaced. */
export interface StreamOutcome {
  status: 'complete' | 'error' | 'incomplete';
  maxGapMs: number;
  /** `performance.now()` when the largest gap ended (0 when there was no gap). */
  maxGapEndedAt: number;
  firstByteMs: number;
  error?: string;
}

/** Times the arrivals on one stream, from the moment its request is sent. */
export class ArrivalTimer {
  private sentAt = performance.now();
  private lastArrival = 0;
  private firstByteMs = 0;
  private maxGapMs = 0;
  private maxGapEndedAt = 0;
  /** Whether {@link markSent} was called: arrivals before it are none of this stream's. */
  sent = false;

  markSent(): void {
    this.sentAt = performance.now();
    this.sent = true;
  }

  arrived(): void {
    const now = performance.now();
    if (this.lastArrival === 0) this.firstByteMs = now - this.sentAt;
    else if (now - this.lastArrival > this.maxGapMs) {
      this.maxGapMs = now - this.lastArrival;
      this.maxGapEndedAt = now;
    }
    this.lastArrival = now;
  }

  outcome(status: StreamOutcome['status'], error?: string): StreamOutcome {
    return {
      status,
      maxGapMs: this.maxGapMs,
      maxGapEndedAt: this.maxGapEndedAt,
      firstByteMs: this.firstByteMs,
      ...(error === undefined ? {} : { error }),
    };
  }
}

/** Outcome of one step. */
export interface StreamStepVerdict {
  streams: number;
  ok: boolean;
  completeStreams: number;
  erroredStreams: number;
  stalledStreams: number;
  incompleteStreams: number;
  /** Largest gap between two arrivals on any stream (after the first byte), ms. */
  maxGapMs: number;
  /** When the largest gap ended, in ms from the first request of the step (tells ramp from steady state). */
  maxGapEndedAtMs: number;
  /** Largest time from sending the request to the first byte of the answer, ms. */
  maxFirstByteMs: number;
  firstError?: string;
}

/**
 * Folds the streams' outcomes into the step's verdict.
 * @param step - the streams asked for, when the step started (`performance.now()`) and the stall limit
 * @param measures - the caller's timings of the step (connect time…), placed before `firstError`
 */
function summarizeStreamOutcomes<Measures extends object>(
  outcomes: readonly StreamOutcome[],
  step: { streams: number; startedAt: number; maxGapMs: number },
  measures: Measures,
): StreamStepVerdict & Measures {
  let maxGapMs = 0;
  let maxGapEndedAtMs = 0;
  let maxFirstByteMs = 0;
  let completeStreams = 0;
  let erroredStreams = 0;
  let stalledStreams = 0;
  let incompleteStreams = 0;
  let firstError: string | undefined;
  for (const outcome of outcomes) {
    if (outcome.maxGapMs > maxGapMs) maxGapEndedAtMs = outcome.maxGapEndedAt - step.startedAt;
    maxGapMs = Math.max(maxGapMs, outcome.maxGapMs);
    maxFirstByteMs = Math.max(maxFirstByteMs, outcome.firstByteMs);
    if (outcome.status === 'complete') completeStreams++;
    if (outcome.status === 'error') erroredStreams++;
    if (outcome.status === 'incomplete') incompleteStreams++;
    // A stream that waited longer than a gap for its first byte was queued, not served: stalled too.
    if (outcome.maxGapMs > step.maxGapMs || outcome.firstByteMs > step.maxGapMs) stalledStreams++;
    firstError ??= outcome.error;
  }
  return {
    streams: step.streams,
    ok: completeStreams === step.streams && stalledStreams === 0,
    completeStreams,
    erroredStreams,
    stalledStreams,
    incompleteStreams,
    maxGapMs,
    maxGapEndedAtMs,
    maxFirstByteMs,
    ...measures,
    ...(firstError === undefined ? {} : { firstError }),
  };
}

/** The verdict on a step that never started: not every stream could be connected. */
export function connectFailedStep<Measures extends object>(
  streams: number,
  connected: number,
  error: string,
  measures: Measures,
): StreamStepVerdict & Measures {
  return {
    ...summarizeStreamOutcomes([], { streams, startedAt: 0, maxGapMs: 0 }, measures),
    ok: false,
    erroredStreams: streams - connected,
    firstError: `connect: ${error}`,
  };
}

/** What every step of paced streams is asked for, whatever carries the streams. */
export interface PacedStepOptions {
  streams: number;
  /** Longest allowed pause between two arrivals on one stream, and to the first, in ms. */
  maxGapMs: number;
  /** Hard bound for the whole step. */
  timeoutMs: number;
  /**
   * Requests are sent evenly over this many ms, so all N streams are open together for the rest of
   * each stream's life instead of N set-ups landing in one instant. @defaultValue 640
   */
  rampMs?: number;
  /** Right before the first stream is started and right after the last has ended (CPU readings). */
  onStepStart?: () => void;
  onStepEnd?: () => void;
}

/**
 * Runs one step on streams already connected: each is started by `runOne` after its place on the
 * ramp, all are bounded by `timeoutMs`, and their outcomes are folded into the verdict.
 * @param runOne - starts stream `index` after `delayMs` and settles by the time `timedOut` resolves
 * @param measures - the caller's timings given the step's wall time, placed before `firstError`
 */
export async function holdStreams<Handle, Measures extends object>(
  handles: readonly Handle[],
  options: PacedStepOptions,
  runOne: (handle: Handle, index: number, timedOut: Promise<void>, delayMs: number) => Promise<StreamOutcome>,
  measures: (stepMs: number) => Measures,
): Promise<StreamStepVerdict & Measures> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, options.timeoutMs);
  });
  const rampMs = options.rampMs ?? 640;
  options.onStepStart?.();
  const startedAt = performance.now();
  const outcomes = await Promise.all(
    handles.map((handle, index) => runOne(handle, index, timedOut, (index * rampMs) / handles.length)),
  );
  const stepMs = performance.now() - startedAt;
  options.onStepEnd?.();
  clearTimeout(timer);
  return summarizeStreamOutcomes(
    outcomes,
    { streams: options.streams, startedAt, maxGapMs: options.maxGapMs },
    measures(stepMs),
  );
}
