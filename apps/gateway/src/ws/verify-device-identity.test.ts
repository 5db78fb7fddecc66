/**
 * The device identity check of the WebSocket `connect` request. Blocks are signed here the way an OpenClaw
 * client signs them (ed25519 over the UTF-8 of the `|`-joined v2 payload, raw key and signature in
 * unpadded base64url, id = sha256 hex of the raw key), independently of the code under test, then
 * tampered with one field at a time: each rule must answer with its own code.
 */
import { createHash, createPublicKey, generateKeyPairSync, type KeyObject, sign, verify } from 'node:crypto';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  DEVICE_SIGNATURE_MAX_SKEW_MS,
  type DeviceAuthCode,
  type DeviceBlock,
  type DeviceSigningContext,
  verifyDeviceIdentity,
} from './verify-device-identity.js';

interface Client {
  privateKey: KeyObject;
  raw: Buffer;
  /** Raw public key, unpadded base64url. */
  publicKey: string;
  id: string;
}

function newClient(): Client {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const x = publicKey.export({ format: 'jwk' }).x;
  if (typeof x !== 'string') throw new Error('an ed25519 JWK has an x');
  const raw = Buffer.from(x, 'base64url');
  return { privateKey, raw, publicKey: x, id: createHash('sha256').update(raw).digest('hex') };
}

/** What the client puts in its v2 payload; each defaults to the context's value. */
interface Signed {
  version: string;
  deviceId: string;
  clientId: string;
  clientMode: string;
  role: string;
  scopes: readonly string[];
  signedAt: number;
  token: string;
  nonce: string;
}

const NOW = 1_760_000_000_000;

const context: DeviceSigningContext = {
  clientId: 'cli',
  clientMode: 'cli',
  role: 'operator',
  scopes: ['operator.read', 'operator.write'],
  token: 'shared-secret',
  challengeNonce: '6f1c2a9e-1b7d-4c55-9f0e-3a8d2b7c4e10',
  now: NOW,
};

function v2Payload(fields: Signed): string {
  const { version, deviceId, clientId, clientMode, role, scopes, signedAt, token, nonce } = fields;
  return [version, deviceId, clientId, clientMode, role, scopes.join(','), String(signedAt), token, nonce].join('|');
}

/** A device block as a client would send it for `signingContext`, with `signed` overriding payload fields. */
function signedBlock(
  client: Client,
  signingContext: DeviceSigningContext = context,
  signed: Partial<Signed> = {},
): DeviceBlock {
  const fields: Signed = {
    version: 'v2',
    deviceId: client.id,
    clientId: signingContext.clientId,
    clientMode: signingContext.clientMode,
    role: signingContext.role,
    scopes: signingContext.scopes,
    signedAt: signingContext.now,
    token: signingContext.token,
    nonce: signingContext.challengeNonce,
    ...signed,
  };
  const signature = sign(null, Buffer.from(v2Payload(fields), 'utf8'), client.privateKey).toString('base64url');
  return { id: client.id, publicKey: client.publicKey, signature, signedAt: fields.signedAt, nonce: fields.nonce };
}

function refusedWith(code: DeviceAuthCode) {
  return { ok: false, code, message: expect.stringMatching(/^device (identity|signature) [a-z0-9 ,.'-]+$/) };
}

/** The same bytes, spelled with the unused low bits of the last character set: not canonical. */
function withStrayLowBits(base64url: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const last = alphabet.indexOf(base64url.slice(-1));
  return base64url.slice(0, -1) + alphabet[last ^ 1];
}

const HUGE = 'A'.repeat(8 * 1024 * 1024);
const client = newClient();
const other = newClient();

afterEach(() => {
  vi.restoreAllMocks();
});

describe('verifyDeviceIdentity: a sound block', () => {
  it('accepts a block signed the way a client signs, and names the device by the sha256 of its key', () => {
    expect(verifyDeviceIdentity(signedBlock(client), context)).toEqual({ ok: true, deviceId: client.id });
    expect(client.id).toMatch(/^[0-9a-f]{64}$/);
  });

  it('accepts no token and no scopes (both sign as empty fields)', () => {
    const bare = { ...context, token: '', scopes: [] };
    expect(verifyDeviceIdentity(signedBlock(client, bare), bare)).toEqual({ ok: true, deviceId: client.id });
  });

  it.each([
    ['120 s old', -DEVICE_SIGNATURE_MAX_SKEW_MS],
    ['120 s ahead', DEVICE_SIGNATURE_MAX_SKEW_MS],
    ['just now', 0],
  ])('accepts a signature made %s', (_label, offset) => {
    const block = signedBlock(client, context, { signedAt: NOW + offset });
    expect(verifyDeviceIdentity(block, context)).toEqual({ ok: true, deviceId: client.id });
  });

  it('accepts any text in the signed fields, encoded as UTF-8', () => {
    fc.assert(
      fc.property(
        fc.record({
          clientId: fc.string({ unit: 'binary' }),
          clientMode: fc.string({ unit: 'grapheme' }),
          role: fc.string({ unit: 'binary' }),
          scopes: fc.array(fc.string({ unit: 'binary' }), { maxLength: 5 }),
          token: fc.string({ unit: 'binary' }),
          challengeNonce: fc.string({ unit: 'binary', minLength: 1 }),
          now: fc.integer({ min: 0, max: 4_102_444_800_000 }),
        }),
        (random) => {
          const randomContext: DeviceSigningContext = random;
          const block = signedBlock(client, randomContext);
          expect(verifyDeviceIdentity(block, randomContext)).toEqual({ ok: true, deviceId: client.id });
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('verifyDeviceIdentity: rule 1, the public key', () => {
  const valid = signedBlock(client);
  const standardBase64 = client.raw.toString('base64');

  it.each([
    ['with a leading +', `+${client.publicKey.slice(1)}`],
    ['with a trailing /', `${client.publicKey.slice(0, -1)}/`],
    ['with = padding', `${client.publicKey}=`],
    ['as padded standard base64', standardBase64],
    ['with stray low bits in its last character', withStrayLowBits(client.publicKey)],
    ['one character short', client.publicKey.slice(0, -1)],
    ['one character long', `${client.publicKey}A`],
    ['of 31 bytes', client.raw.subarray(1).toString('base64url')],
    ['of 33 bytes', Buffer.concat([client.raw, Buffer.from([0])]).toString('base64url')],
    ['as hex', client.raw.toString('hex')],
    ['as SPKI PEM', createPublicKey(client.privateKey).export({ format: 'pem', type: 'spki' }).toString()],
    ['with a space inside', `${client.publicKey.slice(0, 20)} ${client.publicKey.slice(21)}`],
    ['empty', ''],
    ['of 8 MiB', HUGE],
  ])('refuses a public key %s', (_label, publicKey) => {
    expect(verifyDeviceIdentity({ ...valid, publicKey }, context)).toEqual(
      refusedWith('DEVICE_AUTH_PUBLIC_KEY_INVALID'),
    );
  });

  it.each([null, undefined, 42, {}, ['x']])('refuses a public key of the wrong type (%j)', (publicKey) => {
    const block = { ...valid, publicKey } as unknown as DeviceBlock;
    expect(verifyDeviceIdentity(block, context)).toEqual(refusedWith('DEVICE_AUTH_PUBLIC_KEY_INVALID'));
  });

  // The eight points of small order (y with the sign bit clear and set), two also spelled non-canonically.
  const smallOrder = [
    '0000000000000000000000000000000000000000000000000000000000000000',
    '0100000000000000000000000000000000000000000000000000000000000000',
    '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05',
    'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a',
    'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
    'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
    'eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  ].flatMap((hex) => {
    const signSet = Buffer.from(hex, 'hex');
    signSet[31] = (signSet[31] ?? 0) | 0x80;
    return [hex, signSet.toString('hex')];
  });

  it.each(smallOrder)('refuses the small-order key %s, even with a matching id', (hex) => {
    const raw = Buffer.from(hex, 'hex');
    const block = {
      ...valid,
      publicKey: raw.toString('base64url'),
      id: createHash('sha256').update(raw).digest('hex'),
    };
    expect(verifyDeviceIdentity(block, context)).toEqual(refusedWith('DEVICE_AUTH_PUBLIC_KEY_INVALID'));
  });

  it('refuses the identity key, for which some OpenSSL versions accept a forged signature on any payload', () => {
    const raw = Buffer.alloc(32);
    raw[0] = 1;
    const id = createHash('sha256').update(raw).digest('hex');
    const forged = Buffer.alloc(64);
    forged[0] = 1; // R = the identity point, S = 0
    const payload = v2Payload({
      version: 'v2',
      deviceId: id,
      ...context,
      signedAt: NOW,
      nonce: context.challengeNonce,
    });
    // Node 20's OpenSSL accepts this forgery (`crypto.verify` returns true); newer ones (Node 24)
    // refuse it. The gateway must refuse the key whichever OpenSSL it runs on.
    const spki = Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), raw]);
    expect(typeof verify(null, Buffer.from(payload), { key: spki, format: 'der', type: 'spki' }, forged)).toBe(
      'boolean',
    );

    const block = {
      id,
      publicKey: raw.toString('base64url'),
      signature: forged.toString('base64url'),
      signedAt: NOW,
      nonce: context.challengeNonce,
    };
    expect(verifyDeviceIdentity(block, context)).toEqual(refusedWith('DEVICE_AUTH_PUBLIC_KEY_INVALID'));
  });

  it.each([null, undefined, 'device', 1])('refuses a device block that is not an object (%j)', (device) => {
    expect(verifyDeviceIdentity(device as unknown as DeviceBlock, context)).toEqual(
      refusedWith('DEVICE_AUTH_PUBLIC_KEY_INVALID'),
    );
  });
});

describe('verifyDeviceIdentity: rule 2, the device id', () => {
  const valid = signedBlock(client);

  it.each([
    ["another device's id", other.id],
    ['the id in uppercase', client.id.toUpperCase()],
    ['the id with a trailing newline', `${client.id}\n`],
    [
      'the sha256 of the base64url text rather than of the raw key',
      createHash('sha256').update(client.publicKey).digest('hex'),
    ],
    ['the sha256 in base64url', createHash('sha256').update(client.raw).digest('base64url')],
    ['an empty id', ''],
    ['an 8 MiB id', HUGE],
  ])('refuses %s', (_label, id) => {
    expect(verifyDeviceIdentity({ ...valid, id }, context)).toEqual(refusedWith('DEVICE_AUTH_DEVICE_ID_MISMATCH'));
  });

  it("refuses another device's key under this device's id", () => {
    const block = { ...valid, publicKey: other.publicKey };
    expect(verifyDeviceIdentity(block, context)).toEqual(refusedWith('DEVICE_AUTH_DEVICE_ID_MISMATCH'));
  });

  it.each([null, 7, undefined])('refuses an id of the wrong type (%j)', (id) => {
    const block = { ...valid, id } as unknown as DeviceBlock;
    expect(verifyDeviceIdentity(block, context)).toEqual(refusedWith('DEVICE_AUTH_DEVICE_ID_MISMATCH'));
  });
});

describe('verifyDeviceIdentity: rule 3, the nonce', () => {
  it.each([
    ["another connection's nonce", 'a-nonce-from-an-earlier-challenge'],
    ['the nonce in uppercase', context.challengeNonce.toUpperCase()],
    ['an empty nonce', ''],
    ['an 8 MiB nonce', HUGE],
  ])('refuses a block signed over %s', (_label, nonce) => {
    const block = signedBlock(client, context, { nonce });
    expect(verifyDeviceIdentity(block, context)).toEqual(refusedWith('DEVICE_AUTH_NONCE_MISMATCH'));
  });

  it('refuses a nonce of the wrong type', () => {
    const block = { ...signedBlock(client), nonce: null } as unknown as DeviceBlock;
    expect(verifyDeviceIdentity(block, context)).toEqual(refusedWith('DEVICE_AUTH_NONCE_MISMATCH'));
  });

  it('refuses when the challenge itself is empty, even if the client echoes it', () => {
    const unchallenged = { ...context, challengeNonce: '' };
    const block = signedBlock(client, unchallenged);
    expect(verifyDeviceIdentity(block, unchallenged)).toEqual(refusedWith('DEVICE_AUTH_NONCE_MISMATCH'));
  });
});

describe('verifyDeviceIdentity: rule 4, the time of signing', () => {
  it.each([
    ['121 s old', NOW - 121_000],
    ['121 s ahead', NOW + 121_000],
    ['1 ms past the window, old', NOW - DEVICE_SIGNATURE_MAX_SKEW_MS - 1],
    ['1 ms past the window, ahead', NOW + DEVICE_SIGNATURE_MAX_SKEW_MS + 1],
    ['in seconds rather than milliseconds', Math.floor(NOW / 1000)],
    ['zero', 0],
    ['not a whole millisecond', NOW + 0.5],
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['-Infinity', Number.NEGATIVE_INFINITY],
  ])('refuses a signature made %s', (_label, signedAt) => {
    const block = signedBlock(client, context, { signedAt });
    expect(verifyDeviceIdentity(block, context)).toEqual(refusedWith('DEVICE_AUTH_SIGNATURE_EXPIRED'));
  });

  it.each([String(NOW), null, undefined])('refuses a signedAt of the wrong type (%j)', (signedAt) => {
    const block = { ...signedBlock(client), signedAt } as unknown as DeviceBlock;
    expect(verifyDeviceIdentity(block, context)).toEqual(refusedWith('DEVICE_AUTH_SIGNATURE_EXPIRED'));
  });

  it('refuses every signature when the server clock reads NaN', () => {
    const block = signedBlock(client);
    expect(verifyDeviceIdentity(block, { ...context, now: Number.NaN })).toEqual(
      refusedWith('DEVICE_AUTH_SIGNATURE_EXPIRED'),
    );
  });
});

describe('verifyDeviceIdentity: rule 5, the signature', () => {
  const valid = signedBlock(client);
  const signatureBytes = Buffer.from(valid.signature, 'base64url');

  it.each<[string, Partial<Signed>]>([
    ['different scopes', { scopes: ['operator.read', 'operator.write', 'operator.admin'] }],
    ['the same scopes in another order', { scopes: ['operator.write', 'operator.read'] }],
    ['no scopes', { scopes: [] }],
    ['a different token', { token: 'another-secret' }],
    ['no token', { token: '' }],
    ['a different role', { role: 'node' }],
    ['a different client id', { clientId: 'webchat' }],
    ['a different client mode', { clientMode: 'backend' }],
    ['another nonce (the block still sends the right one)', { nonce: 'another-nonce' }],
    ['a different version tag', { version: 'v3' }],
    ["another device's id", { deviceId: other.id }],
  ])('refuses a signature over a payload with %s', (_label, signed) => {
    const { signature } = signedBlock(client, context, signed);
    expect(verifyDeviceIdentity({ ...valid, signature }, context)).toEqual(
      refusedWith('DEVICE_AUTH_SIGNATURE_INVALID'),
    );
  });

  it('refuses a v1 payload (no nonce)', () => {
    const v1 = v2Payload({ version: 'v1', deviceId: client.id, ...context, signedAt: NOW, nonce: '' }).slice(0, -1);
    const signature = sign(null, Buffer.from(v1), client.privateKey).toString('base64url');
    expect(verifyDeviceIdentity({ ...valid, signature }, context)).toEqual(
      refusedWith('DEVICE_AUTH_SIGNATURE_INVALID'),
    );
  });

  it('refuses a signature sent with a signedAt other than the one signed', () => {
    const block = { ...valid, signedAt: NOW + 1 };
    expect(verifyDeviceIdentity(block, context)).toEqual(refusedWith('DEVICE_AUTH_SIGNATURE_INVALID'));
  });

  it("refuses another device's key and id with this device's signature", () => {
    const block = { ...valid, publicKey: other.publicKey, id: other.id };
    expect(verifyDeviceIdentity(block, context)).toEqual(refusedWith('DEVICE_AUTH_SIGNATURE_INVALID'));
  });

  const flipped = Buffer.from(signatureBytes);
  flipped[10] = (flipped[10] ?? 0) ^ 1;
  it.each([
    ['truncated by one character', valid.signature.slice(0, -1)],
    ['truncated to 63 bytes', signatureBytes.subarray(0, 63).toString('base64url')],
    ['of 65 bytes', Buffer.concat([signatureBytes, Buffer.from([0])]).toString('base64url')],
    ['with == padding', `${valid.signature}==`],
    ['as padded standard base64', signatureBytes.toString('base64')],
    ['with a leading +', `+${valid.signature.slice(1)}`],
    ['with stray low bits in its last character', withStrayLowBits(valid.signature)],
    ['with one bit flipped', flipped.toString('base64url')],
    ['of 64 zero bytes', Buffer.alloc(64).toString('base64url')],
    ['as hex', signatureBytes.toString('hex')],
    ['empty', ''],
    ['of 8 MiB', HUGE],
  ])('refuses a signature %s', (_label, signature) => {
    expect(verifyDeviceIdentity({ ...valid, signature }, context)).toEqual(
      refusedWith('DEVICE_AUTH_SIGNATURE_INVALID'),
    );
  });

  it.each([null, undefined, 0, {}])('refuses a signature of the wrong type (%j)', (signature) => {
    const block = { ...valid, signature } as unknown as DeviceBlock;
    expect(verifyDeviceIdentity(block, context)).toEqual(refusedWith('DEVICE_AUTH_SIGNATURE_INVALID'));
  });
});

describe('verifyDeviceIdentity: order and cost', () => {
  it('reports the first failing rule when several fail', () => {
    const valid = signedBlock(client);
    const faults: [DeviceAuthCode, Partial<DeviceBlock>][] = [
      ['DEVICE_AUTH_PUBLIC_KEY_INVALID', { publicKey: `${client.publicKey}=` }],
      ['DEVICE_AUTH_DEVICE_ID_MISMATCH', { id: other.id }],
      ['DEVICE_AUTH_NONCE_MISMATCH', { nonce: 'stale' }],
      ['DEVICE_AUTH_SIGNATURE_EXPIRED', { signedAt: NOW - 121_000 }],
      ['DEVICE_AUTH_SIGNATURE_INVALID', { signature: 'x' }],
    ];
    for (let first = 0; first < faults.length; first++) {
      const block = Object.assign({ ...valid }, ...faults.slice(first).map(([, fault]) => fault));
      expect(verifyDeviceIdentity(block, context)).toEqual(
        refusedWith(faults[first]?.[0] ?? 'DEVICE_AUTH_PUBLIC_KEY_INVALID'),
      );
    }
  });

  it.each<[keyof DeviceBlock, DeviceAuthCode]>([
    ['publicKey', 'DEVICE_AUTH_PUBLIC_KEY_INVALID'],
    ['id', 'DEVICE_AUTH_DEVICE_ID_MISMATCH'],
    ['nonce', 'DEVICE_AUTH_NONCE_MISMATCH'],
    ['signature', 'DEVICE_AUTH_SIGNATURE_INVALID'],
  ])('refuses an 8 MiB %s without decoding it', (field, code) => {
    const from = vi.spyOn(Buffer, 'from');
    const block = { ...signedBlock(client), [field]: HUGE };
    expect(verifyDeviceIdentity(block, context)).toEqual(refusedWith(code));
    expect(from.mock.calls.some(([value]) => value === HUGE)).toBe(false);
  });
});

describe('verifyDeviceIdentity: properties', () => {
  const base64urlChar = fc.constantFrom(
    ...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'.split(''),
  );
  /** Any text, or text that passes the length and alphabet checks, to reach the later rules too. */
  const text = (chars: number) =>
    fc.oneof(fc.string({ unit: 'binary' }), fc.string({ unit: base64urlChar, minLength: chars, maxLength: chars }));
  const anyNumber = fc.oneof(fc.integer(), fc.double(), fc.constant(NOW));

  it('never throws and never verifies random strings in every field', () => {
    fc.assert(
      fc.property(
        fc.record({
          id: fc.oneof(
            text(64),
            fc.string({ unit: fc.constantFrom(...'0123456789abcdef'.split('')), minLength: 64, maxLength: 64 }),
          ),
          publicKey: text(43),
        }),
        fc.record({ signature: text(86), nonce: fc.string({ unit: 'binary' }), signedAt: anyNumber }),
        fc.record({
          clientId: fc.string(),
          clientMode: fc.string(),
          role: fc.string(),
          scopes: fc.array(fc.string()),
          token: fc.string(),
          challengeNonce: fc.string(),
          now: anyNumber,
        }),
        (identity, signed, randomContext) => {
          const verdict = verifyDeviceIdentity({ ...identity, ...signed }, randomContext);
          expect(verdict.ok).toBe(false);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('never verifies a random signature for a real key, id, nonce and time', () => {
    const valid = signedBlock(client);
    fc.assert(
      fc.property(text(86), (signature) => {
        fc.pre(signature !== valid.signature);
        expect(verifyDeviceIdentity({ ...valid, signature }, context)).toEqual(
          refusedWith('DEVICE_AUTH_SIGNATURE_INVALID'),
        );
      }),
      { numRuns: 500 },
    );
  });
});
