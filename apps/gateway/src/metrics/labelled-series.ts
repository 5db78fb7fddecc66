/**
 * Counters and histograms for the per-request path (docs/observability.md#what-it-costs): each
 * label set's series is a plain object the caller keeps, so counting is an addition and observing a
 * bucket search, with no label hashing. prom-client's own `observe`/`inc` hash the label values on
 * every call, even through a `labels()` child: about 1.3 µs each, several per request. These
 * objects are registered on the same prom-client registry (its custom-metric interface: a `get()`
 * that returns the samples), which renders them like its own.
 */
import type { Metric, Registry } from 'prom-client';

/** One sample as prom-client's renderer reads it (`metricName` for a histogram's `_bucket`, `_sum`, `_count`). */
interface Sample {
  labels: Record<string, string>;
  value: number;
  metricName?: string;
}

/** One counter series. */
export interface CounterSeries {
  inc(amount?: number): void;
}

/** One histogram series. */
export interface HistogramSeries {
  observe(value: number): void;
}

/** A metric whose series are looked up by their label values, in `labelNames` order. */
export interface LabelledMetric<Series> {
  /** The series of these label values, created on first use and kept. */
  series(...labelValues: string[]): Series;
}

interface MetricDefinition {
  name: string;
  help: string;
  labelNames: readonly string[];
  registry: Registry;
}

/** Creates a counter and registers it. */
export function createCounter(definition: MetricDefinition): LabelledMetric<CounterSeries> {
  const all = new Map<string, { labels: Record<string, string>; value: number }>();
  register(definition, 'counter', () => [...all.values()].map(({ labels, value }) => ({ labels, value })));
  return {
    series(...labelValues) {
      const key = labelValues.join('\u0000');
      let found = all.get(key);
      if (found === undefined) {
        found = { labels: labelsOf(definition.labelNames, labelValues), value: 0 };
        all.set(key, found);
      }
      const series = found;
      return {
        inc(amount = 1) {
          series.value += amount;
        },
      };
    },
  };
}

/** Creates a histogram with these upper bounds (ascending; `+Inf` is added) and registers it. */
export function createHistogram(
  definition: MetricDefinition & { buckets: readonly number[] },
): LabelledMetric<HistogramSeries> {
  const bounds = definition.buckets;
  const all = new Map<string, { labels: Record<string, string>; counts: Float64Array; sum: number }>();
  const name = definition.name;
  register(definition, 'histogram', () => {
    const values: Sample[] = [];
    for (const { labels, counts, sum } of all.values()) {
      // The text format's buckets are cumulative; each series keeps its own per bucket.
      let cumulative = 0;
      for (let index = 0; index <= bounds.length; index += 1) {
        cumulative += counts[index] as number;
        const le = index === bounds.length ? '+Inf' : String(bounds[index]);
        values.push({ metricName: `${name}_bucket`, labels: { ...labels, le }, value: cumulative });
      }
      values.push({ metricName: `${name}_sum`, labels, value: sum });
      values.push({ metricName: `${name}_count`, labels, value: cumulative });
    }
    return values;
  });
  const seriesOf = (labelValues: string[]): HistogramSeries => {
    const key = labelValues.join('\u0000');
    let found = all.get(key);
    if (found === undefined) {
      found = {
        labels: labelsOf(definition.labelNames, labelValues),
        counts: new Float64Array(bounds.length + 1),
        sum: 0,
      };
      all.set(key, found);
    }
    const series = found;
    return {
      observe(value) {
        let index = 0;
        while (index < bounds.length && value > (bounds[index] as number)) index += 1;
        series.counts[index] = (series.counts[index] as number) + 1;
        series.sum += value;
      },
    };
  };
  return { series: (...labelValues) => seriesOf(labelValues) };
}

function labelsOf(labelNames: readonly string[], labelValues: readonly string[]): Record<string, string> {
  if (labelNames.length !== labelValues.length) {
    throw new TypeError(`expected ${labelNames.length} label values, got ${labelValues.length}`);
  }
  return Object.fromEntries(labelNames.map((labelName, index) => [labelName, labelValues[index] as string]));
}

/** Registers a custom metric: prom-client renders whatever `get()` returns. */
function register(definition: MetricDefinition, type: 'counter' | 'histogram', values: () => Sample[]): void {
  const metric = {
    name: definition.name,
    help: definition.help,
    type,
    aggregator: 'sum',
    get: async () => ({ name: definition.name, help: definition.help, type, aggregator: 'sum', values: values() }),
    reset() {},
  };
  // prom-client types `registerMetric` with its own classes (and `type` as a numeric enum that its
  // run time does not use); rendering needs only `name` and `get()`.
  definition.registry.registerMetric(metric as unknown as Metric<string>);
}
