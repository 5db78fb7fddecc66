/**
 * CPU time per request of servers running side by side on one core: each subject is measured in
 * turn, a fixed count of requests from the closed-loop generator (or of WebSocket turns and
 * connections, for a subject that drives its own load) bracketed by two readings of its process's
 * CPU ticks. The subjects take turns over several rounds and each figure is the sum over
 * its rounds, so drift in the machine during the section (other tenants, frequency) hits every
 * subject alike instead of whichever happened to go last.
 *
 * CPU per request, not requests per second, is the verdict: it does not depend on how fast the load
 * generator is, nor on what else shares the machine, and it is what a deployment pays for.
 */
import type { MeasuredPhaseOptions } from './closed-loop-phase.js';
import { runFixedCount, type BenchRequest, type ClosedLoopResult } from './load-generator.js';
import { type LoadCoreReading, loadCoreMsBetween, readLoadCore } from './load-core-cpu.js';
import { cpuMsBetween, readCpuTicks, type CpuReading } from './process-cpu.js';

/** What every subject has: the process measured and its count. */
interface CpuSubjectBase {
  key: string;
  pid: number;
  /** Measured requests (turns, connections) per worker and round. */
  measuredPerWorker: number;
  /**
   * Warm-up per worker before this subject's first round, instead of the options' one: for a
   * subject whose sessions an earlier subject already filled. @defaultValue `firstWarmupPerWorker`
   */
  firstWarmupPerWorker?: number;
}

/** One HTTP server and the request it is measured with, sent by the closed-loop generator. */
export interface HttpCpuSubject extends CpuSubjectBase {
  origin: string;
  requestFor: (workerIndex: number) => BenchRequest;
  /** How every answer must end, e.g. `data: [DONE]\n\n`; anything else is an error. */
  expectBodySuffix?: string;
  /** The status every answer must have (401 and 429 for the failure path). @defaultValue 200 */
  expectStatus?: number;
}

/**
 * The subject that sends `requestFor`'s requests to `server`, `measuredPerWorker` per worker and
 * round, the answers checked as `more` says.
 */
export function httpSubject(
  key: string,
  server: { child: { pid: number }; origin: string },
  requestFor: (workerIndex: number) => BenchRequest,
  measuredPerWorker: number,
  more: Pick<HttpCpuSubject, 'expectBodySuffix' | 'expectStatus' | 'firstWarmupPerWorker'> = {},
): HttpCpuSubject {
  return { key, pid: server.child.pid, origin: server.origin, requestFor, measuredPerWorker, ...more };
}

/** What a subject with its own load (WebSocket turns, handshakes) is asked to run. */
export type CpuDriveOptions = Required<MeasuredPhaseOptions>;

/**
 * A subject that brings its own load: `drive` runs the warm-up, calls `onMeasuredStart`, runs
 * exactly `measuredPerWorker` per worker, calls `onMeasuredEnd` and returns the measured phase.
 */
export interface DrivenCpuSubject extends CpuSubjectBase {
  drive: (options: CpuDriveOptions) => Promise<ClosedLoopResult>;
}

/** One subject of {@link measureCpuPerRequest}. */
export type CpuSubject = HttpCpuSubject | DrivenCpuSubject;

/** Options of {@link measureCpuPerRequest}. */
export interface CpuRoundsOptions {
  subjects: readonly CpuSubject[];
  concurrency: number;
  rounds: number;
  /**
   * Warm-up per worker before a subject's first round: lets the JIT settle and, with one `user` per
   * worker, fills every stored session to its steady-state length before anything is counted.
   */
  firstWarmupPerWorker: number;
  /** Warm-up per worker before later rounds: new connections, caches refilled after the others ran. */
  roundWarmupPerWorker: number;
  /** Called after each measured window, for progress logs. */
  onWindow?: (key: string, round: number, window: CpuWindow) => void;
  /**
   * Processes sharing the load generator's core (the mock): their CPU over each window is added to
   * the generator's own in `loadCoreCpuMs`, which tells whether that core, not the server, set the pace.
   */
  loadCorePids?: readonly number[];
}

/** One measured window of one subject. */
export interface CpuWindow {
  requests: number;
  errors: number;
  wallMs: number;
  cpuMs: number;
  userMs: number;
  systemMs: number;
  ticks: number;
  /**
   * CPU of the load generator (this process) and of `loadCorePids` over the window: near `wallMs`
   * means the load side was saturated and the server may have waited for it.
   */
  loadCoreCpuMs: number;
}

/** The sum over a subject's rounds. */
export interface CpuResult extends CpuWindow {
  key: string;
  cpuPerRequestMs: number;
  requestsPerSecond: number;
  firstError?: string;
  statusCounts: Record<string, number>;
  windows: CpuWindow[];
}

/**
 * Runs every subject's rounds in turn.
 * @throws Error when a subject's process cannot be read (it exited)
 */
export async function measureCpuPerRequest(options: CpuRoundsOptions): Promise<Map<string, CpuResult>> {
  const results = new Map<string, CpuResult>();
  for (let round = 0; round < options.rounds; round++) {
    for (const subject of options.subjects) {
      let before: CpuReading | undefined;
      let after: CpuReading | undefined;
      let loadBefore: LoadCoreReading | undefined;
      let loadAfter: LoadCoreReading | undefined;
      const loadCorePids = options.loadCorePids ?? [];
      const hooks = {
        onMeasuredStart: () => {
          loadBefore = readLoadCore(loadCorePids);
          before = readCpuTicks(subject.pid);
        },
        onMeasuredEnd: () => {
          after = readCpuTicks(subject.pid);
          loadAfter = readLoadCore(loadCorePids);
        },
      };
      const warmupPerWorker =
        round === 0 ? (subject.firstWarmupPerWorker ?? options.firstWarmupPerWorker) : options.roundWarmupPerWorker;
      const loop =
        'drive' in subject
          ? await subject.drive({
              concurrency: options.concurrency,
              warmupPerWorker,
              measuredPerWorker: subject.measuredPerWorker,
              ...hooks,
            })
          : await runFixedCount({
              origin: subject.origin,
              concurrency: options.concurrency,
              warmupPerWorker,
              measuredPerWorker: subject.measuredPerWorker,
              requestFor: subject.requestFor,
              expectStatus: subject.expectStatus ?? 200,
              ...(subject.expectBodySuffix === undefined ? {} : { expectBodySuffix: subject.expectBodySuffix }),
              ...hooks,
            });
      if (before === undefined || after === undefined || loadBefore === undefined || loadAfter === undefined)
        throw new Error(`no CPU reading of ${subject.key}`);
      const cpu = cpuMsBetween(before, after);
      const window: CpuWindow = {
        requests: loop.requests,
        errors: loop.errors,
        wallMs: loop.durationMs,
        cpuMs: cpu.totalMs,
        userMs: cpu.userMs,
        systemMs: cpu.systemMs,
        ticks: cpu.ticks,
        loadCoreCpuMs: loadCoreMsBetween(loadBefore, loadAfter),
      };
      options.onWindow?.(subject.key, round, window);
      const previous = results.get(subject.key);
      const statusCounts = { ...(previous?.statusCounts ?? {}) };
      for (const [status, count] of Object.entries(loop.statusCounts))
        statusCounts[status] = (statusCounts[status] ?? 0) + count;
      const windows = [...(previous?.windows ?? []), window];
      const sum = (field: keyof CpuWindow): number => windows.reduce((total, each) => total + each[field], 0);
      const firstError = previous?.firstError ?? loop.firstError;
      results.set(subject.key, {
        key: subject.key,
        requests: sum('requests'),
        errors: sum('errors'),
        wallMs: sum('wallMs'),
        cpuMs: sum('cpuMs'),
        userMs: sum('userMs'),
        systemMs: sum('systemMs'),
        ticks: sum('ticks'),
        loadCoreCpuMs: sum('loadCoreCpuMs'),
        cpuPerRequestMs: sum('cpuMs') / sum('requests'),
        requestsPerSecond: sum('requests') / (sum('wallMs') / 1000),
        statusCounts,
        windows,
        ...(firstError === undefined ? {} : { firstError }),
      });
    }
  }
  return results;
}
