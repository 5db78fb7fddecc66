/** How the gateway authenticates callers (`gateway.auth.mode`). */
export type AuthMode = 'none' | 'token' | 'password' | 'trusted-proxy';

const authModes: readonly AuthMode[] = ['none', 'token', 'password', 'trusted-proxy'];

/** Settings of `trusted-proxy` mode (`gateway.auth.trustedProxy`). */
export interface TrustedProxyAuthConfig {
  /** Header carrying the authenticated user name set by the proxy, e.g. `x-forwarded-user`. */
  userHeader: string;
  /** Headers that must be present and non-empty, e.g. a proxy-only marker header. */
  requiredHeaders?: readonly string[];
  /** When non-empty, only these user names are admitted (exact, case-sensitive match). */
  allowUsers?: readonly string[];
}

/** The raw auth configuration (`gateway.auth`), before defaults and env fallbacks. */
export interface AuthConfigInput {
  /** The mode; unset → `password` when a password is configured, else `token`. */
  mode?: AuthMode;
  /** The shared token for `token` mode. */
  token?: string;
  /** The shared password for `password` mode. */
  password?: string;
  /** Required in `trusted-proxy` mode. */
  trustedProxy?: TrustedProxyAuthConfig;
}

/** The effective auth configuration consumed by `createGatewayAuthorizer`. */
export interface ResolvedAuthConfig {
  /** The effective mode. */
  mode: AuthMode;
  /** The shared secret for `token`/`password` mode (trimmed, non-empty), else `undefined`. */
  secret?: string;
  /** Normalised trusted-proxy settings (lower-case header names) in `trusted-proxy` mode. */
  trustedProxy?: TrustedProxyAuthConfig;
}

/**
 * Resolves the effective auth mode and secret from config and environment.
 *
 * Token: `config.token`, else `OPENCLAW_GATEWAY_TOKEN`; password: `config.password`, else
 * `OPENCLAW_GATEWAY_PASSWORD`. Values are trimmed and empty values count as unset. An unset mode
 * becomes `password` when a password is configured (in config or env), else `token`. A missing
 * token in token mode is NOT an error here: the gateway generates and persists one at start-up.
 *
 * @param config - `gateway.auth` as configured.
 * @param env - Environment to read fallbacks from.
 * @defaultValue env - `process.env`
 * @returns The resolved configuration; `secret` is set only for `token`/`password` modes.
 * @throws {TypeError} On an unknown mode, or `trusted-proxy` mode without `trustedProxy.userHeader`.
 *
 * @example
 * ```ts
 * resolveAuthConfig({}, { OPENCLAW_GATEWAY_TOKEN: ' abc ' }); // { mode: 'token', secret: 'abc' }
 * resolveAuthConfig({ password: 'pw' });                     // { mode: 'password', secret: 'pw' }
 * ```
 */
export function resolveAuthConfig(
  config: AuthConfigInput = {},
  env: Readonly<Record<string, string | undefined>> = process.env,
): ResolvedAuthConfig {
  const token = cleanSecret(config.token) ?? cleanSecret(env.OPENCLAW_GATEWAY_TOKEN);
  const password = cleanSecret(config.password) ?? cleanSecret(env.OPENCLAW_GATEWAY_PASSWORD);
  const mode = config.mode ?? (password !== undefined ? 'password' : 'token');
  if (!authModes.includes(mode)) {
    throw new TypeError(`Invalid gateway.auth.mode "${String(mode)}": expected one of ${authModes.join(', ')}`);
  }
  if (mode === 'token') return token === undefined ? { mode } : { mode, secret: token };
  if (mode === 'password') return password === undefined ? { mode } : { mode, secret: password };
  if (mode === 'none') return { mode };
  return { mode, trustedProxy: normalizeTrustedProxy(config.trustedProxy) };
}

function cleanSecret(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  return trimmed.length > 0 ? trimmed : undefined;
}

function normalizeTrustedProxy(value: TrustedProxyAuthConfig | undefined): TrustedProxyAuthConfig {
  const userHeader = typeof value?.userHeader === 'string' ? value.userHeader.trim() : '';
  if (userHeader.length === 0) {
    throw new TypeError('gateway.auth.trustedProxy.userHeader is required in trusted-proxy mode');
  }
  const requiredHeaders = (value?.requiredHeaders ?? []).map((name, index) => {
    if (typeof name !== 'string' || name.trim() === '') {
      throw new TypeError(`gateway.auth.trustedProxy.requiredHeaders[${index}] must be a header name`);
    }
    return name.trim().toLowerCase();
  });
  const allowUsers = (value?.allowUsers ?? []).map((user, index) => {
    if (typeof user !== 'string' || user.trim() === '') {
      throw new TypeError(`gateway.auth.trustedProxy.allowUsers[${index}] must be a user name`);
    }
    return user.trim();
  });
  return { userHeader: userHeader.toLowerCase(), requiredHeaders, allowUsers };
}
