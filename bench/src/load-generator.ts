/**
 * Closed-loop load generator on undici's Pool: `concurrency` workers each keep exactly one request
 * in flight over a kept-alive connection, for a fixed time ({@link runClosedLoop}: requests/s) or a
 * fixed count ({@link runFixedCount}: the window a CPU reading brackets). Closed-loop is what
 * "requests/s at concurrency N" means, and a Pool with one connection per worker avoids
 * head-of-line effects.
 */
import { Pool } from 'undici';
import {
  countOutcome,
  type MeasuredPhaseOptions,
  newTally,
  summariseTally,
  type Tally,
  warmUpThenMeasure,
} from './closed-loop-phase.js';

/** One request as the generator sends it; bodies are pre-serialised strings. */
export interface BenchRequest {
  path: string;
  headers: Record<string, string>;
  body: string;
}

/** Options of {@link runClosedLoop}. */
export interface ClosedLoopOptions {
  origin: string;
  concurrency: number;
  /** Measured time; a warm-up of `warmupMs` runs first and is not counted. */
  durationMs: number;
  warmupMs: number;
  /** Builds the request of one worker; called once per worker, so a worker keeps its `user`. */
  requestFor: (workerIndex: number) => BenchRequest;
  /** Status every answer must have; anything else is an error. */
  expectStatus: number;
}

/** Outcome of one closed-loop run. */
export interface ClosedLoopResult {
  concurrency: number;
  durationMs: number;
  requests: number;
  errors: number;
  requestsPerSecond: number;
  statusCounts: Record<string, number>;
  firstError?: string;
}

/**
 * Runs the warm-up, then the measured phase, and closes the pool.
 * @param options - see {@link ClosedLoopOptions}
 */
export async function runClosedLoop(options: ClosedLoopOptions): Promise<ClosedLoopResult> {
  const pool = openPool(options.origin, options.concurrency);
  try {
    await loop(pool, options, options.warmupMs);
    return await loop(pool, options, options.durationMs);
  } finally {
    await pool.close();
  }
}

/** One kept-alive connection per worker, one request at a time on each. */
function openPool(origin: string, connections: number): Pool {
  return new Pool(origin, { connections, pipelining: 1, keepAliveTimeout: 120_000, keepAliveMaxTimeout: 120_000 });
}

/** Sends one request and reads the whole answer; every failure is counted, never thrown. */
async function sendOne(
  pool: Pool,
  request: BenchRequest,
  expectStatus: number,
  expectBodySuffix: Buffer | undefined,
  tally: Tally,
): Promise<void> {
  try {
    const response = await pool.request({
      path: request.path,
      method: 'POST',
      headers: request.headers,
      body: request.body,
    });
    // Read the whole body: an answer only counts once every byte has arrived.
    const body = await response.body.arrayBuffer();
    const problem =
      response.statusCode !== expectStatus
        ? `status ${response.statusCode}`
        : expectBodySuffix !== undefined && !endsWith(body, expectBodySuffix)
          ? `answer did not end with ${JSON.stringify(expectBodySuffix.toString('utf8'))}`
          : undefined;
    countOutcome(tally, String(response.statusCode), problem);
  } catch (error) {
    countOutcome(tally, 'exception', error instanceof Error ? error.message : String(error));
  }
}

function endsWith(body: ArrayBuffer, suffix: Buffer): boolean {
  return body.byteLength >= suffix.length && Buffer.from(body, body.byteLength - suffix.length).equals(suffix);
}

async function loop(pool: Pool, options: ClosedLoopOptions, durationMs: number): Promise<ClosedLoopResult> {
  const tally = newTally();
  const started = performance.now();
  const deadline = started + durationMs;
  const worker = async (workerIndex: number): Promise<void> => {
    const request = options.requestFor(workerIndex);
    while (performance.now() < deadline) await sendOne(pool, request, options.expectStatus, undefined, tally);
  };
  await Promise.all(Array.from({ length: options.concurrency }, (_, index) => worker(index)));
  return summariseTally(tally, options.concurrency, performance.now() - started);
}

/** Options of {@link runFixedCount}. */
export interface FixedCountOptions extends MeasuredPhaseOptions {
  origin: string;
  requestFor: (workerIndex: number) => BenchRequest;
  expectStatus: number;
  /** How every answer must end (`data: [DONE]\n\n` for streams); a cut-off answer is an error. */
  expectBodySuffix?: string;
}

/**
 * Sends a fixed number of requests per worker after a warm-up on the same connections, and closes
 * the pool.
 * @param options - see {@link FixedCountOptions}
 * @returns the measured phase only
 */
export async function runFixedCount(options: FixedCountOptions): Promise<ClosedLoopResult> {
  const pool = openPool(options.origin, options.concurrency);
  const suffix = options.expectBodySuffix === undefined ? undefined : Buffer.from(options.expectBodySuffix);
  // Built once per worker, so a worker keeps its `user` and the measured loop only sends.
  const requests = Array.from({ length: options.concurrency }, (_, worker) => options.requestFor(worker));
  try {
    return await warmUpThenMeasure(options, (worker, tally) =>
      sendOne(pool, requests[worker] as BenchRequest, options.expectStatus, suffix, tally),
    );
  } finally {
    await pool.close();
  }
}
