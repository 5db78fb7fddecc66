/**
 * The `connect` request's checks, in order (docs/ws-protocol.md#handshake): params, protocol,
 * role, origin, device block, then the shared secret through the same authorizer and failure rate
 * limiter as HTTP. The result is the connection's identity, or the error and close code to refuse
 * it with.
 */
import {
  type AuthMode,
  type GatewayAuthorizer,
  type HeaderRecord,
  hasScope,
  RateLimitStoreUnavailableError,
} from '@clawgate/auth';
import { type ConnectParams, connectParamsSchema, GRANTABLE_SCOPES } from './connect-params.js';
import { describeParamsProblem } from './describe-params-problem.js';
import { invalidRequestError, type ProtocolError, unavailableError } from './protocol-error.js';
import { verifyDeviceIdentity } from './verify-device-identity.js';

/** The only protocol version this gateway speaks. */
export const PROTOCOL_VERSION = 4;

/** WebSocket close codes the handshake uses (https://www.rfc-editor.org/rfc/rfc6455#section-7.4.1). */
export const CLOSE_CODES = {
  normal: 1000,
  protocolError: 1002,
  policyViolation: 1008,
  tooBig: 1009,
  serviceRestart: 1012,
  tryAgainLater: 1013,
} as const;

/** Who is on the other end of an accepted connection. */
export interface ConnectionIdentity {
  params: ConnectParams;
  role: 'operator';
  /** Granted scopes: requested ones that the credential allows. */
  scopes: string[];
  authMethod: AuthMode;
  clientIp: string;
  deviceId: string | undefined;
}

/** The outcome of {@link authenticateConnect}. */
export type ConnectDecision =
  | { ok: true; identity: ConnectionIdentity }
  | { ok: false; error: ProtocolError; closeCode: number; closeReason: string };

/** Facts of the upgrade request and the connection the handshake needs. */
export interface ConnectContext {
  authorizer: GatewayAuthorizer;
  authMode: AuthMode;
  /** The upgrade request's headers (`origin`, `host`, `x-forwarded-for`, proxy identity headers). */
  headers: HeaderRecord;
  remoteAddress: string | undefined;
  /** `gateway.ws.allowedOrigins`, compared exactly. */
  allowedOrigins: ReadonlySet<string>;
  /** The nonce of the challenge sent to this connection. */
  challengeNonce: string;
  now: number;
}

const TOKEN_MISMATCH = {
  message: "unauthorized: gateway token mismatch (use this gateway's gateway.auth.token or pair the device)",
  details: {
    code: 'AUTH_TOKEN_MISMATCH',
    authReason: 'token_mismatch',
    canRetryWithDeviceToken: false,
    recommendedNextStep: 'update_auth_credentials',
  },
};
const PASSWORD_MISMATCH = {
  message: "unauthorized: gateway password mismatch (use this gateway's gateway.auth.password)",
  details: {
    code: 'AUTH_PASSWORD_MISMATCH',
    authReason: 'password_mismatch',
    canRetryWithDeviceToken: false,
    recommendedNextStep: 'update_auth_credentials',
  },
};

/**
 * Runs the handshake's checks on the first request's params.
 *
 * @returns The identity, or the refusal: `INVALID_REQUEST` (bad params, protocol mismatch with
 *   close 1002, origin, device signature, wrong secret with close 1008), `NOT_PAIRED` (no credential,
 *   `role: "node"`) or `UNAVAILABLE` (the rate-limit store is down, close 1013).
 */
export async function authenticateConnect(rawParams: unknown, context: ConnectContext): Promise<ConnectDecision> {
  if (rawParams === undefined)
    return refuse(invalidRequestError("invalid connect params: must have required property 'params'"));
  const parsed = connectParamsSchema().safeParse(rawParams);
  if (!parsed.success)
    return refuse(invalidRequestError(`invalid connect params: ${describeParamsProblem(parsed.error, rawParams)}`));
  const params = parsed.data;

  if (params.minProtocol > PROTOCOL_VERSION || params.maxProtocol < PROTOCOL_VERSION) {
    return refuse(
      invalidRequestError('protocol mismatch', {
        code: 'PROTOCOL_MISMATCH',
        clientMinProtocol: params.minProtocol,
        clientMaxProtocol: params.maxProtocol,
        expectedProtocol: PROTOCOL_VERSION,
      }),
      CLOSE_CODES.protocolError,
    );
  }

  const role = params.role ?? 'operator';
  if (role === 'node')
    return refuse(
      notPaired('node role requires device pairing, which this gateway does not offer', 'NODE_PAIRING_UNSUPPORTED'),
    );
  if (role !== 'operator') return refuse(invalidRequestError('invalid role'));

  const origin = firstHeader(context.headers, 'origin');
  if (
    origin !== undefined &&
    !isOwnOrigin(origin, firstHeader(context.headers, 'host')) &&
    !context.allowedOrigins.has(origin)
  ) {
    return refuse(invalidRequestError('origin not allowed', { code: 'CONTROL_UI_ORIGIN_NOT_ALLOWED' }));
  }

  const requestedScopes = params.scopes ?? [];
  const secret = params.auth?.token ?? params.auth?.password;
  let deviceId: string | undefined;
  if (params.device !== undefined) {
    const verified = verifyDeviceIdentity(params.device, {
      clientId: params.client.id,
      clientMode: params.client.mode,
      role,
      scopes: requestedScopes,
      token: secret ?? '',
      challengeNonce: context.challengeNonce,
      now: context.now,
    });
    if (!verified.ok) return refuse(invalidRequestError(verified.message, { code: verified.code }));
    deviceId = verified.deviceId;
  }

  const sharedSecretMode = context.authMode === 'token' || context.authMode === 'password';
  if (sharedSecretMode && (secret === undefined || secret === '')) {
    return refuse(
      params.device === undefined
        ? notPaired('device identity required', 'DEVICE_IDENTITY_REQUIRED')
        : notPaired(
            'pairing required: this gateway has no device pairing; send the gateway token',
            'PAIRING_UNSUPPORTED',
          ),
    );
  }

  // The same authorizer and limiter key as HTTP: the secret travels as the bearer credential.
  const headers: HeaderRecord = sharedSecretMode
    ? { ...context.headers, authorization: `Bearer ${secret}` }
    : context.headers;
  let decision;
  try {
    decision = await context.authorizer.authorize({ headers, remoteAddress: context.remoteAddress }, {});
  } catch (error) {
    if (RateLimitStoreUnavailableError.isInstance(error))
      return refuse(unavailableError('authentication temporarily unavailable'), CLOSE_CODES.tryAgainLater);
    throw error;
  }
  if (!decision.allowed) {
    const mismatch = context.authMode === 'password' ? PASSWORD_MISMATCH : TOKEN_MISMATCH;
    if (!sharedSecretMode) {
      return refuse(
        invalidRequestError('unauthorized: trusted proxy identity required', { code: 'AUTH_TRUSTED_PROXY_FAILED' }),
      );
    }
    if (decision.status === 429) {
      return refuse({
        ...invalidRequestError(mismatch.message, mismatch.details),
        retryable: true,
        retryAfterMs: (decision.retryAfterSeconds ?? 1) * 1000,
      });
    }
    return refuse(invalidRequestError(mismatch.message, mismatch.details));
  }

  // No pairing: the requested operator scopes, as far as the credential holds them.
  const scopes = GRANTABLE_SCOPES.filter(
    (scope) => requestedScopes.includes(scope) && hasScope(decision.scopes, scope),
  );
  return {
    ok: true,
    identity: { params, role: 'operator', scopes, authMethod: context.authMode, clientIp: decision.clientIp, deviceId },
  };
}

function refuse(error: ProtocolError, closeCode: number = CLOSE_CODES.policyViolation): ConnectDecision {
  return { ok: false, error, closeCode, closeReason: closeReasonOf(error.message) };
}

function notPaired(message: string, code: string): ProtocolError {
  return { code: 'NOT_PAIRED', message, details: { code } };
}

/** A close reason is at most 123 bytes (https://www.rfc-editor.org/rfc/rfc6455#section-5.5); longer messages are cut at a character. */
export function closeReasonOf(message: string): string {
  if (Buffer.byteLength(message) <= 123) return message;
  let cut = message.slice(0, 120);
  while (Buffer.byteLength(cut) > 120) cut = cut.slice(0, -1);
  return `${cut}...`;
}

function firstHeader(headers: HeaderRecord, name: string): string | undefined {
  const value = headers[name];
  return typeof value === 'string' ? value : value?.[0];
}

/** A page served by this gateway: the Origin's host is the Host the browser connected to. */
function isOwnOrigin(origin: string, host: string | undefined): boolean {
  if (host === undefined) return false;
  try {
    const url = new URL(origin);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.host === host.toLowerCase();
  } catch {
    return false;
  }
}
