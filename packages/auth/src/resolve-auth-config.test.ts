import { describe, expect, it } from 'vitest';
import { resolveAuthConfig } from './resolve-auth-config.js';

describe('resolveAuthConfig', () => {
  it('defaults to token mode and reads OPENCLAW_GATEWAY_TOKEN, trimmed', () => {
    expect(resolveAuthConfig({}, { OPENCLAW_GATEWAY_TOKEN: '  abc \n' })).toEqual({
      mode: 'token',
      secret: 'abc',
    });
  });

  it('prefers the configured token over the environment', () => {
    expect(resolveAuthConfig({ token: ' cfg ' }, { OPENCLAW_GATEWAY_TOKEN: 'env' })).toEqual({
      mode: 'token',
      secret: 'cfg',
    });
  });

  it('falls back to the environment when the configured value is blank', () => {
    expect(resolveAuthConfig({ token: '   ' }, { OPENCLAW_GATEWAY_TOKEN: 'env' })).toEqual({
      mode: 'token',
      secret: 'env',
    });
  });

  it('leaves the secret unset in token mode without a token (the gateway generates one)', () => {
    expect(resolveAuthConfig({}, {})).toEqual({ mode: 'token' });
    expect(resolveAuthConfig({ mode: 'token', token: ' ' }, { OPENCLAW_GATEWAY_TOKEN: '' })).toEqual({
      mode: 'token',
    });
  });

  it('switches an unset mode to password when a password is configured, in config or env', () => {
    expect(resolveAuthConfig({ password: ' pw ', token: 'tok' }, {})).toEqual({
      mode: 'password',
      secret: 'pw',
    });
    expect(resolveAuthConfig({ token: 'tok' }, { OPENCLAW_GATEWAY_PASSWORD: 'envpw' })).toEqual({
      mode: 'password',
      secret: 'envpw',
    });
  });

  it('keeps an explicit mode even when the other secret exists', () => {
    expect(resolveAuthConfig({ mode: 'token', password: 'pw' }, { OPENCLAW_GATEWAY_TOKEN: 't' })).toEqual({
      mode: 'token',
      secret: 't',
    });
    expect(resolveAuthConfig({ mode: 'none', token: 't' }, {})).toEqual({ mode: 'none' });
  });

  it('normalises trusted-proxy settings', () => {
    expect(
      resolveAuthConfig(
        {
          mode: 'trusted-proxy',
          trustedProxy: { userHeader: ' X-Forwarded-User ', requiredHeaders: ['X-Proxy'], allowUsers: [' alice '] },
        },
        {},
      ),
    ).toEqual({
      mode: 'trusted-proxy',
      trustedProxy: { userHeader: 'x-forwarded-user', requiredHeaders: ['x-proxy'], allowUsers: ['alice'] },
    });
  });

  it('throws a TypeError naming the key on bad input', () => {
    expect(() => resolveAuthConfig({ mode: 'magic' as never }, {})).toThrow(
      'Invalid gateway.auth.mode "magic": expected one of none, token, password, trusted-proxy',
    );
    expect(() => resolveAuthConfig({ mode: 'trusted-proxy' }, {})).toThrow(
      'gateway.auth.trustedProxy.userHeader is required in trusted-proxy mode',
    );
    expect(() =>
      resolveAuthConfig({ mode: 'trusted-proxy', trustedProxy: { userHeader: 'u', allowUsers: [''] } }, {}),
    ).toThrow('gateway.auth.trustedProxy.allowUsers[0] must be a user name');
  });

  it('reads process.env when no env is passed', () => {
    const previous = process.env.OPENCLAW_GATEWAY_TOKEN;
    process.env.OPENCLAW_GATEWAY_TOKEN = 'from-process';
    try {
      expect(resolveAuthConfig({ mode: 'token' })).toEqual({ mode: 'token', secret: 'from-process' });
    } finally {
      if (previous === undefined) delete process.env.OPENCLAW_GATEWAY_TOKEN;
      else process.env.OPENCLAW_GATEWAY_TOKEN = previous;
    }
  });
});
