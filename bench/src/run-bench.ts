/**
 * `pnpm bench`: measures the built gateway, as shipped, against a minimal translating relay and the
 * mock upstream itself, prints one table and writes the full record to `bench/results/<date>.json`.
 *
 * Flags: `--smoke` (tiny counts, < 60 s; what CI runs), `--profile` (gateways under `--cpu-prof`,
 * figures then not comparable), `--only=<section,...>` (cpu, latency, throughput, streams, ws,
 * responses, observability, memory, failure), `--log-level=<level>` (gateway logging, default `info` as shipped),
 * `--gateway=<path to cli.js>`. A literal `--` (pnpm and turbo pass it through) is ignored.
 *
 * Exit status: 1 when the run could not be made (a child did not start, an unknown flag, Redis
 * missing under `CI=true`) or a row reads `ERRORS` (a request failed or an answer was wrong); a
 * missed target is a figure, not a failure, so it never changes the exit status.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  directRequests,
  gatewayRequests,
  responsesRequests,
  SPLIT_DELTA_COUNT,
  STREAMED_DELTA_COUNT,
} from './bench-requests.js';
import { checkAnswer, type AnswerCheck } from './check-answer.js';
import { checkResponsesAnswer } from './check-responses-answer.js';
import {
  canPin,
  findFreePort,
  findTaskset,
  pinProcess,
  readRssBytes,
  startChild,
  type RunningChild,
} from './child-process.js';
import {
  createEventLoopReader,
  EVENT_LOOP_FILE_VARIABLE,
  EVENT_LOOP_PROBE_PATH,
  type EventLoopDelay,
  type EventLoopReader,
} from './event-loop-delay.js';
import { BENCH_TOKEN, createGatewayConfig, type GatewayConfigOptions } from './gateway-config.js';
import { type LoadCoreReading, loadCoreMsBetween, readLoadCore } from './load-core-cpu.js';
import { runClosedLoop, runFixedCount, type BenchRequest, type ClosedLoopResult } from './load-generator.js';
import { readMachineInfo } from './machine-info.js';
import {
  httpSubject,
  measureCpuPerRequest,
  type CpuDriveOptions,
  type CpuResult,
  type CpuSubject,
} from './measure-cpu.js';
import { measureAddedLatency, type AddedLatencyResult } from './measure-latency.js';
import { measureStreamStep, type StreamStepResult } from './measure-streams.js';
import {
  checkWsTurn,
  measureWsStreamStep,
  runWsHandshakes,
  runWsTurns,
  type WsStreamStepResult,
  type WsTarget,
  type WsTurnCheck,
  type WsTurnSpec,
} from './measure-ws.js';
import { MOCK_DELTA_COUNT, mockReplyText, mockUsage } from './mock-upstream.js';
import { clockTickMs } from './process-cpu.js';
import { checkRedis, deleteRedisKeys, REDIS_URL, redisSessionKeysOfUser } from './redis-sessions.js';
import {
  formatMegabytes,
  formatMicroseconds,
  formatMs,
  formatPercent,
  formatRate,
  formatRatio,
  formatTable,
  MOCK_CEILING_FLAG_RATIO,
  verdict,
  type ResultRow,
} from './report.js';
import { readRepositoryState } from './repository-state.js';
import { round } from './statistics.js';
import { summariseProfile } from './summarize-profile.js';
import { TARGETS } from './targets.js';

const benchDirectory = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** In the order they run; `cpu` first, on a machine not yet warmed by the other sections' children. */
const sections = [
  'cpu',
  'latency',
  'throughput',
  'streams',
  'ws',
  'responses',
  'observability',
  'memory',
  'failure',
] as const;
type Section = (typeof sections)[number];

/** Counts of a section measured in CPU rounds of non-streaming and streamed requests. */
interface CpuRoundSettings {
  concurrency: number;
  rounds: number;
  firstWarmupPerWorker: number;
  roundWarmupPerWorker: number;
  nonStreamingPerWorker: number;
  streamedPerWorker: number;
}

interface Settings {
  mode: 'full' | 'smoke';
  cpu: CpuRoundSettings;
  latency: { warmup: number; rounds: number; perRound: number };
  throughput: { concurrencies: number[]; durationMs: number; warmupMs: number };
  streams: { steps: number[]; maxGapMs: number };
  ws: {
    connections: number;
    rounds: number;
    firstWarmupPerWorker: number;
    roundWarmupPerWorker: number;
    turnsPerWorker: number;
    splitTurnsPerWorker: number;
    handshakesPerWorker: number;
    steps: number[];
  };
  /** The Responses door: the `cpu` section's counts, for its six subjects. */
  responses: CpuRoundSettings;
  /** Metrics on against off: the `cpu` section's counts, for its four subjects. */
  observability: CpuRoundSettings;
  failure: { concurrency: number; perWorker: number; warmupPerWorker: number };
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
  if (unknown.length > 0)
    throw new Error(`unknown --only section(s): ${unknown.join(', ')} (known: ${sections.join(', ')})`);
  const known = ['--smoke', '--profile'];
  const stray = argv.filter((argument) => !known.includes(argument) && !/^--(only|log-level|gateway)=/.test(argument));
  if (stray.length > 0) throw new Error(`unknown argument(s): ${stray.join(' ')}`);
  // Full: 2,000 warm-up requests (125 turns per stored session: 250 messages, past the default bound
  // of 200), then 3 rounds of ~5,000 non-streaming / ~2,500 streamed requests per subject: ~15,000
  // and ~7,500 in all, so even the relay's figure (~130 µs a request on a 2-core EPYC) rests on some
  // 200 clock ticks of 10 ms, seconds of CPU; three rounds also spread the machine's drift.
  const cpuRounds: CpuRoundSettings = smoke
    ? {
        concurrency: 16,
        rounds: 1,
        firstWarmupPerWorker: 4,
        roundWarmupPerWorker: 2,
        nonStreamingPerWorker: 8,
        streamedPerWorker: 4,
      }
    : {
        concurrency: 16,
        rounds: 3,
        firstWarmupPerWorker: 125,
        roundWarmupPerWorker: 16,
        nonStreamingPerWorker: 313,
        streamedPerWorker: 157,
      };
  return {
    mode: smoke ? 'smoke' : 'full',
    cpu: cpuRounds,
    latency: smoke ? { warmup: 20, rounds: 2, perRound: 20 } : { warmup: 1_000, rounds: 7, perRound: 200 },
    throughput: smoke
      ? { concurrencies: [16, 64], durationMs: 500, warmupMs: 150 }
      : { concurrencies: [16, 64], durationMs: 10_000, warmupMs: 2_000 },
    streams: { steps: smoke ? [64] : [64, 128, 256, 512, 1024, 2048], maxGapMs: 200 },
    // Full: like the streamed CPU row (16 workers, 2,000 warm-up turns: 250 messages per session, past
    // the bound of 200; then 3 rounds of ~2,500 turns or connections per subject, ~1,000 of the
    // 100-delta turns, which cost ~2.5 times more).
    ws: smoke
      ? {
          connections: 16,
          rounds: 1,
          firstWarmupPerWorker: 4,
          roundWarmupPerWorker: 2,
          turnsPerWorker: 4,
          splitTurnsPerWorker: 4,
          handshakesPerWorker: 4,
          steps: [64],
        }
      : {
          connections: 16,
          rounds: 3,
          firstWarmupPerWorker: 125,
          roundWarmupPerWorker: 16,
          turnsPerWorker: 157,
          splitTurnsPerWorker: 63,
          handshakesPerWorker: 157,
          steps: [64, 128, 256, 512, 1024, 2048],
        },
    responses: { ...cpuRounds },
    observability: { ...cpuRounds },
    failure: smoke
      ? { concurrency: 16, perWorker: 20, warmupPerWorker: 10 }
      : { concurrency: 16, perWorker: 1_000, warmupPerWorker: 250 },
    memoryIdleWaitMs: smoke ? 1_000 : 30_000,
    profile: argv.includes('--profile'),
    logLevel: option('log-level') ?? 'info',
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
      execFileSync(
        'prlimit',
        ['--pid', String(process.pid), `--nofile=${target}:${limits.hard === Infinity ? 'unlimited' : limits.hard}`],
        { stdio: 'ignore' },
      );
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

/** `redis://user:secret@host` → `redis://***@host`: never print a Redis password. */
const redactUrl = (url: string): string => url.replace(/\/\/[^@/]*@/, '//***@');

/** A note of what went wrong in a closed-loop or CPU figure, when something did. */
const errorNote = (result: { errors: number; firstError?: string }): { note: string } | object =>
  result.errors > 0 ? { note: `${result.errors} errors, first: ${result.firstError}` } : {};

/** What a Responses answer of `deltaCount` mock pieces must hold: the mock's text and its usage. */
const mockResponse = (
  deltaCount: number,
): { text: string; usage: { input_tokens: number; output_tokens: number; total_tokens: number } } => {
  const usage = mockUsage(deltaCount);
  return {
    text: mockReplyText(deltaCount),
    usage: {
      input_tokens: usage.prompt_tokens,
      output_tokens: usage.completion_tokens,
      total_tokens: usage.total_tokens,
    },
  };
};

/** A started gateway. */
interface RunningGateway {
  child: RunningChild;
  origin: string;
  stateDirectory: string;
  /** Present when started with the event-loop probe. */
  eventLoop?: EventLoopReader;
}

async function main(): Promise<void> {
  const settings = parseSettings(process.argv.slice(2));
  const wants = (section: Section): boolean => settings.only.includes(section);
  const benchStarted = performance.now();
  const benchStartedAt = Date.now();
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
  // The checkout the measured gateway was built in (a worktree when --gateway points at one).
  const repository = readRepositoryState(dirname(settings.gatewayCli), settings.gatewayCli);
  const benchCommit = readRepositoryState(benchDirectory, settings.gatewayCli).commit;
  const openFiles = raiseOpenFileLimit();
  const taskset = findTaskset();
  const pin = canPin(taskset);
  // Gateway (or relay) alone on core 0; mock and this load generator share core 1.
  const pinning = {
    taskset: taskset ?? null,
    pinned: pin,
    gatewayCore: pin ? 0 : null,
    mockCore: pin ? 1 : null,
    loadGeneratorCore: pin ? 1 : null,
    loadGeneratorPinned: pin ? pinProcess(taskset, process.pid, 1) : false,
  };
  const [loadNow = 0] = machine.loadAverageAtStart;
  if (loadNow > 1)
    log(
      `WARNING: load average ${loadNow} before the run: other processes share these cores and will skew every figure`,
    );
  log(
    `machine: ${machine.cpuModel}, ${machine.cores} cores, node ${machine.node}; pinning: ${pin ? 'gateway core 0, mock + load core 1' : 'none'}`,
  );
  log(
    `code: commit ${repository.commit ?? 'unknown'}${repository.dirty ? ' with uncommitted changes' : ''}; gateway built ${repository.gatewayBuiltAt ?? 'unknown'}`,
  );

  const rows: ResultRow[] = [];
  const record: Record<string, unknown> = {};
  const stepsFor = (limit: number): number[] => settings.streams.steps.filter((step) => step * 4 + 256 <= limit);
  const profileDirectory = join(benchDirectory, 'results/profiles');

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

  /** The reference relay on the gateway's core, talking to the mock. */
  const startRelay = async (mockOrigin: string): Promise<{ child: RunningChild; origin: string }> => {
    const port = await findFreePort();
    const child = await startChild({
      command: process.execPath,
      args: [...process.execArgv, join(benchDirectory, 'src/reference-relay.ts'), mockOrigin, String(port)],
      cwd: benchDirectory,
      taskset: pin ? taskset : undefined,
      core: 0,
      readyPattern: /^http:\/\//,
      timeoutMs: 30_000,
      label: 'reference relay',
    });
    children.add(child);
    return { child, origin: `http://127.0.0.1:${port}` };
  };

  const startGateway = async (
    name: string,
    options: Omit<GatewayConfigOptions, 'logLevel'>,
    extras: { profile?: boolean; eventLoopProbe?: boolean } = {},
  ): Promise<RunningGateway> => {
    const stateDirectory = mkdtempSync(join(tmpdir(), `clawgate-bench-${name}-`));
    temporaryDirectories.push(stateDirectory);
    const configPath = join(stateDirectory, 'clawgate.json5');
    writeFileSync(
      configPath,
      JSON.stringify(createGatewayConfig({ ...options, logLevel: settings.logLevel }), null, 2),
    );
    const port = await findFreePort();
    if (extras.profile) mkdirSync(profileDirectory, { recursive: true });
    const environment: NodeJS.ProcessEnv = {
      ...process.env,
      CLAWGATE_STATE_DIR: stateDirectory,
      NODE_ENV: 'production',
    };
    // A token in the environment would be ignored (the config wins) but must never leak into the run.
    delete environment.OPENCLAW_GATEWAY_TOKEN;
    delete environment.OPENCLAW_GATEWAY_PASSWORD;
    delete environment.CLAWGATE_CONFIG;
    const eventLoopFile = join(stateDirectory, 'event-loop-delay.json');
    if (extras.eventLoopProbe) environment[EVENT_LOOP_FILE_VARIABLE] = eventLoopFile;
    const child = await startChild({
      command: process.execPath,
      args: [
        ...(extras.profile
          ? [
              '--cpu-prof',
              `--cpu-prof-dir=${profileDirectory}`,
              `--cpu-prof-name=gateway-${name}-${Date.now()}.cpuprofile`,
            ]
          : []),
        ...(extras.eventLoopProbe ? ['--import', EVENT_LOOP_PROBE_PATH] : []),
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
    return {
      child,
      origin: `http://127.0.0.1:${port}`,
      stateDirectory,
      ...(extras.eventLoopProbe ? { eventLoop: createEventLoopReader(child.pid, eventLoopFile) } : {}),
    };
  };

  const stopChild = async (child: RunningChild): Promise<void> => {
    await child.stop(10_000);
    children.delete(child);
  };

  const closedLoop = (
    origin: string,
    concurrency: number,
    requestFor: (worker: number) => BenchRequest,
    expectStatus = 200,
    phase: { durationMs: number; warmupMs: number } = settings.throughput,
  ): Promise<ClosedLoopResult> =>
    runClosedLoop({
      origin,
      concurrency,
      durationMs: phase.durationMs,
      warmupMs: phase.warmupMs,
      requestFor,
      expectStatus,
    });

  try {
    const mock = await startMock();
    log(`mock upstream at ${mock.baseUrl}`);

    // The mock's own ceiling at each concurrency, measured first with the same generator.
    const ceilings = new Map<number, ClosedLoopResult>();
    const concurrenciesNeeded = new Set<number>([
      ...(wants('throughput') ? settings.throughput.concurrencies : []),
      ...(wants('failure') ? [settings.failure.concurrency] : []),
    ]);
    // At least 1 s of warm-up even in smoke runs: a mock measured cold reads far below its ceiling,
    // which flagged gateway rates as mock-bound and the end-of-run check as a busy machine.
    const ceilingPhase = {
      durationMs: settings.throughput.durationMs,
      warmupMs: Math.max(settings.throughput.warmupMs, 1_000),
    };
    for (const concurrency of concurrenciesNeeded) {
      const result = await closedLoop(mock.origin, concurrency, () => directRequests.complete, 200, ceilingPhase);
      ceilings.set(concurrency, result);
      log(`mock ceiling at c=${concurrency}: ${formatRate(result.requestsPerSecond)} (${result.errors} errors)`);
    }
    record.mockCeilings = Object.fromEntries([...ceilings].map(([concurrency, result]) => [`c${concurrency}`, result]));
    const ceilingBound = (rate: number, concurrency: number): boolean =>
      rate >= MOCK_CEILING_FLAG_RATIO * (ceilings.get(concurrency)?.requestsPerSecond ?? Infinity);

    if (wants('cpu')) {
      const cpu = settings.cpu;
      const redis = await checkRedis(REDIS_URL);
      if (!redis.ok) {
        // The repository's convention (the gateway's Redis tests): a skip on a laptop, a failure in CI.
        if (process.env.CI === 'true')
          throw new Error(
            `Redis at ${redactUrl(REDIS_URL)} is unreachable (${redis.reason}); under CI=true the Redis row is required`,
          );
        log(`Redis at ${redactUrl(REDIS_URL)} is unreachable (${redis.reason}): the Redis-store row is skipped`);
      }
      // Users no earlier run used: the Redis store is shared, and this run deletes exactly these sessions after.
      const userPrefix = `bench-${randomUUID().slice(0, 8)}-user`;
      // Started together (their start-up is not measured here); idle ones cost the core nothing.
      const [relay, shipped, memoryStore, redisStore] = await Promise.all([
        startRelay(mock.origin),
        startGateway('cpu-as-shipped', { upstreamBaseUrl: mock.baseUrl }, { profile: settings.profile }),
        startGateway('cpu-memory-store', { upstreamBaseUrl: mock.baseUrl, sessionsStore: 'memory' }),
        redis.ok
          ? startGateway('cpu-redis-store', { upstreamBaseUrl: mock.baseUrl, sessionsStore: { redis: REDIS_URL } })
          : undefined,
      ]);
      const streamExpectation = { kind: 'stream', contentFrames: STREAMED_DELTA_COUNT, usage: true } as const;
      const checks: Record<string, AnswerCheck> = {
        relayNonStreaming: await checkAnswer(relay.origin, directRequests.complete, { kind: 'json' }),
        relayStreamed: await checkAnswer(relay.origin, directRequests.streamed, streamExpectation),
        gatewayNonStreaming: await checkAnswer(shipped.origin, gatewayRequests.complete, { kind: 'json' }),
        gatewayStreamed: await checkAnswer(shipped.origin, gatewayRequests.streamed, streamExpectation),
      };
      for (const [name, check] of Object.entries(checks))
        if (!check.ok) log(`answer check ${name} FAILED: ${check.problem}`);
      const done = 'data: [DONE]\n\n';
      const subjects: CpuSubject[] = [
        httpSubject('relay-non-streaming', relay, () => directRequests.complete, cpu.nonStreamingPerWorker),
        httpSubject('gateway-stateless', shipped, () => gatewayRequests.complete, cpu.nonStreamingPerWorker),
        httpSubject(
          'gateway-session-file',
          shipped,
          (worker) => gatewayRequests.withUser(worker, userPrefix),
          cpu.nonStreamingPerWorker,
        ),
        httpSubject(
          'gateway-session-memory',
          memoryStore,
          (worker) => gatewayRequests.withUser(worker, userPrefix),
          cpu.nonStreamingPerWorker,
        ),
        ...(redisStore === undefined
          ? []
          : [
              httpSubject(
                'gateway-session-redis',
                redisStore,
                (worker: number) => gatewayRequests.withUser(worker, userPrefix),
                cpu.nonStreamingPerWorker,
              ),
            ]),
        httpSubject('relay-streamed', relay, () => directRequests.streamed, cpu.streamedPerWorker, {
          expectBodySuffix: done,
        }),
        httpSubject('gateway-streamed', shipped, () => gatewayRequests.streamed, cpu.streamedPerWorker, {
          expectBodySuffix: done,
        }),
      ];
      let results: Map<string, CpuResult>;
      let redisCleanup: { keysDeleted: number; sessions: number } | { error: string } | undefined;
      try {
        results = await measureCpuPerRequest({
          subjects,
          concurrency: cpu.concurrency,
          rounds: cpu.rounds,
          firstWarmupPerWorker: cpu.firstWarmupPerWorker,
          roundWarmupPerWorker: cpu.roundWarmupPerWorker,
          onWindow: (key, index, window) =>
            log(
              `cpu ${key} round ${index + 1}: ${formatMicroseconds(window.cpuMs / window.requests)}/request (${window.ticks} ticks over ${window.requests} requests in ${(window.wallMs / 1000).toFixed(1)} s, ${window.errors} errors)`,
            ),
        });
      } finally {
        await Promise.all(
          [relay.child, shipped.child, memoryStore.child, redisStore?.child].map((child) =>
            child === undefined ? undefined : stopChild(child),
          ),
        );
        if (redisStore !== undefined) {
          const keys = Array.from({ length: cpu.concurrency }, (_, worker) =>
            redisSessionKeysOfUser('main', `${userPrefix}-${worker}`),
          ).flat();
          try {
            const keysDeleted = await deleteRedisKeys(REDIS_URL, keys);
            redisCleanup = { keysDeleted, sessions: cpu.concurrency };
            if (keysDeleted < cpu.concurrency)
              log(
                `WARNING: deleted ${keysDeleted} Redis keys for ${cpu.concurrency} sessions: the gateway's key scheme may have changed; sessions of users ${userPrefix}-* may be left in Redis`,
              );
          } catch (error) {
            redisCleanup = { error: error instanceof Error ? error.message : String(error) };
            log(`WARNING: could not delete this run's Redis sessions (users ${userPrefix}-*): ${redisCleanup.error}`);
          }
        }
      }
      const figure = (key: string): CpuResult | undefined => results.get(key);
      const relayJson = figure('relay-non-streaming');
      const stateless = figure('gateway-stateless');
      const relayStreamed = figure('relay-streamed');
      const streamed = figure('gateway-streamed');
      if (relayJson === undefined || stateless === undefined || relayStreamed === undefined || streamed === undefined)
        throw new Error('a CPU subject was not measured');
      const c = cpu.concurrency;
      const failedChecks = (...names: string[]): string[] =>
        names.flatMap((name) => (checks[name]?.ok === false ? [`answer check ${name}: ${checks[name]?.problem}`] : []));
      const problemsOf = (
        figures: (CpuResult | undefined)[],
        checkNames: string[],
      ): { errors: number; note?: string } => {
        const problems = [
          ...failedChecks(...checkNames),
          ...figures.flatMap((result) =>
            result !== undefined && result.errors > 0
              ? [`${result.key}: ${result.errors} errors, first: ${result.firstError}`]
              : [],
          ),
        ];
        return problems.length === 0 ? { errors: 0 } : { errors: problems.length, note: problems.join('; ') };
      };
      const statelessRatio = stateless.cpuPerRequestMs / relayJson.cpuPerRequestMs;
      const statelessProblems = problemsOf([relayJson, stateless], ['relayNonStreaming', 'gatewayNonStreaming']);
      rows.push({
        measure: `CPU per request, non-streaming, stateless, c=${c}`,
        direct: `${formatMicroseconds(relayJson.cpuPerRequestMs)} (relay)`,
        gateway: formatMicroseconds(stateless.cpuPerRequestMs),
        delta: `${formatRatio(statelessRatio)} relay`,
        target: `<= ${TARGETS.cpuStatelessVsRelay.toFixed(1)}x relay`,
        status: verdict(statelessRatio <= TARGETS.cpuStatelessVsRelay, false, statelessProblems.errors),
        ...(statelessProblems.note === undefined ? {} : { note: statelessProblems.note }),
      });
      const sessionRow = (key: string, label: string, target: number | undefined): void => {
        const result = figure(key);
        if (result === undefined) return;
        const ratio = result.cpuPerRequestMs / stateless.cpuPerRequestMs;
        const problems = problemsOf([stateless, result], ['gatewayNonStreaming']);
        rows.push({
          measure: `CPU per stored-session turn, ${label}, ${c} sessions`,
          direct: `${formatMicroseconds(stateless.cpuPerRequestMs)} (stateless)`,
          gateway: formatMicroseconds(result.cpuPerRequestMs),
          delta: `${formatRatio(ratio)} stateless`,
          target: target === undefined ? '-' : `<= ${target.toFixed(1)}x stateless`,
          status:
            target === undefined
              ? problems.errors > 0
                ? 'ERRORS'
                : 'INFO'
              : verdict(ratio <= target, false, problems.errors),
          ...(problems.note === undefined ? {} : { note: problems.note }),
        });
      };
      sessionRow(
        'gateway-session-file',
        'file store (default), 200-message bound',
        TARGETS.cpuStoredSessionVsStateless,
      );
      sessionRow('gateway-session-memory', 'memory store', undefined);
      if (redisStore === undefined) {
        rows.push({
          measure: `CPU per stored-session turn, Redis store, ${c} sessions`,
          direct: `${formatMicroseconds(stateless.cpuPerRequestMs)} (stateless)`,
          gateway: '-',
          delta: '-',
          target: '-',
          status: 'SKIPPED',
          note: `no Redis at ${redactUrl(REDIS_URL)}: ${redis.ok ? '' : redis.reason} (set REDIS_URL; under CI=true this fails the run)`,
        });
      } else {
        sessionRow('gateway-session-redis', 'Redis store', undefined);
      }
      const relayFrames = checks.relayStreamed?.frames ?? 0;
      const gatewayFrames = checks.gatewayStreamed?.frames ?? 0;
      const perFrame = (result: CpuResult, frames: number): string =>
        frames > 0 ? `, ${formatMicroseconds(result.cpuPerRequestMs / frames)}/frame` : '';
      const streamedRatio = streamed.cpuPerRequestMs / relayStreamed.cpuPerRequestMs;
      const streamedProblems = problemsOf([relayStreamed, streamed], ['relayStreamed', 'gatewayStreamed']);
      rows.push({
        measure: `CPU per streamed request (${STREAMED_DELTA_COUNT} deltas + usage; frames relay/gateway ${relayFrames}/${gatewayFrames}), c=${c}`,
        direct: `${formatMicroseconds(relayStreamed.cpuPerRequestMs)}${perFrame(relayStreamed, relayFrames)} (relay)`,
        gateway: `${formatMicroseconds(streamed.cpuPerRequestMs)}${perFrame(streamed, gatewayFrames)}`,
        delta: `${formatRatio(streamedRatio)} relay`,
        target: `<= ${TARGETS.cpuStreamedVsRelay.toFixed(1)}x relay`,
        status: verdict(streamedRatio <= TARGETS.cpuStreamedVsRelay, false, streamedProblems.errors),
        ...(streamedProblems.note === undefined ? {} : { note: streamedProblems.note }),
      });
      record.cpu = {
        clockTickMs: clockTickMs(),
        concurrency: c,
        userPrefix,
        redis: redis.ok
          ? { url: redactUrl(REDIS_URL), cleanup: redisCleanup }
          : { url: redactUrl(REDIS_URL), skipped: redis.reason },
        answerChecks: checks,
        results: roundedCpuResults(results),
        ratios: {
          statelessVsRelay: round(statelessRatio, 3),
          streamedVsRelay: round(streamedRatio, 3),
          ...Object.fromEntries(
            ['file', 'memory', 'redis'].flatMap((store) => {
              const result = figure(`gateway-session-${store}`);
              return result === undefined
                ? []
                : [
                    [
                      `session${store[0]?.toUpperCase()}${store.slice(1)}VsStateless`,
                      round(result.cpuPerRequestMs / stateless.cpuPerRequestMs, 3),
                    ],
                  ];
            }),
          ),
        },
        framesPerAnswer: { relay: relayFrames, gateway: gatewayFrames },
      };
    }

    const needsMain = wants('latency') || wants('throughput') || wants('memory');
    if (needsMain) {
      // As shipped: default (file) session store, default history bound, `info` logging, limiter on.
      const gateway = await startGateway('main', { upstreamBaseUrl: mock.baseUrl }, { profile: settings.profile });
      await sleep(1_000);
      const rssAfterStart = readRssBytes(gateway.child.pid);
      record.startup = { startMs: round(gateway.child.startMs, 1), rssAfterStartBytes: rssAfterStart };
      rows.push({
        measure: 'Start-up to listening',
        direct: '-',
        gateway: formatMs(gateway.child.startMs),
        delta: '-',
        target: `<= ${TARGETS.startupMs} ms`,
        status: verdict(gateway.child.startMs <= TARGETS.startupMs),
      });

      if (wants('latency')) {
        const latency: AddedLatencyResult[] = [];
        for (const kind of ['complete', 'first-content'] as const) {
          const result = await measureAddedLatency({
            kind,
            direct: {
              origin: mock.origin,
              request: kind === 'complete' ? directRequests.complete : directRequests.stream,
            },
            gateway: {
              origin: gateway.origin,
              request: kind === 'complete' ? gatewayRequests.complete : gatewayRequests.stream,
            },
            ...settings.latency,
          });
          latency.push(result);
          const label = kind === 'complete' ? 'non-streaming' : 'first content chunk';
          log(
            `latency ${label}: +${result.addedMedianMs.toFixed(3)} ms median, +${result.addedP99Ms.toFixed(3)} ms p99`,
          );
          rows.push(
            {
              measure: `Added latency c=1, ${label}, median`,
              direct: `${formatMs(result.direct.medianOfRoundMediansMs)} (mock)`,
              gateway: formatMs(result.gateway.medianOfRoundMediansMs),
              delta: `+${formatMs(result.addedMedianMs)}`,
              target: `<= ${TARGETS.addedMedianMs} ms`,
              status: verdict(result.addedMedianMs <= TARGETS.addedMedianMs),
            },
            {
              measure: `Added latency c=1, ${label}, p99`,
              direct: `${formatMs(result.direct.p99Ms)} (mock)`,
              gateway: formatMs(result.gateway.p99Ms),
              delta: `+${formatMs(result.addedP99Ms)}`,
              target: `<= ${TARGETS.addedP99Ms} ms`,
              status: verdict(result.addedP99Ms <= TARGETS.addedP99Ms),
            },
          );
        }
        record.latency = latency;
      }

      if (wants('throughput')) {
        // Rates are INFO: they move with the load generator and the machine; the CPU rows are the verdict.
        const throughput: Record<string, ClosedLoopResult> = {};
        const relay = await startRelay(mock.origin);
        const relayRates = new Map<number, ClosedLoopResult>();
        for (const concurrency of settings.throughput.concurrencies) {
          const result = await closedLoop(relay.origin, concurrency, () => directRequests.complete);
          relayRates.set(concurrency, result);
          throughput[`reference relay c${concurrency}`] = result;
          log(
            `throughput reference relay c=${concurrency}: ${formatRate(result.requestsPerSecond)}, ${result.errors} errors`,
          );
        }
        await stopChild(relay.child);
        for (const [label, requestFor] of [
          ['stateless', () => gatewayRequests.complete],
          ['stored session (file store)', (worker: number) => gatewayRequests.withUser(worker)],
        ] as const) {
          for (const concurrency of settings.throughput.concurrencies) {
            const result = await closedLoop(gateway.origin, concurrency, requestFor);
            throughput[`${label} c${concurrency}`] = result;
            const ceiling = ceilings.get(concurrency)?.requestsPerSecond ?? Number.NaN;
            const relayRate = relayRates.get(concurrency)?.requestsPerSecond ?? Number.NaN;
            log(
              `throughput ${label} c=${concurrency}: ${formatRate(result.requestsPerSecond)}, ${result.errors} errors`,
            );
            rows.push({
              measure: `Throughput ${label}, c=${concurrency}`,
              direct: `${formatRate(ceiling)} (mock)`,
              gateway: formatRate(result.requestsPerSecond),
              delta: `${((result.requestsPerSecond / relayRate) * 100).toFixed(0)}% of relay (${formatRate(relayRate)})`,
              target: '- (CPU rows decide)',
              status:
                result.errors > 0 ? 'ERRORS' : ceilingBound(result.requestsPerSecond, concurrency) ? 'FLAGGED' : 'INFO',
              ...errorNote(result),
            });
          }
        }
        for (const [concurrency, result] of relayRates) {
          const ceiling = ceilings.get(concurrency)?.requestsPerSecond ?? Number.NaN;
          rows.push({
            measure: `Throughput reference relay (not the gateway), c=${concurrency}`,
            direct: `${formatRate(ceiling)} (mock)`,
            gateway: formatRate(result.requestsPerSecond),
            delta: `${((result.requestsPerSecond / ceiling) * 100).toFixed(0)}% of mock`,
            target: '-',
            status:
              result.errors > 0 ? 'ERRORS' : ceilingBound(result.requestsPerSecond, concurrency) ? 'FLAGGED' : 'INFO',
            ...errorNote(result),
          });
        }
        // A 20 ms upstream, the setting of the peers' published figures (Portkey ~860 req/s).
        const delayedConcurrency = settings.throughput.concurrencies.at(-1) ?? 64;
        const delayedDirect = await closedLoop(mock.origin, delayedConcurrency, () => directRequests.delayed);
        const delayed = await closedLoop(gateway.origin, delayedConcurrency, () => gatewayRequests.delayed);
        throughput[`delayed-20ms direct c${delayedConcurrency}`] = delayedDirect;
        throughput[`delayed-20ms c${delayedConcurrency}`] = delayed;
        log(
          `throughput 20 ms upstream c=${delayedConcurrency}: direct ${formatRate(delayedDirect.requestsPerSecond)}, gateway ${formatRate(delayed.requestsPerSecond)}`,
        );
        rows.push({
          measure: `Throughput stateless, 20 ms upstream, c=${delayedConcurrency}`,
          direct: `${formatRate(delayedDirect.requestsPerSecond)} (mock)`,
          gateway: formatRate(delayed.requestsPerSecond),
          delta: `${((delayed.requestsPerSecond / delayedDirect.requestsPerSecond) * 100).toFixed(0)}% of mock`,
          target: '- (Portkey ~860 req/s)',
          status:
            delayed.errors > 0
              ? 'ERRORS'
              : delayed.requestsPerSecond >= MOCK_CEILING_FLAG_RATIO * delayedDirect.requestsPerSecond
                ? 'FLAGGED'
                : 'INFO',
          ...errorNote(delayed),
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
            target: `<= ${formatMegabytes(TARGETS.idleRssBytes)}`,
            status: verdict(rssAfterStart !== undefined && rssAfterStart <= TARGETS.idleRssBytes),
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
      await stopChild(gateway.child);
    }

    // The HTTP steps' results, for the WebSocket steps' reference column.
    let httpStreams: { gateway: StreamStepResult[]; gatewayMax: number; relayMax: number } | undefined;
    if (wants('streams')) {
      // A gateway of its own, with the event-loop probe loaded: the other sections' gateways run without it.
      const gateway = await startGateway(
        'streams',
        { upstreamBaseUrl: mock.baseUrl },
        { profile: settings.profile, eventLoopProbe: true },
      );
      const steps = stepsFor(openFiles.soft);
      const runSteps = async (
        origin: string,
        request: BenchRequest,
        side: string,
        eventLoop?: EventLoopReader,
      ): Promise<(StreamStepResult & { eventLoop?: EventLoopDelay })[]> => {
        const results: (StreamStepResult & { eventLoop?: EventLoopDelay })[] = [];
        for (const streams of steps) {
          await eventLoop?.reset();
          const result = await measureStreamStep({
            origin,
            request,
            streams,
            expectedContentFrames: MOCK_DELTA_COUNT,
            maxGapMs: settings.streams.maxGapMs,
            timeoutMs: 30_000,
          });
          const delay = await eventLoop?.read();
          results.push({ ...result, ...(delay === undefined ? {} : { eventLoop: delay }) });
          log(
            `streams ${side} ${streams}: ${result.ok ? 'ok' : 'FAILED'} (max gap ${result.maxGapMs.toFixed(0)} ms ending at ${(result.maxGapEndedAtMs / 1000).toFixed(2)} s, first byte within ${result.maxFirstByteMs.toFixed(0)} ms, ${result.completeStreams} complete${delay === undefined ? '' : `, event-loop delay p99 ${delay.p99Ms.toFixed(1)} ms, max ${delay.maxMs.toFixed(1)} ms`}${result.firstError ? `, ${result.firstError}` : ''})`,
          );
          if (!result.ok) break;
          // Let sockets from the last step close before opening more.
          await sleep(300);
        }
        return results;
      };
      const largestOk = (results: StreamStepResult[]): number =>
        results.filter((result) => result.ok).reduce((largest, result) => Math.max(largest, result.streams), 0);
      const direct = await runSteps(mock.origin, directRequests.paced, 'direct');
      const directMax = largestOk(direct);
      // What the gateway holds in steady state: its provider module (and undici) loads on the first
      // run, a one-off ~65 ms that would otherwise land inside the first step.
      await runFixedCount({
        origin: gateway.origin,
        concurrency: 1,
        warmupPerWorker: 0,
        measuredPerWorker: 20,
        requestFor: () => gatewayRequests.stream,
        expectStatus: 200,
      });
      const through = await runSteps(gateway.origin, gatewayRequests.paced, 'gateway', gateway.eventLoop);
      const gatewayMax = largestOk(through);
      await stopChild(gateway.child);
      // The same steps through the reference relay on the same core: what relaying paced streams at
      // all costs on this machine (each frame is a socket read, a parse, a rebuild and a socket write).
      const relay = await startRelay(mock.origin);
      await runFixedCount({
        origin: relay.origin,
        concurrency: 1,
        warmupPerWorker: 0,
        measuredPerWorker: 20,
        requestFor: () => directRequests.stream,
        expectStatus: 200,
      });
      const relayed = await runSteps(relay.origin, directRequests.paced, 'relay');
      const relayMax = largestOk(relayed);
      await stopChild(relay.child);
      httpStreams = { gateway: through, gatewayMax, relayMax };
      record.streams = {
        steps,
        direct,
        gateway: through,
        relay: relayed,
        directMax,
        gatewayMax,
        relayMax,
        eventLoopResolutionMs: 10,
      };
      const describe = (result: StreamStepResult | undefined): string =>
        result === undefined
          ? '-'
          : `${result.ok ? 'held' : `${result.completeStreams} complete`}, gap ${result.maxGapMs.toFixed(0)} ms`;
      for (const result of through) {
        const directResult = direct.find((candidate) => candidate.streams === result.streams);
        rows.push({
          measure: `Paced streams, ${result.streams} concurrent`,
          direct: `${describe(directResult)} (mock)`,
          gateway: describe(result),
          delta:
            result.eventLoop === undefined
              ? '-'
              : `event loop p99 ${result.eventLoop.p99Ms.toFixed(1)} ms, max ${result.eventLoop.maxMs.toFixed(1)} ms`,
          target: `all ${MOCK_DELTA_COUNT} deltas, gap <= ${settings.streams.maxGapMs} ms`,
          status: result.ok ? 'PASS' : 'MISS',
          ...(result.ok
            ? {}
            : {
                note: `${result.completeStreams} complete, ${result.stalledStreams} stalled, first byte within ${result.maxFirstByteMs.toFixed(0)} ms, max gap ${result.maxGapMs.toFixed(0)} ms ending ${(result.maxGapEndedAtMs / 1000).toFixed(2)} s into the step${result.firstError ? `, ${result.firstError}` : ''}`,
              }),
        });
      }
      // If the gateway held every count the mock held, the figure is the mock's, not the gateway's.
      const bound = gatewayMax >= directMax && directMax < (steps.at(-1) ?? 0);
      const failed = through.find((result) => !result.ok);
      rows.push({
        measure: `Concurrent paced streams (${MOCK_DELTA_COUNT} deltas/20 ms, gap <= ${settings.streams.maxGapMs} ms)`,
        direct: `${directMax} (mock), ${relayMax} (relay)`,
        gateway: String(gatewayMax),
        delta: failed ? `failed at ${failed.streams}` : `all steps to ${steps.at(-1)} ok`,
        target: `>= ${TARGETS.concurrentStreams.toLocaleString('en-US')}`,
        status: verdict(gatewayMax >= TARGETS.concurrentStreams, bound),
      });
    }

    if (wants('ws')) {
      const ws = settings.ws;
      const c = ws.connections;
      // Sessions and idempotency keys no earlier run used (the gateway's state directory is fresh, but
      // keys name their run in the transcripts all the same).
      const runTag = randomUUID().slice(0, 8);
      // The 20- and 100-delta turns share their sessions (one per connection): the reply's text and
      // so the transcript are the same, and the 100-delta subject finds them at steady state.
      const turnSpec = (agentId: string, expectedDeltas: number): WsTurnSpec => ({
        agentId,
        sessionKeyFor: (worker) => `bench-ws-${runTag}-${worker}`,
        keyPrefix: `bench-ws-${runTag}-${agentId}`,
        expectedDeltas,
      });
      const streamedSpec = turnSpec('stream20', STREAMED_DELTA_COUNT);
      const splitSpec = turnSpec('split100', SPLIT_DELTA_COUNT);
      const [relay, gateway] = await Promise.all([
        startRelay(mock.origin),
        startGateway('ws', { upstreamBaseUrl: mock.baseUrl }, { profile: settings.profile }),
      ]);
      const target: WsTarget = { origin: gateway.origin, token: BENCH_TOKEN };
      const httpUserPrefix = `bench-ws-${runTag}-http`;
      const streamExpectation = (contentFrames: number) => ({ kind: 'stream', contentFrames, usage: true }) as const;
      const checks: Record<string, AnswerCheck> = {
        relayStreamed: await checkAnswer(
          relay.origin,
          directRequests.streamed,
          streamExpectation(STREAMED_DELTA_COUNT),
        ),
        relaySplit: await checkAnswer(relay.origin, directRequests.split, streamExpectation(SPLIT_DELTA_COUNT)),
        // Worker 999's session: not one the measured workers use, so the check adds no turn to theirs.
        gatewayHttpSession: await checkAnswer(
          gateway.origin,
          gatewayRequests.streamedWithUser(999, httpUserPrefix),
          streamExpectation(STREAMED_DELTA_COUNT),
        ),
      };
      const wsChecks: Record<string, WsTurnCheck> = {
        streamed: await checkWsTurn(target, streamedSpec, 999),
        split: await checkWsTurn(target, splitSpec, 999),
      };
      for (const [name, check] of [...Object.entries(checks), ...Object.entries(wsChecks)])
        if (!check.ok) log(`answer check ws ${name} FAILED: ${check.problem}`);
      const done = 'data: [DONE]\n\n';
      const wsTurns =
        (spec: WsTurnSpec) =>
        (options: CpuDriveOptions): Promise<ClosedLoopResult> =>
          runWsTurns({ target, spec, ...options });
      const subjects: CpuSubject[] = [
        httpSubject('relay-streamed', relay, () => directRequests.streamed, ws.turnsPerWorker, {
          expectBodySuffix: done,
        }),
        httpSubject('relay-split', relay, () => directRequests.split, ws.turnsPerWorker, {
          expectBodySuffix: done,
          firstWarmupPerWorker: ws.roundWarmupPerWorker,
        }),
        httpSubject(
          'gateway-http-session-streamed',
          gateway,
          (worker) => gatewayRequests.streamedWithUser(worker, httpUserPrefix),
          ws.turnsPerWorker,
          { expectBodySuffix: done },
        ),
        { key: 'ws-turn', pid: gateway.child.pid, drive: wsTurns(streamedSpec), measuredPerWorker: ws.turnsPerWorker },
        {
          key: 'ws-turn-split',
          pid: gateway.child.pid,
          drive: wsTurns(splitSpec),
          measuredPerWorker: ws.splitTurnsPerWorker,
          // Its sessions are the 20-delta subject's, filled by then.
          firstWarmupPerWorker: ws.roundWarmupPerWorker,
        },
        {
          key: 'ws-handshake',
          pid: gateway.child.pid,
          drive: (options) => runWsHandshakes({ target, ...options }),
          measuredPerWorker: ws.handshakesPerWorker,
          firstWarmupPerWorker: ws.roundWarmupPerWorker * 2,
        },
      ];
      let results: Map<string, CpuResult>;
      try {
        results = await measureCpuPerRequest({
          subjects,
          concurrency: c,
          rounds: ws.rounds,
          firstWarmupPerWorker: ws.firstWarmupPerWorker,
          roundWarmupPerWorker: ws.roundWarmupPerWorker,
          loadCorePids: [mock.child.pid],
          onWindow: (key, index, window) =>
            log(
              `ws ${key} round ${index + 1}: ${formatMicroseconds(window.cpuMs / window.requests)} each (${window.ticks} ticks over ${window.requests} in ${(window.wallMs / 1000).toFixed(1)} s, ${window.errors} errors; server busy ${formatPercent(window.cpuMs / window.wallMs)}, load core ${formatPercent(window.loadCoreCpuMs / window.wallMs)})`,
            ),
        });
      } finally {
        await Promise.all([stopChild(relay.child), stopChild(gateway.child)]);
      }
      const figure = (key: string): CpuResult => {
        const result = results.get(key);
        if (result === undefined) throw new Error(`ws: subject ${key} was not measured`);
        return result;
      };
      const relayStreamed = figure('relay-streamed');
      const relaySplit = figure('relay-split');
      const httpTurn = figure('gateway-http-session-streamed');
      const wsTurn = figure('ws-turn');
      const wsSplit = figure('ws-turn-split');
      const handshake = figure('ws-handshake');
      const problemsOf = (figures: CpuResult[], checkNames: string[]): { errors: number; note?: string } => {
        const problems = [
          ...checkNames.flatMap((name) => {
            const check = checks[name] ?? wsChecks[name];
            return check?.ok === false ? [`answer check ${name}: ${check.problem}`] : [];
          }),
          ...figures.flatMap((result) =>
            result.errors > 0 ? [`${result.key}: ${result.errors} errors, first: ${result.firstError}`] : [],
          ),
        ];
        // The figure is the server's CPU whatever the pace, but a load generator's core that set the
        // pace is worth saying (it has not on the machines measured so far: ~10-25% busy).
        const saturated = figures.flatMap((result) =>
          result.loadCoreCpuMs / result.wallMs >= 0.85
            ? [
                `${result.key}: the load generator's core was ${formatPercent(result.loadCoreCpuMs / result.wallMs)} busy, the server ${formatPercent(result.cpuMs / result.wallMs)}`,
              ]
            : [],
        );
        const notes = [...problems, ...saturated];
        return notes.length === 0 ? { errors: 0 } : { errors: problems.length, note: notes.join('; ') };
      };
      const relayFrames = checks.relayStreamed?.frames ?? 0;
      const wsFrames = wsChecks.streamed?.frames ?? 0;
      const perFrame = (result: CpuResult, frames: number): string =>
        frames > 0 ? `, ${formatMicroseconds(result.cpuPerRequestMs / frames)}/frame` : '';
      const turnRatio = wsTurn.cpuPerRequestMs / relayStreamed.cpuPerRequestMs;
      const turnProblems = problemsOf([relayStreamed, wsTurn], ['relayStreamed', 'streamed']);
      rows.push({
        measure: `CPU per WebSocket turn (agent, ${STREAMED_DELTA_COUNT} deltas; frames relay/gateway ${relayFrames}/${wsFrames}), stored session, ${c} connections`,
        direct: `${formatMicroseconds(relayStreamed.cpuPerRequestMs)}${perFrame(relayStreamed, relayFrames)} (relay)`,
        gateway: `${formatMicroseconds(wsTurn.cpuPerRequestMs)}${perFrame(wsTurn, wsFrames)}`,
        delta: `${formatRatio(turnRatio)} relay`,
        target: `<= ${TARGETS.cpuStreamedVsRelay.toFixed(1)}x relay`,
        status: verdict(turnRatio <= TARGETS.cpuStreamedVsRelay, false, turnProblems.errors),
        ...(turnProblems.note === undefined ? {} : { note: turnProblems.note }),
      });
      // The same reply in 100 deltas instead of 20: what one more delta costs, fixed costs cancelled.
      const extraDeltas = SPLIT_DELTA_COUNT - STREAMED_DELTA_COUNT;
      const relayPerDelta = (relaySplit.cpuPerRequestMs - relayStreamed.cpuPerRequestMs) / extraDeltas;
      const wsPerDelta = (wsSplit.cpuPerRequestMs - wsTurn.cpuPerRequestMs) / extraDeltas;
      const deltaRatio = wsPerDelta / relayPerDelta;
      const deltaProblems = problemsOf(
        [relayStreamed, relaySplit, wsTurn, wsSplit],
        ['relayStreamed', 'relaySplit', 'streamed', 'split'],
      );
      rows.push({
        measure: `CPU per WebSocket delta (one agent + chat event pair; ${STREAMED_DELTA_COUNT} vs ${SPLIT_DELTA_COUNT} deltas of one reply), ${c} connections`,
        direct: `${formatMicroseconds(relayPerDelta)} (relay, one SSE frame)`,
        gateway: formatMicroseconds(wsPerDelta),
        delta: `${formatRatio(deltaRatio)} relay`,
        target: `<= ${TARGETS.cpuStreamedVsRelay.toFixed(1)}x relay`,
        status: verdict(deltaRatio > 0 && deltaRatio <= TARGETS.cpuStreamedVsRelay, false, deltaProblems.errors),
        ...(deltaProblems.note === undefined ? {} : { note: deltaProblems.note }),
      });
      const doorRatio = wsTurn.cpuPerRequestMs / httpTurn.cpuPerRequestMs;
      const doorProblems = problemsOf([httpTurn, wsTurn], ['gatewayHttpSession', 'streamed']);
      rows.push({
        measure: `CPU per WebSocket turn against the same turn over HTTP (streamed, stored session), ${c} connections`,
        direct: `${formatMicroseconds(httpTurn.cpuPerRequestMs)} (HTTP turn)`,
        gateway: formatMicroseconds(wsTurn.cpuPerRequestMs),
        delta: `${formatRatio(doorRatio)} HTTP`,
        target: '-',
        status: doorProblems.errors > 0 ? 'ERRORS' : 'INFO',
        ...(doorProblems.note === undefined ? {} : { note: doorProblems.note }),
      });
      const handshakeProblems = problemsOf([handshake], []);
      rows.push({
        measure: `CPU per WebSocket connection (upgrade, challenge, connect, hello-ok, close), ${c} at once`,
        direct: `${formatMicroseconds(wsTurn.cpuPerRequestMs)} (one turn)`,
        gateway: formatMicroseconds(handshake.cpuPerRequestMs),
        delta: `${formatRatio(handshake.cpuPerRequestMs / wsTurn.cpuPerRequestMs)} a turn`,
        target: '-',
        status: handshakeProblems.errors > 0 ? 'ERRORS' : 'INFO',
        ...(handshakeProblems.note === undefined ? {} : { note: handshakeProblems.note }),
      });

      // Paced turns held, like the HTTP stream steps: a gateway of its own with the event-loop probe.
      const paced = await startGateway(
        'ws-streams',
        { upstreamBaseUrl: mock.baseUrl },
        { profile: settings.profile, eventLoopProbe: true },
      );
      const pacedTarget: WsTarget = { origin: paced.origin, token: BENCH_TOKEN };
      // Its provider module, undici and the door's code loaded and warm before the first step.
      await runWsTurns({
        target: pacedTarget,
        spec: turnSpec('stream20', STREAMED_DELTA_COUNT),
        concurrency: 1,
        warmupPerWorker: 0,
        measuredPerWorker: 20,
      });
      const steps = settings.ws.steps.filter((step) => step * 4 + 256 <= openFiles.soft);
      const stepResults: (WsStreamStepResult & { eventLoop?: EventLoopDelay; loadCoreBusy: number })[] = [];
      // One session per connection index, reused by later steps. A step holds turns on sessions that
      // exist, as the HTTP steps hold streams on sockets that are connected: the sessions a step adds
      // get their first turn (agent `main`, instant) before it. A session's first turn costs far more
      // than the next (its transcript file and index entry are created, one at a time): measured
      // without this, 64 paced first turns stalled where 64 later ones held with 44 ms gaps.
      const pacedSession = (worker: number): string => `bench-ws-${runTag}-paced-${worker}`;
      const sessionsCreated: { streams: number; ms: number; errors: number; firstError?: string }[] = [];
      let sessionsReady = 0;
      for (const streams of steps) {
        if (streams > sessionsReady) {
          const from = sessionsReady;
          const started = performance.now();
          const created = await runWsTurns({
            target: pacedTarget,
            spec: {
              agentId: 'main',
              sessionKeyFor: (worker) => pacedSession(from + worker),
              keyPrefix: `bench-ws-${runTag}-paced-first-${streams}`,
              expectedDeltas: MOCK_DELTA_COUNT,
            },
            concurrency: streams - from,
            warmupPerWorker: 0,
            measuredPerWorker: 1,
          });
          sessionsCreated.push({
            streams: streams - from,
            ms: round(performance.now() - started, 1),
            errors: created.errors,
            ...(created.firstError === undefined ? {} : { firstError: created.firstError }),
          });
          if (created.errors > 0)
            log(`ws streams: ${created.errors} of ${streams - from} first turns failed: ${created.firstError}`);
          sessionsReady = streams;
        }
        await paced.eventLoop?.reset();
        let loadBefore: LoadCoreReading | undefined;
        let loadAfter: LoadCoreReading | undefined;
        const readLoad = (): LoadCoreReading => readLoadCore([mock.child.pid]);
        const result = await measureWsStreamStep({
          target: pacedTarget,
          spec: {
            ...turnSpec('paced', MOCK_DELTA_COUNT),
            sessionKeyFor: pacedSession,
            keyPrefix: `bench-ws-${runTag}-paced-${streams}`,
          },
          streams,
          maxGapMs: settings.streams.maxGapMs,
          timeoutMs: 30_000,
          onStepStart: () => {
            loadBefore = readLoad();
          },
          onStepEnd: () => {
            loadAfter = readLoad();
          },
        });
        const delay = await paced.eventLoop?.read();
        const loadCoreBusy =
          loadBefore === undefined || loadAfter === undefined || result.stepMs === 0
            ? 0
            : loadCoreMsBetween(loadBefore, loadAfter) / result.stepMs;
        stepResults.push({ ...result, loadCoreBusy, ...(delay === undefined ? {} : { eventLoop: delay }) });
        log(
          `ws streams ${streams}: ${result.ok ? 'ok' : 'FAILED'} (max gap ${result.maxGapMs.toFixed(0)} ms ending at ${(result.maxGapEndedAtMs / 1000).toFixed(2)} s, first frame within ${result.maxFirstByteMs.toFixed(0)} ms, ${result.completeStreams} complete, handshakes ${result.connectMs.toFixed(0)} ms, load core ${formatPercent(loadCoreBusy)}${delay === undefined ? '' : `, event-loop delay p99 ${delay.p99Ms.toFixed(1)} ms, max ${delay.maxMs.toFixed(1)} ms`}${result.firstError ? `, ${result.firstError}` : ''})`,
        );
        if (!result.ok) break;
        await sleep(300);
      }
      await stopChild(paced.child);
      const wsMax = stepResults
        .filter((result) => result.ok)
        .reduce((largest, result) => Math.max(largest, result.streams), 0);
      const describe = (result: { ok: boolean; completeStreams: number; maxGapMs: number } | undefined): string =>
        result === undefined
          ? '-'
          : `${result.ok ? 'held' : `${result.completeStreams} complete`}, gap ${result.maxGapMs.toFixed(0)} ms`;
      for (const result of stepResults) {
        const http = httpStreams?.gateway.find((candidate) => candidate.streams === result.streams);
        // A failed step with the load generator's core saturated says more about the harness.
        const harnessBound = !result.ok && result.loadCoreBusy >= 0.9;
        rows.push({
          measure: `Paced WebSocket turns, ${result.streams} concurrent`,
          direct: http === undefined ? '-' : `${describe(http)} (HTTP gateway)`,
          gateway: describe(result),
          delta:
            result.eventLoop === undefined
              ? '-'
              : `event loop p99 ${result.eventLoop.p99Ms.toFixed(1)} ms, max ${result.eventLoop.maxMs.toFixed(1)} ms`,
          target: `all ${MOCK_DELTA_COUNT} deltas, gap <= ${settings.streams.maxGapMs} ms`,
          status: verdict(result.ok, harnessBound),
          ...(result.ok
            ? {}
            : {
                note: `${result.completeStreams} complete, ${result.stalledStreams} stalled, first frame within ${result.maxFirstByteMs.toFixed(0)} ms, max gap ${result.maxGapMs.toFixed(0)} ms ending ${(result.maxGapEndedAtMs / 1000).toFixed(2)} s into the step, load core ${formatPercent(result.loadCoreBusy)}${result.firstError ? `, ${result.firstError}` : ''}`,
              }),
        });
      }
      const failed = stepResults.find((result) => !result.ok);
      rows.push({
        measure: `Concurrent paced WebSocket turns (${MOCK_DELTA_COUNT} deltas/20 ms, gap <= ${settings.streams.maxGapMs} ms)`,
        direct:
          httpStreams === undefined ? '-' : `${httpStreams.gatewayMax} (HTTP gateway), ${httpStreams.relayMax} (relay)`,
        gateway: String(wsMax),
        delta: failed ? `failed at ${failed.streams}` : `all steps to ${steps.at(-1)} ok`,
        target: `>= ${TARGETS.concurrentStreams.toLocaleString('en-US')}`,
        status: verdict(wsMax >= TARGETS.concurrentStreams, failed !== undefined && failed.loadCoreBusy >= 0.9),
      });
      record.ws = {
        clockTickMs: clockTickMs(),
        connections: c,
        runTag,
        answerChecks: checks,
        turnChecks: wsChecks,
        results: roundedCpuResults(results),
        perDeltaMs: { relay: round(relayPerDelta, 6), gateway: round(wsPerDelta, 6), extraDeltas },
        ratios: {
          turnVsRelay: round(turnRatio, 3),
          deltaVsRelay: round(deltaRatio, 3),
          turnVsHttpTurn: round(doorRatio, 3),
          handshakeVsTurn: round(handshake.cpuPerRequestMs / wsTurn.cpuPerRequestMs, 3),
        },
        framesPerAnswer: { relay: relayFrames, gateway: wsFrames },
        streams: { steps, results: stepResults, max: wsMax, sessionsCreated, eventLoopResolutionMs: 10 },
      };
    }

    if (wants('observability')) {
      const os = settings.observability;
      const c = os.concurrency;
      // The same gateway twice, metrics off and on (docs/observability.md#what-it-costs), measured in
      // the same interleaved rounds so that drift in the machine hits both alike.
      const [off, on] = await Promise.all([
        startGateway('metrics-off', { upstreamBaseUrl: mock.baseUrl }, { profile: settings.profile }),
        startGateway('metrics-on', { upstreamBaseUrl: mock.baseUrl, metrics: true }, { profile: settings.profile }),
      ]);
      const streamExpectation = { kind: 'stream', contentFrames: STREAMED_DELTA_COUNT, usage: true } as const;
      const checks: Record<string, AnswerCheck> = {
        offNonStreaming: await checkAnswer(off.origin, gatewayRequests.complete, { kind: 'json' }),
        offStreamed: await checkAnswer(off.origin, gatewayRequests.streamed, streamExpectation),
        onNonStreaming: await checkAnswer(on.origin, gatewayRequests.complete, { kind: 'json' }),
        onStreamed: await checkAnswer(on.origin, gatewayRequests.streamed, streamExpectation),
      };
      for (const [name, check] of Object.entries(checks))
        if (!check.ok) log(`answer check observability ${name} FAILED: ${check.problem}`);
      const done = 'data: [DONE]\n\n';
      const subjects: CpuSubject[] = [
        httpSubject('off-non-streaming', off, () => gatewayRequests.complete, os.nonStreamingPerWorker),
        httpSubject('on-non-streaming', on, () => gatewayRequests.complete, os.nonStreamingPerWorker),
        httpSubject('off-streamed', off, () => gatewayRequests.streamed, os.streamedPerWorker, {
          expectBodySuffix: done,
        }),
        httpSubject('on-streamed', on, () => gatewayRequests.streamed, os.streamedPerWorker, {
          expectBodySuffix: done,
        }),
      ];
      let results: Map<string, CpuResult>;
      let scrapeStatus = 0;
      try {
        results = await measureCpuPerRequest({
          subjects,
          concurrency: c,
          rounds: os.rounds,
          firstWarmupPerWorker: os.firstWarmupPerWorker,
          roundWarmupPerWorker: os.roundWarmupPerWorker,
          loadCorePids: [mock.child.pid],
          onWindow: (key, index, window) =>
            log(
              `observability ${key} round ${index + 1}: ${formatMicroseconds(window.cpuMs / window.requests)}/request (${window.ticks} ticks over ${window.requests} requests in ${(window.wallMs / 1000).toFixed(1)} s, ${window.errors} errors)`,
            ),
        });
        // The metrics gateway counted what it served: its scrape answers.
        scrapeStatus = (await fetch(`${on.origin}/metrics`, { headers: { authorization: `Bearer ${BENCH_TOKEN}` } }))
          .status;
      } finally {
        await Promise.all([stopChild(off.child), stopChild(on.child)]);
      }
      const figure = (key: string): CpuResult => {
        const result = results.get(key);
        if (result === undefined) throw new Error(`observability: subject ${key} was not measured`);
        return result;
      };
      const ratios: Record<string, number> = {};
      for (const kind of ['non-streaming', 'streamed'] as const) {
        const offFigure = figure(`off-${kind}`);
        const onFigure = figure(`on-${kind}`);
        const ratio = onFigure.cpuPerRequestMs / offFigure.cpuPerRequestMs;
        ratios[kind === 'streamed' ? 'streamedOnVsOff' : 'nonStreamingOnVsOff'] = round(ratio, 3);
        const suffix = kind === 'streamed' ? 'Streamed' : 'NonStreaming';
        const problems = [
          ...[`off${suffix}`, `on${suffix}`].flatMap((name) =>
            checks[name]?.ok === false ? [`answer check ${name}: ${checks[name]?.problem}`] : [],
          ),
          ...[offFigure, onFigure].flatMap((result) =>
            result.errors > 0 ? [`${result.key}: ${result.errors} errors, first: ${result.firstError}`] : [],
          ),
          ...(scrapeStatus === 200 ? [] : [`GET /metrics answered ${scrapeStatus}`]),
        ];
        rows.push({
          measure: `CPU per ${kind === 'streamed' ? `streamed request (${STREAMED_DELTA_COUNT} deltas + usage)` : 'request, non-streaming'} with gateway.metrics.enabled, c=${c}`,
          direct: `${formatMicroseconds(offFigure.cpuPerRequestMs)} (metrics off)`,
          gateway: formatMicroseconds(onFigure.cpuPerRequestMs),
          delta: `${formatRatio(ratio)} off`,
          target: `<= ${TARGETS.cpuMetricsOnVsOff.toFixed(2)}x off`,
          status: verdict(ratio <= TARGETS.cpuMetricsOnVsOff, false, problems.length),
          ...(problems.length === 0 ? {} : { note: problems.join('; ') }),
        });
      }
      record.observability = {
        clockTickMs: clockTickMs(),
        concurrency: c,
        answerChecks: checks,
        results: roundedCpuResults(results),
        ratios,
      };
    }

    if (wants('responses')) {
      const rs = settings.responses;
      const c = rs.concurrency;
      // Two gateways of one config (the Responses door on), one per door, so that a `--profile` of
      // the Responses gateway holds its door alone; the relay beside them on the same core.
      const [relay, chat, responses] = await Promise.all([
        startRelay(mock.origin),
        startGateway(
          'responses-chat',
          { upstreamBaseUrl: mock.baseUrl, responses: true },
          { profile: settings.profile },
        ),
        startGateway('responses', { upstreamBaseUrl: mock.baseUrl, responses: true }, { profile: settings.profile }),
      ]);
      const streamExpectation = { kind: 'stream', contentFrames: STREAMED_DELTA_COUNT, usage: true } as const;
      const checks: Record<string, AnswerCheck> = {
        relayNonStreaming: await checkAnswer(relay.origin, directRequests.complete, { kind: 'json' }),
        relayStreamed: await checkAnswer(relay.origin, directRequests.streamed, streamExpectation),
        chatNonStreaming: await checkAnswer(chat.origin, gatewayRequests.complete, { kind: 'json' }),
        chatStreamed: await checkAnswer(chat.origin, gatewayRequests.streamed, streamExpectation),
        responsesNonStreaming: await checkResponsesAnswer(responses.origin, responsesRequests.complete, {
          kind: 'json',
          ...mockResponse(MOCK_DELTA_COUNT),
        }),
        responsesStreamed: await checkResponsesAnswer(responses.origin, responsesRequests.streamed, {
          kind: 'stream',
          deltas: STREAMED_DELTA_COUNT,
          ...mockResponse(STREAMED_DELTA_COUNT),
        }),
      };
      for (const [name, check] of Object.entries(checks))
        if (!check.ok) log(`answer check responses ${name} FAILED: ${check.problem}`);
      const done = 'data: [DONE]\n\n';
      const subjects: CpuSubject[] = [
        httpSubject('relay-non-streaming', relay, () => directRequests.complete, rs.nonStreamingPerWorker),
        httpSubject('chat-non-streaming', chat, () => gatewayRequests.complete, rs.nonStreamingPerWorker),
        httpSubject('responses-non-streaming', responses, () => responsesRequests.complete, rs.nonStreamingPerWorker),
        httpSubject('relay-streamed', relay, () => directRequests.streamed, rs.streamedPerWorker, {
          expectBodySuffix: done,
        }),
        httpSubject('chat-streamed', chat, () => gatewayRequests.streamed, rs.streamedPerWorker, {
          expectBodySuffix: done,
        }),
        httpSubject('responses-streamed', responses, () => responsesRequests.streamed, rs.streamedPerWorker, {
          expectBodySuffix: done,
        }),
      ];
      let results: Map<string, CpuResult>;
      try {
        results = await measureCpuPerRequest({
          subjects,
          concurrency: c,
          rounds: rs.rounds,
          firstWarmupPerWorker: rs.firstWarmupPerWorker,
          roundWarmupPerWorker: rs.roundWarmupPerWorker,
          loadCorePids: [mock.child.pid],
          onWindow: (key, index, window) =>
            log(
              `responses ${key} round ${index + 1}: ${formatMicroseconds(window.cpuMs / window.requests)}/request (${window.ticks} ticks over ${window.requests} requests in ${(window.wallMs / 1000).toFixed(1)} s, ${window.errors} errors; server busy ${formatPercent(window.cpuMs / window.wallMs)}, load core ${formatPercent(window.loadCoreCpuMs / window.wallMs)})`,
            ),
        });
      } finally {
        await Promise.all([stopChild(relay.child), stopChild(chat.child), stopChild(responses.child)]);
      }
      const figure = (key: string): CpuResult => {
        const result = results.get(key);
        if (result === undefined) throw new Error(`responses: subject ${key} was not measured`);
        return result;
      };
      const problemsOf = (figures: CpuResult[], checkNames: string[]): { errors: number; note?: string } => {
        const problems = [
          ...checkNames.flatMap((name) =>
            checks[name]?.ok === false ? [`answer check ${name}: ${checks[name]?.problem}`] : [],
          ),
          ...figures.flatMap((result) =>
            result.errors > 0 ? [`${result.key}: ${result.errors} errors, first: ${result.firstError}`] : [],
          ),
        ];
        return problems.length === 0 ? { errors: 0 } : { errors: problems.length, note: problems.join('; ') };
      };
      const frames = {
        relay: checks.relayStreamed?.frames ?? 0,
        chat: checks.chatStreamed?.frames ?? 0,
        responses: checks.responsesStreamed?.frames ?? 0,
      };
      const perFrame = (result: CpuResult, count: number): string =>
        count > 0 ? `, ${formatMicroseconds(result.cpuPerRequestMs / count)}/frame` : '';
      const ratios: Record<string, number> = {};
      for (const kind of ['non-streaming', 'streamed'] as const) {
        const streamed = kind === 'streamed';
        const relayFigure = figure(`relay-${kind}`);
        const chatFigure = figure(`chat-${kind}`);
        const door = figure(`responses-${kind}`);
        const suffix = streamed ? 'Streamed' : 'NonStreaming';
        const [relayCheck, chatCheck, doorCheck] = [`relay${suffix}`, `chat${suffix}`, `responses${suffix}`];
        const relayRatio = door.cpuPerRequestMs / relayFigure.cpuPerRequestMs;
        const chatRatio = door.cpuPerRequestMs / chatFigure.cpuPerRequestMs;
        ratios[`${streamed ? 'streamed' : 'nonStreaming'}VsRelay`] = round(relayRatio, 3);
        ratios[`${streamed ? 'streamed' : 'nonStreaming'}VsChat`] = round(chatRatio, 3);
        ratios[`chat${suffix}VsRelay`] = round(chatFigure.cpuPerRequestMs / relayFigure.cpuPerRequestMs, 3);
        // The stateless chat rows' targets hold for a request through any door, as for the WebSocket turn.
        const target = streamed ? TARGETS.cpuStreamedVsRelay : TARGETS.cpuStatelessVsRelay;
        const what = streamed
          ? `streamed Responses request (${STREAMED_DELTA_COUNT} deltas + usage; frames relay/chat/responses ${frames.relay}/${frames.chat}/${frames.responses})`
          : 'Responses request, non-streaming';
        const relayProblems = problemsOf([relayFigure, door], [relayCheck, doorCheck]);
        rows.push({
          measure: `CPU per ${what}, stateless (store: false), c=${c}`,
          direct: `${formatMicroseconds(relayFigure.cpuPerRequestMs)}${streamed ? perFrame(relayFigure, frames.relay) : ''} (relay)`,
          gateway: `${formatMicroseconds(door.cpuPerRequestMs)}${streamed ? perFrame(door, frames.responses) : ''}`,
          delta: `${formatRatio(relayRatio)} relay`,
          target: `<= ${target.toFixed(1)}x relay`,
          status: verdict(relayRatio <= target, false, relayProblems.errors),
          ...(relayProblems.note === undefined ? {} : { note: relayProblems.note }),
        });
        const chatProblems = problemsOf([chatFigure, door], [chatCheck, doorCheck]);
        rows.push({
          measure: `CPU per ${streamed ? 'streamed ' : ''}Responses request against the same turn over chat completions${streamed ? '' : ', non-streaming'}, c=${c}`,
          direct: `${formatMicroseconds(chatFigure.cpuPerRequestMs)}${streamed ? perFrame(chatFigure, frames.chat) : ''} (chat turn)`,
          gateway: `${formatMicroseconds(door.cpuPerRequestMs)}${streamed ? perFrame(door, frames.responses) : ''}`,
          delta: `${formatRatio(chatRatio)} chat`,
          target: '-',
          status: chatProblems.errors > 0 ? 'ERRORS' : 'INFO',
          ...(chatProblems.note === undefined ? {} : { note: chatProblems.note }),
        });
      }
      record.responses = {
        clockTickMs: clockTickMs(),
        concurrency: c,
        answerChecks: checks,
        results: roundedCpuResults(results),
        ratios,
        framesPerAnswer: frames,
      };
    }

    if (wants('failure')) {
      const concurrency = settings.failure.concurrency;
      // 401 path: the limiter must count (not exempt loopback) but never lock within the run.
      const unauthorised = await startGateway('unauthorised', {
        upstreamBaseUrl: mock.baseUrl,
        rateLimit: { maxAttempts: 1_000_000_000, windowMs: 60_000, lockoutMs: 300_000, exemptLoopback: false },
      });
      // 429 path: one failure locks the key for an hour, so every later request meets the lock.
      const locked = await startGateway('locked', {
        upstreamBaseUrl: mock.baseUrl,
        rateLimit: { maxAttempts: 1, windowMs: 60_000, lockoutMs: 3_600_000, exemptLoopback: false },
      });
      await runFixedCount({
        origin: locked.origin,
        concurrency: 1,
        warmupPerWorker: 0,
        measuredPerWorker: 1,
        requestFor: () => gatewayRequests.wrongToken,
        expectStatus: 401,
      });
      // CPU per request, like the cpu section: a rate would be the load generator's once the
      // gateway answers a refusal in ~100 µs (the generator shares a core with the mock).
      const subjects: CpuSubject[] = [
        httpSubject('success', unauthorised, () => gatewayRequests.complete, settings.failure.perWorker),
        httpSubject('unauthorised', unauthorised, () => gatewayRequests.wrongToken, settings.failure.perWorker, {
          expectStatus: 401,
        }),
        httpSubject('rate-limited', locked, () => gatewayRequests.wrongToken, settings.failure.perWorker, {
          expectStatus: 429,
        }),
      ];
      const measured = await measureCpuPerRequest({
        subjects,
        concurrency,
        rounds: settings.cpu.rounds,
        firstWarmupPerWorker: settings.failure.warmupPerWorker,
        roundWarmupPerWorker: Math.ceil(settings.failure.warmupPerWorker / 4),
      });
      await stopChild(unauthorised.child);
      await stopChild(locked.child);
      const success = measured.get('success');
      const rejected = measured.get('unauthorised');
      const limited = measured.get('rate-limited');
      if (success === undefined || rejected === undefined || limited === undefined)
        throw new Error('failure path: a subject was not measured');
      record.failure = { concurrency, success, unauthorised: rejected, rateLimited: limited };
      log(
        `failure path c=${concurrency}: 200 ${formatMicroseconds(success.cpuPerRequestMs)}, 401 ${formatMicroseconds(rejected.cpuPerRequestMs)}, 429 ${formatMicroseconds(limited.cpuPerRequestMs)} of CPU a request`,
      );
      rows.push({
        measure: `CPU per successful request (limiter counting), c=${concurrency}`,
        direct: '-',
        gateway: formatMicroseconds(success.cpuPerRequestMs),
        delta: '1.00x',
        target: '-',
        status: success.errors > 0 ? 'ERRORS' : 'INFO',
        ...(success.errors > 0 ? { note: `${success.errors} errors, first: ${success.firstError}` } : {}),
      });
      for (const [label, result] of [
        ['CPU per wrong-token answer (401)', rejected],
        ['CPU per locked-out answer (429)', limited],
      ] as const) {
        // "n× success" as before: how many refusals fit in the CPU of one success.
        const ratio = success.cpuPerRequestMs / result.cpuPerRequestMs;
        rows.push({
          measure: `${label}, c=${concurrency}`,
          direct: `${formatMicroseconds(success.cpuPerRequestMs)} (success)`,
          gateway: formatMicroseconds(result.cpuPerRequestMs),
          delta: `${ratio.toFixed(2)}x success`,
          target: `>= ${TARGETS.failureVsSuccess}x success`,
          status: verdict(ratio >= TARGETS.failureVsSuccess, false, result.errors),
          ...(result.errors > 0 ? { note: `${result.errors} errors, first: ${result.firstError}` } : {}),
        });
      }
    }

    // Re-measure the mock at the end: a ceiling that moved means something else used the cores
    // during the run, and every rate of this run is suspect (the row says so).
    const [firstConcurrency] = [...ceilings.keys()];
    const firstCeiling = firstConcurrency === undefined ? undefined : ceilings.get(firstConcurrency);
    if (firstConcurrency !== undefined && firstCeiling !== undefined) {
      const again = await closedLoop(mock.origin, firstConcurrency, () => directRequests.complete);
      const driftPercent =
        ((again.requestsPerSecond - firstCeiling.requestsPerSecond) / firstCeiling.requestsPerSecond) * 100;
      record.mockCeilingAtEnd = { concurrency: firstConcurrency, result: again, driftPercent: round(driftPercent, 1) };
      const noisy = Math.abs(driftPercent) > 15;
      if (noisy)
        log(
          `WARNING: the mock's ceiling moved ${driftPercent.toFixed(0)}% during the run: the machine was not quiet; rates of this run are not representative`,
        );
      rows.push({
        measure: `Mock ceiling at end vs start, c=${firstConcurrency}`,
        direct: `${formatRate(firstCeiling.requestsPerSecond)} (start)`,
        gateway: formatRate(again.requestsPerSecond),
        delta: `${driftPercent >= 0 ? '+' : ''}${driftPercent.toFixed(0)}%`,
        target: 'within 15% (quiet machine)',
        status: noisy ? 'MISS' : 'PASS',
        ...(noisy
          ? {
              note: 'the machine was busy with other work during this run: rates are not representative (CPU per request is less affected)',
            }
          : {}),
      });
    }
  } finally {
    await stopEverything();
  }

  const profiles = settings.profile ? summariseProfiles(profileDirectory, benchStartedAt) : undefined;
  const date = new Date()
    .toISOString()
    .replace(/:/g, '-')
    .replace(/\.\d+Z$/, 'Z');
  const resultsPath = join(
    benchDirectory,
    'results',
    `${date}${settings.mode === 'smoke' ? '-smoke' : ''}${settings.only.length < sections.length ? '-partial' : ''}${settings.profile ? '-profiled' : ''}.json`,
  );
  mkdirSync(dirname(resultsPath), { recursive: true });
  writeFileSync(
    resultsPath,
    `${JSON.stringify(
      {
        date: new Date().toISOString(),
        mode: settings.mode,
        profiled: settings.profile,
        durationSeconds: round((performance.now() - benchStarted) / 1000, 1),
        repository,
        benchCommit,
        machine,
        loadAverageAtEnd: loadavg().map((value) => round(value, 2)),
        pinning,
        openFileLimit: openFiles,
        targets: TARGETS,
        settings: {
          cpu: settings.cpu,
          latency: settings.latency,
          throughput: settings.throughput,
          streams: settings.streams,
          ws: settings.ws,
          responses: settings.responses,
          observability: settings.observability,
          failure: settings.failure,
          memoryIdleWaitMs: settings.memoryIdleWaitMs,
          gatewayLogLevel: settings.logLevel,
          gatewayCli: settings.gatewayCli,
          sessionsStore: 'default (file) unless a row names another',
          maxHistoryMessages: 'default (200)',
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
  process.stdout.write(
    `\nclawgate benchmark (${settings.mode}${settings.profile ? ', PROFILED: figures not comparable' : ''}) on ${machine.cpuModel}, ${machine.cores} cores, node ${machine.node}\n`,
  );
  process.stdout.write(
    `code: commit ${repository.commit ?? 'unknown'}${repository.dirty ? ' + uncommitted changes (figures belong to no commit)' : ''}; gateway log level ${settings.logLevel}\n`,
  );
  process.stdout.write(
    `pinning: ${pin ? 'gateway or relay on core 0; mock upstream and load generator on core 1' : 'none (no taskset or a single core)'}\n\n`,
  );
  process.stdout.write(`${formatTable(rows)}\n\n`);
  if (profiles !== undefined) {
    for (const profile of profiles) {
      process.stdout.write(`Profile ${profile.file} (top self time):\n`);
      for (const frame of profile.top)
        process.stdout.write(`  ${frame.selfPercent.toFixed(1).padStart(5)}%  ${frame.frame}\n`);
      process.stdout.write('By module:\n');
      for (const frame of profile.byModule.slice(0, 12))
        process.stdout.write(`  ${frame.selfPercent.toFixed(1).padStart(5)}%  ${frame.frame}\n`);
    }
  }
  process.stdout.write(`results written to ${resultsPath}\n`);
  const erred = rows.filter((row) => row.status === 'ERRORS');
  if (erred.length > 0) {
    process.stderr.write(
      `bench: ${erred.length} row(s) read ERRORS (failed requests or wrong answers): ${erred.map((row) => row.measure).join('; ')}\n`,
    );
    process.exitCode = 1;
  }
}

/** Summaries of the profiles this run wrote (one per profiled gateway), newest first. */
/** A section's CPU results as the record keeps them: rounded to what the clock can tell. */
function roundedCpuResults(results: Map<string, CpuResult>): Record<string, CpuResult> {
  return Object.fromEntries(
    [...results].map(([key, result]) => [
      key,
      {
        ...result,
        cpuPerRequestMs: round(result.cpuPerRequestMs, 5),
        requestsPerSecond: round(result.requestsPerSecond, 1),
      },
    ]),
  );
}

function summariseProfiles(directory: string, sinceMs: number): ReturnType<typeof summariseProfile>[] {
  try {
    return execFileSync('ls', ['-t', directory], { encoding: 'utf8' })
      .split('\n')
      .filter((name) => name.endsWith('.cpuprofile') && statSync(join(directory, name)).mtimeMs >= sinceMs)
      .map((name) => summariseProfile(join(directory, name), 25));
  } catch {
    return [];
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
