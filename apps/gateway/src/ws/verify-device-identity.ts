/**
 * Verifies the optional `device` block of a WebSocket `connect` request (OpenClaw protocol v4 device
 * identity, see docs/ws-protocol.md#device-identity). clawgate pairs no devices, so a device block proves
 * nothing beyond itself; but when a client sends one it must be sound, and a bad one is refused rather
 * than ignored. The client signs, with an ed25519 key, the v2 payload
 * `v2|<deviceId>|<clientId>|<clientMode>|<role>|<scopes joined with ','>|<signedAt>|<token>|<nonce>`,
 * which binds the signature to this connection's challenge nonce, to the shared secret it authenticated
 * with and to the role and scopes it asked for.
 *
 * Pure apart from node:crypto, and total: any input, of any size or even of the wrong runtime type, gets
 * a verdict and never an exception. Lengths are checked before anything is decoded, so a huge string
 * costs no more than a short one.
 */
import { createHash, createPublicKey, type KeyObject, verify } from 'node:crypto';

export interface DeviceBlock {
  id: string;
  publicKey: string;
  signature: string;
  signedAt: number;
  nonce: string;
}

export interface DeviceSigningContext {
  clientId: string;
  clientMode: string;
  role: string;
  scopes: readonly string[];
  /** The shared secret the client sent (auth.token ?? auth.password), '' when none. */
  token: string;
  /** The nonce of the connect.challenge this connection was sent. */
  challengeNonce: string;
  /** Now, epoch ms. */
  now: number;
}

/** Why a device block was refused, one code per rule, in the order the rules are checked. */
export type DeviceAuthCode =
  | 'DEVICE_AUTH_PUBLIC_KEY_INVALID'
  | 'DEVICE_AUTH_DEVICE_ID_MISMATCH'
  | 'DEVICE_AUTH_NONCE_MISMATCH'
  | 'DEVICE_AUTH_SIGNATURE_EXPIRED'
  | 'DEVICE_AUTH_SIGNATURE_INVALID';

export type DeviceVerification = { ok: true; deviceId: string } | { ok: false; code: DeviceAuthCode; message: string };

/** How far `signedAt` may be from the server's clock, either way. */
export const DEVICE_SIGNATURE_MAX_SKEW_MS = 120_000;

/** DER prefix of an ed25519 SubjectPublicKeyInfo; the 32 raw key bytes follow it (RFC 8410). */
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const PUBLIC_KEY_BYTES = 32;
const SIGNATURE_BYTES = 64;
/** base64url without padding: 32 bytes are 43 characters, 64 bytes are 86. */
const PUBLIC_KEY_CHARS = 43;
const SIGNATURE_CHARS = 86;
const BASE64URL = /^[A-Za-z0-9_-]*$/;

/**
 * The y-coordinates (sign bit cleared) that encode the eight points of small order, two of them also
 * in a non-canonical form. Such a "key" belongs to no one: with the identity point as key, the identity
 * point plus a zero scalar is a signature that OpenSSL accepts for every message, so anyone could sign
 * as that device. See https://hdevalence.ca/blog/2020-10-04-its-25519am for the points.
 */
const SMALL_ORDER_Y = [
  '0000000000000000000000000000000000000000000000000000000000000000',
  '0100000000000000000000000000000000000000000000000000000000000000',
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a',
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
].map((hex) => Buffer.from(hex, 'hex'));

function refuse(code: DeviceAuthCode, message: string): DeviceVerification {
  return { ok: false, code, message };
}

/**
 * The bytes of a canonical unpadded base64url string of exactly `chars` characters, else undefined.
 * Node's decoder skips characters outside the alphabet and ignores padding and stray low bits, so the
 * text is checked first and must be exactly what encoding the bytes gives back.
 */
function decodeBase64url(text: unknown, chars: number): Buffer | undefined {
  if (typeof text !== 'string' || text.length !== chars || !BASE64URL.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64url');
  return bytes.toString('base64url') === text ? bytes : undefined;
}

function isSmallOrder(raw: Buffer): boolean {
  const y = Buffer.from(raw);
  y[PUBLIC_KEY_BYTES - 1] = (y[PUBLIC_KEY_BYTES - 1] ?? 0) & 0x7f;
  return SMALL_ORDER_Y.some((point) => point.equals(y));
}

function importPublicKey(raw: Buffer): KeyObject | undefined {
  if (raw.length !== PUBLIC_KEY_BYTES || isSmallOrder(raw)) return undefined;
  try {
    return createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
  } catch {
    return undefined;
  }
}

function signatureVerifies(payload: string, key: KeyObject, signature: Buffer): boolean {
  try {
    return verify(null, Buffer.from(payload, 'utf8'), key, signature);
  } catch {
    return false;
  }
}

/**
 * Checks, in this order: the public key, the device id derived from it, the nonce, the time of signing and
 * the signature; the first rule that fails names the refusal. `deviceId` is the verified id on success.
 */
export function verifyDeviceIdentity(device: DeviceBlock, context: DeviceSigningContext): DeviceVerification {
  const raw =
    typeof device === 'object' && device !== null ? decodeBase64url(device.publicKey, PUBLIC_KEY_CHARS) : undefined;
  const key = raw && importPublicKey(raw);
  if (!raw || !key) {
    return refuse('DEVICE_AUTH_PUBLIC_KEY_INVALID', 'device identity public key is not a base64url ed25519 key');
  }

  const deviceId = createHash('sha256').update(raw).digest('hex');
  if (device.id !== deviceId) {
    return refuse('DEVICE_AUTH_DEVICE_ID_MISMATCH', 'device identity id is not the sha256 of its public key');
  }

  // An empty challenge would bind the signature to nothing: refused even if the client echoes it.
  if (typeof device.nonce !== 'string' || context.challengeNonce === '' || device.nonce !== context.challengeNonce) {
    return refuse('DEVICE_AUTH_NONCE_MISMATCH', 'device signature nonce does not match the connect challenge');
  }

  // Written so that NaN, in either operand, lands outside the window.
  const { signedAt } = device;
  if (
    typeof signedAt !== 'number' ||
    !Number.isSafeInteger(signedAt) ||
    !(Math.abs(context.now - signedAt) <= DEVICE_SIGNATURE_MAX_SKEW_MS)
  ) {
    const skew = `${DEVICE_SIGNATURE_MAX_SKEW_MS / 1000} s`;
    return refuse(
      'DEVICE_AUTH_SIGNATURE_EXPIRED',
      `device signature timestamp is not within ${skew} of the server clock`,
    );
  }

  const signature = decodeBase64url(device.signature, SIGNATURE_CHARS);
  const payload = [
    'v2',
    deviceId,
    context.clientId,
    context.clientMode,
    context.role,
    context.scopes.join(','),
    String(signedAt),
    context.token,
    context.challengeNonce,
  ].join('|');
  if (!signature || signature.length !== SIGNATURE_BYTES || !signatureVerifies(payload, key, signature)) {
    return refuse('DEVICE_AUTH_SIGNATURE_INVALID', 'device signature does not verify');
  }
  return { ok: true, deviceId };
}
