/**
 * The runner's side of `event-loop-probe.mjs`: start a child with the probe loaded, ask it for the
 * event-loop delay since the last question, and wait for the answer file.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The probe to pass as `node --import <path>`. */
export const EVENT_LOOP_PROBE_PATH = join(dirname(fileURLToPath(import.meta.url)), 'event-loop-probe.mjs');

/** The environment variable naming the file the probe writes its readings to. */
export const EVENT_LOOP_FILE_VARIABLE = 'CLAWGATE_BENCH_EVENT_LOOP_FILE';

/** Event-loop delay of the child since the previous reading, beyond the 10 ms sampling interval. */
export interface EventLoopDelay {
  p99Ms: number;
  maxMs: number;
  meanMs: number;
  /** Samples taken (one per 10 ms of loop time, fewer when the loop was blocked). */
  count: number;
}

/** Asks a probed child for its readings. */
export interface EventLoopReader {
  /** Reads and discards: the next reading covers only what happens from now on. */
  reset(): Promise<void>;
  /** The delay since the last `reset` or `read`. */
  read(): Promise<EventLoopDelay>;
}

/**
 * A reader for the child `pid` that was started with the probe and `file` in its environment.
 * @param timeoutMs - how long to wait for the probe's answer before giving up
 */
export function createEventLoopReader(pid: number, file: string, timeoutMs = 5_000): EventLoopReader {
  let lastSequence = 0;
  const ask = async (): Promise<EventLoopDelay> => {
    process.kill(pid, 'SIGUSR2');
    const deadline = performance.now() + timeoutMs;
    while (performance.now() < deadline) {
      try {
        const reading = JSON.parse(readFileSync(file, 'utf8')) as EventLoopDelay & { sequence: number };
        if (reading.sequence > lastSequence) {
          lastSequence = reading.sequence;
          return { p99Ms: reading.p99Ms, maxMs: reading.maxMs, meanMs: reading.meanMs, count: reading.count };
        }
      } catch {
        // no file yet: the probe has not answered its first signal
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    throw new Error(
      `the event-loop probe in pid ${pid} did not answer within ${timeoutMs} ms (was the child started with --import ${EVENT_LOOP_PROBE_PATH}?)`,
    );
  };
  return {
    reset: async () => {
      await ask();
    },
    read: ask,
  };
}
