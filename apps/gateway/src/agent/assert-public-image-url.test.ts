/**
 * The SSRF guard for remote image URLs. `node:dns/promises` is wrapped so a few made-up `.test` names
 * resolve to fixed answers (the mock applies to the whole file; every other name resolves for real).
 */
import { describe, expect, it, vi } from 'vitest';
import { assertPublicImageUrl, isNonPublicAddress } from './assert-public-image-url.js';

const answers = vi.hoisted(
  () =>
    new Map<string, string[]>([
      ['mapped-loopback.test', ['::ffff:127.0.0.1']],
      ['six-to-four-loopback.test', ['2002:7f00:1::']],
      ['one-private-among-public.test', ['8.8.8.8', '2606:4700::1111', '64:ff9b::10.0.0.1']],
      ['embedded-public.test', ['::ffff:8.8.8.8', '2002:808:808::', '64:ff9b::8.8.8.8']],
    ]),
);

vi.mock('node:dns/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:dns/promises')>();
  const lookup = (async (hostname: string, options: object) => {
    const fixed = answers.get(hostname);
    if (!fixed) return actual.lookup(hostname, options);
    return fixed.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  }) as typeof actual.lookup;
  return { ...actual, lookup, default: { ...actual, lookup } };
});

const refusal = { status: 400, message: 'Invalid image_url content in `messages`.' };

describe('isNonPublicAddress', () => {
  it.each([
    '127.0.0.1',
    '10.1.2.3',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '224.0.0.1',
    '::1',
    '::',
    'fe80::1',
    'fe80::1%eth0',
    'fd00::1',
    'fc00::2',
    '::ffff:127.0.0.1',
    '::ffff:10.0.0.1',
    'not-an-ip',
  ])('%s is not public', (address) => {
    expect(isNonPublicAddress(address)).toBe(true);
  });

  it.each([
    // IPv4-mapped, every spelling.
    '::ffff:7f00:1',
    '0:0:0:0:0:ffff:127.0.0.1',
    '0:0:0:0:0:ffff:7f00:1',
    '::FFFF:127.0.0.1',
    '::ffff:a9fe:a9fe',
    // IPv4-translated and IPv4-compatible.
    '::ffff:0:7f00:1',
    '::ffff:0:127.0.0.1',
    '::127.0.0.1',
    '::7f00:1',
    '::a00:1',
    '::c0a8:101',
    // 6to4 of 127.0.0.1, 10.0.0.1 and 169.254.169.254.
    '2002:7f00:1::',
    '2002:7f00:0001::1',
    '2002:a00:1::',
    '2002:a9fe:a9fe:1::1',
    // NAT64 (well-known prefix) of non-public IPv4; any address under the local-use NAT64 prefix.
    '64:ff9b::127.0.0.1',
    '64:ff9b::7f00:1',
    '64:ff9b::a00:1',
    '64:ff9b::192.168.0.1',
    '64:ff9b:1::808:808',
    '64:ff9b:1:ffff::1',
    // Teredo, refused whole: a loopback client, then public server 8.8.8.8 and public client 8.8.8.8.
    '2001:0:808:808::80ff:fffe',
    '2001:0:808:808::f7f7:f7f7',
    '2001::1',
  ])('%s embeds a non-public IPv4 address (or is Teredo) and is not public', (address) => {
    expect(isNonPublicAddress(address)).toBe(true);
  });

  it.each([
    '8.8.8.8',
    '1.1.1.1',
    '172.32.0.1',
    '2606:4700:4700::1111',
    '2606:4700::1111',
    '::ffff:8.8.8.8',
    '::ffff:808:808',
    '0:0:0:0:0:ffff:8.8.8.8',
    '::ffff:0:8.8.8.8',
    '2002:0808:0808::',
    '2002:808:808::1',
    '64:ff9b::8.8.8.8',
    '64:ff9b::808:808',
    '2001:4860:4860::8888',
    '2001:1::1',
  ])('%s is public', (address) => {
    expect(isNonPublicAddress(address)).toBe(false);
  });
});

describe('assertPublicImageUrl', () => {
  it.each([
    'http://127.0.0.1/x.png',
    'http://[::1]/x.png',
    'http://localhost:8080/x.png',
    'http://169.254.169.254/latest/meta-data',
  ])('refuses %s', async (url) => {
    await expect(assertPublicImageUrl(url)).rejects.toMatchObject(refusal);
  });

  it.each([
    'http://[::127.0.0.1]/',
    'http://[::ffff:0:7f00:1]/',
    'http://[::ffff:7f00:1]/',
    'http://[0:0:0:0:0:ffff:127.0.0.1]/',
    'http://[::FFFF:127.0.0.1]/',
    'http://[2002:7f00:1::]/',
    'http://[64:ff9b::127.0.0.1]/x.png',
    'http://[64:ff9b:1::808:808]/x.png',
    'http://[2001:0:808:808::f7f7:f7f7]/x.png',
  ])('refuses %s (an IPv6 literal that embeds a non-public IPv4 address, or Teredo)', async (url) => {
    await expect(assertPublicImageUrl(url)).rejects.toMatchObject(refusal);
  });

  it('accepts a public IP literal without a DNS query', async () => {
    await expect(assertPublicImageUrl('https://8.8.8.8/x.png')).resolves.toBeUndefined();
  });

  it.each([
    'https://[::ffff:8.8.8.8]/x.png',
    'https://[2002:808:808::]/x.png',
    'https://[64:ff9b::8.8.8.8]/x.png',
    'https://[2606:4700::1111]/x.png',
  ])('accepts %s (an IPv6 literal that embeds a public IPv4 address, or plain public IPv6)', async (url) => {
    await expect(assertPublicImageUrl(url)).resolves.toBeUndefined();
  });

  it.each(['mapped-loopback.test', 'six-to-four-loopback.test', 'one-private-among-public.test'])(
    'refuses a name that resolves to an address embedding a non-public IPv4 address (%s)',
    async (host) => {
      await expect(assertPublicImageUrl(`https://${host}/x.png`)).rejects.toMatchObject(refusal);
    },
  );

  it('accepts a name whose every address embeds a public IPv4 address', async () => {
    await expect(assertPublicImageUrl('https://embedded-public.test/x.png')).resolves.toBeUndefined();
  });

  it('refuses a host that does not resolve', async () => {
    await expect(assertPublicImageUrl('https://does-not-exist.invalid/x.png')).rejects.toMatchObject({ status: 400 });
  });
});
