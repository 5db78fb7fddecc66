/**
 * `createApp(deps)`: the gateway's HTTP request listener (Express 5 for routing, a direct path for
 * the chat completions route), built only from what it is given
 * (config, runner, authorizer, clock, id source), so tests drive it with supertest and `server.ts`
 * stays the only place that reads the environment and listens.
 */
import { randomUUID as nodeRandomUUID } from 'node:crypto';
import type createExpress from 'express';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GatewayAuthorizer } from '@clawgate/auth';
import type { AgentRunner } from './agent/agent-runner.js';
import type { GatewayConfig } from './config/config-schema.js';
import { getDefaultAgentId, listAgentIds } from './config/resolve-agent-settings.js';
import { createAuthMiddleware } from './http/auth-middleware.js';
import { createBodyMiddleware } from './http/body-middleware.js';
import { createChatCompletionHandler } from './http/chat-completion-handler.js';
import { createCorsSteps } from './http/cors-middleware.js';
import { answerError, createErrorMiddleware } from './http/error-middleware.js';
import { createReadinessHandler, livenessHandler } from './http/health-handlers.js';
import { silentLogger, type HttpLogger } from './http/http-logger.js';
import { createMethodMiddleware } from './http/method-middleware.js';
import { createListModelsHandler, createRetrieveModelHandler } from './http/models-handlers.js';
import { notFoundHandler } from './http/not-found-handler.js';
import { createRequestLogMiddleware } from './http/request-log-middleware.js';
import { createResolveRunMiddleware } from './http/resolve-run-middleware.js';
import { createResponseHeadersMiddleware } from './http/response-headers-middleware.js';
import type { RouteStep, StepResponse } from './http/route-step.js';
import { runStepsInOrder } from './http/run-steps-in-order.js';
import { createScopeMiddleware } from './http/scope-middleware.js';
import { createValidationMiddleware } from './http/validation-middleware.js';
import { loadWebchatFiles, locateWebchatRoot } from './http/webchat-files.js';
import { createWebchatRoutes } from './http/webchat-routes.js';
import {
  createResolveResponsesRunMiddleware,
  type ResponseIdStore,
} from './http/responses/resolve-responses-run-middleware.js';
import { createResponsesHandler } from './http/responses/responses-handler.js';
import { createResponsesValidationMiddleware } from './http/responses/responses-validation-middleware.js';
import { createShutdownCut } from './http/shutdown-cut.js';
import { createEmbeddingsHandler } from './http/embeddings-handler.js';
import { createEmbeddingsResolveMiddleware } from './http/embeddings-resolve-middleware.js';
import { createEmbeddingsValidationMiddleware } from './http/embeddings-validation-middleware.js';
import type { GatewayMetrics } from './metrics/gateway-metrics.js';
import { createMetricsRoute, METRICS_PATH } from './metrics/metrics-route.js';
import { createProviderRegistry, type ProviderRegistry } from './providers/provider-registry.js';
import { createMemorySessionStore } from './sessions/memory-session-store.js';
import { createTraceRequestStep } from './tracing/trace-request-step.js';
import { traceStep } from './tracing/trace-step.js';
import type { Tracing } from './tracing/tracing.js';

/** Scope needed to run an agent (docs/http-contract.md#2-authentication-rate-limiting-and-scopes). */
export const WRITE_SCOPE = 'operator.write';
/** Scope needed to list models (docs/http-contract.md#7-models). */
export const READ_SCOPE = 'operator.read';

/** Everything {@link createApp} needs; nothing is read from the environment. */
export interface AppDependencies {
  /** The validated configuration (`loadConfig`/`parseConfig`). */
  config: GatewayConfig;
  /** Runs agent turns (`createAgentRunner`). */
  runner: AgentRunner;
  /** Authenticates requests and rate-limits failures (`createGatewayAuthorizer` from `@clawgate/auth`). */
  authorizer: GatewayAuthorizer;
  /** Clock in ms for `created`. @defaultValue `Date.now` */
  now?: () => number;
  /** Id source for completion ids, request ids and ephemeral sessions. @defaultValue `crypto.randomUUID` */
  randomUUID?: () => string;
  /**
   * The request log (one line per request), unexpected errors and, with `logging.includeContent`,
   * message content at `debug`. A pino logger (`createLogger`) fits.
   * @defaultValue a silent logger
   */
  logger?: HttpLogger;
  /**
   * Where the one line per request goes. Its fields are a closed set built in one place
   * (`request-log-middleware.ts`: ids, method, path, status, timing, agent id, hashed session key),
   * none of them a secret, so this logger may skip the redaction that `logger` applies to
   * everything else (~15 µs a line with pino's redact paths).
   * @defaultValue `logger`
   */
  requestLogger?: HttpLogger;
  /**
   * Answers `GET /readyz`: true once stores and providers are up, false while starting, draining or without Redis.
   * @defaultValue always true
   */
  isReady?: () => boolean;
  /**
   * False while a shared store (Redis) is unreachable: turns are refused with 503 before any header. @defaultValue
   * always true
   */
  storesAvailable?: () => boolean;
  /** True while draining for shutdown: responses carry `Connection: close`. @defaultValue never */
  draining?: () => boolean;
  /**
   * Aborted at the shutdown deadline, with a `GatewayError` reason (503 `service_unavailable`):
   * chat runs still open are aborted with it, so each open stream ends with that error frame and
   * `data: [DONE]`, and a non-streaming request whose headers have not gone out is answered with it.
   * @defaultValue never
   */
  shutdownSignal?: AbortSignal;
  /**
   * Where `/v1/responses` remembers response ids for `previous_response_id`: the session store, so
   * they survive restarts (file) and are shared by replicas (Redis).
   * @defaultValue a memory store of its own (forgotten on restart)
   */
  responseIds?: ResponseIdStore;
  /**
   * The providers `/v1/embeddings` sends to (the runtime's registry, so upstream pools are shared and
   * closed at shutdown). @defaultValue a registry of its own, built from `config`, never closed
   */
  providers?: Pick<ProviderRegistry, 'resolve'>;
  /**
   * The gateway's metrics (`createGatewayRuntime` builds them when `gateway.metrics.enabled`): every
   * request is counted, and `GET /metrics` is served here unless `gateway.metrics.port` gives it a
   * listener of its own (docs/observability.md#metrics). @defaultValue none: no metrics, `/metrics` is a 404
   */
  metrics?: GatewayMetrics;
  /**
   * Tracing (`startTracing`, when an OTLP endpoint is configured): a span per request with children
   * for auth and the run (docs/observability.md#traces). @defaultValue none: no span, no tracing step
   */
  tracing?: Tracing;
  /** Called as each agent run starts and once it has fully unwound (the shutdown drain waits for these). */
  onRunStart?: () => void;
  onRunEnd?: () => void;
}

/** The gateway's request listener: what `http.createServer` (or supertest) is given. */
export type GatewayRequestListener = (request: IncomingMessage, response: ServerResponse) => void;

/** The routes that run turns, matched exactly (query string ignored) as strict routing matches the other paths. */
const CHAT_COMPLETIONS_PATH = '/v1/chat/completions';
const RESPONSES_PATH = '/v1/responses';
const EMBEDDINGS_PATH = '/v1/embeddings';

/**
 * Builds the gateway's request listener.
 *
 * Routes: `GET /healthz` and `GET /readyz` (no auth, always mounted); only when
 * `gateway.http.endpoints.chatCompletions.enabled`: `POST /v1/chat/completions`, `GET /v1/models`,
 * `GET /v1/models/<id>`; only when `gateway.http.endpoints.responses.enabled`: `POST /v1/responses`;
 * when either is enabled: `POST /v1/embeddings` (docs/embeddings.md#enabling-it); only when
 * `gateway.webchat.enabled`: `GET /` and `GET /webchat/assets/<file>`, the web chat page (docs/webchat.md).
 * Everything else is `404 text/plain`. Every request ends with one log line.
 * Each step of a request is one small function (`RouteStep`), in the order of
 * docs/http-contract.md#1-request-pipeline-and-errors: headers → log → CORS (when on) → method → auth → scope →
 * body → validation → resolution and `prepare` → run.
 *
 * `POST /v1/chat/completions` runs its steps on the raw Node request and response, before Express:
 * Express's own per-request machinery (prototype swaps, the router, `finalhandler`) measured about
 * 100 µs of CPU per request on this route, a fifth of a whole non-streaming turn. Every other path
 * (probes, models, 404) goes through Express with the same step functions.
 *
 * @param deps - See {@link AppDependencies}.
 * @returns The request listener.
 * @throws TypeError when a configured HTTP limit is not a positive integer.
 * @example
 * const listener = createApp({ config, runner, authorizer });
 * http.createServer(listener).listen(18789, '127.0.0.1');
 */
export function createApp(deps: AppDependencies): GatewayRequestListener {
  const { config, runner, authorizer } = deps;
  const now = deps.now ?? Date.now;
  const randomUUID = deps.randomUUID ?? nodeRandomUUID;
  const logger = deps.logger ?? silentLogger;
  const http = config.gateway.http;

  // The steps every request starts with, whichever way it is routed (and its span when tracing is on).
  const everyRequest = [
    createResponseHeadersMiddleware({ randomUUID, closeConnections: deps.draining }),
    ...(deps.tracing === undefined ? [] : [createTraceRequestStep({ tracing: deps.tracing })]),
    createRequestLogMiddleware({
      logger: deps.requestLogger ?? logger,
      ...(deps.metrics === undefined ? {} : { observeRequest: deps.metrics.observeRequest }),
    }),
  ];
  const metricsRoute =
    deps.metrics !== undefined && config.gateway.metrics.port === undefined
      ? createMetricsRoute({
          metrics: deps.metrics,
          authorizer,
          auth: config.gateway.metrics.auth,
          readScope: READ_SCOPE,
        })
      : undefined;

  // Auth, in a span of its own when tracing is on.
  const authStep = (requiredScope: string): RouteStep => {
    const step = createAuthMiddleware({ authorizer, requiredScope });
    return deps.tracing === undefined ? step : traceStep('auth', step);
  };

  // Before each route's method step (docs/http-contract.md#cross-origin-requests); no step at all when off.
  const corsGet = createCorsSteps({ ...http.cors, allow: 'GET' });

  let chatCompletions: RouteStep | undefined;
  const modelsRoutes: { list: RouteStep; retrieve: RouteStep } | undefined = http.endpoints.chatCompletions.enabled
    ? (() => {
        const agentIds = listAgentIds(config);
        const modelsGuards = [
          ...corsGet,
          createMethodMiddleware({ allow: 'GET' }),
          authStep(READ_SCOPE),
          createScopeMiddleware({ requiredScope: READ_SCOPE }),
        ];
        return {
          list: runStepsInOrder([...modelsGuards, createListModelsHandler({ agentIds, config })]),
          retrieve: runStepsInOrder([...modelsGuards, createRetrieveModelHandler({ agentIds, config })]),
        };
      })()
    : undefined;
  // The steps every POST route that calls a model starts with: method, auth, scope, body.
  const writeRouteFront: RouteStep[] = [
    ...everyRequest,
    ...createCorsSteps({ ...http.cors, allow: 'POST' }),
    createMethodMiddleware({ allow: 'POST' }),
    authStep(WRITE_SCOPE),
    createScopeMiddleware({ requiredScope: WRITE_SCOPE }),
    createBodyMiddleware({
      maxBytes: http.maxBodyBytes,
      timeoutMs: http.bodyTimeoutMs,
      jsonShape: { maxDepth: http.maxJsonDepth, maxValues: http.maxJsonValues },
    }),
  ];
  if (http.endpoints.chatCompletions.enabled) {
    chatCompletions = runStepsInOrder([
      ...writeRouteFront,
      createValidationMiddleware({ limits: http.endpoints.chatCompletions.limits }),
      createResolveRunMiddleware({
        runner,
        defaultAgentId: getDefaultAgentId(config),
        randomUUID,
        storesAvailable: deps.storesAvailable,
      }),
      trackRuns(
        createChatCompletionHandler({
          runner,
          heartbeatMs: http.sseHeartbeatMs,
          now,
          randomUUID,
          logger,
          includeContent: config.logging.includeContent,
          ...(deps.shutdownSignal === undefined ? {} : { shutdownSignal: deps.shutdownSignal }),
        }),
        deps,
      ),
    ]);
  }
  let responses: RouteStep | undefined;
  if (http.endpoints.responses.enabled) {
    const responsesConfig = http.endpoints.responses;
    const responseIds = deps.responseIds ?? createMemorySessionStore();
    responses = runStepsInOrder([
      ...writeRouteFront,
      createResponsesValidationMiddleware({ limits: responsesConfig.limits }),
      createResolveResponsesRunMiddleware({
        runner,
        defaultAgentId: getDefaultAgentId(config),
        randomUUID,
        responseIds,
        storesAvailable: deps.storesAvailable,
      }),
      trackRuns(
        createResponsesHandler({
          runner,
          responseIds,
          previousResponseTtlMs: responsesConfig.previousResponseTtlMs,
          heartbeatMs: http.sseHeartbeatMs,
          now,
          randomUUID,
          logger,
          includeContent: config.logging.includeContent,
          ...(deps.shutdownSignal === undefined ? {} : { shutdown: createShutdownCut(deps.shutdownSignal) }),
        }),
        deps,
      ),
    ]);
  }
  let embeddings: RouteStep | undefined;
  if (http.endpoints.chatCompletions.enabled || http.endpoints.responses.enabled) {
    embeddings = runStepsInOrder([
      ...writeRouteFront,
      createEmbeddingsValidationMiddleware(),
      createEmbeddingsResolveMiddleware({ config, providers: deps.providers ?? createProviderRegistry({ config }) }),
      trackRuns(
        createEmbeddingsHandler(
          deps.shutdownSignal === undefined ? {} : { shutdown: createShutdownCut(deps.shutdownSignal) },
        ),
        deps,
      ),
    ]);
  }
  const readiness = createReadinessHandler({ isReady: deps.isReady ?? (() => true) });
  // The web chat page (docs/webchat.md): read here, so a gateway without the built page fails at start.
  const webchat = config.gateway.webchat.enabled
    ? createWebchatRoutes({ files: loadWebchatFiles(locateWebchatRoot()) })
    : undefined;

  /** The Express application of every other path: probes, models, 404. */
  function buildExpressApp(express: typeof createExpress): GatewayRequestListener {
    const app = express();
    app.disable('x-powered-by');
    // The contract matches paths exactly: `/V1/...` and a trailing `/` are unknown paths.
    app.enable('case sensitive routing');
    app.enable('strict routing');
    // The query string is ignored, so do not spend time parsing it; ETags make no sense for an API.
    app.set('query parser', false);
    app.disable('etag');
    app.use(runStepsInOrder(everyRequest));
    // Probes: no auth (they carry no credential); GET only, like /v1/models.
    app.all('/healthz', runStepsInOrder([...corsGet, createMethodMiddleware({ allow: 'GET' }), livenessHandler]));
    app.all('/readyz', runStepsInOrder([...corsGet, createMethodMiddleware({ allow: 'GET' }), readiness]));
    if (metricsRoute !== undefined) app.all(METRICS_PATH, metricsRoute);
    if (modelsRoutes !== undefined) {
      app.all('/v1/models', modelsRoutes.list);
      // A RegExp, because the id is read from the raw path (see createRetrieveModelHandler).
      app.all(/^\/v1\/models\/.*$/s, modelsRoutes.retrieve);
    }
    if (webchat !== undefined) {
      app.all('/', webchat.page);
      app.all(/^\/webchat\/assets\/[^/]+$/, webchat.asset);
    }
    app.use(notFoundHandler);
    app.use(createErrorMiddleware({ logger }));
    return app;
  }

  // Express is imported on the first request that needs it (a probe, usually): the hot route never
  // does, and loading it was ~60 ms of the gateway's start-up.
  let expressApp: Promise<GatewayRequestListener> | undefined;
  const viaExpress: GatewayRequestListener = (request, response) => {
    expressApp ??= import('express').then((module) => buildExpressApp(module.default));
    expressApp.then(
      (app) => app(request, response),
      (error: unknown) => {
        expressApp = undefined;
        const stepResponse = response as StepResponse;
        stepResponse.locals = {};
        answerError(error, request, stepResponse, logger);
      },
    );
  };

  // The routes that run turns are matched by a string compare, before Express (see above).
  const directRoutes = new Map<string, RouteStep>();
  if (chatCompletions !== undefined) directRoutes.set(CHAT_COMPLETIONS_PATH, chatCompletions);
  if (responses !== undefined) directRoutes.set(RESPONSES_PATH, responses);
  if (embeddings !== undefined) directRoutes.set(EMBEDDINGS_PATH, embeddings);
  if (directRoutes.size === 0) return viaExpress;
  return (request, response) => {
    const url = request.url ?? '';
    const query = url.indexOf('?');
    const route = directRoutes.get(query === -1 ? url : url.slice(0, query));
    if (route !== undefined) {
      const stepResponse = response as StepResponse;
      stepResponse.locals = {};
      route(request, stepResponse, (error?: unknown) => {
        if (error === undefined) notFoundHandler(request, stepResponse, () => undefined);
        else answerError(error, request, stepResponse, logger);
      });
      return;
    }
    viaExpress(request, response);
  };
}

/**
 * Brackets the run step with `onRunStart`/`onRunEnd`, so shutdown can wait until runs (and their transcript writes)
 * unwind.
 */
function trackRuns(handler: RouteStep, hooks: Pick<AppDependencies, 'onRunStart' | 'onRunEnd'>): RouteStep {
  if (hooks.onRunStart === undefined && hooks.onRunEnd === undefined) return handler;
  return async (request, response, next) => {
    hooks.onRunStart?.();
    try {
      await handler(request, response, next);
    } finally {
      hooks.onRunEnd?.();
    }
  };
}
