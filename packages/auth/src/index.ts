export {
  createForbiddenBody,
  createRateLimitedBody,
  createUnauthorizedBody,
} from './auth-decision.js';
export type {
  AuthAllowed,
  AuthDecision,
  AuthMethod,
  AuthRefused,
} from './auth-decision.js';
export { createGatewayAuthorizer } from './create-gateway-authorizer.js';
export type {
  AuthorizeOptions,
  AuthorizeRequest,
  GatewayAuthorizer,
  GatewayAuthorizerOptions,
  RateLimitOptions,
} from './create-gateway-authorizer.js';
export { extractBearerToken } from './extract-bearer-token.js';
export type { HeaderRecord, HeaderValue } from './header-value.js';
export { MemoryRateLimitStore } from './memory-rate-limit-store.js';
export type { MemoryRateLimitStoreOptions } from './memory-rate-limit-store.js';
export { isLoopbackAddress, normalizeIpAddress } from './normalize-ip-address.js';
export type {
  MaybePromise,
  RateLimitFailureResult,
  RateLimitState,
  RateLimitStore,
  RecordFailureOptions,
} from './rate-limit-store.js';
export { RateLimitStoreUnavailableError } from './rate-limit-store-unavailable-error.js';
export { resolveAuthConfig } from './resolve-auth-config.js';
export type {
  AuthConfigInput,
  AuthMode,
  ResolvedAuthConfig,
  TrustedProxyAuthConfig,
} from './resolve-auth-config.js';
export { resolveClientIp, UNKNOWN_CLIENT_IP } from './resolve-client-ip.js';
export type { ResolveClientIpOptions } from './resolve-client-ip.js';
export { safeEqualSecret } from './safe-equal-secret.js';
export { ADMIN_SCOPE, hasScope, OPERATOR_SCOPES, parseScopesHeader } from './scopes.js';
export { createTrustedProxyList } from './trusted-proxy-list.js';
export type { TrustedProxyList } from './trusted-proxy-list.js';
