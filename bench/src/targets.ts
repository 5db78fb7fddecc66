/**
 * The targets of the issue "The cost of a turn", in one place so the printed table, the verdicts and
 * the README say the same thing. CPU per request against a translating relay measured in the same
 * run is the verdict on cost; requests per second are reported as INFO because they move with the
 * load generator and with whatever else shares the machine.
 */
export const TARGETS = {
  /** Gateway CPU per non-streaming stateless request, as a multiple of the reference relay's. */
  cpuStatelessVsRelay: 2.0,
  /** Gateway CPU per stored-session turn (file store, default bound), as a multiple of its own stateless figure. */
  cpuStoredSessionVsStateless: 1.5,
  /** Gateway CPU per streamed request, as a multiple of the reference relay's. */
  cpuStreamedVsRelay: 2.0,
  /** Added latency at concurrency 1, median of round medians (non-streaming and to the first content chunk). */
  addedMedianMs: 0.3,
  /** Added latency at concurrency 1, p99 of all samples. */
  addedP99Ms: 2,
  /** Concurrent paced streams held without a gap over the stall limit. */
  concurrentStreams: 1_000,
  /** RSS 1 s after the gateway is listening, decimal bytes. */
  idleRssBytes: 60_000_000,
  /** Spawn to the listening line. */
  startupMs: 300,
  /** Rate of 401 and 429 answers as a multiple of the successful rate. */
  failureVsSuccess: 2,
  /** Gateway CPU per request with `gateway.metrics.enabled`, as a multiple of the same gateway's without. */
  cpuMetricsOnVsOff: 1.05,
} as const;
