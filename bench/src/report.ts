/** The one table `pnpm bench` prints, and the verdicts that go in it. */

/**
 * Verdict of one row: the flag wins over the target because a mock-bound figure says nothing;
 * `SKIPPED` when what the row needs is not there (Redis) and the run is not CI.
 */
export type RowStatus = 'PASS' | 'MISS' | 'FLAGGED' | 'ERRORS' | 'INFO' | 'SKIPPED';

/** One line of the results table. */
export interface ResultRow {
  measure: string;
  /**
   * What the gateway figure is read against (the `Reference` column): the mock alone for latency
   * and rates (the direct latency, the ceiling), the translating reference relay for CPU rows, the
   * gateway's own stateless figure for stored-session CPU rows. Named `direct` for the results
   * files written before the CPU rows.
   */
  direct: string;
  gateway: string;
  /** Gateway minus direct, or a ratio, depending on the row. */
  delta: string;
  target: string;
  status: RowStatus;
  note?: string;
}

/**
 * Fraction of the mock's ceiling at which a figure is no longer the gateway's: that close to it the
 * harness is the limit, so the row is flagged instead of judged.
 */
export const MOCK_CEILING_FLAG_RATIO = 0.9;

/**
 * The verdict of a figure with a target, flagged when it sits within 10% of the mock's ceiling.
 * @param meetsTarget - whether the figure meets its target
 * @param ceilingBound - whether the figure is within 10% of the mock's ceiling
 * @param errors - errors seen while measuring it
 */
export function verdict(meetsTarget: boolean, ceilingBound = false, errors = 0): RowStatus {
  if (errors > 0) return 'ERRORS';
  if (ceilingBound) return 'FLAGGED';
  return meetsTarget ? 'PASS' : 'MISS';
}

/** Renders rows as a fixed-width text table. */
export function formatTable(rows: readonly ResultRow[]): string {
  const header = ['Measure', 'Reference', 'Gateway', 'Added / ratio', 'Target', 'Status'];
  const cells = rows.map((row) => [row.measure, row.direct, row.gateway, row.delta, row.target, row.status]);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...cells.map((line) => line[column]?.length ?? 0)),
  );
  const line = (values: readonly string[]): string =>
    values.map((value, column) => value.padEnd(widths[column] ?? 0)).join(' | ');
  const rule = widths.map((width) => '-'.repeat(width)).join('-|-');
  const notes = rows.filter((row) => row.note !== undefined).map((row) => `  ${row.measure}: ${row.note}`);
  return [line(header), rule, ...cells.map(line), ...(notes.length > 0 ? ['', 'Notes:', ...notes] : [])].join('\n');
}

/** Milliseconds with two decimals. */
export function formatMs(value: number): string {
  return `${value.toFixed(2)} ms`;
}

/** CPU time given in ms, as whole microseconds (one decimal below 100 µs, for per-frame figures). */
export function formatMicroseconds(ms: number): string {
  const microseconds = ms * 1000;
  return `${microseconds < 100 ? microseconds.toFixed(1) : Math.round(microseconds).toLocaleString('en-US')} µs`;
}

/** A ratio as `1.23x`. */
export function formatRatio(value: number): string {
  return `${value.toFixed(2)}x`;
}

/** A fraction as a whole percentage: `0.97` → `97%`. */
export function formatPercent(fraction: number): string {
  return `${Math.round(fraction * 100)}%`;
}

/** Requests per second, whole. */
export function formatRate(value: number): string {
  return `${Math.round(value).toLocaleString('en-US')} req/s`;
}

/** Bytes as decimal MB (10^6): the stricter reading of the "60 MB" (MiB would flatter by 5%). */
export function formatMegabytes(bytes: number | undefined): string {
  return bytes === undefined ? 'n/a' : `${(bytes / 1_000_000).toFixed(1)} MB`;
}
