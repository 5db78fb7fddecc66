/**
 * `startGateway(options)`: the one place that reads the environment, touches the state directory
 * and listens (docs/architecture.md#runtime-wiring). It wires config → stores → providers →
 * runner → authorizer → `createApp` and serves it on one `http.Server`, whose `Upgrade` requests
 * never reach Express, and owns the graceful shutdown (drain, deadline, release).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import { resolveAuthConfig } from '@clawgate/auth';
import { createApp, READ_SCOPE } from './app.js';
import { GatewayError } from './errors.js';
import { describeIgnoredKeys } from './config/describe-ignored-keys.js';
import { loadConfig } from './config/load-config.js';
import { resolveBindAddress } from './config/resolve-bind-address.js';
import { resolveStateDir } from './config/state-dir.js';
import type { HttpLogger } from './http/http-logger.js';
import { createGatewayRuntime, type RuntimeRedisOptions } from './gateway-runtime.js';
import { createLogger, withoutRedaction } from './logging/create-logger.js';
import { OTLP_ENDPOINT_VARIABLE, startTracing } from './tracing/start-tracing.js';
import { createMetricsListener } from './metrics/metrics-listener.js';
import { createMetricsRoute } from './metrics/metrics-route.js';
import { createWebSocketDoor, type WebSocketDoor } from './ws/websocket-door.js';

export { GATEWAY_TOKEN_FILE, readOrCreateToken } from './ensure-gateway-secret.js';

/** Options of {@link startGateway}; every field overrides the configuration file. */
export interface StartGatewayOptions {
  /** `--config`; else `$CLAWGATE_CONFIG`, else `$OPENCLAW_CONFIG_PATH`, else `<stateDir>/clawgate.json5`. */
  configPath?: string;
  /** `--port`; `0` picks a free port. @defaultValue `gateway.port` (18789) */
  port?: number;
  /** `--bind`. @defaultValue `gateway.bind` (`127.0.0.1`) */
  bind?: string;
  /** Environment to read. @defaultValue `process.env` */
  env?: NodeJS.ProcessEnv;
  /** State directory. @defaultValue `$CLAWGATE_STATE_DIR`, else `~/.clawgate` */
  stateDir?: string;
  /** Where start-up lines for humans go (URL, where the token is). @defaultValue `console.log` */
  print?: (line: string) => void;
  /**
   * Structured logs (request lines, start-up, shutdown, errors). @defaultValue pino JSON lines on stderr at
   * `logging.level`
   */
  logger?: HttpLogger;
  /** Programmatic Redis settings: key prefix, session lock expiry (see `createGatewayRuntime`). */
  redis?: RuntimeRedisOptions;
}

/** Options of {@link RunningGateway.shutdown}. */
export interface ShutdownOptions {
  /**
   * How long in-flight requests and SSE streams may still run before they are cut. @defaultValue
   * `gateway.shutdownTimeoutMs` (10000)
   */
  deadlineMs?: number;
}

/** What {@link RunningGateway.shutdown} did. */
export interface ShutdownResult {
  /** Wall time from the call until stores were released, in ms. */
  durationMs: number;
  /** True when the deadline passed and open connections were destroyed. */
  timedOut: boolean;
}

/** A running gateway. */
export interface RunningGateway {
  /** `http://<bind>:<port>`, with the real port when `0` was asked for. */
  url: string;
  /** `http://<bind>:<port>/metrics` of the `gateway.metrics.port` listener, when there is one. */
  metricsUrl?: string;
  /** What `GET /readyz` answers: serving, not draining, and every shared store connected. */
  isReady(): boolean;
  /**
   * Graceful stop (what SIGTERM/SIGINT should call): stops accepting connections, turns `/readyz`
   * to 503, closes idle keep-alive sockets (later responses say `Connection: close`), lets in-flight
   * requests and SSE streams finish until `deadlineMs`. At the deadline every run still open is
   * aborted with a 503 `service_unavailable` "gateway is shutting down": a stream gets that error
   * frame and `data: [DONE]`, a non-streaming request without headers out gets it as its answer.
   * After those writes (at most {@link SHUTDOWN_NOTICE_GRACE_MS}) it destroys what is left, waits
   * for the runs to unwind and releases stores and upstream pools. Idempotent: later calls share
   * the first call's promise. Never rejects.
   */
  shutdown(options?: ShutdownOptions): Promise<ShutdownResult>;
  /**
   * Immediate stop: `shutdown({ deadlineMs: 0 })` (open streams get the shutdown error frame and are closed at once).
   */
  close(): Promise<void>;
}

/**
 * Longest wait, at the deadline, for the shutdown error frames and 503s to be written before the
 * remaining sockets are destroyed (they are written at once; only a client that does not read
 * holds them up).
 */
const SHUTDOWN_NOTICE_GRACE_MS = 1_000;
/** What a run still open at the shutdown deadline ends with, worded like the other 503 refusals. */
function shuttingDownError(): GatewayError {
  return new GatewayError('gateway is shutting down', { status: 503, type: 'service_unavailable' });
}

/** Longest wait for cut runs to unwind after the deadline (they only release locks and sockets). */
const UNWIND_GRACE_MS = 2_000;
/** How often idle keep-alive sockets are closed while draining (a socket turns idle when its response ends). */
const IDLE_SWEEP_MS = 50;

/** Slowest check of the header and request timeouts, in ms (Node's default is 30 s). */
const MAX_TIMEOUT_CHECK_MS = 1_000;
/** Fastest check: a tiny headers timeout must not turn the check into a busy timer. */
const MIN_TIMEOUT_CHECK_MS = 50;

/**
 * How often Node looks for sockets past `headersTimeout`/`requestTimeout`. Node only enforces them
 * on this tick, so its 30 s default let a 10 s headers timeout hold a socket up to 40 s; half the
 * headers timeout (at most 1 s) keeps the overshoot small at the cost of one cheap walk over the
 * open connections per tick.
 */
function connectionsCheckingIntervalMs(headersTimeoutMs: number): number {
  return Math.min(MAX_TIMEOUT_CHECK_MS, Math.max(MIN_TIMEOUT_CHECK_MS, Math.floor(headersTimeoutMs / 2)));
}

/**
 * Loads the configuration, builds every dependency and listens.
 *
 * In token mode with no configured token it generates one (32 random bytes, base64url), keeps it in
 * `<stateDir>/gateway-token` (mode 0600; reused on restart) and prints the file's path, never the
 * token.
 *
 * @param options - See {@link StartGatewayOptions}.
 * @returns The URL, readiness, `shutdown()` and `close()`.
 * @throws ConfigError for a bad configuration file; an Error naming the config key and the redacted
 *   URL when Redis is unreachable; a listen error (e.g. `EADDRINUSE`) as is.
 * @example
 * const gateway = await startGateway({ configPath: './examples/offline.json5', port: 0 });
 * process.once('SIGTERM', () => void gateway.shutdown());
 */
export async function startGateway(options: StartGatewayOptions = {}): Promise<RunningGateway> {
  const env = options.env ?? process.env;
  const print = options.print ?? ((line: string) => console.log(line));
  const stateDir = path.resolve(options.stateDir ?? resolveStateDir(env));
  const { config, path: configFile, ignoredKeys } = await loadConfig({ path: options.configPath, env, stateDir });
  const ownLogger = options.logger === undefined ? createLogger({ level: config.logging.level }) : undefined;
  const logger: HttpLogger = options.logger ?? (ownLogger as HttpLogger);
  // With our own pino logger, the request line (a closed set of safe fields) skips its redaction pass.
  const requestLogger = ownLogger === undefined ? logger : withoutRedaction(ownLogger);

  const runtime = await createGatewayRuntime({
    config,
    stateDir,
    env,
    logger,
    ...(options.redis === undefined ? {} : { redis: options.redis }),
    // Traces, when an OTLP endpoint is configured (docs/observability.md#traces); the runtime stops them.
    tracing: await startTracing({ config, environmentEndpoint: env[OTLP_ENDPOINT_VARIABLE] }),
  });
  const { runner, authorizer, authDescription } = runtime;
  if (authorizer === undefined || authDescription === undefined)
    throw new Error('unreachable: the runtime was built with auth');

  let state: 'starting' | 'serving' | 'draining' = 'starting';
  let activeRuns = 0;
  let runsIdle: (() => void) | undefined;
  // Runs of every door (HTTP and WebSocket) are counted, so a shutdown waits for all of them.
  const runStarted = () => {
    activeRuns += 1;
  };
  const runEnded = () => {
    activeRuns -= 1;
    if (activeRuns === 0) runsIdle?.();
  };
  // Aborted at the shutdown deadline, so the runs still open tell their clients why they end.
  const shutdownDeadline = new AbortController();
  let app: ReturnType<typeof createApp>;
  try {
    app = createApp({
      config,
      runner,
      authorizer,
      logger,
      requestLogger,
      // Response ids live beside the transcripts they lead to (file, memory or Redis).
      responseIds: runtime.sessionStore,
      // Embeddings use the runtime's registry: its upstream pools are shared and closed at shutdown.
      providers: runtime.providers,
      isReady: () => state === 'serving' && runtime.isReady(),
      storesAvailable: () => runtime.isReady(),
      draining: () => state === 'draining',
      shutdownSignal: shutdownDeadline.signal,
      onRunStart: runStarted,
      onRunEnd: runEnded,
      ...(runtime.metrics === undefined ? {} : { metrics: runtime.metrics }),
      ...(runtime.tracing === undefined ? {} : { tracing: runtime.tracing }),
    });
  } catch (error) {
    // A page enabled but not built, say: release Redis, pools and tracing, or the process stays up.
    await runtime.close();
    throw error;
  }

  const limits = config.gateway.http;
  const server = http.createServer(
    {
      // Node answers 408 and closes a socket whose headers (or whole request) are late: slow-loris
      // sockets are released after these limits rather than held until the client gives up.
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      connectionsCheckingInterval: connectionsCheckingIntervalMs(limits.headersTimeoutMs),
    },
    app,
  );
  // Past the cap Node closes new connections at once; unset keeps Node's default (no cap).
  if (limits.maxConnections !== undefined) server.maxConnections = limits.maxConnections;
  // The WebSocket control protocol on the same port (docs/ws-protocol.md); an Upgrade never
  // reaches Express. Switched off, an upgrade is answered 404 like an unknown path.
  const wsDoor: WebSocketDoor | undefined = config.gateway.ws.enabled
    ? createWebSocketDoor({
        config,
        runner,
        sessionStore: runtime.sessionStore,
        authorizer,
        authMode: resolveAuthConfig(config.gateway.auth, env).mode,
        logger,
        shutdownSignal: shutdownDeadline.signal,
        draining: () => state === 'draining',
        onRunStart: runStarted,
        onRunEnd: runEnded,
        ...(runtime.tracing === undefined ? {} : { tracing: runtime.tracing }),
      })
    : undefined;
  server.on('upgrade', (request: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    if (wsDoor !== undefined) {
      wsDoor.handleUpgrade(request, socket, head);
      return;
    }
    socket.on('error', () => undefined);
    socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
  });
  // Malformed requests (bad request line, oversized headers) keep Node's own clientError answers
  // (400/431/408), which never reach Express and never crash the process.

  const port = options.port ?? config.gateway.port;
  const bind = options.bind ?? config.gateway.bind;
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      // A bind mode (`loopback`, `lan`, …) becomes its address here; a refused one releases the runtime below.
      server.listen(port, resolveBindAddress(bind, config.gateway.customBindHost), () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    // EADDRINUSE and friends: release what was built so a caller that retries leaks nothing.
    await runtime.close();
    throw error;
  }
  const hostOf = (address: AddressInfo) => (address.family === 'IPv6' ? `[${address.address}]` : address.address);
  // `/metrics` on a port of its own (docs/observability.md#a-port-of-its-own), on the same address.
  let metricsServer: http.Server | undefined;
  let metricsUrl: string | undefined;
  const metricsPort = config.gateway.metrics.port;
  if (runtime.metrics !== undefined && metricsPort !== undefined) {
    const route = createMetricsRoute({
      metrics: runtime.metrics,
      authorizer,
      auth: config.gateway.metrics.auth,
      readScope: READ_SCOPE,
    });
    const listening = http.createServer(createMetricsListener(route, logger));
    try {
      await new Promise<void>((resolve, reject) => {
        listening.once('error', reject);
        listening.listen(metricsPort, (server.address() as AddressInfo).address, () => {
          listening.off('error', reject);
          resolve();
        });
      });
    } catch (error) {
      server.close();
      await runtime.close();
      throw new Error(`gateway.metrics.port: cannot listen on ${metricsPort} (${(error as Error).message})`, {
        cause: error,
      });
    }
    metricsServer = listening;
    const metricsAddress = listening.address() as AddressInfo;
    metricsUrl = `http://${hostOf(metricsAddress)}:${metricsAddress.port}/metrics`;
  }
  state = 'serving';
  const address = server.address() as AddressInfo;
  const host = hostOf(address);
  const url = `http://${host}:${address.port}`;

  print(`clawgate gateway listening on ${url}`);
  print(`config: ${configFile ?? '(none: built-in defaults)'}`);
  const ignoredKeysWarning = describeIgnoredKeys(ignoredKeys);
  if (ignoredKeysWarning !== undefined) print(ignoredKeysWarning);
  print(authDescription);
  print(
    config.gateway.http.endpoints.chatCompletions.enabled
      ? `endpoint: POST ${url}/v1/chat/completions (models: GET ${url}/v1/models)`
      : 'endpoint: /v1/chat/completions is disabled (set gateway.http.endpoints.chatCompletions.enabled: true)',
  );
  if (config.gateway.http.endpoints.responses.enabled) print(`endpoint: POST ${url}/v1/responses`);
  if (config.gateway.webchat.enabled) print(`web chat: open ${url}/ in a browser`);
  if (runtime.metrics !== undefined) print(`metrics: GET ${metricsUrl ?? `${url}/metrics`}`);
  // Store kinds only: a Redis URL may carry a password.
  logger.info(
    {
      url,
      configFile: configFile ?? null,
      // The effective mode (unset resolves to password or token); the secret itself is never read here.
      authMode: resolveAuthConfig(config.gateway.auth, env).mode,
      sessionStore: typeof config.sessions.store === 'string' ? config.sessions.store : 'redis',
      rateLimitStore: !config.gateway.auth.rateLimit.enabled
        ? 'off'
        : typeof config.gateway.auth.rateLimit.store === 'string'
          ? config.gateway.auth.rateLimit.store
          : 'redis',
      chatCompletions: config.gateway.http.endpoints.chatCompletions.enabled,
      responses: config.gateway.http.endpoints.responses.enabled,
      agents: config.agents.list.map((agent) => agent.id),
    },
    'gateway started',
  );

  let shuttingDown: Promise<ShutdownResult> | undefined;
  const shutdown = (shutdownOptions: ShutdownOptions = {}): Promise<ShutdownResult> => {
    shuttingDown ??= (async () => {
      const started = Date.now();
      const deadlineMs = Math.max(0, shutdownOptions.deadlineMs ?? config.gateway.shutdownTimeoutMs);
      state = 'draining';
      logger.info({ deadlineMs, activeRuns }, 'shutdown started');
      const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Scrapes are short: the metrics listener just stops.
      metricsServer?.close();
      metricsServer?.closeAllConnections();
      // WebSocket clients are told at once, and closed with 1012 once their runs have ended.
      void wsDoor?.drain();
      server.closeIdleConnections();
      const sweep = setInterval(() => server.closeIdleConnections(), IDLE_SWEEP_MS);
      let timedOut = false;
      let deadlineTimer: NodeJS.Timeout | undefined;
      const deadline = new Promise<'deadline'>((resolve) => {
        deadlineTimer = setTimeout(() => resolve('deadline'), deadlineMs);
      });
      if ((await Promise.race([serverClosed.then(() => 'closed' as const), deadline])) === 'deadline') {
        timedOut = true;
        // The runs still open end with this error, which each writes as an error frame and [DONE]
        // (or a 503): a client can then tell a shutdown from a network fault. Their sockets turn idle
        // and the sweep closes them; whatever still holds on is destroyed after a short grace.
        shutdownDeadline.abort(shuttingDownError());
        let graceTimer: NodeJS.Timeout | undefined;
        await Promise.race([
          serverClosed,
          new Promise<void>((resolve) => (graceTimer = setTimeout(resolve, SHUTDOWN_NOTICE_GRACE_MS))),
        ]);
        clearTimeout(graceTimer);
        // Destroying the sockets aborts any run left (and its upstream request) through `res` close.
        server.closeAllConnections();
        wsDoor?.terminateAll();
        await serverClosed;
      }
      clearTimeout(deadlineTimer);
      clearInterval(sweep);
      await waitForRuns();
      try {
        await runtime.close();
      } catch (error) {
        logger.error({ err: error }, 'releasing stores failed');
      }
      const result = { durationMs: Date.now() - started, timedOut };
      logger.info(result, 'shutdown complete');
      return result;
    })();
    return shuttingDown;
  };

  /** Resolves once every run has unwound, or after {@link UNWIND_GRACE_MS}. */
  async function waitForRuns(): Promise<void> {
    if (activeRuns === 0) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, UNWIND_GRACE_MS);
      runsIdle = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  return {
    url,
    ...(metricsUrl === undefined ? {} : { metricsUrl }),
    isReady: () => state === 'serving' && runtime.isReady(),
    shutdown,
    async close() {
      await shutdown({ deadlineMs: 0 });
    },
  };
}
