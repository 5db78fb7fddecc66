/**
 * Builds a `createApp` instance the way `server.ts` does, from a config object, for supertest.
 */
import { createGatewayAuthorizer, resolveAuthConfig, type RateLimitStore } from '@clawgate/auth';
import type { AgentRunner } from '../agent/agent-runner.js';
import { createApp } from '../app.js';
import type { GatewayConfig } from '../config/config-schema.js';
import { parseConfig } from '../config/parse-config.js';

/** The bearer token of every test config that does not set its own. */
export const TEST_TOKEN = 'test-token-0123456789';

/** `Authorization` header for {@link TEST_TOKEN}. */
export const AUTH_HEADER = { Authorization: `Bearer ${TEST_TOKEN}` } as const;

/** A config input with the endpoint enabled and token auth with {@link TEST_TOKEN}, merged with `overrides`. */
export function testConfig(overrides: Record<string, unknown> = {}): GatewayConfig {
  const base = {
    gateway: {
      auth: { mode: 'token', token: TEST_TOKEN },
      http: { endpoints: { chatCompletions: { enabled: true } } },
    },
    agents: { list: [{ id: 'main', default: true }, { id: 'beta' }] },
  };
  return parseConfig(deepMerge(base, overrides), {});
}

function deepMerge(base: unknown, override: unknown): unknown {
  if (isPlainObject(base) && isPlainObject(override)) {
    const result: Record<string, unknown> = { ...base };
    for (const [key, value] of Object.entries(override)) {
      result[key] = deepMerge(base[key], value);
    }
    return result;
  }
  return override === undefined ? base : override;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * @param options.config - The parsed config (see {@link testConfig}).
 * @param options.runner - The runner.
 * @param options.rateLimitStore - A store for the limiter (default: the authorizer's own memory store).
 * @param options.now - Clock.
 */
export function buildTestApp(options: {
  config: GatewayConfig;
  runner: AgentRunner;
  rateLimitStore?: RateLimitStore;
  now?: () => number;
  randomUUID?: () => string;
}) {
  const { config } = options;
  const rateLimit = config.gateway.auth.rateLimit;
  const authorizer = createGatewayAuthorizer({
    auth: resolveAuthConfig(config.gateway.auth, {}),
    trustedProxies: config.gateway.trustedProxies,
    rateLimit: rateLimit.enabled
      ? {
          ...(options.rateLimitStore === undefined ? {} : { store: options.rateLimitStore }),
          maxAttempts: rateLimit.maxAttempts,
          windowMs: rateLimit.windowMs,
          lockoutMs: rateLimit.lockoutMs,
          exemptLoopback: rateLimit.exemptLoopback,
        }
      : false,
    ...(options.now === undefined ? {} : { now: options.now }),
  });
  const app = createApp({
    config,
    runner: options.runner,
    authorizer,
    ...(options.now === undefined ? {} : { now: options.now }),
    ...(options.randomUUID === undefined ? {} : { randomUUID: options.randomUUID }),
  });
  return { app, authorizer };
}
