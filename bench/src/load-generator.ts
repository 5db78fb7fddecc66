/**
 * Closed-loop load generator on undici's Pool: `concurrency` workers each keep exactly one request
 * in flight over a kept-alive connection, for a fixed time. Closed-loop is what "requests/s at
 * concurrency N" means, and a Pool with one connection per worker avoids head-of-line effects.
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

async function loop(pool: Pool, options: ClosedLoopOptions, durationMs: number): Promise<ClosedLoopResult> {
  const statusCounts: Record<string, number> = {};
  let requests = 0;
  let errors = 0;
  let firstError: string | undefined;
  const started = performance.now();
  const deadline = started + durationMs;

  const worker = async (workerIndex: number): Promise<void> => {
    const request = options.requestFor(workerIndex);
    while (performance.now() < deadline) {
      try {
        const response = await pool.request({
          path: request.path,
          method: 'POST',
          headers: request.headers,
          body: request.body,
        });
        // Read the whole body: an answer only counts once every byte has arrived.
        await response.body.arrayBuffer();
        const key = String(response.statusCode);
        statusCounts[key] = (statusCounts[key] ?? 0) + 1;
        if (response.statusCode !== options.expectStatus) {
          errors++;
          firstError ??= `status ${response.statusCode}`;
        }
      } catch (error) {
        errors++;
        statusCounts.exception = (statusCounts.exception ?? 0) + 1;
        firstError ??= error instanceof Error ? error.message : String(error);
      }
      requests++;
    }
  };

  await Promise.all(Array.from({ length: options.concurrency }, (_, index) => worker(index)));
  const elapsed = performance.now() - started;
  return {
    concurrency: options.concurrency,
    durationMs: Math.round(elapsed),
    requests,
    errors,
    requestsPerSecond: requests / (elapsed / 1000),
    statusCounts,
    ...(firstError === undefined ? {} : { firstError }),
  };
}
