/**
 * The keys of OpenClaw's `openclaw.json` (its documented configuration schema, 2026.9), as a plain
 * tree: `true` = OpenClaw knows this key and everything beneath it; an object = OpenClaw knows
 * this key and, beneath it, the keys listed; `'*'` = any map key or any array element.
 *
 * What clawgate does with it (docs/http-contract.md#8-configuration): a key clawgate implements is
 * used; a key only this tree knows is dropped and listed once as ignored; a key neither knows is an
 * error with a "did you mean" from both. So where clawgate implements a section, the tree must list
 * that section's OpenClaw keys one by one (a `true` there means "nothing more to ignore"): a typo
 * under a section clawgate reads stays an error.
 *
 * Written from the reference at https://docs.openclaw.ai/gateway/configuration and the schema in
 * https://github.com/openclaw/openclaw (src/config/zod-schema*.ts). Where the docs were unclear:
 * - `agents.entries` (the map keyed by agent id, 2026.9) carries the same keys as an `agents.list`
 *   entry minus `id`; whether it still takes `default` is not documented (clawgate accepts it).
 * - `identity`, `tools`, `timeoutSeconds` and `compaction` are documented per agent in some pages
 *   and under `agents.defaults` in others: both places are listed.
 * - `$include` is OpenClaw's file-inclusion directive; it is deliberately absent here because
 *   ignoring it would drop the included settings silently (clawgate refuses it instead).
 * - `gateway.tls` is listed (ignored): clawgate serves plain HTTP, so a client that expects TLS fails
 *   its handshake instead of talking in clear; terminate TLS in front (README "Behind nginx").
 */

/** One node of the tree. */
export type KnownKeys = true | { readonly [key: string]: KnownKeys };

/** The keys an agent may carry, in `agents.list[]` and as an `agents.entries.<id>` value. */
const AGENT_KEYS = {
  id: true,
  default: true,
  name: true,
  description: true,
  workspace: true,
  agentDir: true,
  model: { primary: true, fallbacks: true },
  utilityModel: true,
  models: true,
  modelPolicy: true,
  thinkingDefault: true,
  verboseDefault: true,
  reasoningDefault: true,
  fastModeDefault: true,
  toolProgressDetail: true,
  contextInjection: true,
  contextTokens: true,
  contextLimits: true,
  timeoutSeconds: true,
  compaction: true,
  bootstrapMaxChars: true,
  bootstrapTotalMaxChars: true,
  experimental: true,
  skills: true,
  skillsLimits: true,
  memory: true,
  humanDelay: true,
  typingMode: true,
  typingIntervalSeconds: true,
  tts: true,
  heartbeat: true,
  identity: true,
  groupChat: true,
  subagents: true,
  embeddedAgent: true,
  plugins: true,
  sandbox: true,
  params: true,
  tools: true,
  runtime: true,
} as const satisfies KnownKeys;

/** What every agent inherits unless it sets its own (`agents.defaults`). */
const AGENT_DEFAULTS_KEYS = {
  model: { primary: true, fallbacks: true },
  imageModel: true,
  imageGenerationModel: true,
  pdfModel: true,
  pdfMaxBytesMb: true,
  pdfMaxPages: true,
  models: true,
  workspace: true,
  repoRoot: true,
  skipBootstrap: true,
  bootstrapMaxChars: true,
  bootstrapTotalMaxChars: true,
  bootstrapPromptTruncationWarning: true,
  userTimezone: true,
  timeFormat: true,
  envelopeTimezone: true,
  envelopeTimestamp: true,
  envelopeElapsed: true,
  contextTokens: true,
  cliBackends: true,
  memorySearch: true,
  contextPruning: true,
  compaction: true,
  embeddedPi: true,
  identity: true,
  thinkingDefault: true,
  verboseDefault: true,
  elevatedDefault: true,
  blockStreamingDefault: true,
  blockStreamingBreak: true,
  blockStreamingChunk: true,
  blockStreamingCoalesce: true,
  humanDelay: true,
  timeoutSeconds: true,
  mediaMaxMb: true,
  imageMaxDimensionPx: true,
  typingIntervalSeconds: true,
  typingMode: true,
  heartbeat: true,
  maxConcurrent: true,
  subagents: true,
  additionalSystemPrompt: true,
  skills: true,
  sandbox: true,
  tools: true,
} as const satisfies KnownKeys;

/** The URL-fetch limits OpenClaw puts on images (and files) of the HTTP endpoints. */
const URL_FETCH_KEYS = {
  allowUrl: true,
  allowedMimes: true,
  maxBytes: true,
  maxRedirects: true,
  timeoutMs: true,
  urlAllowlist: true,
} as const satisfies KnownKeys;

/** Every key of `openclaw.json`, from the top. */
export const OPENCLAW_KNOWN_KEYS = {
  $schema: true,
  meta: true,
  env: true,
  wizard: true,
  update: true,
  cli: true,
  diagnostics: true,
  logging: {
    level: true,
    file: true,
    maxFileBytes: true,
    consoleLevel: true,
    consoleStyle: true,
    redactSensitive: true,
    redactPatterns: true,
  },
  browser: true,
  ui: true,
  /** Model-provider credentials (auth profiles, their order and cooldowns), not the gateway's own auth. */
  auth: true,
  secrets: true,
  acp: true,
  mcp: true,
  models: {
    mode: true,
    bedrockDiscovery: true,
    proxy: true,
    providers: {
      '*': {
        baseUrl: true,
        apiKey: true,
        auth: true,
        api: true,
        headers: true,
        authHeader: true,
        injectNumCtxForOpenAICompat: true,
        models: {
          '*': {
            id: true,
            name: true,
            api: true,
            reasoning: true,
            input: true,
            cost: true,
            contextWindow: true,
            maxTokens: true,
            headers: true,
            compat: true,
          },
        },
      },
    },
  },
  nodeHost: true,
  agents: {
    defaults: AGENT_DEFAULTS_KEYS,
    list: { '*': AGENT_KEYS },
    entries: { '*': AGENT_KEYS },
  },
  tools: true,
  bindings: true,
  broadcast: true,
  audio: true,
  media: true,
  messages: true,
  commands: true,
  approvals: true,
  /** OpenClaw's session behaviour (scope, reset, send policy); clawgate's store is `sessions`. */
  session: true,
  cron: true,
  hooks: true,
  web: true,
  channels: true,
  discovery: true,
  canvasHost: true,
  talk: true,
  memory: true,
  skills: true,
  plugins: true,
  gateway: {
    port: true,
    mode: true,
    bind: true,
    customBindHost: true,
    controlUi: true,
    auth: {
      mode: true,
      token: true,
      password: true,
      allowTailscale: true,
      rateLimit: { maxAttempts: true, windowMs: true, lockoutMs: true, exemptLoopback: true },
      trustedProxy: { userHeader: true, requiredHeaders: true, allowUsers: true },
    },
    trustedProxies: true,
    allowRealIpFallback: true,
    tools: true,
    channelHealthCheckMinutes: true,
    channelMaxRestartsPerHour: true,
    channelStaleEventThresholdMinutes: true,
    tailscale: true,
    remote: true,
    reload: true,
    tls: true,
    http: {
      endpoints: {
        chatCompletions: {
          enabled: true,
          maxBodyBytes: true,
          maxImageParts: true,
          maxTotalImageBytes: true,
          images: URL_FETCH_KEYS,
        },
        responses: {
          enabled: true,
          maxBodyBytes: true,
          maxUrlParts: true,
          files: true,
          images: URL_FETCH_KEYS,
        },
      },
      securityHeaders: true,
    },
    nodes: true,
    push: true,
    // clawgate reads `gateway.webchat.enabled` (its own page); OpenClaw's history cap is ignored.
    webchat: { chatHistoryMaxChars: true },
  },
} as const satisfies KnownKeys;
