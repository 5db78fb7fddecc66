/**
 * The gateway's programmatic surface, for our own tests, the client package's tests and the
 * benchmarks. The app is private: this is not a published API.
 */
export { createApp, READ_SCOPE, WRITE_SCOPE } from './app.js';
export type { AppDependencies } from './app.js';
export { startGateway, readOrCreateToken, GATEWAY_TOKEN_FILE } from './server.js';
export { createGatewayRuntime } from './gateway-runtime.js';
export type { GatewayRuntime, CreateGatewayRuntimeOptions, RuntimeRedisOptions } from './gateway-runtime.js';
export type { RunningGateway, StartGatewayOptions, ShutdownOptions, ShutdownResult } from './server.js';
export type { HttpLogger } from './http/http-logger.js';
export { createLogger, REDACTED_LOG_PATHS } from './logging/create-logger.js';
export type { CreateLoggerOptions } from './logging/create-logger.js';
export { hashSessionKey } from './logging/hash-session-key.js';
export { loadConfig } from './config/load-config.js';
export { parseConfig } from './config/parse-config.js';
export { resolveStateDir } from './config/state-dir.js';
export type { GatewayConfig } from './config/config-schema.js';
export { createAgentRunner } from './agent/create-agent-runner.js';
export type { AgentRunner, AgentRunInput, PreparedRun, RunOutcome, RunResult } from './agent/agent-runner.js';
export type { ReplySink } from './agent/reply-sink.js';
export { createProviderRegistry } from './providers/provider-registry.js';
export { createSessionStore } from './sessions/create-session-store.js';
export { createMemorySessionStore } from './sessions/session-store.js';
export type { SessionStore } from './sessions/session-store.js';
export { GatewayError } from './errors.js';
