/**
 * `createApp(deps)`: the Express 5 application of the gateway, built only from what it is given
 * (config, runner, authorizer, clock, id source), so tests drive it with supertest and `server.ts`
 * stays the only place that reads the environment and listens (conventions §26).
 */
import { randomUUID as nodeRandomUUID } from 'node:crypto';
import express, { type Express, type RequestHandler } from 'express';
import type { GatewayAuthorizer } from '@clawgate/auth';
import type { AgentRunner } from './agent/agent-runner.js';
import type { GatewayConfig } from './config/config-schema.js';
import { getDefaultAgentId, listAgentIds } from './config/resolve-agent-settings.js';
import { createAuthMiddleware } from './http/auth-middleware.js';
import { createBodyMiddleware } from './http/body-middleware.js';
import { createChatCompletionHandler } from './http/chat-completion-handler.js';
import { createErrorMiddleware } from './http/error-middleware.js';
import { createReadinessHandler, livenessHandler } from './http/health-handlers.js';
import { silentLogger, type HttpLogger } from './http/http-logger.js';
import { createMethodMiddleware } from './http/method-middleware.js';
import { createListModelsHandler, createRetrieveModelHandler } from './http/models-handlers.js';
import { notFoundHandler } from './http/not-found-handler.js';
import { createRequestLogMiddleware } from './http/request-log-middleware.js';
import { createResolveRunMiddleware } from './http/resolve-run-middleware.js';
import { createResponseHeadersMiddleware } from './http/response-headers-middleware.js';
import { runStepsInOrder } from './http/run-steps-in-order.js';
import { createScopeMiddleware } from './http/scope-middleware.js';
import { createValidationMiddleware } from './http/validation-middleware.js';

/** Scope needed to run an agent (contract §2). */
export const WRITE_SCOPE = 'operator.write';
/** Scope needed to list models (contract §7). */
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
  /** Answers `GET /readyz`: true once stores and providers are up, false while starting, draining or without Redis. @defaultValue always true */
  isReady?: () => boolean;
  /** False while a shared store (Redis) is unreachable: turns are refused with 503 before any header. @defaultValue always true */
  storesAvailable?: () => boolean;
  /** True while draining for shutdown: responses carry `Connection: close`. @defaultValue never */
  draining?: () => boolean;
  /** Called as each agent run starts and once it has fully unwound (the shutdown drain waits for these). */
  onRunStart?: () => void;
  onRunEnd?: () => void;
}

/**
 * Builds the gateway's Express application.
 *
 * Routes: `GET /healthz` and `GET /readyz` (no auth, always mounted); only when
 * `gateway.http.endpoints.chatCompletions.enabled`: `POST /v1/chat/completions`, `GET /v1/models`,
 * `GET /v1/models/<id>`. Everything else is `404 text/plain`. Every request ends with one log line. Each step of a
 * request is one middleware, in the contract's order: method → auth → scope → body → validation →
 * resolution and `prepare` → run; a route's steps are mounted as one layer (`runStepsInOrder`).
 *
 * @param deps - See {@link AppDependencies}.
 * @returns The Express app (an `http.Server` request listener).
 * @throws TypeError when a configured HTTP limit is not a positive integer.
 * @example
 * const app = createApp({ config, runner, authorizer });
 * http.createServer(app).listen(18789, '127.0.0.1');
 */
export function createApp(deps: AppDependencies): Express {
  const { config, runner, authorizer } = deps;
  const now = deps.now ?? Date.now;
  const randomUUID = deps.randomUUID ?? nodeRandomUUID;
  const logger = deps.logger ?? silentLogger;
  const http = config.gateway.http;

  const app = express();
  app.disable('x-powered-by');
  // The contract matches paths exactly: `/V1/...` and a trailing `/` are unknown paths.
  app.enable('case sensitive routing');
  app.enable('strict routing');
  // The query string is ignored, so do not spend time parsing it; ETags make no sense for an API.
  app.set('query parser', false);
  app.disable('etag');

  // Each route's steps run as one router layer (see runStepsInOrder): Express's per-layer cost was
  // a fifth of a chat completion's CPU; the steps and their order are unchanged.
  app.use(
    runStepsInOrder([
      createResponseHeadersMiddleware({ randomUUID, closeConnections: deps.draining }),
      createRequestLogMiddleware({ logger }),
    ]),
  );

  // Probes: no auth (they carry no credential); GET only, like /v1/models.
  app.all('/healthz', createMethodMiddleware({ allow: 'GET' }), livenessHandler);
  app.all('/readyz', createMethodMiddleware({ allow: 'GET' }), createReadinessHandler({ isReady: deps.isReady ?? (() => true) }));

  if (http.endpoints.chatCompletions.enabled) {
    app.all(
      '/v1/chat/completions',
      runStepsInOrder([
        createMethodMiddleware({ allow: 'POST' }),
        createAuthMiddleware({ authorizer, requiredScope: WRITE_SCOPE }),
        createScopeMiddleware({ requiredScope: WRITE_SCOPE }),
        createBodyMiddleware({ maxBytes: http.maxBodyBytes, timeoutMs: http.bodyTimeoutMs }),
        createValidationMiddleware(),
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
          }),
          deps,
        ),
      ]),
    );

    const agentIds = listAgentIds(config);
    const modelsGuards = [
      createMethodMiddleware({ allow: 'GET' }),
      createAuthMiddleware({ authorizer, requiredScope: READ_SCOPE }),
      createScopeMiddleware({ requiredScope: READ_SCOPE }),
    ];
    app.all('/v1/models', runStepsInOrder([...modelsGuards, createListModelsHandler({ agentIds })]));
    // A RegExp, because the id is read from the raw path (see createRetrieveModelHandler).
    app.all(/^\/v1\/models\/.*$/s, runStepsInOrder([...modelsGuards, createRetrieveModelHandler({ agentIds })]));
  }

  app.use(notFoundHandler);
  app.use(createErrorMiddleware({ logger }));
  return app;
}

/** Brackets the run step with `onRunStart`/`onRunEnd`, so shutdown can wait until runs (and their transcript writes) unwind. */
function trackRuns(handler: RequestHandler, hooks: Pick<AppDependencies, 'onRunStart' | 'onRunEnd'>): RequestHandler {
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
