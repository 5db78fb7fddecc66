/**
 * `createGatewayRuntime`: everything a transport needs, built once from a validated config. The
 * HTTP server and the `clawgate agent` CLI both call it, so a CLI turn goes through exactly the
 * same stores, providers and runner as an HTTP request (docs/architecture.md#runtime-wiring).
 */
import {
  createGatewayAuthorizer,
  MemoryRateLimitStore,
  resolveAuthConfig,
  type GatewayAuthorizer,
  type RateLimitStore,
} from '@clawgate/auth';
import { RedisRateLimitStore } from '@clawgate/auth/redis';
import type { Redis } from 'ioredis';
import type { AgentRunner } from './agent/agent-runner.js';
import { createAgentRunner } from './agent/create-agent-runner.js';
import type { GatewayConfig } from './config/config-schema.js';
import { ensureGatewaySecret } from './ensure-gateway-secret.js';
import { createProviderRegistry, type ProviderRegistry } from './providers/provider-registry.js';
import { createSessionStore } from './sessions/create-session-store.js';
import { createRedisSessionClient, redactRedisUrl } from './sessions/redis-session-client.js';
import { createRedisSessionStore } from './sessions/redis-session-store.js';
import type { SessionStore } from './sessions/session-store.js';
import type { HttpLogger } from './http/http-logger.js';
import type { GatewayMetrics } from './metrics/gateway-metrics.js';
import { observeAuthorizer } from './metrics/observe-authorizer.js';
import type { Tracing } from './tracing/tracing.js';

/** What {@link createGatewayRuntime} built. `authorizer` is absent when `auth: false` was asked for. */
export interface GatewayRuntime {
  config: GatewayConfig;
  runner: AgentRunner;
  sessionStore: SessionStore;
  providers: ProviderRegistry;
  authorizer: GatewayAuthorizer | undefined;
  /** One line saying how callers authenticate (never the secret). */
  authDescription: string | undefined;
  /** The metrics every part reports to, when `gateway.metrics.enabled` (docs/observability.md#metrics). */
  metrics: GatewayMetrics | undefined;
  /** The tracing it was given (docs/observability.md#traces); `close()` flushes and stops it. */
  tracing: Tracing | undefined;
  /** True while every shared store is connected (for `/readyz`); no I/O. */
  isReady(): boolean;
  /** Releases stores, pools and Redis connections; idempotent. */
  close(): Promise<void>;
}

/** Options of {@link createGatewayRuntime}. */
export interface CreateGatewayRuntimeOptions {
  config: GatewayConfig;
  stateDir: string;
  env: NodeJS.ProcessEnv;
  /** Build the authorizer (and generate a token when needed). The CLI's `agent` command does not. @defaultValue true */
  auth?: boolean;
  /** Programmatic Redis settings (not config keys): see {@link RuntimeRedisOptions}. */
  redis?: RuntimeRedisOptions;
  /**
   * Tracing (`startTracing`), shut down last by `close()` so the spans of the last turns are exported.
   * @defaultValue none
   */
  tracing?: Tracing | undefined;
  /** Receives one `warn` line per failed model attempt that was handed on. @defaultValue silent */
  logger?: Pick<HttpLogger, 'warn'>;
}

/** Redis settings a program (or a test) may set beside the config file. */
export interface RuntimeRedisOptions {
  /**
   * Prefix of every Redis key (sessions under `<prefix>session:…`, the limiter under `<prefix>auth:…`),
   * so several deployments or test runs can share one Redis database.
   * @defaultValue the stores' own prefixes (`clawgate:` and `clawgate:auth:`)
   */
  keyPrefix?: string;
  /** Expiry of a session lock whose holder died (renewed while it lives). @defaultValue `15_000` */
  sessionLockTtlMs?: number;
}

/**
 * Builds the runtime and waits until Redis-backed stores (if configured) are connected.
 *
 * @throws Error naming the store and the redacted Redis URL when Redis is unreachable at start-up.
 */
export async function createGatewayRuntime(options: CreateGatewayRuntimeOptions): Promise<GatewayRuntime> {
  const { config, stateDir, env } = options;
  const cleanups: Array<() => unknown> = [];
  const close = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  };
  try {
    const tracing = options.tracing;
    if (tracing !== undefined) cleanups.push(() => tracing.shutdown());
    const readiness: Array<() => boolean> = [];
    // Each state store's health for `clawgate_store_up`, read at scrape time.
    const storeHealth: Record<string, () => boolean> = {};
    // prom-client (and the OpenTelemetry API it pulls in) is loaded only when metrics are on.
    const metrics = config.gateway.metrics.enabled
      ? (await import('./metrics/gateway-metrics.js')).createGatewayMetrics({
          storeHealth: () => Object.fromEntries(Object.entries(storeHealth).map(([store, up]) => [store, up()])),
        })
      : undefined;
    let authorizer: GatewayAuthorizer | undefined;
    let authDescription: string | undefined;
    if (options.auth !== false) {
      const secured = await ensureGatewaySecret({
        resolved: resolveAuthConfig(config.gateway.auth, env),
        stateDir,
        configured: config.gateway.auth,
      });
      authDescription = secured.description;
      const rateLimit = config.gateway.auth.rateLimit;
      let store: RateLimitStore | undefined;
      if (rateLimit.enabled) {
        if (rateLimit.store === 'memory') {
          const memory = new MemoryRateLimitStore();
          cleanups.push(() => memory.close());
          store = memory;
        } else {
          const client = await connectRateLimitRedis(rateLimit.store.redis);
          cleanups.push(() => client.quit().catch(() => client.disconnect()));
          readiness.push(() => client.status === 'ready');
          storeHealth.rate_limit = () => client.status === 'ready';
          store = new RedisRateLimitStore({
            client,
            ...(options.redis?.keyPrefix === undefined ? {} : { prefix: `${options.redis.keyPrefix}auth:` }),
          });
        }
      }
      authorizer = createGatewayAuthorizer({
        auth: secured.auth,
        trustedProxies: config.gateway.trustedProxies,
        rateLimit:
          store === undefined
            ? false
            : {
                store,
                maxAttempts: rateLimit.maxAttempts,
                windowMs: rateLimit.windowMs,
                lockoutMs: rateLimit.lockoutMs,
                exemptLoopback: rateLimit.exemptLoopback,
              },
      });
      const built = authorizer;
      cleanups.push(() => built.close());
      if (metrics !== undefined) authorizer = observeAuthorizer(authorizer, metrics);
    }

    const configuredStore = config.sessions.store;
    const sessionStore =
      options.redis !== undefined && typeof configuredStore === 'object'
        ? createRedisSessionStore({
            url: configuredStore.redis,
            ...(options.redis.keyPrefix === undefined ? {} : { prefix: options.redis.keyPrefix }),
            ...(options.redis.sessionLockTtlMs === undefined ? {} : { lockTtlMs: options.redis.sessionLockTtlMs }),
          })
        : createSessionStore({ config, stateDir });
    cleanups.push(() => sessionStore.close());
    if (sessionStore.ready) {
      try {
        await sessionStore.ready();
      } catch (error) {
        // Name the config key an operator has to look at; the store's message already redacts the URL.
        throw new Error(`sessions.store: ${(error as Error).message}`, { cause: error });
      }
    }
    if (sessionStore.isReady) readiness.push(() => sessionStore.isReady?.() ?? true);
    storeHealth.sessions = () => sessionStore.isReady?.() ?? true;
    const providers = createProviderRegistry({ config });
    cleanups.push(() => providers.close());
    const logger = options.logger;
    const runner = createAgentRunner({
      config,
      sessionStore,
      providers,
      // Which model failed, why, and what answers next: never the prompt, never an upstream body.
      ...(logger === undefined
        ? {}
        : { onModelAttemptFailed: (attempt) => logger.warn({ ...attempt }, 'model attempt failed') }),
      ...(metrics === undefined ? {} : { observer: metrics.runObserver }),
    });

    let closing: Promise<void> | undefined;
    return {
      config,
      runner,
      sessionStore,
      providers,
      authorizer,
      authDescription,
      metrics,
      tracing,
      isReady: () => closing === undefined && readiness.every((ready) => ready()),
      close: () => (closing ??= close()),
    };
  } catch (error) {
    // A half-built runtime (e.g. Redis down at start) must not leave timers or sockets behind.
    await close();
    throw error;
  }
}

/** Connects the limiter's Redis client with the same fail-fast options as the session store's. */
async function connectRateLimitRedis(url: string): Promise<Redis> {
  const client = createRedisSessionClient({ url, connectionName: 'clawgate:rate-limit' });
  // Surfaced per request as RateLimitStoreUnavailableError → 503; the last one explains a failed start.
  let lastError: Error | undefined;
  client.on('error', (error: Error) => (lastError = error));
  try {
    await client.connect();
    return client;
  } catch (error) {
    client.disconnect();
    // ioredis rejects with "Connection is closed."; the socket error (ECONNREFUSED...) says why.
    const reason = (lastError ?? (error as Error)).message;
    throw new Error(`gateway.auth.rateLimit.store: cannot connect to ${redactRedisUrl(url)} (${reason})`, {
      cause: error,
    });
  }
}
