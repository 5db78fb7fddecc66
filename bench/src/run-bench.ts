/**
 * `pnpm bench`: measures the built gateway against a direct call to the same mock upstream and
 * prints one table, writing the full record to `bench/results/<date>.json`.
 *
 * Flags: `--smoke` (tiny counts, < 60 s; what CI runs), `--profile` (gateway under `--cpu-prof`,
 * figures then not comparable), `--only=<section,...>` (latency, throughput, streams, memory,
 * failure, file), `--log-level=<level>` (gateway logging, default `warn`),
 * `--gateway=<path to cli.js>`.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { directRequests, gatewayRequests } from './bench-requests.js';
import {
  canPin,
  findFreePort,
  findTaskset,
  pinProcess,
  readRssBytes,
  startChild,
  type RunningChild,
} from './child-process.js';
import { BENCH_MAX_HISTORY_MESSAGES, createGatewayConfig, type GatewayConfigOptions } from './gateway-config.js';
import { runClosedLoop, type BenchRequest, type ClosedLoopResult } from './load-generator.js';
import { readMachineInfo } from './machine-info.js';
import { measureAddedLatency, type AddedLatencyResult } from './measure-latency.js';
import { measureStreamStep, type StreamStepResult } from './measure-streams.js';
import { MOCK_DELTA_COUNT } from './mock-upstream.js';
import {
  formatMegabytes,
  formatMs,
  formatRate,
  formatTable,
  MOCK_CEILING_FLAG_RATIO,
  verdict,
  type ResultRow,
} from './report.js';
import { round } from './statistics.js';
import { summariseProfile } from './summarize-profile.js';

const benchDirectory = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const sections = ['latency', 'throughput', 'streams', 'memory', 'failure', 'file', 'reference'] as const;
type Section = (typeof sections)[number];

interface Settings {
  mode: 'full' | 'smoke';
  latency: { warmup: number; rounds: number; perRound: number };
  throughput: { concurrencies: number[]; durationMs: number; warmupMs: number };
  streams: { steps: number[]; maxGapMs: number };
  failure: { concurrency: number; durationMs: number; warmupMs: number };
  memoryIdleWaitMs: number;
  profile: boolean;
  logLevel: string;
  only: Section[];
  gatewayCli: string;
}

function parseSettings(rawArgv: readonly string[]): Settings {
  // pnpm (`pnpm bench -- --smoke`) and turbo pass the literal `--` through; it separates nothing here.
  const argv = rawArgv.filter((argument) => argument !== '--');
  const smoke = argv.includes('--smoke');
  const option = (name: string): string | undefined =>
    argv.find((argument) => argument.startsWith(`--${name}=`))?.slice(name.length + 3);
  const onlyText = option('only');
  const only = onlyText === undefined ? [...sections] : (onlyText.split(',') as Section[]);
  const unknown = only.filter((section) => !sections.includes(section));
  if (unknown.length > 0) throw new Error(`unknown --only section(s): ${unknown.join(', ')} (known: ${sections.join(', ')})`);
  const known = ['--smoke', '--profile'];
  const stray = argv.filter((argument) => !known.includes(argument) && !/^--(only|log-level|gateway)=/.test(argument));
  if (stray.length > 0) throw new Error(`unknown argument(s): ${stray.join(' ')}`);
  return {
    mode: smoke ? 'smoke' : 'full',
    latency: smoke ? { warmup: 20, rounds: 2, perRound: 20 } : { warmup: 1_000, rounds: 7, perRound: 200 },
    throughput: smoke
      ? { concurrencies: [16, 64], durationMs: 700, warmupMs: 200 }
      : { concurrencies: [16, 64], durationMs: 10_000, warmupMs: 2_000 },
    streams: { steps: smoke ? [64] : [64, 128, 256, 512, 1024, 2048], maxGapMs: 200 },
    failure: smoke ? { concurrency: 16, durationMs: 500, warmupMs: 100 } : { concurrency: 16, durationMs: 5_000, warmupMs: 1_000 },
    memoryIdleWaitMs: smoke ? 1_000 : 30_000,
    profile: argv.includes('--profile'),
    logLevel: option('log-level') ?? 'warn',
    only,
    gatewayCli: resolve(option('gateway') ?? join(benchDirectory, '../apps/gateway/dist/cli.js')),
  };
}

/** Soft open-file limit; 2048 streams need ~4 descriptors each across the three processes. */
function raiseOpenFileLimit(): { soft: number; hard: number } {
  const read = (): { soft: number; hard: number } => {
    const line = readFileSync('/proc/self/limits', 'utf8').match(/^Max open files\s+(\S+)\s+(\S+)/m);
    const parse = (value: string | undefined): number => (value === 'unlimited' ? Infinity : Number(value ?? 1024));
    return { soft: parse(line?.[1]), hard: parse(line?.[2]) };
  };
  try {
    const limits = read();
    if (limits.soft < 16_384 && limits.hard > limits.soft) {
      // Children inherit the raised limit; prlimit is util-linux, like taskset.
      const target = Number.isFinite(limits.hard) ? Math.min(limits.hard, 65_536) : 65_536;
      execFileSync('prlimit', ['--pid', String(process.pid), `--nofile=${target}:${limits.hard === Infinity ? 'unlimited' : limits.hard}`], { stdio: 'ignore' });
    }
    return read();
  } catch {
    return { soft: Number.NaN, hard: Number.NaN };
  }
}

const log = (message: string): void => {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
};

const sleep = (ms: number): Promise<void> => new Promise((resolveSleep) => setTimeout(resolveSleep, ms));

async function main(): Promise<void> {
  const settings = parseSettings(process.argv.slice(2));
  const wants = (section: Section): boolean => settings.only.includes(section);
  const benchStarted = performance.now();
  const children = new Set<RunningChild>();
  const temporaryDirectories: string[] = [];
  const stopEverything = async (): Promise<void> => {
    await Promise.all([...children].map((child) => child.stop()));
    children.clear();
    for (const directory of temporaryDirectories) rmSync(directory, { recursive: true, force: true });
  };
  const onSignal = (): void => {
    void stopEverything().then(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    readFileSync(settings.gatewayCli);
  } catch {
    throw new Error(
      `the built gateway is missing at ${settings.gatewayCli}: run \`pnpm --filter @clawgate/gateway build\` (turbo does it for \`pnpm bench\`)`,
    );
  }

  const machine = readMachineInfo();
  const openFiles = raiseOpenFileLimit();
  const taskset = findTaskset();
  const pin = canPin(taskset);
  // Gateway alone on core 0; mock and this load generator share core 1 (issue 8).
  const pinning = {
    taskset: taskset ?? null,
    pinned: pin,
    gatewayCore: pin ? 0 : null,
    mockCore: pin ? 1 : null,
    loadGeneratorCore: pin ? 1 : null,
    loadGeneratorPinned: pin ? pinProcess(taskset, process.pid, 1) : false,
  };
  const [loadNow = 0] = machine.loadAverageAtStart;
  if (loadNow > 1) log(`WARNING: load average ${loadNow} before the run: other processes share these cores and will skew every figure`);
  log(`machine: ${machine.cpuModel}, ${machine.cores} cores, node ${machine.node}; pinning: ${pin ? 'gateway core 0, mock + load core 1' : 'none'}`);

  const rows: ResultRow[] = [];
  const record: Record<string, unknown> = {};
  const stepsFor = (limit: number): number[] => settings.streams.steps.filter((step) => step * 4 + 256 <= limit);

  const startMock = async (): Promise<{ child: RunningChild; baseUrl: string; origin: string }> => {
    const child = await startChild({
      command: process.execPath,
      args: [...process.execArgv, join(benchDirectory, 'src/mock-upstream-main.ts')],
      cwd: benchDirectory,
      taskset: pin ? taskset : undefined,
      core: 1,
      readyPattern: /^\{"baseUrl"/,
      timeoutMs: 20_000,
      label: 'mock upstream',
    });
    children.add(child);
    const baseUrl = (JSON.parse(child.readyLine) as { baseUrl: string }).baseUrl;
    return { child, baseUrl, origin: new URL(baseUrl).origin };
  };

  const startGateway = async (
    name: string,
    options: Omit<GatewayConfigOptions, 'logLevel'>,
    profile = false,
  ): Promise<{ child: RunningChild; origin: string; stateDirectory: string }> => {
    const stateDirectory = mkdtempSync(join(tmpdir(), `clawgate-bench-${name}-`));
    temporaryDirectories.push(stateDirectory);
    const configPath = join(stateDirectory, 'clawgate.json5');
    writeFileSync(configPath, JSON.stringify(createGatewayConfig({ ...options, logLevel: settings.logLevel }), null, 2));
    const port = await findFreePort();
    const profileDirectory = join(benchDirectory, 'results/profiles');
    if (profile) mkdirSync(profileDirectory, { recursive: true });
    const environment: NodeJS.ProcessEnv = { ...process.env, CLAWGATE_STATE_DIR: stateDirectory, NODE_ENV: 'production' };
    // A token in the environment would be ignored (the config wins) but must never leak into the run.
    delete environment.OPENCLAW_GATEWAY_TOKEN;
    delete environment.OPENCLAW_GATEWAY_PASSWORD;
    delete environment.CLAWGATE_CONFIG;
    const child = await startChild({
      command: process.execPath,
      args: [
        ...(profile ? ['--cpu-prof', `--cpu-prof-dir=${profileDirectory}`, `--cpu-prof-name=gateway-${name}-${Date.now()}.cpuprofile`] : []),
        settings.gatewayCli,
        'gateway',
        '--config',
        configPath,
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
      ],
      env: environment,
      cwd: stateDirectory,
      taskset: pin ? taskset : undefined,
      core: 0,
      readyPattern: new RegExp(`http://127\\.0\\.0\\.1:${port}`),
      timeoutMs: 30_000,
      label: `gateway (${name})`,
    });
    children.add(child);
    log(`gateway ${name} up in ${child.startMs.toFixed(0)} ms (pid ${child.pid})`);
    return { child, origin: `http://127.0.0.1:${port}`, stateDirectory };
  };

  const stopGateway = async (child: RunningChild): Promise<void> => {
    await child.stop(10_000);
    children.delete(child);
  };

  const closedLoop = (origin: string, concurrency: number, requestFor: (worker: number) => BenchRequest, expectStatus = 200, phase: { durationMs: number; warmupMs: number } = settings.throughput): Promise<ClosedLoopResult> =>
    runClosedLoop({ origin, concurrency, durationMs: phase.durationMs, warmupMs: phase.warmupMs, requestFor, expectStatus });

  try {
    const mock = await startMock();
    log(`mock upstream at ${mock.baseUrl}`);

    // The mock's own ceiling at each concurrency, measured first with the same generator (issue 8).
    const ceilings = new Map<number, ClosedLoopResult>();
    const concurrenciesNeeded = new Set<number>([
      ...(wants('throughput') || wants('file') || wants('reference') ? settings.throughput.concurrencies : []),
      ...(wants('failure') ? [settings.failure.concurrency] : []),
    ]);
    for (const concurrency of concurrenciesNeeded) {
      const result = await closedLoop(mock.origin, concurrency, () => directRequests.complete);
      ceilings.set(concurrency, result);
      log(`mock ceiling at c=${concurrency}: ${formatRate(result.requestsPerSecond)} (${result.errors} errors)`);
    }
    record.mockCeilings = Object.fromEntries([...ceilings].map(([concurrency, result]) => [`c${concurrency}`, result]));
    const ceilingBound = (rate: number, concurrency: number): boolean =>
      rate >= MOCK_CEILING_FLAG_RATIO * (ceilings.get(concurrency)?.requestsPerSecond ?? Infinity);

    const needsMain = wants('latency') || wants('throughput') || wants('streams') || wants('memory');
    if (needsMain) {
      const gateway = await startGateway('main', { upstreamBaseUrl: mock.baseUrl, sessionsStore: 'memory' }, settings.profile);
      await sleep(1_000);
      const rssAfterStart = readRssBytes(gateway.child.pid);
      record.startup = { startMs: round(gateway.child.startMs, 1), rssAfterStartBytes: rssAfterStart };
      rows.push({
        measure: 'Start-up to listening',
        direct: '-',
        gateway: formatMs(gateway.child.startMs),
        delta: '-',
        target: '-',
        status: 'INFO',
      });

      if (wants('latency')) {
        const latency: AddedLatencyResult[] = [];
        for (const kind of ['complete', 'first-content'] as const) {
          const result = await measureAddedLatency({
            kind,
            direct: { origin: mock.origin, request: kind === 'complete' ? directRequests.complete : directRequests.stream },
            gateway: { origin: gateway.origin, request: kind === 'complete' ? gatewayRequests.complete : gatewayRequests.stream },
            ...settings.latency,
          });
          latency.push(result);
          const label = kind === 'complete' ? 'non-streaming' : 'first content chunk';
          log(`latency ${label}: +${result.addedMedianMs.toFixed(3)} ms median, +${result.addedP99Ms.toFixed(3)} ms p99`);
          rows.push(
            {
              measure: `Added latency c=1, ${label}, median`,
              direct: formatMs(result.direct.medianOfRoundMediansMs),
              gateway: formatMs(result.gateway.medianOfRoundMediansMs),
              delta: `+${formatMs(result.addedMedianMs)}`,
              target: '<= 0.5 ms',
              status: verdict(result.addedMedianMs <= 0.5),
            },
            {
              measure: `Added latency c=1, ${label}, p99`,
              direct: formatMs(result.direct.p99Ms),
              gateway: formatMs(result.gateway.p99Ms),
              delta: `+${formatMs(result.addedP99Ms)}`,
              target: '<= 3 ms',
              status: verdict(result.addedP99Ms <= 3),
            },
          );
        }
        record.latency = latency;
      }

      if (wants('throughput')) {
        const throughput: Record<string, ClosedLoopResult> = {};
        for (const [label, requestFor, target] of [
          ['stateless', () => gatewayRequests.complete, 5_000],
          ['stored session (memory)', (worker: number) => gatewayRequests.withUser(worker), 3_000],
        ] as const) {
          for (const concurrency of settings.throughput.concurrencies) {
            const result = await closedLoop(gateway.origin, concurrency, requestFor);
            throughput[`${label} c${concurrency}`] = result;
            const ceiling = ceilings.get(concurrency)?.requestsPerSecond ?? Number.NaN;
            log(`throughput ${label} c=${concurrency}: ${formatRate(result.requestsPerSecond)}, ${result.errors} errors`);
            rows.push({
              measure: `Throughput ${label}, c=${concurrency}`,
              direct: formatRate(ceiling),
              gateway: formatRate(result.requestsPerSecond),
              delta: `${((result.requestsPerSecond / ceiling) * 100).toFixed(0)}% of mock`,
              target: `>= ${target.toLocaleString('en-US')} req/s`,
              status: verdict(result.requestsPerSecond >= target, ceilingBound(result.requestsPerSecond, concurrency), result.errors),
              ...(result.errors > 0 ? { note: `${result.errors} errors, first: ${result.firstError}` } : {}),
            });
          }
        }
        // Issue 8's peer figure (Portkey ~860 req/s) was taken with a 20 ms upstream: same setting here.
        const delayedConcurrency = settings.throughput.concurrencies.at(-1) ?? 64;
        const delayedDirect = await closedLoop(mock.origin, delayedConcurrency, () => directRequests.delayed);
        const delayed = await closedLoop(gateway.origin, delayedConcurrency, () => gatewayRequests.delayed);
        throughput[`delayed-20ms direct c${delayedConcurrency}`] = delayedDirect;
        throughput[`delayed-20ms c${delayedConcurrency}`] = delayed;
        log(`throughput 20 ms upstream c=${delayedConcurrency}: direct ${formatRate(delayedDirect.requestsPerSecond)}, gateway ${formatRate(delayed.requestsPerSecond)}`);
        rows.push({
          measure: `Throughput stateless, 20 ms upstream, c=${delayedConcurrency}`,
          direct: formatRate(delayedDirect.requestsPerSecond),
          gateway: formatRate(delayed.requestsPerSecond),
          delta: `${((delayed.requestsPerSecond / delayedDirect.requestsPerSecond) * 100).toFixed(0)}% of mock`,
          target: '- (Portkey ~860 req/s)',
          status:
            delayed.errors > 0 ? 'ERRORS' : delayed.requestsPerSecond >= MOCK_CEILING_FLAG_RATIO * delayedDirect.requestsPerSecond ? 'FLAGGED' : 'INFO',
          ...(delayed.errors > 0 ? { note: `${delayed.errors} errors, first: ${delayed.firstError}` } : {}),
        });
        record.throughput = throughput;
      }

      if (wants('memory')) {
        const rssAtEnd = readRssBytes(gateway.child.pid);
        log(`RSS at end of load ${formatMegabytes(rssAtEnd)}; waiting ${settings.memoryIdleWaitMs / 1000} s idle`);
        await sleep(settings.memoryIdleWaitMs);
        const rssLater = readRssBytes(gateway.child.pid);
        record.memory = {
          rssAfterStartBytes: rssAfterStart,
          rssAtEndOfLoadBytes: rssAtEnd,
          rssAfterIdleBytes: rssLater,
          idleWaitMs: settings.memoryIdleWaitMs,
          afterLoad: wants('throughput') ? 'throughput' : wants('latency') ? 'latency' : 'none',
        };
        rows.push(
          {
            measure: 'RSS after start (idle)',
            direct: '-',
            gateway: formatMegabytes(rssAfterStart),
            delta: '-',
            target: '<= 80 MB',
            status: verdict(rssAfterStart !== undefined && rssAfterStart <= 80_000_000),
          },
          {
            measure: 'RSS at end of load',
            direct: '-',
            gateway: formatMegabytes(rssAtEnd),
            delta: '-',
            target: '-',
            status: 'INFO',
          },
          {
            measure: `RSS ${settings.memoryIdleWaitMs / 1000} s after load`,
            direct: '-',
            gateway: formatMegabytes(rssLater),
            delta:
              rssLater !== undefined && rssAtEnd !== undefined
                ? `${rssLater >= rssAtEnd ? '+' : ''}${formatMegabytes(rssLater - rssAtEnd)}`
                : 'n/a',
            target: 'no growth',
            // 2% slack: RSS moves by a page or two with nothing allocated.
            status: verdict(rssLater !== undefined && rssAtEnd !== undefined && rssLater <= rssAtEnd * 1.02),
          },
        );
      }

      if (wants('streams')) {
        const steps = stepsFor(openFiles.soft);
        const runSteps = async (origin: string, request: BenchRequest, side: string, limit: number): Promise<StreamStepResult[]> => {
          const results: StreamStepResult[] = [];
          for (const streams of steps) {
            if (streams > limit) break;
            const result = await measureStreamStep({
              origin,
              request,
              streams,
              expectedContentFrames: MOCK_DELTA_COUNT,
              maxGapMs: settings.streams.maxGapMs,
              timeoutMs: 30_000,
            });
            results.push(result);
            log(`streams ${side} ${streams}: ${result.ok ? 'ok' : 'FAILED'} (max gap ${result.maxGapMs.toFixed(0)} ms ending at ${(result.maxGapEndedAtMs / 1000).toFixed(2)} s, ${result.completeStreams} complete${result.firstError ? `, ${result.firstError}` : ''})`);
            if (!result.ok) break;
            // Let sockets from the last step close before opening more.
            await sleep(300);
          }
          return results;
        };
        const largestOk = (results: StreamStepResult[]): number =>
          results.filter((result) => result.ok).reduce((largest, result) => Math.max(largest, result.streams), 0);
        const direct = await runSteps(mock.origin, directRequests.paced, 'direct', Infinity);
        const directMax = largestOk(direct);
        const through = await runSteps(gateway.origin, gatewayRequests.paced, 'gateway', Infinity);
        const gatewayMax = largestOk(through);
        record.streams = { steps, direct, gateway: through, directMax, gatewayMax };
        // If the gateway held every count the mock held, the figure is the mock's, not the gateway's.
        const bound = gatewayMax >= directMax && directMax < (steps.at(-1) ?? 0);
        const failed = through.find((result) => !result.ok);
        rows.push({
          measure: `Concurrent paced streams (${MOCK_DELTA_COUNT} deltas/20 ms, gap <= ${settings.streams.maxGapMs} ms)`,
          direct: String(directMax),
          gateway: String(gatewayMax),
          delta: failed ? `failed at ${failed.streams}` : `all steps to ${steps.at(-1)} ok`,
          target: '>= 1,000',
          status: verdict(gatewayMax >= 1_000, bound),
          ...(failed ? { note: `at ${failed.streams}: ${failed.completeStreams} complete, ${failed.stalledStreams} stalled, max gap ${failed.maxGapMs.toFixed(0)} ms ending ${(failed.maxGapEndedAtMs / 1000).toFixed(2)} s into the step${failed.firstError ? `, ${failed.firstError}` : ''}` } : {}),
        });
      }

      await stopGateway(gateway.child);
    }

    if (wants('failure')) {
      const concurrency = settings.failure.concurrency;
      const ceiling = ceilings.get(concurrency)?.requestsPerSecond ?? Number.NaN;
      // 401 path: the limiter must count (not exempt loopback) but never lock within the run.
      const unauthorised = await startGateway('unauthorised', {
        upstreamBaseUrl: mock.baseUrl,
        sessionsStore: 'memory',
        rateLimit: { maxAttempts: 1_000_000_000, windowMs: 60_000, lockoutMs: 300_000, exemptLoopback: false },
      });
      const success = await closedLoop(unauthorised.origin, concurrency, () => gatewayRequests.complete, 200, settings.failure);
      const rejected = await closedLoop(unauthorised.origin, concurrency, () => gatewayRequests.wrongToken, 401, settings.failure);
      await stopGateway(unauthorised.child);
      // 429 path: one failure locks the key for an hour, so every later request meets the lock.
      const locked = await startGateway('locked', {
        upstreamBaseUrl: mock.baseUrl,
        sessionsStore: 'memory',
        rateLimit: { maxAttempts: 1, windowMs: 60_000, lockoutMs: 3_600_000, exemptLoopback: false },
      });
      await fetch(`${locked.origin}/v1/chat/completions`, {
        method: 'POST',
        headers: gatewayRequests.wrongToken.headers,
        body: gatewayRequests.wrongToken.body,
      }).then((response) => response.arrayBuffer());
      const limited = await closedLoop(locked.origin, concurrency, () => gatewayRequests.wrongToken, 429, settings.failure);
      await stopGateway(locked.child);
      record.failure = { concurrency, success, unauthorised: rejected, rateLimited: limited };
      log(`failure path c=${concurrency}: 200 ${formatRate(success.requestsPerSecond)}, 401 ${formatRate(rejected.requestsPerSecond)}, 429 ${formatRate(limited.requestsPerSecond)}`);
      rows.push({
        measure: `Successful request (limiter counting), c=${concurrency}`,
        direct: formatRate(ceiling),
        gateway: formatRate(success.requestsPerSecond),
        delta: '1.00x',
        target: '-',
        // No target of its own: the baseline of the two rows below, unless it is mock-bound or erred.
        status: success.errors > 0 ? 'ERRORS' : ceilingBound(success.requestsPerSecond, concurrency) ? 'FLAGGED' : 'INFO',
      });
      for (const [label, result] of [
        ['Wrong token (401)', rejected],
        ['Locked out (429)', limited],
      ] as const) {
        const ratio = result.requestsPerSecond / success.requestsPerSecond;
        rows.push({
          measure: `${label}, c=${concurrency}`,
          direct: formatRate(ceiling),
          gateway: formatRate(result.requestsPerSecond),
          delta: `${ratio.toFixed(2)}x success`,
          target: '>= 2x success',
          status: verdict(ratio >= 2, ceilingBound(result.requestsPerSecond, concurrency), result.errors),
          ...(result.errors > 0 ? { note: `${result.errors} errors, first: ${result.firstError}` } : {}),
        });
      }
    }

    if (wants('file')) {
      const gateway = await startGateway('file-sessions', { upstreamBaseUrl: mock.baseUrl, sessionsStore: 'file' });
      const file: Record<string, ClosedLoopResult> = {};
      for (const concurrency of settings.throughput.concurrencies) {
        const result = await closedLoop(gateway.origin, concurrency, (worker) => gatewayRequests.withUser(worker));
        file[`c${concurrency}`] = result;
        log(`throughput stored session (file) c=${concurrency}: ${formatRate(result.requestsPerSecond)}, ${result.errors} errors`);
        rows.push({
          measure: `Throughput stored session (file), c=${concurrency}`,
          direct: formatRate(ceilings.get(concurrency)?.requestsPerSecond ?? Number.NaN),
          gateway: formatRate(result.requestsPerSecond),
          delta: `${((result.requestsPerSecond / (ceilings.get(concurrency)?.requestsPerSecond ?? Number.NaN)) * 100).toFixed(0)}% of mock`,
          target: '>= 3,000 req/s',
          status: verdict(result.requestsPerSecond >= 3_000, ceilingBound(result.requestsPerSecond, concurrency), result.errors),
          ...(result.errors > 0 ? { note: `${result.errors} errors, first: ${result.firstError}` } : {}),
        });
      }
      await stopGateway(gateway.child);
      record.fileSessions = file;
    }
    if (wants('reference')) {
      // What a bare Node relay does on the gateway's core: the platform's share of any gap to a target.
      const reference: Record<string, ClosedLoopResult> = {};
      for (const mode of ['upstream-json', 'upstream-stream'] as const) {
        const port = await findFreePort();
        const relay = await startChild({
          command: process.execPath,
          args: [...process.execArgv, join(benchDirectory, 'src/reference-relay.ts'), mock.origin, String(port), mode],
          cwd: benchDirectory,
          taskset: pin ? taskset : undefined,
          core: 0,
          readyPattern: /^http:\/\//,
          timeoutMs: 20_000,
          label: `reference relay (${mode})`,
        });
        children.add(relay);
        for (const concurrency of settings.throughput.concurrencies) {
          const result = await closedLoop(`http://127.0.0.1:${port}`, concurrency, () => gatewayRequests.complete);
          reference[`${mode} c${concurrency}`] = result;
          const ceiling = ceilings.get(concurrency)?.requestsPerSecond ?? Number.NaN;
          log(`reference relay ${mode} c=${concurrency}: ${formatRate(result.requestsPerSecond)}, ${result.errors} errors`);
          rows.push({
            measure: `Reference: bare Node relay, ${mode === 'upstream-json' ? 'JSON' : 'SSE'} upstream, c=${concurrency}`,
            direct: formatRate(ceiling),
            gateway: formatRate(result.requestsPerSecond),
            delta: `${((result.requestsPerSecond / ceiling) * 100).toFixed(0)}% of mock`,
            target: '-',
            status: result.errors > 0 ? 'ERRORS' : ceilingBound(result.requestsPerSecond, concurrency) ? 'FLAGGED' : 'INFO',
          });
        }
        await relay.stop();
        children.delete(relay);
      }
      record.referenceRelay = reference;
    }
    // Re-measure the mock at the end: a ceiling that moved means something else used the cores
    // during the run, and every figure of this run is suspect (the row says so).
    const [firstConcurrency] = [...ceilings.keys()];
    const firstCeiling = firstConcurrency === undefined ? undefined : ceilings.get(firstConcurrency);
    if (firstConcurrency !== undefined && firstCeiling !== undefined) {
      const again = await closedLoop(mock.origin, firstConcurrency, () => directRequests.complete);
      const driftPercent = ((again.requestsPerSecond - firstCeiling.requestsPerSecond) / firstCeiling.requestsPerSecond) * 100;
      record.mockCeilingAtEnd = { concurrency: firstConcurrency, result: again, driftPercent: round(driftPercent, 1) };
      const noisy = Math.abs(driftPercent) > 15;
      if (noisy) log(`WARNING: the mock's ceiling moved ${driftPercent.toFixed(0)}% during the run: the machine was not quiet; do not publish these figures`);
      rows.push({
        measure: `Mock ceiling at end vs start, c=${firstConcurrency}`,
        direct: formatRate(firstCeiling.requestsPerSecond),
        gateway: formatRate(again.requestsPerSecond),
        delta: `${driftPercent >= 0 ? '+' : ''}${driftPercent.toFixed(0)}%`,
        target: 'within 15% (quiet machine)',
        status: noisy ? 'MISS' : 'PASS',
        ...(noisy ? { note: 'the machine was busy with other work during this run: figures are not representative' } : {}),
      });
    }
  } finally {
    await stopEverything();
  }

  const profiles = settings.profile ? summariseProfiles(join(benchDirectory, 'results/profiles')) : undefined;
  const date = new Date().toISOString().replace(/:/g, '-').replace(/\.\d+Z$/, 'Z');
  const resultsPath = join(benchDirectory, 'results', `${date}${settings.mode === 'smoke' ? '-smoke' : ''}${settings.only.length < sections.length ? '-partial' : ''}${settings.profile ? '-profiled' : ''}.json`);
  mkdirSync(dirname(resultsPath), { recursive: true });
  writeFileSync(
    resultsPath,
    `${JSON.stringify(
      {
        date: new Date().toISOString(),
        mode: settings.mode,
        profiled: settings.profile,
        durationSeconds: round((performance.now() - benchStarted) / 1000, 1),
        machine,
        loadAverageAtEnd: loadavg().map((value) => round(value, 2)),
        pinning,
        openFileLimit: openFiles,
        settings: {
          latency: settings.latency,
          throughput: settings.throughput,
          streams: settings.streams,
          failure: settings.failure,
          memoryIdleWaitMs: settings.memoryIdleWaitMs,
          gatewayLogLevel: settings.logLevel,
          maxHistoryMessages: BENCH_MAX_HISTORY_MESSAGES,
          loadGenerator: 'undici Pool, closed loop, keep-alive',
          sections: settings.only,
        },
        rows,
        results: record,
        ...(profiles === undefined ? {} : { profiles }),
      },
      null,
      2,
    )}\n`,
  );
  process.stdout.write(`\nclawgate benchmark (${settings.mode}${settings.profile ? ', PROFILED: figures not comparable' : ''}) on ${machine.cpuModel}, ${machine.cores} cores, node ${machine.node}\n`);
  process.stdout.write(`pinning: ${pin ? 'gateway on core 0; mock upstream and load generator on core 1' : 'none (no taskset or a single core)'}\n\n`);
  process.stdout.write(`${formatTable(rows)}\n\n`);
  if (profiles !== undefined) {
    for (const profile of profiles) {
      process.stdout.write(`Profile ${profile.file} (top self time):\n`);
      for (const frame of profile.top) process.stdout.write(`  ${frame.selfPercent.toFixed(1).padStart(5)}%  ${frame.frame}\n`);
      process.stdout.write('By module:\n');
      for (const frame of profile.byModule.slice(0, 12)) process.stdout.write(`  ${frame.selfPercent.toFixed(1).padStart(5)}%  ${frame.frame}\n`);
    }
  }
  process.stdout.write(`results written to ${resultsPath}\n`);
}

function summariseProfiles(directory: string): ReturnType<typeof summariseProfile>[] {
  try {
    return execFileSync('ls', ['-t', directory], { encoding: 'utf8' })
      .split('\n')
      .filter((name) => name.endsWith('.cpuprofile'))
      .slice(0, 1)
      .map((name) => summariseProfile(join(directory, name), 25));
  } catch {
    return [];
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
