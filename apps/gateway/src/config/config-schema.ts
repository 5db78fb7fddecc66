/**
 * The configuration schema (docs/http-contract.md#8-configuration) with every default filled in.
 *
 * Decision: every object that clawgate itself defines is a `z.strictObject`, so an unknown key is a
 * start-up error (`gateway.prot: Unrecognized key`). A typo in a config file otherwise silently does
 * nothing, which for keys like `auth.mode` or `chatCompletions.enabled` is a security problem. The
 * only open maps are `models.providers` and `agents.entries` (ids are the user's) and provider
 * `headers`. Keys of an OpenClaw config that clawgate does not implement never reach this schema:
 * `check-config-keys.ts` drops and reports them first.
 *
 * Nested sections use `.prefault({})` (not `.default({})`): zod 4 returns a `.default` value without
 * parsing it, which would skip the defaults of the keys inside.
 *
 * Decision: the schema is built by a function, not held in a module constant. A process parses its
 * configuration once, at start-up; a constant would keep the ~100 schema objects (and the parsers
 * zod compiles for them) resident for the life of the gateway, about 0.9 MB of heap for nothing.
 */
import { normalizeAgentId, splitProviderModel } from '@clawgate/session-key';
import { z } from 'zod';
import { bindModeProblem } from './resolve-bind-address.js';

const MEGABYTE = 1024 * 1024;

/**
 * The whole configuration file. Parse with {@link parseConfig} (which resolves `${VAR}` first);
 * the output has every default filled in, `agents.list` always holds at least one agent with
 * exactly one `default: true` (from `list` or `entries`), and every `model` is split into `model`
 * (the primary reference) and `fallbacks`.
 *
 * Every key (default in parentheses; † = a clawgate addition to OpenClaw's keys):
 * - `gateway.port` (18789, 0 = any free port), `gateway.bind` ("127.0.0.1"; or `loopback`, `lan`,
 *   `auto`, `custom` with `gateway.customBindHost`; `tailnet` refused)
 * - `gateway.auth.mode` (unset: `password` if a password is set, else `token`), `.token`, `.password`†,
 *   `.trustedProxy`† `{ userHeader, requiredHeaders?, allowUsers? }`
 * - `gateway.auth.rateLimit`: `enabled`† (true), `maxAttempts` (10), `windowMs` (60000),
 *   `lockoutMs` (300000), `exemptLoopback` (true), `store` ("memory" | `{ redis: url }`)
 * - `gateway.trustedProxies` ([]), `gateway.shutdownTimeoutMs`† (10000)
 * - `gateway.http.endpoints.chatCompletions.enabled` (false); `.images`†: `allowUrl` (false),
 *   `maxImages` (8), `maxImageBytes` (10 MiB), `maxTotalImageBytes` (20 MiB); `.limits`†: `maxMessages`
 *   (2048), `maxContentParts` (4096), `maxTools` (128), `maxToolCalls` (4096)
 * - `gateway.http.endpoints.responses.enabled` (false), `.previousResponseTtlMs`† (30 days), `.limits`†:
 *   `maxInputItems` (2048), `maxContentParts` (4096), `maxTools` (128)
 * - `gateway.http.sseHeartbeatMs` (15000), `.maxBodyBytes`† (20 MiB), `.bodyTimeoutMs`† (30000),
 *   `.maxJsonDepth`† (64), `.maxJsonValues`† (250000),
 *   `.headersTimeoutMs`† (10000), `.requestTimeoutMs`† (60000), `.maxConnections`† (no cap)
 * - `gateway.ws`†: `enabled` (true), `allowedOrigins` ([]), `maxPayload` (25 MiB), `maxBufferedBytes`
 *   (50 MiB), `tickIntervalMs` (30000), `pingIntervalMs` (25000), `handshakeTimeoutMs` (10000),
 *   `maxRunsPerConnection` (16)
 * - `gateway.webchat.enabled`† (false): the web chat page at `/`
 * - `models.providers.<id>`: `api` ("openai-completions" when omitted | "offline");
 *   openai-completions: `baseUrl` (required, http/https), `apiKey`, `headers`, `timeoutMs` (120000),
 *   `idleTimeoutMs` (`timeoutMs`), `maxConnections` (unlimited); offline: `delayMs` (0); either: `models`
 *   (a catalogue `[{ id, name, contextWindow, reasoning }]` for `models.list`). Provider `offline` is built in
 * unless defined.
 * - `agents.defaults`: `model` ("offline/clawgate-offline"; or `{ primary, fallbacks }`), `maxHistoryMessages` (200),
 *   `maxReplyChars` (4 Mi), `systemPrompt`, `allowedModels`, `embeddingModel` (none)
 * - `agents.list[]`: `id` (normalised), `default`, `name`†, `model`, `systemPrompt`,
 *   `maxHistoryMessages`†, `maxReplyChars`†, `allowedModels`†, `embeddingModel` (none: one agent `main`);
 *   or `agents.entries.<id>` with the same keys but `id` (not both)
 * - `sessions.store` ("file" | "memory" | `{ redis: url }`), `sessions.persistEphemeral` (false),
 *   `sessions.maxQueuedTurns`† (32), `sessions.queueTimeoutMs`† (60000)
 * - `gateway.http.cors`†: `allowedOrigins` ([]), `maxAgeSeconds` (600)
 * - `gateway.metrics`†: `enabled` (false), `auth` ("required" | "none"), `port` (the gateway's)
 * - `logging.level`† ("info"), `logging.includeContent`† (false)
 * - `telemetry.otlp`†: `endpoint` (an http(s) base URL; unset: `$OTEL_EXPORTER_OTLP_ENDPOINT`, else no tracing),
 *   `headers` (none), `serviceName` ("clawgate")
 * - `$schema` (ignored)
 *
 * Builds a new schema on each call: see the file comment for why it is not a constant.
 *
 * @example
 * createGatewayConfigSchema().parse({}).gateway.port; // 18789
 */
export function createGatewayConfigSchema() {
  const positiveInt = z.number().int().positive();
  // A Node timer's delay: `setTimeout` turns anything above 2^31-1 ms into 1 ms.
  const timerMs = positiveInt.max(2_147_483_647);
  const nonNegativeInt = z.number().int().nonnegative();
  const redisUrl = z.url({ protocol: /^rediss?$/ });

  /** `{ redis: "redis://host:6379" }`: shared state for several replicas. */
  const redisStoreSchema = z.strictObject({ redis: redisUrl });

  /** Where to keep a piece of state: this process (`memory`) or a Redis server. */
  const rateLimitStoreSchema = z.union([z.literal('memory'), redisStoreSchema]);

  /** `gateway.auth.rateLimit`: failed-authentication limiter (on by default). */
  const rateLimitSchema = z.strictObject({
    /** Extension: `false` turns the limiter off (default `true`). */
    enabled: z.boolean().default(true),
    maxAttempts: positiveInt.default(10),
    windowMs: positiveInt.default(60_000),
    lockoutMs: positiveInt.default(300_000),
    exemptLoopback: z.boolean().default(true),
    store: rateLimitStoreSchema.default('memory'),
  });

  /** `gateway.auth.trustedProxy` (extension): identity from a header set by a trusted reverse proxy. */
  const trustedProxyAuthSchema = z.strictObject({
    userHeader: z.string().trim().min(1),
    requiredHeaders: z.array(z.string().trim().min(1)).optional(),
    allowUsers: z.array(z.string()).optional(),
  });

  /** `gateway.auth`. `mode` stays unset when not given: `@clawgate/auth` derives it. */
  const authSchema = z.strictObject({
    mode: z.enum(['none', 'token', 'password', 'trusted-proxy']).optional(),
    token: z.string().optional(),
    /** Extension: the password for `mode: "password"` (else `OPENCLAW_GATEWAY_PASSWORD`). */
    password: z.string().optional(),
    trustedProxy: trustedProxyAuthSchema.optional(),
    rateLimit: rateLimitSchema.prefault({}),
  });

  /** `gateway.http.endpoints.chatCompletions.images` (extension): image input limits. */
  const imagesSchema = z.strictObject({
    /** Fetch `http(s)` image URLs (never from private addresses). Default `false`: data URIs only. */
    allowUrl: z.boolean().default(false),
    maxImages: nonNegativeInt.default(8),
    maxImageBytes: positiveInt.default(10 * MEGABYTE),
    maxTotalImageBytes: positiveInt.default(20 * MEGABYTE),
  });

  /**
   * `gateway.http.endpoints.chatCompletions.limits` (extension): how much one request may ask of
   * the validator and the upstream. Each refusal is a 400 naming the limit.
   */
  const requestLimitsSchema = z.strictObject({
    /** Entries of `messages`. */
    maxMessages: positiveInt.default(2048),
    /** Array content parts, summed over every message. */
    maxContentParts: positiveInt.default(4096),
    /** Entries of `tools`. */
    maxTools: positiveInt.default(128),
    /** Earlier assistant `tool_calls`, summed over every message. */
    maxToolCalls: positiveInt.default(4096),
  });

  const chatCompletionsSchema = z.strictObject({
    /** Mount `POST /v1/chat/completions` and `GET /v1/models`. */
    enabled: z.boolean().default(false),
    images: imagesSchema.prefault({}),
    limits: requestLimitsSchema.prefault({}),
  });

  /**
   * `gateway.http.endpoints.responses.limits` (extension): the item counts one `/v1/responses` request may
   * hold (docs/responses-api.md#limits).
   */
  const responsesLimitsSchema = z.strictObject({
    /** Entries of `input`. */
    maxInputItems: positiveInt.default(2048),
    /** Array content parts, summed over every input item. */
    maxContentParts: positiveInt.default(4096),
    /** Entries of `tools`. */
    maxTools: positiveInt.default(128),
  });

  /** `gateway.http.endpoints.responses`: OpenAI's Responses API on the same run (docs/responses-api.md). */
  const responsesSchema = z.strictObject({
    /** Mount `POST /v1/responses` (and `POST /v1/embeddings`, as either endpoint does). */
    enabled: z.boolean().default(false),
    /**
     * Extension: how long a stored response can be continued with `previous_response_id`, in ms (30 days,
     * as OpenAI keeps stored responses). After it the id is unknown (400).
     */
    previousResponseTtlMs: positiveInt.max(365 * 24 * 3600 * 1000).default(30 * 24 * 3600 * 1000),
    limits: responsesLimitsSchema.prefault({}),
  });

  /**
   * `gateway.http.cors` (docs/http-contract.md#cross-origin-requests): browser pages of other origins
   * that may call the HTTP API. Off (no origin) by default.
   */
  const corsSchema = z.strictObject({
    /** Exact origins (`https://app.example.com`), or `["*"]` for any origin (then never with credentials). */
    allowedOrigins: z.array(z.string().trim().min(1)).default([]),
    /** How long a browser may cache a preflight answer, in seconds (`Access-Control-Max-Age`). */
    maxAgeSeconds: nonNegativeInt.max(86_400).default(600),
  });

  /** `gateway.http`. */
  const httpSchema = z
    .strictObject({
      endpoints: z
        .strictObject({
          chatCompletions: chatCompletionsSchema.prefault({}),
          responses: responsesSchema.prefault({}),
        })
        .prefault({}),
      cors: corsSchema.prefault({}),
      /** `: ping` comment interval while a streamed model is silent. */
      sseHeartbeatMs: timerMs.default(15_000),
      /** Extension: request body limit in bytes (413 above it). */
      maxBodyBytes: positiveInt.default(20 * MEGABYTE),
      /** Extension: deadline for reading the request body (408 after it). */
      bodyTimeoutMs: positiveInt.default(30_000),
      /** Extension: deepest nesting of arrays and objects in a JSON body (400 above it). */
      maxJsonDepth: positiveInt.default(64),
      /** Extension: most array elements plus object members in a JSON body, counted as it arrives (400 above it). */
      maxJsonValues: positiveInt.default(250_000),
      /**
       * Extension: a connection that has not sent its whole request head by then is closed (Node's `headersTimeout`).
       */
      headersTimeoutMs: positiveInt.default(10_000),
      /** Extension: deadline for receiving a whole request, head and body (Node's `requestTimeout`). */
      requestTimeoutMs: positiveInt.default(60_000),
      /** Extension: open connections beyond this are refused (Node's `server.maxConnections`); unset = no cap. */
      maxConnections: positiveInt.optional(),
    })
    .superRefine((http, context) => {
      // Node refuses a request deadline shorter than the head deadline; say so at start-up.
      if (http.requestTimeoutMs < http.headersTimeoutMs) {
        context.addIssue({
          code: 'custom',
          path: ['requestTimeoutMs'],
          message: `must be at least headersTimeoutMs (${http.headersTimeoutMs})`,
        });
      }
    });

  /**
   * `gateway.ws` (extension; docs/ws-protocol.md#limits-and-keepalive): the WebSocket control
   * protocol on the gateway's own port. OpenClaw's own limits are the defaults.
   */
  const wsSchema = z.strictObject({
    /** `false` answers every upgrade with 404. */
    enabled: z.boolean().default(true),
    /** Origins besides the gateway's own whose pages may open a socket (`https://app.example.com`). */
    allowedOrigins: z.array(z.string().trim().min(1)).default([]),
    /** Largest frame after the handshake (1009 above it); before it, 64 KiB. */
    maxPayload: positiveInt.default(25 * MEGABYTE),
    /** Unsent bytes queued for one connection before it is closed as a slow consumer (1008). */
    maxBufferedBytes: positiveInt.default(50 * MEGABYTE),
    /** `tick` event interval. */
    tickIntervalMs: positiveInt.default(30_000),
    /** Protocol ping interval; a connection that has not answered the previous ping by the next is closed. */
    pingIntervalMs: positiveInt.default(25_000),
    /** A connection that has not completed `connect` by then is closed (1000). */
    handshakeTimeoutMs: positiveInt.default(10_000),
    /** Runs one connection may have going at once (`agent`, `chat.send`); more are refused. */
    maxRunsPerConnection: positiveInt.default(16),
  });

  /** `gateway.metrics` (extension; docs/observability.md#metrics). */
  const metricsSchema = z.strictObject({
    /** Serve `GET /metrics` in the Prometheus text format. */
    enabled: z.boolean().default(false),
    /** `required`: a credential with `operator.read`; `none`: anyone who reaches the listener (a private network). */
    auth: z.enum(['required', 'none']).default('required'),
    /** Serve `/metrics` on this port instead of the gateway's (same bind address; 0: any free port); not `gateway.port`. */
    port: z.number().int().min(0).max(65_535).optional(),
  });

  /** `gateway.webchat` (extension; docs/webchat.md): the web chat page at `/`. */
  const webchatSchema = z.strictObject({
    /** Serve the page at `/` and its files at `/webchat/assets/…`; off, both are 404. */
    enabled: z.boolean().default(false),
  });

  const gatewaySchema = z
    .strictObject({
      /** 0 picks a free port (useful in tests). */
      port: z.number().int().min(0).max(65_535).default(18_789),
      /**
       * Listen address, or one of OpenClaw's bind modes (see `resolve-bind-address.ts`); loopback by
       * default so nothing is exposed by accident.
       */
      bind: z.string().trim().min(1).default('127.0.0.1'),
      /** The address for `bind: "custom"` (OpenClaw's key). */
      customBindHost: z.string().trim().min(1).optional(),
      auth: authSchema.prefault({}),
      /** Peers whose `X-Forwarded-For` is believed and who may use `trusted-proxy` auth. */
      trustedProxies: z.array(z.string().trim().min(1)).default([]),
      http: httpSchema.prefault({}),
      ws: wsSchema.prefault({}),
      webchat: webchatSchema.prefault({}),
      metrics: metricsSchema.prefault({}),
      /** On SIGTERM/SIGINT, how long in-flight requests and SSE streams may run before they are cut (ms). */
      shutdownTimeoutMs: z.number().int().min(0).max(600_000).default(10_000),
    })
    .superRefine((gateway, context) => {
      // The modes that need more than the key itself: refused here so `config check` says so too.
      const problem = bindModeProblem(gateway.bind, gateway.customBindHost);
      if (problem !== undefined) context.addIssue({ code: 'custom', path: [problem.key], message: problem.message });
      // Port 0 is "any free port" for both, never the same one.
      if (gateway.metrics.port !== undefined && gateway.metrics.port !== 0 && gateway.metrics.port === gateway.port) {
        context.addIssue({
          code: 'custom',
          path: ['metrics', 'port'],
          message: `must differ from gateway.port (${gateway.port}): leave it out to serve /metrics on the gateway's port`,
        });
      }
    });

  /**
   * One entry of a provider's model catalogue (OpenClaw's `models.providers.<id>.models[]`), listed
   * by the WebSocket `models.list` and described on `GET /v1/models`. OpenClaw's other keys of an
   * entry (`cost`, `input`, `maxTokens`, …) are ignored with a warning (see `openclaw-known-keys.ts`).
   */
  const catalogueModelSchema = z.strictObject({
    id: z.string().trim().min(1),
    name: z.string().optional(),
    contextWindow: positiveInt.optional(),
    reasoning: z.boolean().optional(),
  });

  /** An OpenAI-compatible upstream (OpenAI, vLLM, Ollama, llama.cpp, LM Studio, OpenRouter...). */
  const openAICompletionsProviderSchema = z.strictObject({
    api: z.literal('openai-completions'),
    /** e.g. `http://127.0.0.1:11434/v1`; requests go to `<baseUrl>/chat/completions`. */
    baseUrl: z.url({ protocol: /^https?$/ }),
    /** Sent as `Authorization: Bearer <apiKey>`; usually an env reference like `${OPENAI_API_KEY}`. */
    apiKey: z.string().optional(),
    /** Extra request headers (e.g. OpenRouter's `HTTP-Referer`). */
    headers: z.record(z.string(), z.string()).optional(),
    /**
     * Response-headers timeout and idle timeout between streamed chunks, in ms (504 after it). A run
     * marked `stream: false` fetches the whole answer, whose headers come only when the model is
     * done: there it bounds the whole generation.
     */
    timeoutMs: positiveInt.default(120_000),
    /** Longest silence (no byte) inside a streamed answer before it fails with 504. @defaultValue `timeoutMs` */
    idleTimeoutMs: positiveInt.optional(),
    /** Keep-alive connection pool size per origin (undici default: unlimited). */
    maxConnections: positiveInt.optional(),
    models: z.array(catalogueModelSchema).optional(),
  });

  /** The built-in deterministic model (no network). */
  const offlineProviderSchema = z.strictObject({
    api: z.literal('offline'),
    /** Pause between streamed words, in ms (default 0). */
    delayMs: nonNegativeInt.default(0),
    models: z.array(catalogueModelSchema).optional(),
  });

  /** `api` may be left out for OpenAI-compatible upstreams, the common case. */
  const providerSchema = z.preprocess(
    (value) =>
      value !== null && typeof value === 'object' && !Array.isArray(value) && !('api' in value)
        ? { api: 'openai-completions', ...value }
        : value,
    z.discriminatedUnion('api', [openAICompletionsProviderSchema, offlineProviderSchema]),
  );

  /** `<provider>/<model id>`, split at the first `/`. */
  const modelRefSchema = z
    .string()
    .trim()
    .regex(/^[^/\s]+\/\S.*$/, 'expected "<provider>/<model id>"');

  /**
   * An agent's model: `"<provider>/<model id>"`, or OpenClaw's `{ primary, fallbacks }`. Kept as written
   * here; the root transform turns it into `model` (the primary) and `fallbacks`.
   */
  const modelSpecSchema = z.union([
    modelRefSchema,
    z.strictObject({
      primary: modelRefSchema.optional(),
      /** Tried in order when the primary fails before any output (docs/http-contract.md#model-fallbacks). */
      fallbacks: z.array(modelRefSchema).optional(),
    }),
  ]);

  /** Settings every agent inherits unless it overrides them. */
  const agentDefaultsSchema = z.strictObject({
    model: modelSpecSchema.default(DEFAULT_MODEL),
    /** Transcript bound: oldest messages are trimmed beyond it. */
    maxHistoryMessages: positiveInt.default(200),
    /**
     * Longest reply (text plus tool-call arguments, in characters) a turn accepts from the model; longer fails with
     * 502.
     */
    maxReplyChars: positiveInt.default(4 * MEGABYTE),
    systemPrompt: z.string().optional(),
    /**
     * Models `x-openclaw-model` may pick (`<provider>/<model>`, a bare id on the agent's provider, or `<provider>/*`).
     */
    allowedModels: z.array(z.string().trim().min(1)).optional(),
    /** The model `POST /v1/embeddings` forwards to (`<provider>/<model id>`); none → that endpoint answers 400. */
    embeddingModel: modelRefSchema.optional(),
  });

  /** One agent's own settings: an `agents.list[]` entry without its `id`, or an `agents.entries.<id>` value. */
  const agentBodyShape = {
    /** Exactly one agent is the default (see `resolveAgents`). */
    default: z.boolean().optional(),
    name: z.string().optional(),
    model: modelSpecSchema.optional(),
    systemPrompt: z.string().optional(),
    maxHistoryMessages: positiveInt.optional(),
    maxReplyChars: positiveInt.optional(),
    allowedModels: z.array(z.string().trim().min(1)).optional(),
    embeddingModel: modelRefSchema.optional(),
  };

  const agentEntrySchema = z.strictObject({
    /** Normalised like request ids (trimmed, lowercased, invalid runs → `-`). */
    id: z.string().transform((id) => normalizeAgentId(id)),
    ...agentBodyShape,
  });

  /**
   * `agents`: the defaults, and the agents either as clawgate's (and older OpenClaw's) `list` or as
   * OpenClaw's `entries` map keyed by agent id. Checked here; merged into one list at the root.
   */
  const agentsSchema = z
    .strictObject({
      defaults: agentDefaultsSchema.prefault({}),
      list: z.array(agentEntrySchema).optional(),
      /** The object key is the agent id (normalised like `list[].id`). */
      entries: z.record(z.string(), z.strictObject(agentBodyShape)).optional(),
    })
    .superRefine((agents, context) => {
      if (agents.list !== undefined && agents.entries !== undefined) {
        context.addIssue({
          code: 'custom',
          path: ['entries'],
          message: 'use either agents.list or agents.entries, not both',
        });
        return;
      }
      const seen = new Map<string, string>();
      let firstDefault: string | undefined;
      for (const { agent, path } of agentSources(agents)) {
        const where = path.join('.');
        const previous = seen.get(agent.id);
        if (previous !== undefined) {
          context.addIssue({
            code: 'custom',
            path: agents.list === undefined ? path.slice(1) : [...path.slice(1), 'id'],
            message: `duplicate agent id '${agent.id}' (also ${previous})`,
          });
        }
        seen.set(agent.id, agents.list === undefined ? where : `${where}.id`);
        if (agent.default === true) {
          if (firstDefault !== undefined) {
            context.addIssue({
              code: 'custom',
              path: [...path.slice(1), 'default'],
              message: `only one agent can be the default (already '${firstDefault}')`,
            });
          }
          firstDefault ??= agent.id;
        }
      }
    });

  /** `sessions`. */
  const sessionsSchema = z.strictObject({
    /** `file`: JSONL under `<stateDir>/sessions`; `memory`: lost on restart; `{ redis }`: shared. */
    store: z.union([z.literal('file'), z.literal('memory'), redisStoreSchema]).default('file'),
    /** Also keep transcripts of per-request (stateless) sessions. */
    persistEphemeral: z.boolean().default(false),
    /**
     * Turns of one session run one at a time; this many may wait behind the running one. One more is
     * refused with 429 `session_busy` (docs/http-contract.md#busy-sessions).
     */
    maxQueuedTurns: nonNegativeInt.default(32),
    /** A turn that has waited this long for its session's earlier turns is refused with 429 `session_busy` (ms). */
    queueTimeoutMs: timerMs.default(60_000),
  });

  /** `logging` (extension). */
  const loggingSchema = z.strictObject({
    level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    /** Log prompt and reply text (off: only sizes and ids are logged). */
    includeContent: z.boolean().default(false),
  });

  /** `telemetry` (extension; docs/observability.md#traces): OpenTelemetry traces, off unless an endpoint is set. */
  const telemetrySchema = z.strictObject({
    otlp: z
      .strictObject({
        /** The collector's OTLP/HTTP base URL (`http://collector:4318`); spans go to `<endpoint>/v1/traces`. */
        endpoint: z.url({ protocol: /^https?$/ }),
        /** Sent with every export (a back-end's API key: write it as `${NAME}`). */
        headers: z.record(z.string(), z.string()).optional(),
        /** `service.name` of the spans (default "clawgate"). */
        serviceName: z.string().trim().min(1).optional(),
      })
      .optional(),
  });

  return z
    .strictObject({
      /** Allowed so editors can point at a JSON schema; ignored. */
      $schema: z.string().optional(),
      gateway: gatewaySchema.prefault({}),
      models: z
        .strictObject({ providers: z.record(z.string().trim().min(1), providerSchema).default({}) })
        .prefault({}),
      agents: agentsSchema.prefault({}),
      sessions: sessionsSchema.prefault({}),
      logging: loggingSchema.prefault({}),
      telemetry: telemetrySchema.prefault({}),
    })
    .superRefine((config, context) => {
      // An agent whose model (or a fallback) names an unknown provider would fail on its first request;
      // fail at start-up.
      const known = new Set(['offline', ...Object.keys(config.models?.providers ?? {})]);
      const check = (model: unknown, path: (string | number)[]) => {
        // No provider part: the model's own pattern has already reported it.
        const provider = typeof model === 'string' ? splitProviderModel(model)?.provider : undefined;
        if (provider !== undefined && !known.has(provider)) {
          context.addIssue({
            code: 'custom',
            path,
            message: `unknown provider '${provider}' (configured: ${[...known].join(', ')})`,
          });
        }
      };
      const checkSpec = (spec: ModelSpec | undefined, path: (string | number)[]) => {
        if (typeof spec !== 'object') {
          check(spec, path);
          return;
        }
        check(spec.primary, [...path, 'primary']);
        for (const [index, fallback] of (spec.fallbacks ?? []).entries())
          check(fallback, [...path, 'fallbacks', index]);
      };
      // zod runs this even when a nested key already failed: guard what a failed key may have left.
      if (config.agents?.defaults === undefined) return;
      checkSpec(config.agents.defaults.model, ['agents', 'defaults', 'model']);
      check(config.agents.defaults.embeddingModel, ['agents', 'defaults', 'embeddingModel']);
      for (const { agent, path } of agentSources(config.agents)) {
        checkSpec(agent.model, [...path, 'model']);
        check(agent.embeddingModel, [...path, 'embeddingModel']);
      }
    })
    .transform((config) => ({ ...config, agents: resolveAgents(config.agents) }));
}

/** The model every agent uses when neither it nor `agents.defaults` names one. */
const DEFAULT_MODEL = 'offline/clawgate-offline';

/** An agent's `model` as written: a reference or `{ primary, fallbacks }`. */
type ModelSpec = string | { primary?: string | undefined; fallbacks?: string[] | undefined };

/** The agent settings both forms share, as parsed (before `resolveAgents`). */
interface ParsedAgent {
  id: string;
  default?: boolean | undefined;
  model?: ModelSpec | undefined;
  embeddingModel?: string | undefined;
}

/** Each agent with its id and where it was written (`['agents', 'list', 0]`, `['agents', 'entries', 'x']`). */
function agentSources<Agent extends Omit<ParsedAgent, 'id'>>(agents: {
  list?: (Agent & { id: string })[] | undefined;
  entries?: Record<string, Agent> | undefined;
}): { agent: Agent & { id: string }; path: (string | number)[] }[] {
  if (Array.isArray(agents.list)) {
    return agents.list.map((agent, index) => ({ agent, path: ['agents', 'list', index] }));
  }
  return Object.entries(agents.entries ?? {}).map(([key, agent]) => ({
    agent: { ...agent, id: normalizeAgentId(key) },
    path: ['agents', 'entries', key],
  }));
}

/**
 * `model` as the primary (unset: inherited) and `fallbacks`: an object's own list (`[]` when it has
 * none, since it replaces the defaults' model wholly); unset for a plain reference or no model.
 */
function splitModelSpec(spec: ModelSpec | undefined): { model?: string; fallbacks?: string[] } {
  if (spec === undefined) return {};
  if (typeof spec === 'string') return { model: spec };
  return { ...(spec.primary === undefined ? {} : { model: spec.primary }), fallbacks: spec.fallbacks ?? [] };
}

/**
 * The agents as the rest of the gateway reads them: one `list` (from `list` or `entries`), models
 * split into `model` and `fallbacks`.
 *
 * Decisions (docs/http-contract.md#8-configuration): no agent configured → one agent `main`.
 * Exactly one agent ends up `default: true`: the one marked so, else the first in file order (for
 * `entries`, the first key as JavaScript orders them: integer-like ids such as `"7"` come before the
 * others, so mark one with `default: true` when that matters). `agents.defaults.model` falls back to
 * the offline model and its fallbacks to none.
 */
function resolveAgents<Defaults extends { model: ModelSpec }, Agent extends Omit<ParsedAgent, 'id'>>(agents: {
  defaults: Defaults;
  list?: (Agent & { id: string })[] | undefined;
  entries?: Record<string, Agent> | undefined;
}) {
  const { model: defaultModel, ...defaults } = agents.defaults;
  const defaultSpec = splitModelSpec(defaultModel);
  const given = agentSources(agents).map(({ agent }) => agent);
  const list = given.length > 0 ? given : [{ id: 'main' } as Agent & { id: string }];
  const defaultIndex = Math.max(
    0,
    list.findIndex((agent) => agent.default === true),
  );
  return {
    defaults: { ...defaults, model: defaultSpec.model ?? DEFAULT_MODEL, fallbacks: defaultSpec.fallbacks ?? [] },
    list: list.map(({ model, ...agent }, index) => ({
      ...agent,
      ...splitModelSpec(model),
      default: index === defaultIndex,
    })),
  };
}

/** The validated configuration, defaults filled in. */
export type GatewayConfig = z.output<ReturnType<typeof createGatewayConfigSchema>>;
/** One entry of `config.models.providers`. */
export type ProviderConfig = GatewayConfig['models']['providers'][string];
/** An `openai-completions` provider entry. */
export type OpenAICompletionsProviderConfig = Extract<ProviderConfig, { api: 'openai-completions' }>;
/** An `offline` provider entry. */
export type OfflineProviderConfig = Extract<ProviderConfig, { api: 'offline' }>;
