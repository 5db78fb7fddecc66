/**
 * Renders a results file as the Markdown table that BENCHMARKS.md publishes, so the published
 * figures are copied by a program, not by hand (rows of every kind, old files included):
 * `node --import tsx src/render-markdown.ts results/<date>.json`.
 */
import { readFileSync } from 'node:fs';
import type { ResultRow } from './report.js';

interface ResultsFile {
  date: string;
  mode: string;
  profiled: boolean;
  durationSeconds: number;
  machine: {
    cpuModel: string;
    cores: number;
    cpuMhz?: number;
    totalMemoryBytes: number;
    kernel: string;
    node: string;
    loadAverageAtStart: number[];
  };
  loadAverageAtEnd: number[];
  pinning: { pinned: boolean; gatewayCore: number | null; mockCore: number | null };
  /** Absent in files written before the CPU rows. */
  repository?: { commit: string | null; dirty: boolean | null };
  settings?: { gatewayLogLevel?: string };
  /** Each CPU section records the clock tick; a `--only` run may have any one of them. */
  results?: Partial<Record<'cpu' | 'ws' | 'responses', { clockTickMs?: number }>>;
  rows: ResultRow[];
}

const file = process.argv[2];
if (file === undefined) {
  process.stderr.write('usage: render-markdown <results.json>\n');
  process.exit(2);
}
const results = JSON.parse(readFileSync(file, 'utf8')) as ResultsFile;
const machine = results.machine;
const clockTick =
  results.results?.cpu?.clockTickMs ?? results.results?.ws?.clockTickMs ?? results.results?.responses?.clockTickMs;
const lines = [
  `Run of ${results.date} (${results.mode}${results.profiled ? ', profiled' : ''}, ${results.durationSeconds} s), \`bench/results/${file.split('/').pop()}\`.`,
  `Machine: ${machine.cpuModel}${machine.cpuMhz ? ` at ${machine.cpuMhz} MHz` : ''}, ${machine.cores} cores, ${(machine.totalMemoryBytes / 1e9).toFixed(0)} GB RAM, Linux ${machine.kernel}, Node ${machine.node.replace(/^v/, '')}; ` +
    `pinning: ${results.pinning.pinned ? `gateway on core ${results.pinning.gatewayCore}, mock and load generator on core ${results.pinning.mockCore}` : 'none'}; ` +
    `load average ${machine.loadAverageAtStart[0]} before, ${results.loadAverageAtEnd[0]} after.`,
  ...(results.repository === undefined
    ? []
    : [
        `Code: commit \`${results.repository.commit ?? 'unknown'}\`${results.repository.dirty ? ' with uncommitted changes (the figures belong to no commit)' : ''}; ` +
          `gateway logging \`${results.settings?.gatewayLogLevel ?? 'unknown'}\`${clockTick === undefined ? '' : `; CPU clock tick ${clockTick} ms`}.`,
      ]),
  '',
  // Files before the CPU rows had only the mock in this column; both headers fit them.
  `| measure | ${results.repository === undefined ? 'direct (mock)' : 'reference'} | gateway | added / ratio | target | status |`,
  '| --- | --- | --- | --- | --- | --- |',
  ...results.rows.map(
    (row) => `| ${row.measure} | ${row.direct} | ${row.gateway} | ${row.delta} | ${row.target} | ${row.status} |`,
  ),
];
const notes = results.rows.filter((row) => row.note !== undefined);
if (notes.length > 0) lines.push('', ...notes.map((row) => `- ${row.measure}: ${row.note}`));
process.stdout.write(`${lines.join('\n')}\n`);
