/**
 * The gateway configurations the benchmark starts, in the contract §8 shape. Everything a real
 * deployment would keep (token auth, the failure limiter, a transcript store) stays on: the point
 * is what a user's gateway costs, not a stripped-down one.
 */

/** The shared secret every benchmark request carries; loopback-only and thrown away after the run. */
export const BENCH_TOKEN = 'bench-token-0123456789abcdef';

/** Transcript bound of the benchmark agents (see BENCHMARKS.md: keeps session runs in steady state). */
export const BENCH_MAX_HISTORY_MESSAGES = 20;

/** Options of {@link createGatewayConfig}. */
export interface GatewayConfigOptions {
  /** Mock base URL including `/v1`. */
  upstreamBaseUrl: string;
  sessionsStore: 'memory' | 'file';
  /** Failure-limiter settings; `undefined` keeps the gateway's defaults (loopback exempt). */
  rateLimit?: { maxAttempts: number; windowMs: number; lockoutMs: number; exemptLoopback: boolean };
  logLevel: string;
}

/**
 * Builds a config object (JSON is valid JSON5) with three agents on the mock provider:
 * `main` (default, instant answers), `paced` (20 ms deltas) and `delayed` (answers after 20 ms).
 */
export function createGatewayConfig(options: GatewayConfigOptions): Record<string, unknown> {
  return {
    gateway: {
      bind: '127.0.0.1',
      auth: {
        mode: 'token',
        token: BENCH_TOKEN,
        ...(options.rateLimit === undefined ? {} : { rateLimit: options.rateLimit }),
      },
      http: { endpoints: { chatCompletions: { enabled: true } } },
    },
    models: {
      providers: { mock: { api: 'openai-completions', baseUrl: options.upstreamBaseUrl, apiKey: 'mock-key' } },
    },
    agents: {
      defaults: { model: 'mock/instant', maxHistoryMessages: BENCH_MAX_HISTORY_MESSAGES },
      list: [
        { id: 'main', default: true },
        { id: 'paced', model: 'mock/paced' },
        { id: 'delayed', model: 'mock/delay-20' },
      ],
    },
    sessions: { store: options.sessionsStore },
    logging: { level: options.logLevel },
  };
}
