/**
 * Event-loop delay of the process it is loaded into, without touching that process's code:
 * `node --import <this file> <program>`. The runner loads it into the gateway of the stream steps,
 * because a stalled stream is the symptom and a blocked event loop the usual cause; the histogram
 * says which it was.
 *
 * `monitorEventLoopDelay` samples on a libuv timer inside the process (every 10 ms here), so its
 * cost is one timer callback per 10 ms: negligible next to thousands of frames a second. On Node 20
 * it records the whole interval between two timer callbacks (about 10 ms when idle, 110 ms after a
 * 100 ms block), so the resolution is subtracted: the figures are the delay beyond the schedule.
 * On SIGUSR2 it writes `{ sequence, p99Ms, maxMs, meanMs, count, resolutionMs }` of the delays
 * since the last signal to the file named by `CLAWGATE_BENCH_EVENT_LOOP_FILE` (written whole, then
 * renamed, so a reader never sees half a file) and starts over. Without that variable it does
 * nothing.
 *
 * A plain `.mjs` file so it needs no loader in the gateway process.
 */
import { renameSync, writeFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';

const file = process.env.CLAWGATE_BENCH_EVENT_LOOP_FILE;
if (file) {
  const resolutionMs = 10;
  const histogram = monitorEventLoopDelay({ resolution: resolutionMs });
  histogram.enable();
  let sequence = 0;
  /** Nanoseconds of a recorded interval to ms of delay beyond the sampling interval. */
  const delayMs = (nanoseconds) => Math.max(0, Math.round((nanoseconds / 1e6 - resolutionMs) * 1000) / 1000);
  // Signal handles do not keep the process alive, so the gateway still exits as it would without us.
  process.on('SIGUSR2', () => {
    sequence += 1;
    const empty = histogram.count === 0;
    const reading = {
      sequence,
      p99Ms: empty ? 0 : delayMs(histogram.percentile(99)),
      maxMs: empty ? 0 : delayMs(histogram.max),
      meanMs: empty ? 0 : delayMs(histogram.mean),
      count: histogram.count,
      resolutionMs,
    };
    histogram.reset();
    writeFileSync(`${file}.tmp`, JSON.stringify(reading));
    renameSync(`${file}.tmp`, file);
  });
}
