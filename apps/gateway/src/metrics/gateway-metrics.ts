/**
 * The gateway's Prometheus metrics (docs/observability.md#metrics), on a registry of their own so
 * two gateways in one process (tests) never share counters. Every label is from a closed set or
 * from the configuration (agent ids, model references, provider ids): never a session key, user,
 * token, IP address or message text.
 *
 * Decision: labelled children are looked up through a small cache keyed by the joined label values,
 * because prom-client's `labels()` hashes its arguments on every call; with the cache a request
 * costs a few map lookups and one `observe` per histogram (docs/observability.md#what-it-costs).
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ChatCompletionUsage } from '@clawgate/openai-schemas';
import type { AuthDecision } from '@clawgate/auth';
import type { ObservedTurn, RunObserver, UpstreamAttempt } from '../agent/run-observer.js';
import { GATEWAY_VERSION } from '../gateway-version.js';

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

type CounterChild = ReturnType<Counter<string>['labels']>;
type HistogramChild = ReturnType<Histogram<string>['labels']>;

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
  const requests = new Counter({
    name: 'clawgate_http_requests_total',
    help: 'HTTP requests by route, method, status class (aborted: the client left first) and agent.',
    labelNames: ['route', 'method', 'status_class', 'agent'],
    registers,
  });
  const requestDuration = new Histogram({
    name: 'clawgate_http_request_duration_seconds',
    help: 'From the request arriving to the response ending, by route.',
    labelNames: ['route'],
    buckets: DURATION_BUCKETS,
    registers,
  });
  const firstChunk = new Histogram({
    name: 'clawgate_time_to_first_chunk_seconds',
    help: 'Streamed requests: from the request arriving to the first piece of the reply going out.',
    labelNames: ['route'],
    buckets: FIRST_CHUNK_BUCKETS,
    registers,
  });
  const overhead = new Histogram({
    name: 'clawgate_gateway_overhead_seconds',
    help: "Answered requests that called a model: the request's duration minus its time in upstream calls.",
    labelNames: ['route'],
    buckets: OVERHEAD_BUCKETS,
    registers,
  });
  const activeRuns = new Gauge({ name: 'clawgate_active_runs', help: 'Agent turns running now.', registers });
  const activeStreams = new Gauge({
    name: 'clawgate_active_streams',
    help: 'Agent turns running now whose reply streams to the client.',
    registers,
  });
  const sessionWait = new Histogram({
    name: 'clawgate_session_wait_seconds',
    help: "How long a stored session's turn waited for the session's earlier turns.",
    buckets: SESSION_WAIT_BUCKETS,
    registers,
  });
  const sessionBusy = new Counter({
    name: 'clawgate_session_busy_total',
    help: 'Turns refused with 429 session_busy (the session line was full or the wait too long).',
    registers,
  });
  const upstreamResponses = new Counter({
    name: 'clawgate_upstream_responses_total',
    help: 'Upstream model calls by provider and outcome.',
    labelNames: ['provider', 'outcome'],
    registers,
  });
  const upstreamDuration = new Histogram({
    name: 'clawgate_upstream_duration_seconds',
    help: 'Upstream model calls, from the call to the end of the reply, by provider.',
    labelNames: ['provider'],
    buckets: DURATION_BUCKETS,
    registers,
  });
  const tokens = new Counter({
    name: 'clawgate_tokens_total',
    help: "Tokens by agent, model and direction (input, output), from the upstream's usage.",
    labelNames: ['agent', 'model', 'direction'],
    registers,
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

  // Children by joined label values: see the file comment.
  const providerChildren = new Map<string, HistogramChild>();
  const outcomeChildren = new Map<string, CounterChild>();

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
      let counter = outcomeChildren.get(key);
      if (counter === undefined) {
        counter = upstreamResponses.labels(attempt.provider, attempt.outcome);
        outcomeChildren.set(key, counter);
      }
      counter.inc();
      let duration = providerChildren.get(attempt.provider);
      if (duration === undefined) {
        duration = upstreamDuration.labels(attempt.provider);
        providerChildren.set(attempt.provider, duration);
      }
      duration.observe(attempt.durationMs / 1000);
    },
    tokensUsed(agentId: string, model: string, usage: ChatCompletionUsage) {
      if (usage.prompt_tokens > 0) tokens.inc({ agent: agentId, model, direction: 'input' }, usage.prompt_tokens);
      if (usage.completion_tokens > 0) {
        tokens.inc({ agent: agentId, model, direction: 'output' }, usage.completion_tokens);
      }
    },
  };

  const routeChildren = new Map<string, { duration: HistogramChild; firstChunk: HistogramChild }>();
  const overheadChildren = new Map<string, HistogramChild>();
  const countChildren = new Map<string, CounterChild>();

  function observeRequest(request: ObservedRequest): void {
    const method = METHOD_LABELS.has(request.method) ? request.method : 'other';
    const statusClass = request.finished ? `${Math.floor(request.status / 100)}xx` : 'aborted';
    const agent = request.agentId ?? '';
    const countKey = `${request.route}\u0000${method}\u0000${statusClass}\u0000${agent}`;
    let count = countChildren.get(countKey);
    if (count === undefined) {
      count = requests.labels(request.route, method, statusClass, agent);
      countChildren.set(countKey, count);
    }
    count.inc();
    let route = routeChildren.get(request.route);
    if (route === undefined) {
      route = { duration: requestDuration.labels(request.route), firstChunk: firstChunk.labels(request.route) };
      routeChildren.set(request.route, route);
    }
    const durationMs = request.endedAt - request.startedAt;
    route.duration.observe(durationMs / 1000);
    if (request.stream && request.firstPieceAt !== undefined) {
      route.firstChunk.observe((request.firstPieceAt - request.startedAt) / 1000);
    }
    // A request the client left is still in its upstream call when it ends here: no overhead to tell.
    if (request.finished && request.upstreamMs !== undefined && request.upstreamMs > 0) {
      let child = overheadChildren.get(request.route);
      if (child === undefined) {
        child = overhead.labels(request.route);
        overheadChildren.set(request.route, child);
      }
      child.observe(Math.max(0, durationMs - request.upstreamMs) / 1000);
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
  } satisfies GatewayMetrics;
}
