/** Types of the parser's output, which follows prom2json's (https://github.com/prometheus/prom2json). */
declare module 'parse-prometheus-text-format' {
  interface PlainSample {
    value: string;
    labels?: Record<string, string>;
  }
  interface HistogramSample {
    buckets: Record<string, string>;
    count: string;
    sum: string;
    labels?: Record<string, string>;
  }
  interface MetricFamily {
    name: string;
    help: string;
    type: 'COUNTER' | 'GAUGE' | 'HISTOGRAM' | 'SUMMARY' | 'UNTYPED';
    metrics: Array<PlainSample | HistogramSample>;
  }
  export default function parsePrometheusTextFormat(text: string): MetricFamily[];
}
