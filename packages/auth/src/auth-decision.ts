import type { OpenAIErrorBody } from '@clawgate/openai-schemas';

/** How an admitted caller authenticated. */
export type AuthMethod = 'none' | 'token' | 'password' | 'trusted-proxy';

/** An admitted request. */
export interface AuthAllowed {
  allowed: true;
  /** How the caller authenticated. */
  method: AuthMethod;
  /** The user named by the trusted proxy (`trusted-proxy` mode only). */
  user?: string;
  /** Scopes the caller holds. */
  scopes: readonly string[];
  /** The resolved client IP (see `resolveClientIp`). */
  clientIp: string;
}

/** A refused request: send `status`, `body` and, for 429, `Retry-After: retryAfterSeconds`. */
export interface AuthRefused {
  allowed: false;
  /** 401 unauthenticated, 403 missing scope, 429 locked out by the failure rate limiter. */
  status: 401 | 403 | 429;
  /** Seconds until the lock ends, rounded up (429 only). */
  retryAfterSeconds?: number;
  /** The exact JSON body to send: `{ error: { message, type } }`. */
  body: OpenAIErrorBody;
  /** The resolved client IP (see `resolveClientIp`). */
  clientIp: string;
}

/** The result of `GatewayAuthorizer.authorize`. */
export type AuthDecision = AuthAllowed | AuthRefused;

/** `401` body: `{"error":{"message":"Unauthorized","type":"unauthorized"}}`. */
export function createUnauthorizedBody(): OpenAIErrorBody {
  return { error: { message: 'Unauthorized', type: 'unauthorized' } };
}

/** `429` body of the failure rate limiter. */
export function createRateLimitedBody(): OpenAIErrorBody {
  return {
    error: {
      message: 'Too many failed authentication attempts. Please try again later.',
      type: 'rate_limited',
    },
  };
}

/**
 * `403` body: `{"error":{"message":"missing scope: <scope>","type":"forbidden"}}`.
 *
 * @param scope - The scope the caller lacks.
 */
export function createForbiddenBody(scope: string): OpenAIErrorBody {
  return { error: { message: `missing scope: ${scope}`, type: 'forbidden' } };
}
