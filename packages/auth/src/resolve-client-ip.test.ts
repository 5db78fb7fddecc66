import fc from 'fast-check';
import { hostileString } from './__fixtures__/arbitraries.js';
import { describe, expect, it } from 'vitest';
import { isLoopbackAddress, normalizeIpAddress } from './normalize-ip-address.js';
import { resolveClientIp } from './resolve-client-ip.js';
import { createTrustedProxyList } from './trusted-proxy-list.js';

describe('normalizeIpAddress', () => {
  it.each([
    ['1.2.3.4', '1.2.3.4'],
    [' 1.2.3.4 ', '1.2.3.4'],
    ['::ffff:1.2.3.4', '1.2.3.4'],
    ['::FFFF:1.2.3.4', '1.2.3.4'],
    ['0:0:0:0:0:ffff:0102:0304', '1.2.3.4'],
    ['[::1]', '::1'],
    ['0:0:0:0:0:0:0:1', '::1'],
    ['2001:DB8::1', '2001:db8::1'],
    ['fe80::1%eth0', 'fe80::1'],
  ])('normalises %j to %j', (input, expected) => {
    expect(normalizeIpAddress(input)).toBe(expected);
  });

  it.each([[''], ['example.com'], ['1.2.3'], ['1.2.3.4:80'], ['x'.repeat(1000)], [undefined], [null]])(
    'rejects %j',
    (input) => {
      expect(normalizeIpAddress(input)).toBeUndefined();
    },
  );

  it('recognises loopback addresses', () => {
    expect(isLoopbackAddress('127.0.0.1')).toBe(true);
    expect(isLoopbackAddress('127.255.0.9')).toBe(true);
    expect(isLoopbackAddress('::1')).toBe(true);
    expect(isLoopbackAddress('128.0.0.1')).toBe(false);
    expect(isLoopbackAddress('::2')).toBe(false);
  });
});

describe('createTrustedProxyList', () => {
  it('matches addresses and CIDRs of both families', () => {
    const list = createTrustedProxyList(['10.0.0.0/8', '192.0.2.1', 'fd00::/8', '::ffff:172.16.0.0/108']);
    expect(list.has('10.200.3.4')).toBe(true);
    expect(list.has('11.0.0.1')).toBe(false);
    expect(list.has('192.0.2.1')).toBe(true);
    expect(list.has('192.0.2.2')).toBe(false);
    expect(list.has('fd12::1')).toBe(true);
    expect(list.has('fe80::1')).toBe(false);
    expect(list.has('172.16.9.9')).toBe(true);
    expect(list.has('172.32.0.1')).toBe(false);
  });

  it.each([['nope'], ['10.0.0.0/33'], ['10.0.0.0/'], ['10.0.0.0/x'], ['::/129']])(
    'rejects %j with a TypeError naming it',
    (entry) => {
      expect(() => createTrustedProxyList([entry])).toThrow(`Invalid trustedProxies entry "${entry}"`);
    },
  );
});

describe('resolveClientIp', () => {
  const trustedProxies = ['10.0.0.0/8'];

  it('uses the socket address and folds IPv4-mapped IPv6', () => {
    expect(resolveClientIp({ remoteAddress: '::ffff:203.0.113.5' })).toBe('203.0.113.5');
    expect(resolveClientIp({ remoteAddress: undefined })).toBe('unknown');
    expect(resolveClientIp({ remoteAddress: 'garbage' })).toBe('unknown');
  });

  it('ignores X-Forwarded-For from an untrusted peer', () => {
    expect(resolveClientIp({ remoteAddress: '203.0.113.5', forwardedFor: '1.1.1.1', trustedProxies })).toBe(
      '203.0.113.5',
    );
    expect(resolveClientIp({ remoteAddress: '10.0.0.1', forwardedFor: '1.1.1.1' })).toBe('10.0.0.1');
  });

  it('walks from the right, skipping trusted proxies', () => {
    expect(
      resolveClientIp({
        remoteAddress: '10.0.0.1',
        forwardedFor: '6.6.6.6, 198.51.100.7, 10.1.1.1, 10.2.2.2',
        trustedProxies,
      }),
    ).toBe('198.51.100.7');
  });

  it('merges repeated headers and accepts ports, brackets and mapped forms', () => {
    expect(
      resolveClientIp({
        remoteAddress: '::ffff:10.0.0.1',
        forwardedFor: ['6.6.6.6', '198.51.100.7:4711, 10.1.1.1'],
        trustedProxies,
      }),
    ).toBe('198.51.100.7');
    expect(resolveClientIp({ remoteAddress: '10.0.0.1', forwardedFor: '[2001:db8::7]:443', trustedProxies })).toBe(
      '2001:db8::7',
    );
    expect(resolveClientIp({ remoteAddress: '10.0.0.1', forwardedFor: '::ffff:198.51.100.9', trustedProxies })).toBe(
      '198.51.100.9',
    );
  });

  it('uses the left-most hop when every hop is trusted, and the peer when the header is empty', () => {
    expect(resolveClientIp({ remoteAddress: '10.0.0.1', forwardedFor: '10.9.9.9, 10.1.1.1', trustedProxies })).toBe(
      '10.9.9.9',
    );
    expect(resolveClientIp({ remoteAddress: '10.0.0.1', forwardedFor: '', trustedProxies })).toBe('10.0.0.1');
    expect(resolveClientIp({ remoteAddress: '10.0.0.1', forwardedFor: [], trustedProxies })).toBe('10.0.0.1');
  });

  it('skips blank items and stops at garbage, keeping the nearest trusted hop', () => {
    expect(
      resolveClientIp({ remoteAddress: '10.0.0.1', forwardedFor: '198.51.100.7, , 10.1.1.1', trustedProxies }),
    ).toBe('198.51.100.7');
    expect(
      resolveClientIp({ remoteAddress: '10.0.0.1', forwardedFor: '1.1.1.1, evil, 10.1.1.1', trustedProxies }),
    ).toBe('10.1.1.1');
  });

  it('stays cheap and correct on a 1 MB header', () => {
    const forwardedFor = `${'9.9.9.9,'.repeat(130_000)}198.51.100.7`;
    expect(resolveClientIp({ remoteAddress: '10.0.0.1', forwardedFor, trustedProxies })).toBe('198.51.100.7');
    const allTrusted = '10.0.0.2,'.repeat(130_000);
    expect(resolveClientIp({ remoteAddress: '10.0.0.1', forwardedFor: allTrusted, trustedProxies })).toBe('10.0.0.2');
  });

  it('property: never throws and always returns an address or "unknown"', () => {
    fc.assert(
      fc.property(
        fc.option(fc.oneof(fc.ipV4(), fc.ipV6(), fc.string()), { nil: undefined }),
        fc.oneof(hostileString(), fc.array(fc.string()), fc.constant(undefined)),
        (remoteAddress, forwardedFor) => {
          const ip = resolveClientIp({ remoteAddress, forwardedFor, trustedProxies });
          expect(ip === 'unknown' || normalizeIpAddress(ip) === ip).toBe(true);
        },
      ),
    );
  });
});
