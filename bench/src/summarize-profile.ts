/**
 * Reads a V8 `.cpuprofile` (from `node --cpu-prof`) and lists the functions with the most self
 * time, grouped by function, file and line. Run it alone on any profile:
 * `node --import tsx src/summarize-profile.ts <file.cpuprofile> [count]`.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** One line of the summary. */
export interface ProfileFrame {
  frame: string;
  selfPercent: number;
  selfMs: number;
}

/** Summary of one profile file. */
export interface ProfileSummary {
  file: string;
  totalMs: number;
  /** Share of samples in which the process was idle (waiting on I/O). */
  idlePercent: number;
  top: ProfileFrame[];
  /** Self time grouped by where the code lives (a package, the gateway, Node's internals, GC). */
  byModule: ProfileFrame[];
  /** Time with the function anywhere on the stack (its callees included), gateway and workspace code only. */
  inclusive: ProfileFrame[];
}

/** The package or area a script URL belongs to, for the by-module view. */
function moduleOf(url: string, functionName: string): string {
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  if (url.startsWith('node:')) return 'node internals';
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0) {
    const parts = url.slice(modules + 'node_modules/'.length).split('/');
    return parts[0]?.startsWith('@') ? `${parts[0]}/${parts[1]}` : (parts[0] ?? url);
  }
  const workspace = url.match(/\/(packages\/[^/]+|apps\/[^/]+)\//);
  return workspace?.[1] ?? url;
}

/** Shortens `file:///…/node_modules/.pnpm/express@5/node_modules/express/lib/x.js` to `express/lib/x.js`. */
function shortUrl(url: string): string {
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0) return url.slice(modules + 'node_modules/'.length);
  const apps = url.indexOf('/apps/');
  if (apps >= 0) return url.slice(apps + 1);
  return url.replace(/^file:\/\//, '') || '(native)';
}

/**
 * Aggregates self time per function.
 * @param path - a `.cpuprofile` file
 * @param count - how many frames to keep
 * @throws Error when the file is not a CPU profile
 */
export function summariseProfile(path: string, count = 25): ProfileSummary {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
  if (!Array.isArray(profile.nodes) || !Array.isArray(profile.samples)) throw new Error(`${path} is not a .cpuprofile`);
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfMicros = new Map<string, number>();
  const moduleMicros = new Map<string, number>();
  let totalMicros = 0;
  let idleMicros = 0;
  profile.samples.forEach((id, index) => {
    const delta = profile.timeDeltas[index] ?? 0;
    totalMicros += delta;
    const frame = byId.get(id)?.callFrame;
    if (frame === undefined) return;
    if (frame.functionName === '(idle)') idleMicros += delta;
    const key = `${frame.functionName || '(anonymous)'} ${shortUrl(frame.url)}:${frame.lineNumber + 1}`;
    selfMicros.set(key, (selfMicros.get(key) ?? 0) + delta);
    const area = moduleOf(frame.url, frame.functionName);
    moduleMicros.set(area, (moduleMicros.get(area) ?? 0) + delta);
  });
  const busyMicros = Math.max(1, totalMicros - idleMicros);
  const top = [...selfMicros]
    .filter(([key]) => !key.startsWith('(idle)'))
    .sort((left, right) => right[1] - left[1])
    .slice(0, count)
    .map(([frame, micros]) => ({ frame, selfMs: Math.round(micros / 1000), selfPercent: (micros / busyMicros) * 100 }));
  // Inclusive time: walk each sample's stack once; a recursive frame counts once per sample.
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
  const inclusiveMicros = new Map<string, number>();
  profile.samples.forEach((id, index) => {
    const delta = profile.timeDeltas[index] ?? 0;
    const seen = new Set<string>();
    for (let current: number | undefined = id; current !== undefined; current = parentOf.get(current)) {
      const frame = byId.get(current)?.callFrame;
      if (frame === undefined || !/\/(apps|packages)\//.test(frame.url) || frame.url.includes('node_modules')) continue;
      const key = `${frame.functionName || '(anonymous)'} ${shortUrl(frame.url)}:${frame.lineNumber + 1}`;
      if (seen.has(key)) continue;
      seen.add(key);
      inclusiveMicros.set(key, (inclusiveMicros.get(key) ?? 0) + delta);
    }
  });
  const inclusive = [...inclusiveMicros]
    .sort((left, right) => right[1] - left[1])
    .slice(0, count)
    .map(([frame, micros]) => ({ frame, selfMs: Math.round(micros / 1000), selfPercent: (micros / busyMicros) * 100 }));
  const byModule = [...moduleMicros]
    .filter(([area]) => area !== '(idle)')
    .sort((left, right) => right[1] - left[1])
    .map(([frame, micros]) => ({ frame, selfMs: Math.round(micros / 1000), selfPercent: (micros / busyMicros) * 100 }));
  return {
    byModule,
    inclusive,
    file: basename(path),
    totalMs: Math.round(totalMicros / 1000),
    idlePercent: (idleMicros / Math.max(1, totalMicros)) * 100,
    top,
  };
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const [file, count] = process.argv.slice(2);
  if (file === undefined) {
    process.stderr.write('usage: summarize-profile <file.cpuprofile> [count]\n');
    process.exit(2);
  }
  const summary = summariseProfile(file, Number(count ?? 30));
  process.stdout.write(
    `${summary.file}: ${summary.totalMs} ms sampled, ${summary.idlePercent.toFixed(1)}% idle; self time of busy time:\n`,
  );
  for (const frame of summary.top)
    process.stdout.write(
      `${frame.selfPercent.toFixed(1).padStart(5)}%  ${String(frame.selfMs).padStart(6)} ms  ${frame.frame}\n`,
    );
  process.stdout.write('\ninclusive (gateway and workspace packages):\n');
  for (const frame of summary.inclusive)
    process.stdout.write(
      `${frame.selfPercent.toFixed(1).padStart(5)}%  ${String(frame.selfMs).padStart(6)} ms  ${frame.frame}\n`,
    );
  process.stdout.write('\nby module:\n');
  for (const frame of summary.byModule)
    process.stdout.write(
      `${frame.selfPercent.toFixed(1).padStart(5)}%  ${String(frame.selfMs).padStart(6)} ms  ${frame.frame}\n`,
    );
}
