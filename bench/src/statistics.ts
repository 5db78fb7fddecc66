/** Small order statistics; nearest-rank percentiles so a reported p99 is a latency that happened. */

/**
 * The p-th percentile (0-100) of the samples by nearest rank.
 * @param samples - unsorted values; not modified
 * @param percent - 0..100
 * @throws RangeError when there are no samples
 */
export function percentile(samples: readonly number[], percent: number): number {
  if (samples.length === 0) throw new RangeError('percentile of no samples');
  const sorted = [...samples].sort((left, right) => left - right);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((percent / 100) * sorted.length)));
  return sorted[rank - 1] as number;
}

/**
 * The median (p50 by nearest rank) of the samples.
 * @throws RangeError when there are no samples
 */
export function median(samples: readonly number[]): number {
  return percentile(samples, 50);
}

/** Rounds to a fixed number of decimals for tables and JSON. */
export function round(value: number, decimals = 3): number {
  const factor = 10 ** decimals;
  return Math.round(value * factor) / factor;
}
