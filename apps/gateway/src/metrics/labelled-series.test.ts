/** The per-request counters and histograms, as prom-client renders them (docs/observability.md#what-it-costs). */
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createCounter, createHistogram } from './labelled-series.js';

describe('labelled series', () => {
  it('renders cumulative buckets, counting a value equal to a bound in that bound (le is ≤)', async () => {
    const registry = new Registry();
    const histogram = createHistogram({
      name: 't_seconds',
      help: 'h',
      labelNames: ['route'],
      buckets: [0.1, 1],
      registry,
    });
    const series = histogram.series('/a');
    for (const value of [0.05, 0.1, 0.5, 2]) series.observe(value);
    histogram.series('/b');
    expect(await registry.metrics()).toBe(
      [
        '# HELP t_seconds h',
        '# TYPE t_seconds histogram',
        't_seconds_bucket{route="/a",le="0.1"} 2',
        't_seconds_bucket{route="/a",le="1"} 3',
        't_seconds_bucket{route="/a",le="+Inf"} 4',
        't_seconds_sum{route="/a"} 2.65',
        't_seconds_count{route="/a"} 4',
        't_seconds_bucket{route="/b",le="0.1"} 0',
        't_seconds_bucket{route="/b",le="1"} 0',
        't_seconds_bucket{route="/b",le="+Inf"} 0',
        't_seconds_sum{route="/b"} 0',
        't_seconds_count{route="/b"} 0',
        '',
      ].join('\n'),
    );
  });

  it('adds up counters per label set, escaping label values as the text format wants', async () => {
    const registry = new Registry();
    const counter = createCounter({ name: 'c_total', help: 'h', labelNames: ['a', 'b'], registry });
    counter.series('x', 'y').inc();
    counter.series('x', 'y').inc(2);
    counter.series('x', 'quote"back\\slash').inc();
    expect(await registry.metrics()).toBe(
      '# HELP c_total h\n# TYPE c_total counter\nc_total{a="x",b="y"} 3\nc_total{a="x",b="quote\\"back\\\\slash"} 1\n',
    );
    expect(() => counter.series('only one')).toThrow(TypeError);
  });
});
