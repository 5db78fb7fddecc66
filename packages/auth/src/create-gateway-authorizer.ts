import {
  createForbiddenBody,
  createRateLimitedBody,
  createUnauthorizedBody,
  type AuthDecision,
  type AuthMethod,
} from './auth-decision.js';
import { extractBearerToken } from './extract-bearer-token.js';
import { firstHeaderValue, getHeader, type HeaderRecord } from './header-value.js';
import { MemoryRateLimitStore } from './memory-rate-limit-store.js';
import { isLoopbackAddress, normalizeIpAddress } from './normalize-ip-address.js';
import type { RateLimitStore } from './rate-limit-store.js';
import { RateLimitStoreUnavailableError } from './rate-limit-store-unavailable-error.js';
import type { ResolvedAuthConfig, TrustedProxyAuthConfig } from './resolve-auth-config.js';
import { resolveClientIp } from './resolve-client-ip.js';
import { createSecretMatcher } from './safe-equal-secret.js';
import { hasScope, OPERATOR_SCOPES, parseScopesHeader } from './scopes.js';
import { createTrustedProxyList } from './trusted-proxy-list.js';

/** Settings of the auth-failure rate limiter (`gateway.auth.rateLimit`). */
export interface RateLimitOptions {
  /**
   * Where counters live. Pass a `RedisRateLimitStore` to share them between replicas.
   * @defaultValue a new `MemoryRateLimitStore` (closed by `authorizer.close()`)
   */
  store?: RateLimitStore;
  /** Failures inside the window that lock the client. @defaultValue 10 */
  maxAttempts?: number;
  /** Sliding window in ms. @defaultValue 60_000 */
  windowMs?: number;
  /** Lock duration in ms. @defaultValue 300_000 */
  lockoutMs?: number;
  /** Loopback clients (`127.0.0.0/8`, `::1`) are never counted or locked. @defaultValue true */
  exemptLoopback?: boolean;
}

/** Options of {@link createGatewayAuthorizer}. */
export interface GatewayAuthorizerOptions {
  /** The resolved auth configuration (see `resolveAuthConfig`). */
  auth: ResolvedAuthConfig;
  /** Proxy addresses or CIDRs whose `X-Forwarded-For` is believed (`gateway.trustedProxies`). @defaultValue [] */
  trustedProxies?: readonly string[];
  /** The failure rate limiter, or `false` to turn it off. @defaultValue {@link RateLimitOptions}' defaults */
  rateLimit?: false | RateLimitOptions;
  /** Clock in epoch ms. @defaultValue Date.now */
  now?: () => number;
}

/** Request facts the authorizer needs: no framework objects. */
export interface AuthorizeRequest {
  /** Request headers (Node's `IncomingMessage.headers` fits). */
  headers: HeaderRecord;
  /** The socket peer address (`request.socket.remoteAddress`). */
  remoteAddress: string | undefined;
}

/** Per-call options of `authorize`. */
export interface AuthorizeOptions {
  /**
   * The scope the operation needs, e.g. `operator.write` for chat completions. Omit it to
   * authenticate only: the decision then carries the caller's scopes for the caller to check per
   * operation (a WebSocket connection authenticates once and runs many methods).
   */
  requiredScope?: string;
}

/** Decides whether a request may proceed. Create with {@link createGatewayAuthorizer}. */
export interface GatewayAuthorizer {
  /**
   * Authenticates, rate-limits and scope-checks one request.
   *
   * @throws {RateLimitStoreUnavailableError} (as a rejection) when the rate-limit store fails.
   */
  authorize(request: AuthorizeRequest, options: AuthorizeOptions): Promise<AuthDecision>;
  /** Releases the default in-memory store's timer. A store passed in is left to its owner. */
  close(): void;
}

const defaultRateLimit = { maxAttempts: 10, windowMs: 60_000, lockoutMs: 300_000 };

/**
 * Creates the request authorizer (docs/http-contract.md#2-authentication-rate-limiting-and-scopes).
 *
 * Shared-secret modes: locked client → 429 at once, whatever it sent; no bearer credential →
 * 401 (not counted); wrong secret → counted, 401 (the failure reaching `maxAttempts` locks the
 * client, later ones get 429); right secret → the client's failures are reset. Each decision
 * costs one store call (plus a reset after a success that follows failures). Then the scope check →
 * 403. Mode `none` never touches the limiter. In `trusted-proxy` mode a request from an
 * untrusted peer, without the user header, without a required header or from a user outside
 * `allowUsers` gets 401 and is not counted (no secret was guessed; the proxy owns brute-force
 * protection). Callers without a shared secret get their scopes from `x-openclaw-scopes`;
 * without that header they hold none, so they get 403 `missing scope: <requiredScope>`.
 *
 * @param options - Auth config, trusted proxies, rate limiter and clock.
 * @returns The authorizer.
 * @throws {TypeError} On invalid options: token/password mode without a secret, trusted-proxy
 *   mode without settings or without trusted proxies, a bad `trustedProxies` entry, or
 *   non-positive rate-limit numbers.
 *
 * @example
 * ```ts
 * const authorizer = createGatewayAuthorizer({ auth: resolveAuthConfig(config.gateway.auth, env) });
 * const decision = await authorizer.authorize(
 *   { headers: request.headers, remoteAddress: request.socket.remoteAddress },
 *   { requiredScope: 'operator.write' },
 * );
 * if (!decision.allowed) {
 *   if (decision.retryAfterSeconds !== undefined) response.setHeader('Retry-After',
 * String(decision.retryAfterSeconds));
 *   response.status(decision.status).json(decision.body);
 * }
 * ```
 */
export function createGatewayAuthorizer(options: GatewayAuthorizerOptions): GatewayAuthorizer {
  const { auth } = options;
  const now = options.now ?? Date.now;
  const trustedProxies = createTrustedProxyList(options.trustedProxies ?? []);
  const secret = auth.secret;
  if ((auth.mode === 'token' || auth.mode === 'password') && (secret === undefined || secret === '')) {
    throw new TypeError(`gateway.auth.mode "${auth.mode}" requires a ${auth.mode}`);
  }
  if (auth.mode === 'trusted-proxy' && auth.trustedProxy === undefined) {
    throw new TypeError('gateway.auth.mode "trusted-proxy" requires gateway.auth.trustedProxy');
  }
  // Without a trusted proxy every request would be refused: fail at start-up, not per request.
  if (auth.mode === 'trusted-proxy' && trustedProxies.size === 0) {
    throw new TypeError('gateway.auth.mode "trusted-proxy" requires at least one gateway.trustedProxies entry');
  }
  const limiter = createLimiter(options.rateLimit);
  const matchesSecret = secret === undefined ? undefined : createSecretMatcher(secret);

  async function authorizeSharedSecret(
    request: AuthorizeRequest,
    requiredScope: string | undefined,
    clientIp: string,
    matches: (candidate: string) => boolean,
  ): Promise<AuthDecision> {
    const method: AuthMethod = auth.mode === 'password' ? 'password' : 'token';
    const limited = limiter !== undefined && !(limiter.exemptLoopback && isLoopbackAddress(clientIp));
    // The key names the secret family, so a future per-user limiter cannot collide with it.
    const key = `shared-secret:${clientIp}`;
    const candidate = extractBearerToken(getHeader(request.headers, 'authorization'));
    if (candidate !== undefined && !matches(candidate)) {
      if (!limited) return unauthorized(clientIp);
      // One store call for a wrong secret: recordFailure itself reports an existing lock
      // (without counting it), which saves the separate check round trip on Redis.
      const time = now();
      const result = await callStore('recordFailure', () =>
        limiter.store.recordFailure(key, {
          now: time,
          windowMs: limiter.windowMs,
          maxAttempts: limiter.maxAttempts,
          lockoutMs: limiter.lockoutMs,
        }),
      );
      if (!result.counted) {
        const lockedFor = remainingMs(result.lockedUntil, time);
        if (lockedFor > 0) return rateLimited(lockedFor, clientIp);
      }
      return unauthorized(clientIp);
    }
    // No credential or the right one: a locked client still gets 429 first.
    let attemptsBefore = 0;
    if (limited) {
      const state = await callStore('check', () => limiter.store.check(key, now()));
      const lockedFor = remainingMs(state.lockedUntil, now());
      if (lockedFor > 0) return rateLimited(lockedFor, clientIp);
      attemptsBefore = state.attempts;
    }
    // No credential at all is not a guess: 401 without counting.
    if (candidate === undefined) return unauthorized(clientIp);
    // Skipping the reset when nothing was recorded saves a Redis round trip per request.
    if (limited && attemptsBefore > 0) await callStore('reset', () => limiter.store.reset(key));
    return checkScope({ method, scopes: OPERATOR_SCOPES, clientIp }, requiredScope);
  }

  function authorizeTrustedProxy(
    request: AuthorizeRequest,
    settings: TrustedProxyAuthConfig,
    requiredScope: string | undefined,
    clientIp: string,
  ): AuthDecision {
    const peer = normalizeIpAddress(request.remoteAddress);
    if (peer === undefined || !trustedProxies.has(peer)) return unauthorized(clientIp);
    const user = firstHeaderValue(getHeader(request.headers, settings.userHeader.toLowerCase()))?.trim();
    if (user === undefined || user === '') return unauthorized(clientIp);
    for (const name of settings.requiredHeaders ?? []) {
      const value = firstHeaderValue(getHeader(request.headers, name.toLowerCase()));
      if (value === undefined || value.trim() === '') return unauthorized(clientIp);
    }
    const allowUsers = settings.allowUsers ?? [];
    if (allowUsers.length > 0 && !allowUsers.includes(user)) return unauthorized(clientIp);
    const scopes = parseScopesHeader(getHeader(request.headers, 'x-openclaw-scopes')) ?? [];
    return checkScope({ method: 'trusted-proxy', user, scopes, clientIp }, requiredScope);
  }

  return {
    async authorize(request, authorizeOptions) {
      const requiredScope = authorizeOptions.requiredScope;
      const headers: HeaderRecord =
        typeof request.headers === 'object' && request.headers !== null ? request.headers : {};
      const safeRequest = { headers, remoteAddress: request.remoteAddress };
      const clientIp = resolveClientIp({
        remoteAddress: request.remoteAddress,
        forwardedFor: getHeader(headers, 'x-forwarded-for'),
        trustedProxies,
      });
      switch (auth.mode) {
        case 'none': {
          const scopes = parseScopesHeader(getHeader(headers, 'x-openclaw-scopes')) ?? [];
          return checkScope({ method: 'none', scopes, clientIp }, requiredScope);
        }
        // Both settings were checked at start-up; refusing keeps the types honest (fail closed).
        case 'trusted-proxy':
          return auth.trustedProxy === undefined
            ? unauthorized(clientIp)
            : authorizeTrustedProxy(safeRequest, auth.trustedProxy, requiredScope, clientIp);
        default:
          return matchesSecret === undefined
            ? unauthorized(clientIp)
            : authorizeSharedSecret(safeRequest, requiredScope, clientIp, matchesSecret);
      }
    },
    close() {
      // The store it owns is the default MemoryRateLimitStore, whose close is synchronous.
      if (limiter?.ownsStore) void limiter.store.close?.();
    },
  };
}

interface Limiter {
  store: RateLimitStore;
  ownsStore: boolean;
  maxAttempts: number;
  windowMs: number;
  lockoutMs: number;
  exemptLoopback: boolean;
}

function createLimiter(options: false | RateLimitOptions | undefined): Limiter | undefined {
  if (options === false) return undefined;
  const settings = options ?? {};
  const maxAttempts = positiveInteger('maxAttempts', settings.maxAttempts ?? defaultRateLimit.maxAttempts);
  const windowMs = positiveInteger('windowMs', settings.windowMs ?? defaultRateLimit.windowMs);
  const lockoutMs = positiveInteger('lockoutMs', settings.lockoutMs ?? defaultRateLimit.lockoutMs);
  const ownsStore = settings.store === undefined;
  return {
    store: settings.store ?? new MemoryRateLimitStore(),
    ownsStore,
    maxAttempts,
    windowMs,
    lockoutMs,
    exemptLoopback: settings.exemptLoopback ?? true,
  };
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new TypeError(`gateway.auth.rateLimit.${name} must be a positive integer`);
  }
  return value;
}

/** Runs a store call and turns any failure (sync throw or rejection) into the typed error. */
async function callStore<T>(operation: 'check' | 'recordFailure' | 'reset', call: () => T | Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw new RateLimitStoreUnavailableError(`Rate limit store failed during ${operation}`, {
      operation,
      cause: error,
    });
  }
}

function remainingMs(lockedUntil: number | undefined, time: number): number {
  return lockedUntil === undefined ? 0 : lockedUntil - time;
}

function checkScope(
  allowed: { method: AuthMethod; user?: string; scopes: readonly string[]; clientIp: string },
  requiredScope: string | undefined,
): AuthDecision {
  if (requiredScope !== undefined && !hasScope(allowed.scopes, requiredScope)) {
    return { allowed: false, status: 403, body: createForbiddenBody(requiredScope), clientIp: allowed.clientIp };
  }
  return { allowed: true, ...allowed };
}

function unauthorized(clientIp: string): AuthDecision {
  return { allowed: false, status: 401, body: createUnauthorizedBody(), clientIp };
}

function rateLimited(lockedForMs: number, clientIp: string): AuthDecision {
  return {
    allowed: false,
    status: 429,
    retryAfterSeconds: Math.max(1, Math.ceil(lockedForMs / 1000)),
    body: createRateLimitedBody(),
    clientIp,
  };
}
