/**
 * Fuzz: hundreds of malformed, oversized, out-of-order and hostile frames against ONE real
 * in-process gateway (docs/ws-protocol.md#handshake, docs/ws-protocol.md#frames-and-errors). Every
 * answer must be a well-formed `res` with a known code, every close must carry the code its
 * category allows, the connection must stay usable where the protocol says so, and the process must
 * never see an unhandled rejection or uncaught exception. Fixed seed, bounded runs and time.
 */
import { createHash } from 'node:crypto';
import type { Socket } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeReasonOf } from './authenticate-connect.js';
import {
  type Frame,
  type ProtocolClient,
  connectClient,
  connectParams,
  openSocket,
  wsUrl,
} from './__fixtures__/protocol-client.js';
import { ADVERTISED_METHODS } from './__fixtures__/protocol-expectations.js';
import {
  startInProcessGateway,
  IN_PROCESS_GATEWAY_TOKEN,
  type InProcessGateway,
} from '../__fixtures__/in-process-gateway.js';

const SEED = 0x5eed_f022;
const MAX_PAYLOAD = 100_000;
const HANDSHAKE_LIMIT = 64 * 1024;
const KNOWN_CODES = new Set(['INVALID_REQUEST', 'FORBIDDEN', 'NOT_PAIRED', 'UNAVAILABLE']);
/** Longest wait for one answer; far above what a loopback round trip takes, far below the test timeout. */
const ANSWER_MS = 8_000;

const METHODS = ADVERTISED_METHODS;
const PROTOTYPE_NAMES = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'valueOf',
  'hasOwnProperty',
  '__defineGetter__',
  'isPrototypeOf',
] as const;

let gateway: InProcessGateway;
let url: string;
const processErrors: Array<{ kind: string; error: unknown }> = [];
const onRejection = (error: unknown) => processErrors.push({ kind: 'unhandledRejection', error });
const onException = (error: unknown) => processErrors.push({ kind: 'uncaughtException', error });
const collectGarbage = (globalThis as { gc?: () => void }).gc;
let heapBefore = 0;

beforeAll(async () => {
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtException', onException);
  gateway = await startInProcessGateway({ gateway: { ws: { maxPayload: MAX_PAYLOAD, handshakeTimeoutMs: 6_000 } } });
  url = wsUrl(gateway.url);
  collectGarbage?.();
  heapBefore = process.memoryUsage().heapUsed;
});

afterAll(async () => {
  process.off('unhandledRejection', onRejection);
  process.off('uncaughtException', onException);
  await gateway?.stop();
});

// ---------------------------------------------------------------------------------------------
// Helpers

function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: nothing within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** The first frame from now on (not already received) that matches. */
function nextFrame(client: ProtocolClient, predicate: (frame: Frame) => boolean, ms = ANSWER_MS): Promise<Frame> {
  const start = client.frames.length;
  return client.waitFor((frame) => predicate(frame) && client.frames.indexOf(frame, start) !== -1, ms);
}

function responsesTo(client: ProtocolClient, id: string): Frame[] {
  return client.frames.filter((frame) => frame.type === 'res' && frame.id === id);
}

/** Every `res` is well formed: an id, `ok`, and on failure a known code and a bounded message. */
function expectWellFormedResponse(frame: Frame): void {
  expect(typeof frame.id).toBe('string');
  expect(typeof frame.ok).toBe('boolean');
  if (frame.ok) return;
  expect(KNOWN_CODES, JSON.stringify(frame)).toContain(frame.error?.code);
  expect(typeof frame.error?.message).toBe('string');
  // A message names keys, never echoes what the client sent: it stays short whatever came in.
  expect(frame.error?.message.length ?? 0, frame.error?.message).toBeLessThanOrEqual(400);
  expect(frame.error?.message).not.toBe('internal error');
}

/** What the gateway makes of text, decided independently of its code: the protocol's categories. */
type Category = 'not-json' | 'not-a-request' | 'request';
function isUsableString(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= 256;
}
function categorise(text: string): { category: Category; value?: Record<string, unknown>; answerId: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { category: 'not-json', answerId: '' };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    return { category: 'not-a-request', answerId: 'invalid' };
  const record = value as Record<string, unknown>;
  const answerId = isUsableString(record.id) ? record.id : 'invalid';
  const wellFormed =
    record.type === 'req' &&
    isUsableString(record.id) &&
    isUsableString(record.method) &&
    Object.keys(record).every((key) => ['type', 'id', 'method', 'params'].includes(key));
  return { category: wellFormed ? 'request' : 'not-a-request', value: record, answerId };
}

/** Text as the gateway receives it: sent as UTF-8 (lone surrogates become U+FFFD). */
function onTheWire(text: string): string {
  return Buffer.from(text, 'utf8').toString('utf8');
}

/** Defines an own property, so `__proto__` becomes a key of the JSON and not the prototype. */
function defineKey(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** A close reason as the client reads it: `closeReasonOf`, sent as UTF-8 (a cut surrogate becomes U+FFFD). */
function asCloseReason(message: string): string {
  return onTheWire(closeReasonOf(message));
}

async function expectGatewayServes(): Promise<void> {
  const response = await fetch(`${gateway.url}/readyz`);
  expect(response.status).toBe(200);
  await response.body?.cancel();
  const client = await connectClient(url, IN_PROCESS_GATEWAY_TOKEN);
  const health = await client.request('health', {});
  expect(health.ok).toBe(true);
  client.close();
  await client.closed;
}

// ---------------------------------------------------------------------------------------------
// Generators

const hugeString = fc.integer({ min: 257, max: 6_000 }).map((length) => 'x'.repeat(length));
const nestedArray = fc
  .integer({ min: 1, max: 60 })
  .map((depth) => JSON.parse(`${'['.repeat(depth)}${']'.repeat(depth)}`));
const prototypeKeyObject = fc.constantFrom(...PROTOTYPE_NAMES).map((key) => {
  const object: Record<string, unknown> = {};
  defineKey(object, key, { polluted: true });
  return object;
});
const edgeNumber = fc.constantFrom(0, -1, 1.5, 4, 5, 1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, 2 ** 31, -0);
const text = fc.oneof(
  { weight: 4, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom('', ' ', '\u0000', '\ud800', '🦀"\\\n', '../../etc/passwd', 'agent:main:main'),
  },
  { weight: 1, arbitrary: hugeString },
);
/** Any value a hostile client could put where a field goes. */
const hostileValue = fc.oneof(
  { weight: 3, arbitrary: text },
  { weight: 2, arbitrary: fc.anything({ maxDepth: 2, maxKeys: 4 }) },
  { weight: 1, arbitrary: edgeNumber },
  { weight: 1, arbitrary: fc.constantFrom(null, true, false, [], {}) },
  { weight: 1, arbitrary: nestedArray },
  { weight: 1, arbitrary: prototypeKeyObject },
);

/** A frame-shaped object with each part sometimes right and sometimes hostile. */
const frameLike = fc.record(
  {
    type: fc.oneof(fc.constant('req'), fc.constantFrom('res', 'event', 'REQ', ''), hostileValue),
    id: fc.oneof(fc.string({ minLength: 1, maxLength: 20 }), fc.constantFrom('', 'i'.repeat(257)), hostileValue),
    method: fc.oneof(fc.constantFrom(...METHODS), fc.constantFrom(...PROTOTYPE_NAMES), hostileValue),
    params: hostileValue,
    ok: fc.boolean(),
    event: fc.constantFrom('tick', 'connect.challenge'),
  },
  { requiredKeys: [] },
);

const firstFrameText = fc.oneof(
  { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
  { weight: 2, arbitrary: fc.json({ maxDepth: 3 }) },
  { weight: 4, arbitrary: frameLike.map((frame) => JSON.stringify(frame)) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '',
      '\uFEFF{}',
      'null',
      '1e400',
      '"req"',
      `${'['.repeat(30_000)}${']'.repeat(30_000)}`,
      `{"type":"req","id":"x","method":"health","params":${'{"a":'.repeat(5_000)}1${'}'.repeat(5_000)}}`,
      '{"type":"req","id":"x","method":"connect"',
      '{"type":"req","id":"x","method":"connect","params":{"__proto__":{"minProtocol":4}}}',
      '{"__proto__":{"type":"req","id":"x","method":"connect"}}',
    ),
  },
);

/** Stand-ins in generated connect params for the connection's challenge nonce and the time of sending. */
const NONCE_PLACEHOLDER = '$challenge-nonce$';
const NOW_PLACEHOLDER = 987_654_321_987;

const VALID_CONNECT_PATHS = [
  [],
  ['minProtocol'],
  ['maxProtocol'],
  ['client'],
  ['client', 'id'],
  ['client', 'version'],
  ['client', 'platform'],
  ['client', 'mode'],
  ['client', 'displayName'],
  ['client', 'instanceId'],
  ['role'],
  ['scopes'],
  ['caps'],
  ['commands'],
  ['permissions'],
  ['pathEnv'],
  ['auth'],
  ['auth', 'token'],
  ['auth', 'password'],
  ['device'],
  ['locale'],
  ['userAgent'],
] as const;
/** Objects of the connect params that refuse unknown keys, when they are objects. */
const STRICT_PARENTS = [[], ['client'], ['auth']] as const;
const CONNECT_KEYS: Record<string, readonly string[]> = {
  '': [
    'minProtocol',
    'maxProtocol',
    'client',
    'caps',
    'commands',
    'permissions',
    'pathEnv',
    'role',
    'scopes',
    'device',
    'auth',
    'locale',
    'userAgent',
  ],
  client: ['id', 'displayName', 'version', 'platform', 'deviceFamily', 'modelIdentifier', 'mode', 'instanceId'],
  auth: ['token', 'password', 'deviceToken', 'bootstrapToken'],
};

const connectValue = fc.oneof(
  { weight: 4, arbitrary: hostileValue },
  {
    weight: 1,
    arbitrary: fc.constantFrom('test', 'cli', 'webchat', 'operator', 'node', 'admin', IN_PROCESS_GATEWAY_TOKEN),
  },
  { weight: 1, arbitrary: fc.constantFrom(['operator.read'], ['operator.admin', 'operator.write'], ['root']) },
  { weight: 1, arbitrary: fc.constantFrom(3, 4, 5) },
);
type ConnectMutation =
  | { kind: 'set'; path: readonly string[]; value: unknown; benign?: true }
  | { kind: 'delete'; path: readonly string[] }
  | { kind: 'nest'; path: readonly string[]; depth: number }
  | { kind: 'unknown-key'; parent: readonly string[]; key: string; value: unknown };
/** Values a real client may send in the optional fields: these must not be refused. */
const benignConnectMutation: fc.Arbitrary<ConnectMutation> = fc.oneof(
  fc.record({
    kind: fc.constant('set' as const),
    path: fc.constant(['client', 'displayName']),
    value: fc.string({ maxLength: 256 }),
  }),
  fc.record({ kind: fc.constant('set' as const), path: fc.constant(['client', 'instanceId']), value: fc.uuid() }),
  fc.record({
    kind: fc.constant('set' as const),
    path: fc.constant(['locale']),
    value: fc.constantFrom('en-US', 'de', ''),
  }),
  fc.record({
    kind: fc.constant('set' as const),
    path: fc.constant(['userAgent']),
    value: fc.string({ maxLength: 4096 }),
  }),
  fc.record({
    kind: fc.constant('set' as const),
    path: fc.constant(['caps']),
    value: fc.array(fc.string({ maxLength: 256 }), { maxLength: 64 }),
  }),
  fc.record({
    kind: fc.constant('set' as const),
    path: fc.constant(['permissions']),
    value: fc.dictionary(fc.oneof(fc.constantFrom(...PROTOTYPE_NAMES), fc.string({ maxLength: 30 })), fc.boolean(), {
      maxKeys: 5,
    }),
  }),
  fc.record({
    kind: fc.constant('set' as const),
    path: fc.constant(['scopes']),
    value: fc.subarray([
      'operator.read',
      'operator.write',
      'operator.admin',
      'operator.pairing',
      'node.invoke',
      '__proto__',
    ]),
  }),
  fc.record({
    kind: fc.constant('set' as const),
    path: fc.constant(['client', 'id']),
    value: fc.constantFrom('cli', 'webchat', 'openclaw-tui'),
  }),
  fc.record({
    kind: fc.constant('set' as const),
    path: fc.constant(['maxProtocol']),
    value: fc.integer({ min: 4, max: 1_000 }),
  }),
  fc.record({
    kind: fc.constant('set' as const),
    path: fc.constant(['auth', 'password']),
    value: fc.constant(IN_PROCESS_GATEWAY_TOKEN),
  }),
);
const connectMutation: fc.Arbitrary<ConnectMutation> = fc.oneof(
  benignConnectMutation.map((mutation) => ({ ...mutation, benign: true as const })),
  fc.record({ kind: fc.constant('set' as const), path: fc.constantFrom(...VALID_CONNECT_PATHS), value: connectValue }),
  fc.record({ kind: fc.constant('delete' as const), path: fc.constantFrom(...VALID_CONNECT_PATHS) }),
  // A device block of the right shape whose key, id, nonce, time or signature is wrong; the nonce and
  // time can be this connection's (filled in once the socket is open), so every rule gets reached.
  fc.record({
    kind: fc.constant('set' as const),
    path: fc.constant(['device']),
    value: fc
      .record({
        key: fc.uint8Array({ minLength: 32, maxLength: 32 }).map((bytes) => Buffer.from(bytes)),
        idFromKey: fc.boolean(),
        otherId: fc.string({ maxLength: 80 }),
        signature: fc.oneof(
          fc.uint8Array({ minLength: 64, maxLength: 64 }).map((bytes) => Buffer.from(bytes).toString('base64url')),
          fc.string({ maxLength: 100 }),
        ),
        signedAt: fc.oneof(fc.constant(NOW_PLACEHOLDER), fc.nat()),
        nonce: fc.oneof(fc.constant(NONCE_PLACEHOLDER), fc.uuid(), fc.constant('')),
      })
      .map(({ key, idFromKey, otherId, signature, signedAt, nonce }) => ({
        id: idFromKey ? createHash('sha256').update(key).digest('hex') : otherId,
        publicKey: key.toString('base64url'),
        signature,
        signedAt,
        nonce,
      })),
  }),
  fc.record({
    kind: fc.constant('nest' as const),
    path: fc.constantFrom(...VALID_CONNECT_PATHS),
    depth: fc.integer({ min: 1, max: 40 }),
  }),
);
const unknownKeyMutation: fc.Arbitrary<ConnectMutation> = fc.record({
  kind: fc.constant('unknown-key' as const),
  parent: fc.constantFrom(...STRICT_PARENTS),
  key: fc.oneof(fc.constantFrom(...PROTOTYPE_NAMES), fc.string({ minLength: 1, maxLength: 80 })),
  value: connectValue,
});

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Applies the mutations to a fresh valid params object; returns it and whether an unknown key landed in a strict object. */
function mutateConnect(mutations: readonly ConnectMutation[]): { params: unknown; unknownKey: boolean } {
  let root: unknown = connectParams({ auth: { token: IN_PROCESS_GATEWAY_TOKEN } });
  let unknownKey = false;
  const parentOf = (path: readonly string[]): Record<string, unknown> | undefined => {
    let node = root;
    for (const key of path.slice(0, -1)) {
      if (!isObject(node)) return undefined;
      node = Object.hasOwn(node, key) ? node[key] : undefined;
    }
    return isObject(node) ? node : undefined;
  };
  for (const mutation of mutations) {
    if (mutation.kind === 'unknown-key') {
      const parent =
        mutation.parent.length === 0 ? root : parentOf([...mutation.parent, ''])?.[mutation.parent.at(-1) as string];
      if (!isObject(parent)) continue;
      const known = CONNECT_KEYS[mutation.parent.join('.')] ?? [];
      if (known.includes(mutation.key)) continue;
      defineKey(parent, mutation.key, mutation.value);
      unknownKey = true;
      continue;
    }
    if (mutation.path.length === 0) {
      if (mutation.kind === 'set') root = mutation.value;
      if (mutation.kind === 'nest') root = nest(root, mutation.depth);
      continue;
    }
    const parent = parentOf(mutation.path);
    const key = mutation.path.at(-1) as string;
    if (parent === undefined) continue;
    if (mutation.kind === 'set') defineKey(parent, key, mutation.value);
    else if (mutation.kind === 'delete') delete parent[key];
    else defineKey(parent, key, nest(parent[key], mutation.depth));
  }
  // An unknown key counts only if its object is still in place, still an object.
  return { params: root, unknownKey: unknownKey && stillHasUnknownKey(root) };
}

function nest(value: unknown, depth: number): unknown {
  let nested = value;
  for (let i = 0; i < depth; i += 1) nested = [nested];
  return nested;
}

function stillHasUnknownKey(root: unknown): boolean {
  if (!isObject(root)) return false;
  for (const parent of STRICT_PARENTS) {
    const node = parent.length === 0 ? root : root[parent[0] as string];
    if (!isObject(node)) continue;
    const known = CONNECT_KEYS[parent.join('.')] ?? [];
    if (Object.keys(node).some((key) => !known.includes(key))) return true;
  }
  return false;
}

const runKey = fc.oneof(
  { weight: 1, arbitrary: fc.constantFrom('run-a', 'run-b', 'run-c', 'in-flight') },
  { weight: 3, arbitrary: fc.string({ minLength: 1, maxLength: 30 }) },
);
const goodSession = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('agent:main:main', 'agent:beta:fuzz', 'fuzz-session', 'agent:ghost:x') },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }) },
);
const goodMessage = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('hi', 'say "quoted" \\ ✓ 🦀', 'line\nbreak\u2028', 'lone \ud800 surrogate') },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 200 }) },
  { weight: 1, arbitrary: fc.integer({ min: 1_000, max: 20_000 }).map((length) => 'm'.repeat(length)) },
);
const goodText = fc.string({ maxLength: 40 });

/** Valid params of each method (required fields always, optional ones sometimes). */
const GOOD_PARAMS: Record<string, fc.Arbitrary<Record<string, unknown>>> = {
  health: fc.constant({}),
  status: fc.constant({}),
  'models.list': fc.constant({}),
  'sessions.list': fc.record(
    { limit: fc.integer({ min: 1, max: 1_000 }), offset: fc.integer({ min: 0, max: 100 }) },
    { requiredKeys: [] },
  ),
  'chat.history': fc.record(
    { sessionKey: goodSession, limit: fc.integer({ min: 1, max: 1_000 }) },
    { requiredKeys: ['sessionKey'] },
  ),
  agent: fc.record(
    {
      message: goodMessage,
      idempotencyKey: runKey,
      agentId: fc.constantFrom('main', 'beta', 'MAIN', '', ' beta '),
      sessionKey: goodSession,
      model: fc.constant('offline/clawgate-offline'),
      timeout: fc.integer({ min: 0, max: 3 }),
      extraSystemPrompt: goodText,
      deliver: fc.boolean(),
      channel: fc.constantFrom('webchat', 'CLI'),
      label: goodText,
      thinking: fc.constantFrom('low', 'high'),
    },
    { requiredKeys: ['message', 'idempotencyKey'] },
  ),
  'agent.wait': fc.record(
    { runId: runKey, timeoutMs: fc.integer({ min: 0, max: 100 }) },
    { requiredKeys: ['runId', 'timeoutMs'] },
  ),
  'chat.send': fc.record(
    {
      sessionKey: goodSession,
      message: goodMessage,
      idempotencyKey: runKey,
      agentId: fc.constantFrom('main', 'beta'),
      timeoutMs: fc.integer({ min: 1, max: 5_000 }),
      thinking: fc.constantFrom('low', 'high'),
      deliver: fc.boolean(),
    },
    { requiredKeys: ['sessionKey', 'message', 'idempotencyKey'] },
  ),
  'chat.abort': fc.record({ sessionKey: goodSession, runId: runKey }, { requiredKeys: ['sessionKey'] }),
  connect: fc.constant(connectParams({ auth: { token: IN_PROCESS_GATEWAY_TOKEN } })),
};

/**
 * Params for one method: valid ones with a field or two made hostile, an unknown (or prototype) key
 * now and then, or any value at all.
 */
function methodParams(method: string): fc.Arbitrary<unknown> {
  const good = Object.hasOwn(GOOD_PARAMS, method)
    ? (GOOD_PARAMS[method] as fc.Arbitrary<Record<string, unknown>>)
    : fc.constant({});
  const field = fc.oneof(
    fc.constantFrom(
      'message',
      'idempotencyKey',
      'sessionKey',
      'agentId',
      'runId',
      'limit',
      'offset',
      'timeoutMs',
      'timeout',
    ),
    fc.constantFrom(...PROTOTYPE_NAMES),
    fc.string({ maxLength: 20 }),
  );
  // Values that are well typed but refused by the gateway's own checks.
  const refusedValue = fc.oneof(
    fc.record({
      key: fc.constant('agentId'),
      value: fc.constantFrom('ghost', '__proto__', 'constructor', 'x'.repeat(128)),
    }),
    fc.record({ key: fc.constant('model'), value: fc.constantFrom('offline/other', 'gpt-4o', 'x/', '/x', 'a b/c') }),
    fc.record({ key: fc.constant('channel'), value: fc.constantFrom(' ', 'x'.repeat(65)) }),
    fc.record({
      key: fc.constant('sessionKey'),
      value: fc.constantFrom('agent:main:openai:x', 'agent::', ' ', 'cron:x'),
    }),
  );
  const mutated = fc
    .tuple(good, fc.array(fc.tuple(field, fc.oneof(hostileValue, fc.constant(undefined))), { maxLength: 2 }))
    .map(([params, changes]) => {
      const copy: Record<string, unknown> = { ...params };
      for (const [key, value] of changes) {
        if (value === undefined) delete copy[key];
        else defineKey(copy, key, value);
      }
      return copy;
    });
  const refused = fc.tuple(good, refusedValue).map(([params, { key, value }]) => ({ ...params, [key]: value }));
  return fc.oneof(
    { weight: 5, arbitrary: good },
    { weight: 4, arbitrary: mutated },
    { weight: 3, arbitrary: refused },
    { weight: 1, arbitrary: hostileValue },
    { weight: 1, arbitrary: fc.constant(undefined) },
  );
}

const anyMethodName = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...METHODS) },
  { weight: 4, arbitrary: fc.constantFrom('agent', 'chat.send', 'agent.wait', 'chat.abort') },
  {
    weight: 2,
    arbitrary: fc.constantFrom(...PROTOTYPE_NAMES, 'Health', ' health', 'health\u0000', 'chat.send.', 'sessions.list '),
  },
  { weight: 1, arbitrary: fc.string({ minLength: 1, maxLength: 300 }) },
);
const request = anyMethodName.chain((method) =>
  fc.record({
    method: fc.constant(method),
    params: methodParams(method),
    // A quarter of the requests go to the connection that may only read.
    reader: fc.boolean().chain((reader) => (reader ? fc.boolean() : fc.constant(false))),
  }),
);

/** Keeps a fuzzed `agent.wait` from holding the connection for minutes: its wait is at most 100 ms. */
function boundWait(method: string, params: unknown): unknown {
  if (method !== 'agent.wait' || !isObject(params)) return params;
  const timeoutMs = params.timeoutMs;
  if (typeof timeoutMs === 'number' && timeoutMs > 100) return { ...params, timeoutMs: 100 };
  if (timeoutMs === undefined) return { ...params, timeoutMs: 50 };
  return params;
}

// ---------------------------------------------------------------------------------------------

describe('WebSocket protocol fuzz', () => {
  it('closes on any first frame that is not a good connect: 1000 for non-JSON, 1008 (or 1002) otherwise', async () => {
    let seen = 0;
    await fc.assert(
      fc.asyncProperty(firstFrameText, async (sent) => {
        seen += 1;
        const wire = onTheWire(sent);
        const { category, value, answerId } = categorise(wire);
        const client = await openSocket(url);
        client.send(sent);
        const close = await within(client.closed, ANSWER_MS, 'close after the first frame');
        const responses = client.frames.filter((frame) => frame.type === 'res');
        for (const frame of responses) expectWellFormedResponse(frame);
        if (Buffer.byteLength(wire) > HANDSHAKE_LIMIT) {
          expect(close.code).toBe(1009);
          return;
        }
        if (category === 'not-json') {
          expect(close).toEqual({ code: 1000, reason: 'invalid handshake: not JSON' });
          expect(responses).toEqual([]);
        } else if (category === 'not-a-request') {
          expect(close).toEqual({ code: 1008, reason: 'invalid request frame' });
          expect(responses).toEqual([]);
        } else if (value?.method !== 'connect') {
          expect(responses).toEqual([
            {
              type: 'res',
              id: answerId,
              ok: false,
              error: { code: 'INVALID_REQUEST', message: 'invalid handshake: first request must be connect' },
            },
          ]);
          expect(close.code).toBe(1008);
        } else {
          // A connect from random parts is refused (its params, protocol or credentials).
          expect(responses).toHaveLength(1);
          expect(responses[0]?.ok).toBe(false);
          expect([1008, 1002]).toContain(close.code);
          expect(close.reason).toBe(asCloseReason(responses[0]?.error?.message ?? ''));
        }
      }),
      { seed: SEED, numRuns: 220, endOnFailure: true },
    );
    expect(seen).toBe(220);
  });

  it('refuses mutated connect params as "invalid connect params: …" (or another handshake refusal) or accepts them', async () => {
    const outcomes = { accepted: 0, invalidParams: 0, otherRefusal: 0 };
    await fc.assert(
      fc.asyncProperty(
        fc.array(connectMutation, { minLength: 1, maxLength: 4 }),
        fc.option(unknownKeyMutation, { freq: 3 }),
        async (mutations, unknownKey) => {
          const built = mutateConnect(unknownKey === null ? mutations : [...mutations, unknownKey]);
          const benignOnly =
            unknownKey === null && mutations.every((mutation) => mutation.kind === 'set' && mutation.benign);
          const client = await openSocket(url);
          const id = 'connect-fuzz';
          const frameText = JSON.stringify({ type: 'req', id, method: 'connect', params: built.params })
            .replaceAll(JSON.stringify(NONCE_PLACEHOLDER), JSON.stringify(client.challenge.nonce))
            .replaceAll(JSON.stringify(NOW_PLACEHOLDER), String(Date.now()));
          client.send(frameText);
          if (Buffer.byteLength(frameText) > HANDSHAKE_LIMIT) {
            expect((await within(client.closed, ANSWER_MS, 'close of an oversized connect')).code).toBe(1009);
            return;
          }
          const response = await within(
            client.waitFor((frame) => frame.type === 'res' && frame.id === id, ANSWER_MS),
            ANSWER_MS,
            'connect answer',
          );
          expectWellFormedResponse(response);
          // Only values a real client may send: accepted.
          if (benignOnly) expect(response.error, JSON.stringify(built.params)).toBeUndefined();
          if (response.ok) {
            outcomes.accepted += 1;
            expect(built.unknownKey).toBe(false);
            expect(response.payload).toMatchObject({ type: 'hello-ok', protocol: 4 });
            for (const scope of response.payload.auth.scopes) {
              expect(['operator.read', 'operator.write', 'operator.admin']).toContain(scope);
            }
            client.close();
            await client.closed;
            return;
          }
          const close = await within(client.closed, ANSWER_MS, 'close after a refused connect');
          const error = response.error ?? { code: '', message: '' };
          expect(close.reason).toBe(asCloseReason(error.message));
          if (error.message.startsWith('invalid connect params: ')) {
            outcomes.invalidParams += 1;
            expect(error.code).toBe('INVALID_REQUEST');
            expect(close.code).toBe(1008);
            return;
          }
          outcomes.otherRefusal += 1;
          // Params that passed the schema: an unknown key never gets this far.
          expect(built.unknownKey).toBe(false);
          const detail = error.details?.code as string | undefined;
          if (error.message === 'protocol mismatch') {
            expect(detail).toBe('PROTOCOL_MISMATCH');
            expect(close.code).toBe(1002);
          } else {
            expect(close.code).toBe(1008);
            const known =
              error.message === 'invalid role' ||
              detail === 'AUTH_TOKEN_MISMATCH' ||
              detail?.startsWith('DEVICE_AUTH_') === true ||
              (error.code === 'NOT_PAIRED' &&
                ['DEVICE_IDENTITY_REQUIRED', 'NODE_PAIRING_UNSUPPORTED', 'PAIRING_UNSUPPORTED'].includes(detail ?? ''));
            expect(known, JSON.stringify(error)).toBe(true);
          }
        },
      ),
      { seed: SEED, numRuns: 220, endOnFailure: true },
    );
    // The generator reaches every outcome.
    expect(outcomes.accepted).toBeGreaterThan(0);
    expect(outcomes.invalidParams).toBeGreaterThan(0);
    expect(outcomes.otherRefusal).toBeGreaterThan(0);
  });

  it('answers frames pipelined behind connect in order, or closes 1008 past 15 of them', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom('health', 'not json', 'bogus.method', 'no-id', 'connect', 'chat.history'), {
          maxLength: 25,
        }),
        async (kinds) => {
          const client = await openSocket(url);
          const socket = (client.ws as unknown as { _socket: Socket })._socket;
          // One TCP write: the queued frames arrive while connect is being authenticated.
          socket.cork();
          client.send({
            type: 'req',
            id: 'hello',
            method: 'connect',
            params: connectParams({ auth: { token: IN_PROCESS_GATEWAY_TOKEN } }),
          });
          kinds.forEach((kind, index) => {
            if (kind === 'not json') client.send('not json {');
            else if (kind === 'no-id') client.send({ type: 'req', method: 'health' });
            else if (kind === 'chat.history')
              client.send({ type: 'req', id: `q-${index}`, method: kind, params: { sessionKey: 's' } });
            else client.send({ type: 'req', id: `q-${index}`, method: kind, params: {} });
          });
          socket.uncork();
          if (kinds.length > 15) {
            const close = await within(client.closed, ANSWER_MS, 'close for too many pending frames');
            expect(close).toEqual({ code: 1008, reason: 'too many pending handshake frames' });
            expect(client.frames.filter((frame) => frame.type === 'res')).toEqual([]);
            return;
          }
          const answered = kinds.filter((kind) => kind !== 'not json').length;
          await within(
            (async () => {
              while (client.frames.filter((frame) => frame.type === 'res').length < answered + 1) {
                await nextFrame(client, (frame) => frame.type === 'res');
              }
            })(),
            ANSWER_MS,
            'answers to pipelined frames',
          );
          const responses = client.frames.filter((frame) => frame.type === 'res');
          expect(responses[0]?.payload?.type).toBe('hello-ok');
          const expectedIds = kinds.flatMap((kind, index) =>
            kind === 'not json' ? [] : kind === 'no-id' ? ['invalid'] : [`q-${index}`],
          );
          // Dispatched in order; the answers of async methods may come back out of order.
          expect(
            responses
              .slice(1)
              .map((frame) => frame.id)
              .sort(),
          ).toEqual([...expectedIds].sort());
          for (const frame of responses) expectWellFormedResponse(frame);
          client.close();
          await client.closed;
        },
      ),
      { seed: SEED, numRuns: 40, endOnFailure: true },
    );
  });

  it('after hello, answers each random request exactly once (agent: accepted, then its end) and stays usable', async () => {
    const full = await connectClient(url, IN_PROCESS_GATEWAY_TOKEN, {
      scopes: ['operator.read', 'operator.write', 'operator.admin'],
    });
    const reader = await connectClient(url, IN_PROCESS_GATEWAY_TOKEN, { scopes: ['operator.read'] });
    const expected = new Map<ProtocolClient, Map<string, number>>([
      [full, new Map()],
      [reader, new Map()],
    ]);
    let counter = 0;
    const codes = new Set<string>();
    await fc.assert(
      fc.asyncProperty(request, async ({ method, params, reader: asReader }) => {
        const client = asReader ? reader : full;
        counter += 1;
        const id = `q-${counter}-"✓🦀\\`;
        const bounded = boundWait(method, params);
        const frame = { type: 'req', id, method, ...(bounded === undefined ? {} : { params: bounded }) };
        const first = nextFrame(client, (answer) => answer.type === 'res' && answer.id === id);
        client.send(frame);
        const answer = await within(first, ANSWER_MS, `answer to ${method}`);
        expectWellFormedResponse(answer);
        codes.add(answer.ok ? 'ok' : (answer.error?.code ?? '?'));
        let count = 1;
        if (answer.ok && method === 'agent' && answer.payload?.status === 'accepted') {
          const end = await within(
            client.waitFor((later) => later.type === 'res' && later.id === id && later !== answer, ANSWER_MS),
            ANSWER_MS,
            'end of an agent run',
          );
          expectWellFormedResponse(end);
          if (end.ok) expect(['ok', 'timeout']).toContain(end.payload?.status);
          count = 2;
        }
        expected.get(client)?.set(id, count);
        expect(client.ws.readyState).toBe(client.ws.OPEN);
      }),
      { seed: SEED, numRuns: 400, endOnFailure: true },
    );
    for (const client of [full, reader]) {
      const health = await client.request('health', {});
      expect(health.ok).toBe(true);
      // Late answers would show up by now: still exactly the expected number per id.
      for (const [id, count] of expected.get(client) ?? []) expect(responsesTo(client, id), id).toHaveLength(count);
      const every = client.frames.filter((frame) => frame.type === 'res');
      const total = [...(expected.get(client)?.values() ?? [])].reduce((sum, count) => sum + count, 0);
      expect(every).toHaveLength(total + 2);
      for (const frame of every) expectWellFormedResponse(frame);
      // Every event carries the connection's seq 1, 2, 3…
      const seqs = client.frames
        .filter((frame) => frame.type === 'event' && frame.seq !== undefined)
        .map((frame) => frame.seq);
      expect(seqs).toEqual(seqs.map((_, index) => index + 1));
    }
    expect(codes).toContain('ok');
    expect(codes).toContain('INVALID_REQUEST');
    expect(codes).toContain('FORBIDDEN');
    full.close();
    reader.close();
    await Promise.all([full.closed, reader.closed]);
  });

  it('after hello, answers random malformed frames on their id (or "invalid") and ignores non-JSON', async () => {
    const client = await connectClient(url, IN_PROCESS_GATEWAY_TOKEN);
    await fc.assert(
      fc.asyncProperty(firstFrameText, async (sent) => {
        const wire = onTheWire(sent);
        if (Buffer.byteLength(wire) > MAX_PAYLOAD) return;
        const { category, answerId } = categorise(wire);
        const before = client.frames.filter((frame) => frame.type === 'res').length;
        if (category === 'not-json') {
          client.send(sent);
          const probe = await client.request('health', {});
          expect(probe.ok).toBe(true);
          expect(client.frames.filter((frame) => frame.type === 'res')).toHaveLength(before + 1);
          return;
        }
        const answer = nextFrame(client, (frame) => frame.type === 'res' && frame.id === answerId);
        client.send(sent);
        const frame = await within(answer, ANSWER_MS, 'answer to a malformed frame');
        expectWellFormedResponse(frame);
        if (category === 'not-a-request') {
          expect(frame.ok).toBe(false);
          expect(frame.error?.code).toBe('INVALID_REQUEST');
          expect(frame.error?.message).toMatch(/^invalid request frame: /);
        }
        if (frame.ok && frame.payload?.status === 'accepted') {
          await within(
            client.waitFor((later) => later.type === 'res' && later.id === frame.id && later !== frame),
            ANSWER_MS,
            'end of an agent run',
          );
        }
      }),
      { seed: SEED + 1, numRuns: 150, endOnFailure: true },
    );
    expect((await client.request('health', {})).ok).toBe(true);
    client.close();
    await client.closed;
  });

  it('treats binary frames like text (JSON answered, anything else ignored) and stays usable', async () => {
    const client = await connectClient(url, IN_PROCESS_GATEWAY_TOKEN);
    let counter = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes)),
          fc.constantFrom(Buffer.from([0xff, 0xfe, 0xfd]), Buffer.from([0xc3, 0x28]), Buffer.from([0xed, 0xa0, 0x80])),
          fc.constant(null),
        ),
        async (bytes) => {
          counter += 1;
          const id = `bin-${counter}`;
          const data = bytes ?? Buffer.from(JSON.stringify({ type: 'req', id, method: 'health' }));
          const { category, answerId } = categorise(data.toString('utf8'));
          const before = client.frames.filter((frame) => frame.type === 'res').length;
          const answer =
            category === 'not-json'
              ? undefined
              : nextFrame(client, (frame) => frame.type === 'res' && frame.id === answerId);
          client.ws.send(data, { binary: true });
          const probe = await client.request('status', {});
          expect(probe.ok).toBe(true);
          if (answer !== undefined)
            expectWellFormedResponse(await within(answer, ANSWER_MS, 'answer to a binary frame'));
          // Answers may come in either order; there is exactly one per JSON frame.
          const responses = client.frames.filter((frame) => frame.type === 'res').slice(before);
          expect(responses).toHaveLength(category === 'not-json' ? 1 : 2);
          if (bytes === null) expect(responsesTo(client, id)).toEqual([expect.objectContaining({ ok: true })]);
        },
      ),
      { seed: SEED, numRuns: 80, endOnFailure: true },
    );
    client.close();
    await client.closed;
  });

  it('answers good frames interleaved with invalid UTF-8 in binary frames, and closes 1007 on invalid UTF-8 text', async () => {
    const invalid = [
      Buffer.from([0xff]),
      Buffer.from([0x7b, 0xc3, 0x28, 0x7d]),
      Buffer.from('{"type":"req","id":"\xed\xa0\x80"}', 'latin1'),
    ];
    const client = await connectClient(url, IN_PROCESS_GATEWAY_TOKEN);
    const ids: string[] = [];
    for (let i = 0; i < 30; i += 1) {
      client.ws.send(invalid[i % invalid.length] as Buffer, { binary: true });
      ids.push(`utf-${i}`);
      client.send({ type: 'req', id: `utf-${i}`, method: 'health' });
    }
    await within(
      Promise.all(ids.map((id) => client.waitFor((frame) => frame.type === 'res' && frame.id === id))),
      ANSWER_MS,
      'answers between invalid binary frames',
    );
    for (const id of ids) expect(responsesTo(client, id)).toEqual([expect.objectContaining({ ok: true })]);
    // The frame whose id decodes to U+FFFD is JSON once decoded: it is answered on that id (no method).
    await within(
      client.waitFor((frame) => frame.id === '\ufffd\ufffd\ufffd'),
      ANSWER_MS,
      'answer to the decoded frame',
    );
    const decoded = client.frames.filter(
      (frame) => frame.type === 'res' && frame.payload?.type !== 'hello-ok' && !ids.includes(frame.id ?? ''),
    );
    expect(decoded.length).toBeGreaterThanOrEqual(2);
    for (const frame of decoded) {
      expect(frame).toEqual({
        type: 'res',
        id: frame.id,
        ok: false,
        error: { code: 'INVALID_REQUEST', message: "invalid request frame: must have required property 'method'" },
      });
    }

    // A text frame must be UTF-8 (https://www.rfc-editor.org/rfc/rfc6455#section-8.1): ws closes 1007, before and after
    // the handshake.
    client.ws.send(Buffer.from([0x22, 0xff, 0x22]), { binary: false });
    expect((await within(client.closed, ANSWER_MS, 'close on invalid UTF-8')).code).toBe(1007);
    const early = await openSocket(url);
    early.ws.send(Buffer.from([0xc0, 0xaf]), { binary: false });
    expect((await within(early.closed, ANSWER_MS, 'close on invalid UTF-8 first frame')).code).toBe(1007);
    await expectGatewayServes();
  });

  it('reassembles a fragmented request and answers it', async () => {
    const client = await connectClient(url, IN_PROCESS_GATEWAY_TOKEN);
    const answer = client.waitFor((frame) => frame.id === 'frag');
    client.ws.send('{"type":"req",', { fin: false });
    client.ws.send('"id":"frag",', { fin: false });
    client.ws.send('"method":"health"}', { fin: true });
    expect((await within(answer, ANSWER_MS, 'fragmented request')).ok).toBe(true);
    client.close();
    await client.closed;
  });

  it('closes 1009 for frames over the limit: 64 KiB before hello, maxPayload after', async () => {
    const early = await openSocket(url);
    early.send(`"${'x'.repeat(HANDSHAKE_LIMIT)}"`);
    expect((await within(early.closed, ANSWER_MS, 'close of an oversized first frame')).code).toBe(1009);

    const client = await connectClient(url, IN_PROCESS_GATEWAY_TOKEN);
    // Just under the limit: answered (params refused), the connection stays.
    const under = JSON.stringify({
      type: 'req',
      id: 'big',
      method: 'health',
      params: { pad: 'p'.repeat(MAX_PAYLOAD - 100) },
    });
    expect(Buffer.byteLength(under)).toBeLessThanOrEqual(MAX_PAYLOAD);
    const answer = client.waitFor((frame) => frame.id === 'big');
    client.send(under);
    expect((await within(answer, ANSWER_MS, 'answer to a large frame')).error).toEqual({
      code: 'INVALID_REQUEST',
      message: "invalid health params: must NOT have additional property 'pad'",
    });
    client.send(
      JSON.stringify({ type: 'req', id: 'huge', method: 'health', params: { pad: 'p'.repeat(MAX_PAYLOAD) } }),
    );
    expect((await within(client.closed, ANSWER_MS, 'close of an oversized frame')).code).toBe(1009);
    expect(responsesTo(client, 'huge')).toEqual([]);
    await expectGatewayServes();
  });

  it('answers a burst of 1,000 frames: one res per JSON frame, known codes only, then still usable', async () => {
    const client = await connectClient(url, IN_PROCESS_GATEWAY_TOKEN, { scopes: ['operator.read'] });
    let answered = 0;
    let allAnswered: () => void = () => undefined;
    const done = new Promise<void>((resolve) => (allAnswered = resolve));
    let total = Number.POSITIVE_INFINITY;
    client.ws.on('message', (data) => {
      if (String(data).startsWith('{"type":"res"')) answered += 1;
      if (answered >= total) allAnswered();
    });
    const expectedIds: string[] = [];
    let noId = 0;
    const started = Date.now();
    for (let i = 0; i < 1_000; i += 1) {
      switch (i % 10) {
        case 0:
          client.send(`not json ${i}`);
          break;
        case 1:
          noId += 1;
          client.send({ type: 'req', method: 'health' });
          break;
        case 2:
          expectedIds.push(`b-${i}`);
          client.send({ type: 'req', id: `b-${i}`, method: PROTOTYPE_NAMES[i % PROTOTYPE_NAMES.length] });
          break;
        case 3:
          expectedIds.push(`b-${i}`);
          client.send({
            type: 'req',
            id: `b-${i}`,
            method: 'chat.send',
            params: { sessionKey: 's', message: 'm', idempotencyKey: `k${i}` },
          });
          break;
        case 4:
          expectedIds.push(`b-${i}`);
          client.send({ type: 'req', id: `b-${i}`, method: 'sessions.list', params: { limit: i } });
          break;
        default:
          expectedIds.push(`b-${i}`);
          client.send({ type: 'req', id: `b-${i}`, method: 'health' });
      }
    }
    // Every JSON frame is answered (the hello-ok was before the counter).
    total = expectedIds.length + noId;
    if (answered >= total) allAnswered();
    await within(done, 20_000, 'answers to the burst');
    const responses = client.frames.filter((frame) => frame.type === 'res' && frame.payload?.type !== 'hello-ok');
    expect(responses).toHaveLength(total);
    for (const frame of responses) expectWellFormedResponse(frame);
    for (const id of expectedIds) expect(responsesTo(client, id), id).toHaveLength(1);
    expect(responsesTo(client, 'invalid')).toHaveLength(noId);
    // chat.send needs operator.write; the reader is refused each time.
    expect(responsesTo(client, 'b-3')[0]?.error?.code).toBe('FORBIDDEN');
    // Requests past the in-flight cap are refused as UNAVAILABLE, never dropped.
    for (const frame of responses) {
      if (frame.error?.code === 'UNAVAILABLE') expect(frame.error.message).toMatch(/^too many requests in flight/);
    }
    expect((await client.request('health', {})).ok).toBe(true);
    expect(Date.now() - started).toBeLessThan(25_000);
    client.close();
    await client.closed;
  });

  it('lets clients vanish mid-handshake, mid-request or mid-run, and every run they started still ends', async () => {
    const runIds: string[] = [];
    let counter = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('before-connect', 'during-connect', 'after-requests', 'mid-run'),
        fc.constantFrom('terminate', 'close'),
        fc.integer({ min: 0, max: 3 }),
        async (stage, how, delayMs) => {
          counter += 1;
          const client = await openSocket(url);
          if (stage !== 'before-connect') {
            client.send({
              type: 'req',
              id: 'c',
              method: 'connect',
              params: connectParams({ auth: { token: IN_PROCESS_GATEWAY_TOKEN } }),
            });
          }
          if (stage === 'after-requests' || stage === 'mid-run') {
            await within(
              client.waitFor((frame) => frame.id === 'c'),
              ANSWER_MS,
              'hello-ok',
            );
            client.send({ type: 'req', id: 'w', method: 'agent.wait', params: { runId: 'nobody', timeoutMs: 1_000 } });
            client.send({ type: 'req', id: 'h', method: 'chat.history', params: { sessionKey: `vanish-${counter}` } });
            client.send({ type: 'req', id: 's', method: 'sessions.list', params: {} });
          }
          if (stage === 'mid-run') {
            const sessionKey = `vanish-${counter}`;
            runIds.push(`vanish-agent-${counter}`, `vanish-chat-${counter}`);
            client.send({
              type: 'req',
              id: 'a',
              method: 'agent',
              params: { message: 'm'.repeat(5_000), idempotencyKey: `vanish-agent-${counter}`, sessionKey },
            });
            client.send({
              type: 'req',
              id: 'b',
              method: 'chat.send',
              params: { message: 'hi', idempotencyKey: `vanish-chat-${counter}`, sessionKey },
            });
          }
          if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
          if (how === 'terminate') client.ws.terminate();
          else client.ws.close();
          await within(client.closed, ANSWER_MS, 'close of a vanishing client');
        },
      ),
      { seed: SEED, numRuns: 40, endOnFailure: true },
    );
    // A run whose frame arrived has ended (ok); one whose frame was lost with the socket is unknown.
    const observer = await connectClient(url, IN_PROCESS_GATEWAY_TOKEN);
    const waits = await within(
      Promise.all(runIds.map((runId) => observer.request('agent.wait', { runId, timeoutMs: 3_000 }))),
      ANSWER_MS,
      'agent.wait for runs of vanished clients',
    );
    for (const answer of waits) {
      expect(answer.ok).toBe(true);
      const { status, startedAt } = answer.payload;
      expect(status === 'ok' || (status === 'timeout' && startedAt === undefined), JSON.stringify(answer.payload)).toBe(
        true,
      );
    }
    expect(waits.some((answer) => answer.payload.status === 'ok')).toBe(true);
    observer.close();
    await observer.closed;
  });

  it('never raised an unhandled rejection or uncaught exception, and still serves', async () => {
    await expectGatewayServes();
    expect(processErrors.map(({ kind, error }) => `${kind}: ${String(error)}`)).toEqual([]);
    if (collectGarbage !== undefined) {
      collectGarbage();
      // Loose on purpose: a leak per connection or per frame over this run would be far above it.
      expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(64 * 1024 * 1024);
    }
  });
});
