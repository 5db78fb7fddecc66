/**
 * The gateway's Prometheus metrics (docs/observability.md#metrics), on a registry of their own so
 * two gateways in one process (tests) never share counters. Every label is from a closed set or
 * from the configuration (agent ids, model references, provider ids): never a session key, user,
 * token, IP address or message text.
 *
 * Decision: what is counted per request or per upstream call lives in `labelled-series.ts` (plain
 * numbers behind a map of label sets, rendered by prom-client at scrape time), and each caller's
 * series are cached here per label set: prom-client's own `inc`/`observe` hash the label values on
 * every call (docs/observability.md#what-it-costs). Rare events (gauges, refusals) use prom-client's
 * classes as they are.
 */
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import type { ChatCompletionUsage } from '@clawgate/openai-schemas';
import type { AuthDecision } from '@clawgate/auth';
import type { ObservedTurn, RunObserver, UpstreamAttempt } from '../agent/run-observer.js';
import { GATEWAY_VERSION } from '../gateway-version.js';
import { type CounterSeries, createCounter, createHistogram, type HistogramSeries } from './labelled-series.js';

/** One finished HTTP request, as the request log step reports it. */
export interface ObservedRequest {
  /** The route label (see `routeLabel`). */
  route: string;
  method: string;
  status: number;
  /** False when the client left before the response ended. */
  finished: boolean;
  /** The agent that served it, when one was resolved. */
  agentId: string | undefined;
  /** `performance.now()` when the request arrived and when it ended. */
  startedAt: number;
  endedAt: number;
  /** Whether the reply was streamed (SSE). */
  stream: boolean;
  /** The turn's upstream time (ms) and when its first piece went out, for turns that reached a model. */
  upstreamMs: number | undefined;
  firstPieceAt: number | undefined;
}

/** The state stores' health, read at each scrape. */
export type StoreHealth = () => Record<string, boolean>;

/** What {@link createGatewayMetrics} builds. */
export interface GatewayMetrics {
  readonly registry: Registry;
  /** Feeds turns, session waits, upstream calls and tokens (give it to `createAgentRunner`). */
  readonly runObserver: RunObserver;
  observeRequest(request: ObservedRequest): void;
  /** Counts a refused authentication by its outcome. */
  observeAuthDecision(decision: AuthDecision): void;
  /** The rate-limit store could not be reached while authenticating. */
  observeAuthUnavailable(): void;
  /** The scrape body (Prometheus text format). */
  render(): Promise<string>;
  readonly contentType: string;
}

/** Seconds; from a probe answered in a millisecond to a long streamed turn. */
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];
/** The gateway's own share of a request: tens of microseconds when all is well. */
const OVERHEAD_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];
const FIRST_CHUNK_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
const SESSION_WAIT_BUCKETS = [0.0001, 0.001, 0.01, 0.1, 0.5, 1, 5, 10, 30, 60];

/** Methods Node's parser accepts are a fixed list, but only these are worth a label of their own. */
const METHOD_LABELS: ReadonlySet<string> = new Set(['GET', 'POST', 'HEAD', 'OPTIONS', 'PUT', 'PATCH', 'DELETE']);

/**
 * Creates the metrics.
 *
 * @param options.storeHealth - Each state store and whether it is reachable (`clawgate_store_up`).
 * @param options.processMetrics - Also export prom-client's process metrics. @defaultValue true
 */
export function createGatewayMetrics(
  options: { storeHealth?: StoreHealth; processMetrics?: boolean } = {},
): GatewayMetrics {
  const registry = new Registry();
  const registers = [registry];
  if (options.processMetrics !== false) collectDefaultMetrics({ register: registry });

  new Gauge({
    name: 'clawgate_build_info',
    help: 'Always 1; the version label says which clawgate answers.',
    labelNames: ['version'],
    registers,
  }).set({ version: GATEWAY_VERSION }, 1);
  const requests = createCounter({
    name: 'clawgate_http_requests_total',
    help: 'HTTP requests by route, method, status class (aborted: the client left first) and agent.',
    labelNames: ['route', 'method', 'status_class', 'agent'],
    registry,
  });
  const requestDuration = createHistogram({
    name: 'clawgate_http_request_duration_seconds',
    help: 'From the request arriving to the response ending, by route.',
    labelNames: ['route'],
    buckets: DURATION_BUCKETS,
    registry,
  });
  const firstChunk = createHistogram({
    name: 'clawgate_time_to_first_chunk_seconds',
    help: 'Streamed requests: from the request arriving to the first piece of the reply going out.',
    labelNames: ['route'],
    buckets: FIRST_CHUNK_BUCKETS,
    registry,
  });
  const overhead = createHistogram({
    name: 'clawgate_gateway_overhead_seconds',
    help: "Answered requests that called a model: the request's duration minus its time in upstream calls.",
    labelNames: ['route'],
    buckets: OVERHEAD_BUCKETS,
    registry,
  });
  const activeRuns = new Gauge({ name: 'clawgate_active_runs', help: 'Agent turns running now.', registers });
  const activeStreams = new Gauge({
    name: 'clawgate_active_streams',
    help: 'Agent turns running now whose reply streams to the client.',
    registers,
  });
  const sessionWait = createHistogram({
    name: 'clawgate_session_wait_seconds',
    help: "How long a stored session's turn waited for the session's earlier turns.",
    labelNames: [],
    buckets: SESSION_WAIT_BUCKETS,
    registry,
  }).series();
  const sessionBusy = new Counter({
    name: 'clawgate_session_busy_total',
    help: 'Turns refused with 429 session_busy (the session line was full or the wait too long).',
    registers,
  });
  const upstreamResponses = createCounter({
    name: 'clawgate_upstream_responses_total',
    help: 'Upstream model calls by provider and outcome.',
    labelNames: ['provider', 'outcome'],
    registry,
  });
  const upstreamDuration = createHistogram({
    name: 'clawgate_upstream_duration_seconds',
    help: 'Upstream model calls, from the call to the end of the reply, by provider.',
    labelNames: ['provider'],
    buckets: DURATION_BUCKETS,
    registry,
  });
  const tokens = createCounter({
    name: 'clawgate_tokens_total',
    help: "Tokens by agent, model and direction (input, output), from the upstream's usage.",
    labelNames: ['agent', 'model', 'direction'],
    registry,
  });
  const authFailures = new Counter({
    name: 'clawgate_auth_failures_total',
    help: 'Refused authentications: unauthorized, forbidden (missing scope), locked_out (rate limiter), unavailable.',
    labelNames: ['outcome'],
    registers,
  });
  const storeHealth = options.storeHealth;
  new Gauge({
    name: 'clawgate_store_up',
    help: 'Whether each state store (sessions, rate_limit) is reachable: 1 or 0.',
    labelNames: ['store'],
    registers,
    collect() {
      if (storeHealth === undefined) return;
      for (const [store, up] of Object.entries(storeHealth())) this.set({ store }, up ? 1 : 0);
    },
  });

  // Each caller's series by its joined label values (see the file comment).
  const attemptSeries = new Map<string, { count: CounterSeries; duration: HistogramSeries }>();
  const tokenSeries = new Map<string, { input: CounterSeries; output: CounterSeries }>();
  const requestSeries = new Map<string, CounterSeries>();
  const routeSeries = new Map<
    string,
    { duration: HistogramSeries; firstChunk: HistogramSeries; overhead: HistogramSeries }
  >();

  const runObserver: RunObserver = {
    turnStarted(turn: ObservedTurn) {
      activeRuns.inc();
      if (turn.stream) activeStreams.inc();
    },
    turnEnded(turn: ObservedTurn) {
      activeRuns.dec();
      if (turn.stream) activeStreams.dec();
    },
    sessionWaited(waitMs) {
      sessionWait.observe(waitMs / 1000);
    },
    sessionBusy() {
      sessionBusy.inc();
    },
    upstreamAttempt(attempt: UpstreamAttempt) {
      const key = `${attempt.provider}\u0000${attempt.outcome}`;
      let series = attemptSeries.get(key);
      if (series === undefined) {
        series = {
          count: upstreamResponses.series(attempt.provider, attempt.outcome),
          duration: upstreamDuration.series(attempt.provider),
        };
        attemptSeries.set(key, series);
      }
      series.count.inc();
      series.duration.observe(attempt.durationMs / 1000);
    },
    tokensUsed(agentId: string, model: string, usage: ChatCompletionUsage) {
      const key = `${agentId}\u0000${model}`;
      let series = tokenSeries.get(key);
      if (series === undefined) {
        series = { input: tokens.series(agentId, model, 'input'), output: tokens.series(agentId, model, 'output') };
        tokenSeries.set(key, series);
      }
      if (usage.prompt_tokens > 0) series.input.inc(usage.prompt_tokens);
      if (usage.completion_tokens > 0) series.output.inc(usage.completion_tokens);
    },
  };

  function observeRequest(request: ObservedRequest): void {
    const method = METHOD_LABELS.has(request.method) ? request.method : 'other';
    const statusClass = request.finished ? (STATUS_CLASSES[Math.floor(request.status / 100)] ?? 'other') : 'aborted';
    const agent = request.agentId ?? '';
    const countKey = `${request.route}\u0000${method}\u0000${statusClass}\u0000${agent}`;
    let count = requestSeries.get(countKey);
    if (count === undefined) {
      count = requests.series(request.route, method, statusClass, agent);
      requestSeries.set(countKey, count);
    }
    count.inc();
    let route = routeSeries.get(request.route);
    if (route === undefined) {
      route = {
        duration: requestDuration.series(request.route),
        firstChunk: firstChunk.series(request.route),
        overhead: overhead.series(request.route),
      };
      routeSeries.set(request.route, route);
    }
    const durationMs = request.endedAt - request.startedAt;
    route.duration.observe(durationMs / 1000);
    if (request.stream && request.firstPieceAt !== undefined) {
      route.firstChunk.observe((request.firstPieceAt - request.startedAt) / 1000);
    }
    // A request the client left is still in its upstream call when it ends here: no overhead to tell.
    if (request.finished && request.upstreamMs !== undefined && request.upstreamMs > 0) {
      route.overhead.observe(Math.max(0, durationMs - request.upstreamMs) / 1000);
    }
  }

  return {
    registry,
    runObserver,
    observeRequest,
    observeAuthDecision(decision: AuthDecision) {
      if (decision.allowed) return;
      const outcome = decision.status === 429 ? 'locked_out' : decision.status === 403 ? 'forbidden' : 'unauthorized';
      authFailures.inc({ outcome });
    },
    observeAuthUnavailable() {
      authFailures.inc({ outcome: 'unavailable' });
    },
    render: () => registry.metrics(),
    contentType: registry.contentType,
  };
}

/** `status_class` by the status's first digit. */
const STATUS_CLASSES: readonly string[] = ['0xx', '1xx', '2xx', '3xx', '4xx', '5xx'];
