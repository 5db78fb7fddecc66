/**
 * Added latency at concurrency 1: rounds that alternate direct (client → mock) and gateway
 * (client → gateway → mock) batches, so drift in the machine (frequency, other tenants) hits
 * both sides alike. The figure is the median of the round medians; p99 pools every sample.
 */
import { Pool } from 'undici';
import type { BenchRequest } from './load-generator.js';
import { median, percentile } from './statistics.js';

/** What is timed: the whole non-streaming answer, or the first content chunk of a stream. */
export type LatencyKind = 'complete' | 'first-content';

/** One side (direct or gateway) of a latency comparison. */
export interface LatencyTarget {
  origin: string;
  request: BenchRequest;
}

/** Options of {@link measureAddedLatency}. */
export interface AddedLatencyOptions {
  direct: LatencyTarget;
  gateway: LatencyTarget;
  kind: LatencyKind;
  warmup: number;
  rounds: number;
  perRound: number;
}

/** Summary of one side, in milliseconds. */
export interface LatencySummary {
  medianOfRoundMediansMs: number;
  p99Ms: number;
  roundMediansMs: number[];
  samples: number;
}

/** Both sides and their difference (gateway − direct), in milliseconds. */
export interface AddedLatencyResult {
  kind: LatencyKind;
  direct: LatencySummary;
  gateway: LatencySummary;
  addedMedianMs: number;
  addedP99Ms: number;
}

/**
 * Runs the interleaved rounds and summarises them.
 * @throws Error when any answer is not 200 or a stream has no content chunk
 */
export async function measureAddedLatency(options: AddedLatencyOptions): Promise<AddedLatencyResult> {
  const directPool = new Pool(options.direct.origin, { connections: 1, keepAliveTimeout: 120_000 });
  const gatewayPool = new Pool(options.gateway.origin, { connections: 1, keepAliveTimeout: 120_000 });
  try {
    const time = (pool: Pool, target: LatencyTarget): Promise<number> => timeOne(pool, target.request, options.kind);
    for (let index = 0; index < options.warmup; index++) {
      await time(directPool, options.direct);
      await time(gatewayPool, options.gateway);
    }
    const directRounds: number[][] = [];
    const gatewayRounds: number[][] = [];
    for (let round = 0; round < options.rounds; round++) {
      // Alternate which side goes first so neither always follows the other's GC or timer work.
      const order = round % 2 === 0 ? (['direct', 'gateway'] as const) : (['gateway', 'direct'] as const);
      for (const side of order) {
        const pool = side === 'direct' ? directPool : gatewayPool;
        const target = side === 'direct' ? options.direct : options.gateway;
        const samples: number[] = [];
        for (let index = 0; index < options.perRound; index++) samples.push(await time(pool, target));
        (side === 'direct' ? directRounds : gatewayRounds).push(samples);
      }
    }
    const direct = summarise(directRounds);
    const gateway = summarise(gatewayRounds);
    return {
      kind: options.kind,
      direct,
      gateway,
      addedMedianMs: gateway.medianOfRoundMediansMs - direct.medianOfRoundMediansMs,
      addedP99Ms: gateway.p99Ms - direct.p99Ms,
    };
  } finally {
    await Promise.all([directPool.close(), gatewayPool.close()]);
  }
}

function summarise(rounds: number[][]): LatencySummary {
  const roundMediansMs = rounds.map((samples) => median(samples));
  const all = rounds.flat();
  return {
    medianOfRoundMediansMs: median(roundMediansMs),
    p99Ms: percentile(all, 99),
    roundMediansMs,
    samples: all.length,
  };
}

/** A content delta with at least one character; the role chunk and the usage chunk have none. */
const contentFramePattern = /"content":"[^"]/;

async function timeOne(pool: Pool, request: BenchRequest, kind: LatencyKind): Promise<number> {
  const started = performance.now();
  const response = await pool.request({
    path: request.path,
    method: 'POST',
    headers: request.headers,
    body: request.body,
  });
  if (response.statusCode !== 200) {
    const text = await response.body.text();
    throw new Error(`latency request answered ${response.statusCode}: ${text.slice(0, 200)}`);
  }
  if (kind === 'complete') {
    await response.body.arrayBuffer();
    return performance.now() - started;
  }
  let firstContentMs: number | undefined;
  let pending = '';
  for await (const chunk of response.body) {
    if (firstContentMs !== undefined) continue; // drain the rest without parsing
    pending += (chunk as Buffer).toString('utf8');
    const frames = pending.split('\n\n');
    pending = frames.pop() ?? '';
    if (frames.some((frame) => contentFramePattern.test(frame))) firstContentMs = performance.now() - started;
  }
  if (firstContentMs === undefined) throw new Error('stream ended without a content chunk');
  return firstContentMs;
}
