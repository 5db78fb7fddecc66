/**
 * The gateway configurations the benchmark starts, in the configuration file's shape
 * (docs/http-contract.md#8-configuration). Everything a real deployment would keep (token auth, the
 * failure limiter, the default file transcript store, the default history bound, `info` logging)
 * stays on unless a row says otherwise: the point is what a user's gateway costs, not a
 * stripped-down one.
 */

/** The shared secret every benchmark request carries; loopback-only and thrown away after the run. */
export const BENCH_TOKEN = 'bench-token-0123456789abcdef';

/** `sessions.store` of a benchmark gateway; `undefined` leaves the key out (the default, `file`). */
export type BenchSessionsStore = 'memory' | 'file' | { redis: string } | undefined;

/** Options of {@link createGatewayConfig}. */
export interface GatewayConfigOptions {
  /** Mock base URL including `/v1`. */
  upstreamBaseUrl: string;
  sessionsStore?: BenchSessionsStore;
  /** Failure-limiter settings; `undefined` keeps the gateway's defaults (on, loopback exempt). */
  rateLimit?: { maxAttempts: number; windowMs: number; lockoutMs: number; exemptLoopback: boolean };
  logLevel: string;
  /**
   * Mount `POST /v1/responses` (docs/responses-api.md#enablement-and-routing), which also mounts
   * `POST /v1/embeddings`. Off unless the `responses` section asks, so every other row measures the
   * gateway it always measured. @defaultValue false
   */
  responses?: boolean;
  /** `gateway.metrics.enabled` (docs/observability.md#metrics): only the `observability` section's row. @defaultValue false */
  metrics?: boolean;
}

/**
 * Builds a config object (JSON is valid JSON5) with five agents on the mock provider:
 * `main` (default, instant answers), `paced` (20 ms deltas), `delayed` (answers after 20 ms),
 * `stream20` (20 deltas at once: the per-frame CPU row) and `split100` (the same reply in 100
 * deltas: the per-delta WebSocket row). No agent sets `maxHistoryMessages`, so
 * stored sessions carry the default bound (200 messages) as a user's gateway would.
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
      http: {
        endpoints: {
          chatCompletions: { enabled: true },
          ...(options.responses === true ? { responses: { enabled: true } } : {}),
        },
      },
      ...(options.metrics === true ? { metrics: { enabled: true } } : {}),
    },
    models: {
      providers: { mock: { api: 'openai-completions', baseUrl: options.upstreamBaseUrl, apiKey: 'mock-key' } },
    },
    agents: {
      defaults: { model: 'mock/instant' },
      list: [
        { id: 'main', default: true },
        { id: 'paced', model: 'mock/paced' },
        { id: 'delayed', model: 'mock/delay-20' },
        { id: 'stream20', model: 'mock/stream-20' },
        { id: 'split100', model: 'mock/split-100' },
      ],
    },
    ...(options.sessionsStore === undefined ? {} : { sessions: { store: options.sessionsStore } }),
    logging: { level: options.logLevel },
  };
}
