/**
 * Reads a `/metrics` answer the way a scraper does: parsed by a real Prometheus text-format parser,
 * then looked up by metric name and exact label set.
 *
 * That parser (parse-prometheus-text-format 1.1.1) merges the series of a labelled histogram and
 * drops their `_count` and `_sum`, so histogram samples are read from those two lines here instead;
 * `promtool check metrics` (Prometheus' own parser) checks the whole text in the tests that have it.
 */
import parsePrometheusTextFormat from 'parse-prometheus-text-format';

type Families = ReturnType<typeof parsePrometheusTextFormat>;

/** A parsed scrape with lookups. */
export interface Scrape {
  text: string;
  families: Families;
  /** The value of the counter or gauge sample whose labels are exactly `labels`; undefined when absent. */
  value(name: string, labels?: Record<string, string>): number | undefined;
  /** A histogram sample's count and sum; undefined when absent. */
  histogram(name: string, labels?: Record<string, string>): { count: number; sum: number } | undefined;
}

/** Parses Prometheus text. */
export function parseScrape(text: string): Scrape {
  const families = parsePrometheusTextFormat(text);
  const sample = (name: string, labels: Record<string, string>) => {
    const family = families.find((candidate) => candidate.name === name);
    return family?.metrics.find((metric) => sameLabels(metric.labels ?? {}, labels));
  };
  return {
    text,
    families,
    value(name, labels = {}) {
      const found = sample(name, labels);
      return found !== undefined && 'value' in found ? Number(found.value) : undefined;
    },
    histogram(name, labels = {}) {
      const count = seriesValue(text, `${name}_count`, labels);
      const sum = seriesValue(text, `${name}_sum`, labels);
      return count === undefined || sum === undefined ? undefined : { count, sum };
    },
  };
}

/** GETs `url` and parses the answer, which must be a 200 in Prometheus' text format. */
export async function scrape(url: string, headers: Record<string, string> = {}): Promise<Scrape> {
  const response = await fetch(url, { headers });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`scrape answered ${response.status}: ${text}`);
  const contentType = response.headers.get('content-type') ?? '';
  if (!contentType.startsWith('text/plain; version=0.0.4')) throw new Error(`scrape content-type ${contentType}`);
  return parseScrape(text);
}

/** The value of the sample line `<name>{<labels>} <value>` whose labels are exactly `labels` (any order). */
function seriesValue(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (match === null || match[1] !== name) continue;
    const found: Record<string, string> = {};
    for (const pair of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
      found[pair[1] as string] = pair[2] as string;
    }
    if (sameLabels(found, labels)) return Number(match[3]);
  }
  return undefined;
}

function sameLabels(actual: Record<string, string>, expected: Record<string, string>): boolean {
  const keys = Object.keys(actual);
  return keys.length === Object.keys(expected).length && keys.every((key) => actual[key] === expected[key]);
}
