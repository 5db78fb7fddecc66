/**
 * Holds a stream's headers until its run has something to say (docs/http-contract.md#streaming-response):
 * a run that fails before its first piece (an upstream that is down, a busy session, a 429 passed on)
 * is then answered with its real status and JSON error body, as without `stream: true`, instead of
 * `200` and an error frame. The hold ends at the first piece, or when the heartbeat interval passes,
 * so idle proxies still see bytes in time.
 */

/** What {@link holdStreamStart} returns. */
export interface StreamStartHold {
  /** True once the headers went out. */
  readonly started: boolean;
  /** Sends the headers and opening frames now (once; later calls do nothing). */
  start(): void;
  /** Stops waiting without starting (the run ended before any piece). */
  release(): void;
}

/**
 * Calls `start` at the first {@link StreamStartHold.start} call, or after `maxHoldMs`.
 *
 * @param start - Writes the stream's headers and opening frames.
 * @param maxHoldMs - The longest wait (`gateway.http.sseHeartbeatMs`).
 * @example
 * const hold = holdStreamStart(() => writer.start(), 15_000);
 * const sink = { text: (piece) => { if (!hold.started) hold.start(); return writer.writeFrame(…); } };
 */
export function holdStreamStart(start: () => void, maxHoldMs: number): StreamStartHold {
  let started = false;
  const begin = (): void => {
    if (started) return;
    started = true;
    clearTimeout(timer);
    start();
  };
  const timer = setTimeout(begin, maxHoldMs);
  // The hold alone must never keep the process alive.
  timer.unref();
  return {
    get started() {
      return started;
    },
    start: begin,
    release: () => clearTimeout(timer),
  };
}
