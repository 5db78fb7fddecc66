import fc from 'fast-check';
import { hostileString } from './__fixtures__/arbitraries.js';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AuthDecision } from './auth-decision.js';
import {
  createGatewayAuthorizer,
  type AuthorizeRequest,
  type GatewayAuthorizerOptions,
} from './create-gateway-authorizer.js';
import { MemoryRateLimitStore } from './memory-rate-limit-store.js';
import type { RateLimitStore } from './rate-limit-store.js';
import { RateLimitStoreUnavailableError } from './rate-limit-store-unavailable-error.js';
import { resolveAuthConfig } from './resolve-auth-config.js';

const secret = 'correct horse battery staple';
const write = { requiredScope: 'operator.write' };
const unauthorizedBody = { error: { message: 'Unauthorized', type: 'unauthorized' } };
const rateLimitedBody = {
  error: {
    message: 'Too many failed authentication attempts. Please try again later.',
    type: 'rate_limited',
  },
};
const fullScopes = ['operator.admin', 'operator.read', 'operator.write', 'operator.approvals', 'operator.pairing'];

/** A manual clock so window and lockout expiry are exact. */
function createClock(start = 1_700_000_000_000) {
  let time = start;
  return { now: () => time, advance: (ms: number) => (time += ms) };
}

const stores: MemoryRateLimitStore[] = [];
afterEach(() => {
  for (const store of stores.splice(0)) store.close();
});

function setup(overrides: Partial<GatewayAuthorizerOptions> = {}) {
  const clock = createClock();
  const store = new MemoryRateLimitStore({ now: clock.now });
  stores.push(store);
  const authorizer = createGatewayAuthorizer({
    auth: resolveAuthConfig({ mode: 'token', token: secret }, {}),
    rateLimit: { store },
    now: clock.now,
    ...overrides,
  });
  return { clock, store, authorizer };
}

function request(
  token: string | undefined,
  remoteAddress: string | undefined = '203.0.113.7',
  extra: AuthorizeRequest['headers'] = {},
): AuthorizeRequest {
  const headers = token === undefined ? { ...extra } : { authorization: `Bearer ${token}`, ...extra };
  return { headers, remoteAddress };
}

async function failTimes(
  authorizer: ReturnType<typeof setup>['authorizer'],
  count: number,
  remoteAddress = '203.0.113.7',
): Promise<AuthDecision[]> {
  const decisions: AuthDecision[] = [];
  for (let index = 0; index < count; index += 1) {
    decisions.push(await authorizer.authorize(request('wrong', remoteAddress), write));
  }
  return decisions;
}

describe('createGatewayAuthorizer: shared secret', () => {
  it('admits the right token with the full operator scope set', async () => {
    const { authorizer } = setup();
    expect(await authorizer.authorize(request(secret), write)).toEqual({
      allowed: true,
      method: 'token',
      scopes: fullScopes,
      clientIp: '203.0.113.7',
    });
  });

  it('reports method password in password mode', async () => {
    const { authorizer } = setup({ auth: resolveAuthConfig({ password: 'pw' }, {}) });
    const decision = await authorizer.authorize(request('pw'), write);
    expect(decision).toMatchObject({ allowed: true, method: 'password' });
  });

  it('refuses a wrong token with the exact 401 body', async () => {
    const { authorizer } = setup();
    expect(await authorizer.authorize(request('nope'), write)).toEqual({
      allowed: false,
      status: 401,
      body: unauthorizedBody,
      clientIp: '203.0.113.7',
    });
  });

  it('locks after exactly maxAttempts failures: that request 401, the next 429 even with the right secret', async () => {
    const { authorizer, clock } = setup();
    const decisions = await failTimes(authorizer, 10);
    expect(decisions.map((decision) => (decision.allowed ? 200 : decision.status))).toEqual(Array(10).fill(401));
    clock.advance(1_500);
    expect(await authorizer.authorize(request(secret), write)).toEqual({
      allowed: false,
      status: 429,
      retryAfterSeconds: 299, // ceil(298_500 / 1000)
      body: rateLimitedBody,
      clientIp: '203.0.113.7',
    });
  });

  it('answers 429 to a locked client that sends no credential', async () => {
    const { authorizer } = setup();
    await failTimes(authorizer, 10);
    const decision = await authorizer.authorize(request(undefined), write);
    expect(decision).toMatchObject({ status: 429, retryAfterSeconds: 300 });
  });

  it('does not count missing or non-bearer credentials', async () => {
    const { authorizer, store } = setup();
    for (let index = 0; index < 20; index += 1) {
      const decision = await authorizer.authorize(
        request(undefined, '203.0.113.7', index % 2 === 0 ? {} : { authorization: 'Basic abc' }),
        write,
      );
      expect(decision).toMatchObject({ status: 401, body: unauthorizedBody });
    }
    expect(store.check('shared-secret:203.0.113.7', Date.now()).attempts).toBe(0);
    expect((await authorizer.authorize(request(secret), write)).allowed).toBe(true);
  });

  it('slides the window: failures older than windowMs are forgotten', async () => {
    const { authorizer, clock } = setup();
    await failTimes(authorizer, 9);
    clock.advance(60_000);
    // The 9 old failures left the window, so 9 more do not lock.
    const decisions = await failTimes(authorizer, 9);
    expect(decisions.every((decision) => !decision.allowed && decision.status === 401)).toBe(true);
    expect((await authorizer.authorize(request(secret), write)).allowed).toBe(true);
  });

  it('counts failures spread inside one window', async () => {
    const { authorizer, clock } = setup();
    for (let index = 0; index < 10; index += 1) {
      await authorizer.authorize(request('wrong'), write);
      clock.advance(5_000); // 10 failures over 45 s: all inside the 60 s window
    }
    expect(await authorizer.authorize(request(secret), write)).toMatchObject({ status: 429 });
  });

  it('ends the lock after lockoutMs and does not extend it on failures while locked', async () => {
    const { authorizer, clock } = setup();
    await failTimes(authorizer, 10);
    clock.advance(200_000);
    // Wrong attempts while locked are refused with 429 and must not push the end back.
    const whileLocked = await failTimes(authorizer, 5);
    expect(whileLocked.map((decision) => (decision.allowed ? 200 : decision.status))).toEqual(Array(5).fill(429));
    expect(whileLocked[0]).toMatchObject({ retryAfterSeconds: 100 });
    clock.advance(99_999);
    expect(await authorizer.authorize(request(secret), write)).toMatchObject({
      status: 429,
      retryAfterSeconds: 1,
    });
    clock.advance(1);
    expect(await authorizer.authorize(request(secret), write)).toMatchObject({ allowed: true });
  });

  it('starts from zero after a lock expires', async () => {
    const { authorizer, clock } = setup();
    await failTimes(authorizer, 10);
    clock.advance(300_000);
    const decisions = await failTimes(authorizer, 9);
    expect(decisions.every((decision) => !decision.allowed && decision.status === 401)).toBe(true);
    expect((await authorizer.authorize(request(secret), write)).allowed).toBe(true);
  });

  it('resets the counter on success', async () => {
    const { authorizer, store } = setup();
    await failTimes(authorizer, 9);
    expect((await authorizer.authorize(request(secret), write)).allowed).toBe(true);
    expect(store.check('shared-secret:203.0.113.7', Date.now()).attempts).toBe(0);
    const decisions = await failTimes(authorizer, 9);
    expect(decisions.every((decision) => !decision.allowed && decision.status === 401)).toBe(true);
    expect((await authorizer.authorize(request(secret), write)).allowed).toBe(true);
  });

  it('exempts loopback clients by default, IPv4 and IPv6', async () => {
    const { authorizer } = setup();
    for (const address of ['127.0.0.1', '::1', '::ffff:127.0.0.5']) {
      await failTimes(authorizer, 15, address);
      expect(await authorizer.authorize(request(secret, address), write)).toMatchObject({
        allowed: true,
      });
    }
  });

  it('limits loopback clients when exemptLoopback is false', async () => {
    const { store, clock } = setup();
    const authorizer = createGatewayAuthorizer({
      auth: resolveAuthConfig({ token: secret }, {}),
      rateLimit: { store, exemptLoopback: false },
      now: clock.now,
    });
    await failTimes(authorizer, 10, '127.0.0.1');
    expect(await authorizer.authorize(request(secret, '127.0.0.1'), write)).toMatchObject({
      status: 429,
    });
  });

  it('counts ::ffff:1.2.3.4 and 1.2.3.4 as one client', async () => {
    const { authorizer } = setup();
    await failTimes(authorizer, 5, '::ffff:1.2.3.4');
    await failTimes(authorizer, 5, '1.2.3.4');
    expect(await authorizer.authorize(request(secret, '1.2.3.4'), write)).toMatchObject({
      status: 429,
      clientIp: '1.2.3.4',
    });
    expect(await authorizer.authorize(request(secret, '::ffff:1.2.3.4'), write)).toMatchObject({
      status: 429,
      clientIp: '1.2.3.4',
    });
  });

  it('isolates clients: one locked IP does not affect another', async () => {
    const { authorizer } = setup();
    await failTimes(authorizer, 10, '198.51.100.1');
    expect(await authorizer.authorize(request(secret, '198.51.100.1'), write)).toMatchObject({
      status: 429,
    });
    expect(await authorizer.authorize(request(secret, '198.51.100.2'), write)).toMatchObject({
      allowed: true,
    });
    expect(await authorizer.authorize(request('wrong', '198.51.100.2'), write)).toMatchObject({
      status: 401,
    });
  });

  it('honours custom maxAttempts, windowMs and lockoutMs', async () => {
    const { store, clock } = setup();
    const authorizer = createGatewayAuthorizer({
      auth: resolveAuthConfig({ token: secret }, {}),
      rateLimit: { store, maxAttempts: 2, windowMs: 1_000, lockoutMs: 2_500 },
      now: clock.now,
    });
    await failTimes(authorizer, 1);
    clock.advance(1_000);
    await failTimes(authorizer, 1); // the first left the 1 s window
    expect((await authorizer.authorize(request(secret), write)).allowed).toBe(true);
    await failTimes(authorizer, 2);
    expect(await authorizer.authorize(request(secret), write)).toMatchObject({
      status: 429,
      retryAfterSeconds: 3,
    });
  });

  it('never counts or locks with rateLimit: false', async () => {
    const authorizer = createGatewayAuthorizer({
      auth: resolveAuthConfig({ token: secret }, {}),
      rateLimit: false,
    });
    await failTimes(authorizer, 30);
    expect((await authorizer.authorize(request(secret), write)).allowed).toBe(true);
  });

  it('uses a default memory store with the contract defaults under fake timers', async () => {
    vi.useFakeTimers({ now: 1_700_000_000_000 });
    try {
      const authorizer = createGatewayAuthorizer({ auth: resolveAuthConfig({ token: secret }, {}) });
      await failTimes(authorizer, 10);
      expect(await authorizer.authorize(request(secret), write)).toMatchObject({
        status: 429,
        retryAfterSeconds: 300,
      });
      vi.advanceTimersByTime(300_000);
      expect((await authorizer.authorize(request(secret), write)).allowed).toBe(true);
      authorizer.close();
    } finally {
      vi.useRealTimers();
    }
  });

  it('answers 429 when a concurrent request locked the key between check and failure', async () => {
    const { authorizer } = setup();
    const decisions = await Promise.all(
      Array.from({ length: 30 }, () => authorizer.authorize(request('wrong'), write)),
    );
    const statuses = decisions.map((decision) => (decision.allowed ? 200 : decision.status));
    expect(statuses.filter((status) => status === 401)).toHaveLength(10);
    expect(statuses.filter((status) => status === 429)).toHaveLength(20);
  });

  it('rejects with RateLimitStoreUnavailableError when the store fails, never 401', async () => {
    const failing: RateLimitStore = {
      check: () => Promise.reject(new Error('connection refused')),
      recordFailure: () => {
        throw new Error('unreachable');
      },
      reset: () => undefined,
    };
    const authorizer = createGatewayAuthorizer({
      auth: resolveAuthConfig({ token: secret }, {}),
      rateLimit: { store: failing },
    });
    const error = await authorizer.authorize(request(secret), write).catch((caught: unknown) => caught);
    expect(RateLimitStoreUnavailableError.isInstance(error)).toBe(true);
    expect(error).toBeInstanceOf(RateLimitStoreUnavailableError);
    expect((error as RateLimitStoreUnavailableError).operation).toBe('check');
    expect((error as Error).message).not.toContain(secret);
    expect(((error as Error).cause as Error).message).toBe('connection refused');
  });

  it('wraps a synchronous throw from recordFailure', async () => {
    const failing: RateLimitStore = {
      check: () => ({ attempts: 0 }),
      recordFailure: () => {
        throw new Error('disk full');
      },
      reset: () => undefined,
    };
    const authorizer = createGatewayAuthorizer({
      auth: resolveAuthConfig({ token: secret }, {}),
      rateLimit: { store: failing },
    });
    await expect(authorizer.authorize(request('wrong'), write)).rejects.toMatchObject({
      name: 'RateLimitStoreUnavailableError',
      operation: 'recordFailure',
    });
  });

  it('throws TypeError at construction on invalid options', () => {
    expect(() => createGatewayAuthorizer({ auth: { mode: 'token' } })).toThrow(
      'gateway.auth.mode "token" requires a token',
    );
    expect(() =>
      createGatewayAuthorizer({ auth: { mode: 'token', secret: 'x' }, rateLimit: { maxAttempts: 0 } }),
    ).toThrow('gateway.auth.rateLimit.maxAttempts must be a positive integer');
    expect(() => createGatewayAuthorizer({ auth: { mode: 'none' }, trustedProxies: ['not-an-ip'] })).toThrow(
      'Invalid trustedProxies entry "not-an-ip"',
    );
    expect(() =>
      createGatewayAuthorizer({
        auth: resolveAuthConfig({ mode: 'trusted-proxy', trustedProxy: { userHeader: 'x-user' } }, {}),
      }),
    ).toThrow('gateway.auth.mode "trusted-proxy" requires at least one gateway.trustedProxies entry');
  });
});

describe('createGatewayAuthorizer: scopes and mode none', () => {
  it('gives none-mode callers the x-openclaw-scopes header', async () => {
    const authorizer = createGatewayAuthorizer({ auth: { mode: 'none' } });
    const decision = await authorizer.authorize(
      request(undefined, '203.0.113.7', { 'x-openclaw-scopes': 'operator.read, operator.write' }),
      write,
    );
    expect(decision).toEqual({
      allowed: true,
      method: 'none',
      scopes: ['operator.read', 'operator.write'],
      clientIp: '203.0.113.7',
    });
  });

  it('refuses none-mode callers without the scope header with the exact 403 body', async () => {
    const authorizer = createGatewayAuthorizer({ auth: { mode: 'none' } });
    expect(await authorizer.authorize(request(undefined), write)).toEqual({
      allowed: false,
      status: 403,
      body: { error: { message: 'missing scope: operator.write', type: 'forbidden' } },
      clientIp: '203.0.113.7',
    });
  });

  it('treats operator.admin as every scope', async () => {
    const authorizer = createGatewayAuthorizer({ auth: { mode: 'none' } });
    const decision = await authorizer.authorize(
      request(undefined, '203.0.113.7', { 'x-openclaw-scopes': 'operator.admin' }),
      { requiredScope: 'operator.anything' },
    );
    expect(decision).toMatchObject({ allowed: true, scopes: ['operator.admin'] });
  });

  it('names the required scope in the 403 for read-only callers', async () => {
    const authorizer = createGatewayAuthorizer({ auth: { mode: 'none' } });
    const decision = await authorizer.authorize(
      request(undefined, '203.0.113.7', { 'x-openclaw-scopes': 'operator.read' }),
      write,
    );
    expect(decision).toMatchObject({
      status: 403,
      body: { error: { message: 'missing scope: operator.write', type: 'forbidden' } },
    });
  });

  it('without requiredScope only authenticates: the caller gets its scopes, even none', async () => {
    const authorizer = createGatewayAuthorizer({ auth: { mode: 'none' } });
    expect(await authorizer.authorize(request(undefined), {})).toEqual({
      allowed: true,
      method: 'none',
      scopes: [],
      clientIp: '203.0.113.7',
    });
    const shared = createGatewayAuthorizer({ auth: { mode: 'token', secret }, rateLimit: false });
    expect(await shared.authorize(request(secret), {})).toMatchObject({ allowed: true, scopes: fullScopes });
    expect(await shared.authorize(request('wrong'), {})).toMatchObject({ allowed: false, status: 401 });
  });

  it('never counts failures in mode none', async () => {
    const clock = createClock();
    const store = new MemoryRateLimitStore({ now: clock.now });
    stores.push(store);
    const authorizer = createGatewayAuthorizer({ auth: { mode: 'none' }, rateLimit: { store }, now: clock.now });
    for (let index = 0; index < 20; index += 1) {
      await authorizer.authorize(request('wrong'), write);
    }
    expect(store.size).toBe(0);
  });
});

describe('createGatewayAuthorizer: trusted-proxy', () => {
  const proxyAuth = resolveAuthConfig(
    {
      mode: 'trusted-proxy',
      trustedProxy: {
        userHeader: 'X-Forwarded-User',
        requiredHeaders: ['x-proxy-secret-marker'],
        allowUsers: ['alice', 'bob'],
      },
    },
    {},
  );
  const proxyHeaders = {
    'x-forwarded-user': 'alice',
    'x-proxy-secret-marker': '1',
    'x-forwarded-for': '198.51.100.20, 10.0.0.9',
    'x-openclaw-scopes': 'operator.write',
  };

  function proxyAuthorizer() {
    const clock = createClock();
    const store = new MemoryRateLimitStore({ now: clock.now });
    stores.push(store);
    return {
      store,
      authorizer: createGatewayAuthorizer({
        auth: proxyAuth,
        trustedProxies: ['10.0.0.0/8'],
        rateLimit: { store },
        now: clock.now,
      }),
    };
  }

  it('admits a user vouched for by a trusted proxy, resolving the client from X-Forwarded-For', async () => {
    const { authorizer } = proxyAuthorizer();
    const decision = await authorizer.authorize({ headers: proxyHeaders, remoteAddress: '::ffff:10.0.0.1' }, write);
    expect(decision).toEqual({
      allowed: true,
      method: 'trusted-proxy',
      user: 'alice',
      scopes: ['operator.write'],
      clientIp: '198.51.100.20',
    });
  });

  it('refuses with 401 (uncounted) a peer outside trustedProxies, ignoring its X-Forwarded-For', async () => {
    const { authorizer, store } = proxyAuthorizer();
    const decision = await authorizer.authorize({ headers: proxyHeaders, remoteAddress: '192.0.2.1' }, write);
    expect(decision).toEqual({ allowed: false, status: 401, body: unauthorizedBody, clientIp: '192.0.2.1' });
    expect(store.size).toBe(0);
  });

  it('refuses a missing user header, a missing required header and a user outside allowUsers', async () => {
    const { authorizer } = proxyAuthorizer();
    const { 'x-forwarded-user': _user, ...withoutUser } = proxyHeaders;
    const { 'x-proxy-secret-marker': _marker, ...withoutMarker } = proxyHeaders;
    for (const headers of [
      withoutUser,
      { ...proxyHeaders, 'x-forwarded-user': '   ' },
      withoutMarker,
      { ...proxyHeaders, 'x-forwarded-user': 'mallory' },
    ]) {
      const decision = await authorizer.authorize({ headers, remoteAddress: '10.0.0.1' }, write);
      expect(decision).toMatchObject({ status: 401, body: unauthorizedBody });
    }
  });

  it('gives 403 to a proxied user without the scope header', async () => {
    const { authorizer } = proxyAuthorizer();
    const { 'x-openclaw-scopes': _scopes, ...headers } = proxyHeaders;
    const decision = await authorizer.authorize({ headers, remoteAddress: '10.0.0.1' }, write);
    expect(decision).toMatchObject({
      status: 403,
      body: { error: { message: 'missing scope: operator.write', type: 'forbidden' } },
    });
  });
});

describe('createGatewayAuthorizer: X-Forwarded-For with shared secrets', () => {
  it('keys the limiter on the forwarded client behind a trusted proxy', async () => {
    const { store, clock } = setup();
    const authorizer = createGatewayAuthorizer({
      auth: resolveAuthConfig({ token: secret }, {}),
      trustedProxies: ['10.0.0.1'],
      rateLimit: { store },
      now: clock.now,
    });
    const via = (client: string, token: string) => ({
      headers: { authorization: `Bearer ${token}`, 'x-forwarded-for': client },
      remoteAddress: '10.0.0.1',
    });
    for (let index = 0; index < 10; index += 1) await authorizer.authorize(via('198.51.100.1', 'x'), write);
    expect(await authorizer.authorize(via('198.51.100.1', secret), write)).toMatchObject({
      status: 429,
      clientIp: '198.51.100.1',
    });
    expect(await authorizer.authorize(via('198.51.100.2', secret), write)).toMatchObject({
      allowed: true,
      clientIp: '198.51.100.2',
    });
  });

  it('ignores X-Forwarded-For from an untrusted peer (no spoofed key rotation)', async () => {
    const { authorizer } = setup();
    for (let index = 0; index < 10; index += 1) {
      await authorizer.authorize(request('wrong', '203.0.113.7', { 'x-forwarded-for': `192.0.2.${index}` }), write);
    }
    expect(await authorizer.authorize(request(secret), write)).toMatchObject({ status: 429 });
  });
});

describe('createGatewayAuthorizer: hostile input', () => {
  const huge = 'A'.repeat(1024 * 1024);
  const hostileAuthorizations: unknown[] = [
    `Bearer ${huge}`,
    huge,
    'Bearer',
    'Bearer ',
    'Bearer\t\t',
    '\tBearer\tabc\t',
    '',
    'Bearer 🔑ключ',
    `Bearer ${'ключ🔑'.repeat(180_000)}`,
    '\u0000Bearer \u0000',
    ['Bearer a', `Bearer ${secret}`],
    [],
    [undefined],
    42,
    null,
  ];

  it('never throws on hostile header values and answers 401', async () => {
    const { authorizer } = setup({ rateLimit: false });
    for (const authorization of hostileAuthorizations) {
      const decision = await authorizer.authorize(
        {
          headers: {
            authorization: authorization as string,
            'x-forwarded-for': huge,
            'x-openclaw-scopes': huge,
          },
          remoteAddress: huge,
        },
        write,
      );
      expect(decision).toMatchObject({ allowed: false, status: 401, body: unauthorizedBody });
    }
  });

  it('reads only the first Authorization value', async () => {
    const { authorizer } = setup();
    const first = await authorizer.authorize(
      { headers: { authorization: [`Bearer ${secret}`, 'Bearer wrong'] }, remoteAddress: '203.0.113.7' },
      write,
    );
    expect(first.allowed).toBe(true);
    const second = await authorizer.authorize(
      { headers: { authorization: ['Bearer wrong', `Bearer ${secret}`] }, remoteAddress: '203.0.113.7' },
      write,
    );
    expect(second).toMatchObject({ status: 401 });
  });

  it('accepts the scheme in any case, tabs as separator and surrounding whitespace', async () => {
    const { authorizer } = setup();
    for (const authorization of [`bearer ${secret}`, `BEARER\t${secret}  `, `  Bearer   ${secret}\t`]) {
      const decision = await authorizer.authorize({ headers: { authorization }, remoteAddress: '203.0.113.7' }, write);
      expect(decision.allowed).toBe(true);
    }
  });

  it('property: any header record and address yields a well-formed decision, never a throw', async () => {
    const { authorizer } = setup();
    const headerValue = fc.oneof(
      hostileString({ maxLength: 300 }),
      fc.array(hostileString({ maxLength: 50 }), { maxLength: 4 }),
      fc.constant(undefined),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          authorization: headerValue,
          'x-forwarded-for': headerValue,
          'x-openclaw-scopes': headerValue,
          other: headerValue,
        }),
        fc.option(fc.oneof(fc.ipV4(), fc.ipV6(), fc.string({ maxLength: 80 })), { nil: undefined }),
        async (headers, remoteAddress) => {
          const decision = await authorizer.authorize({ headers, remoteAddress }, write);
          if (decision.allowed) {
            expect(decision.method).toBe('token');
          } else {
            expect([401, 429]).toContain(decision.status);
          }
          expect(typeof decision.clientIp).toBe('string');
        },
      ),
      { numRuns: 300 },
    );
  });
});
