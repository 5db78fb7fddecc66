/**
 * Closed-loop load generator on undici's Pool: `concurrency` workers each keep exactly one request
 * in flight over a kept-alive connection, for a fixed time ({@link runClosedLoop}: requests/s) or a
 * fixed count ({@link runFixedCount}: the window a CPU reading brackets). Closed-loop is what
 * "requests/s at concurrency N" means, and a Pool with one connection per worker avoids
 * head-of-line effects.
 */
import { Pool } from 'undici';

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
  const pool = new Pool(options.origin, {
    connections: options.concurrency,
    pipelining: 1,
    keepAliveTimeout: 120_000,
    keepAliveMaxTimeout: 120_000,
  });
  try {
    await loop(pool, options, options.warmupMs);
    return await loop(pool, options, options.durationMs);
  } finally {
    await pool.close();
  }
}

/** Counters of one phase, shared by its workers. */
interface Tally {
  requests: number;
  errors: number;
  statusCounts: Record<string, number>;
  firstError?: string;
}

const newTally = (): Tally => ({ requests: 0, errors: 0, statusCounts: {} });

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
    const key = String(response.statusCode);
    tally.statusCounts[key] = (tally.statusCounts[key] ?? 0) + 1;
    if (response.statusCode !== expectStatus) {
      tally.errors++;
      tally.firstError ??= `status ${response.statusCode}`;
    } else if (expectBodySuffix !== undefined && !endsWith(body, expectBodySuffix)) {
      tally.errors++;
      tally.firstError ??= `answer did not end with ${JSON.stringify(expectBodySuffix.toString('utf8'))}`;
    }
  } catch (error) {
    tally.errors++;
    tally.statusCounts.exception = (tally.statusCounts.exception ?? 0) + 1;
    tally.firstError ??= error instanceof Error ? error.message : String(error);
  }
  tally.requests++;
}

function endsWith(body: ArrayBuffer, suffix: Buffer): boolean {
  return body.byteLength >= suffix.length && Buffer.from(body, body.byteLength - suffix.length).equals(suffix);
}

function summarise(tally: Tally, concurrency: number, elapsedMs: number): ClosedLoopResult {
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

async function loop(pool: Pool, options: ClosedLoopOptions, durationMs: number): Promise<ClosedLoopResult> {
  const tally = newTally();
  const started = performance.now();
  const deadline = started + durationMs;
  const worker = async (workerIndex: number): Promise<void> => {
    const request = options.requestFor(workerIndex);
    while (performance.now() < deadline) await sendOne(pool, request, options.expectStatus, undefined, tally);
  };
  await Promise.all(Array.from({ length: options.concurrency }, (_, index) => worker(index)));
  return summarise(tally, options.concurrency, performance.now() - started);
}

/** Options of {@link runFixedCount}. */
export interface FixedCountOptions {
  origin: string;
  concurrency: number;
  /** Requests each worker sends before the measured phase (not counted). */
  warmupPerWorker: number;
  /**
   * Requests each worker sends in the measured phase. Per worker rather than in total, so with one
   * `user` per worker every stored session gets exactly this many turns.
   */
  measuredPerWorker: number;
  requestFor: (workerIndex: number) => BenchRequest;
  expectStatus: number;
  /** How every answer must end (`data: [DONE]\n\n` for streams); a cut-off answer is an error. */
  expectBodySuffix?: string;
  /**
   * Called once every warm-up answer is in and before the first measured request, and again right
   * after the last measured answer: where a CPU reading of the server goes.
   */
  onMeasuredStart?: () => void;
  onMeasuredEnd?: () => void;
}

/**
 * Sends a fixed number of requests per worker after a warm-up on the same connections, and closes
 * the pool.
 * @param options - see {@link FixedCountOptions}
 * @returns the measured phase only
 */
export async function runFixedCount(options: FixedCountOptions): Promise<ClosedLoopResult> {
  const pool = new Pool(options.origin, {
    connections: options.concurrency,
    pipelining: 1,
    keepAliveTimeout: 120_000,
    keepAliveMaxTimeout: 120_000,
  });
  const suffix = options.expectBodySuffix === undefined ? undefined : Buffer.from(options.expectBodySuffix);
  const phase = async (perWorker: number, tally: Tally): Promise<void> => {
    const worker = async (workerIndex: number): Promise<void> => {
      const request = options.requestFor(workerIndex);
      for (let sent = 0; sent < perWorker; sent++) await sendOne(pool, request, options.expectStatus, suffix, tally);
    };
    await Promise.all(Array.from({ length: options.concurrency }, (_, index) => worker(index)));
  };
  try {
    await phase(options.warmupPerWorker, newTally());
    const tally = newTally();
    options.onMeasuredStart?.();
    const started = performance.now();
    await phase(options.measuredPerWorker, tally);
    const elapsed = performance.now() - started;
    options.onMeasuredEnd?.();
    return summarise(tally, options.concurrency, elapsed);
  } finally {
    await pool.close();
  }
}
