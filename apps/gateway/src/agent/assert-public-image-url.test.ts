import { describe, expect, it } from 'vitest';
import { assertPublicImageUrl, isNonPublicAddress } from './assert-public-image-url.js';

describe('isNonPublicAddress', () => {
  it.each([
    '127.0.0.1', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '169.254.169.254', '100.64.0.1',
    '0.0.0.0', '224.0.0.1', '::1', '::', 'fe80::1', 'fd00::1', 'fc00::2', '::ffff:127.0.0.1', '::ffff:10.0.0.1', 'not-an-ip',
  ])('%s is not public', (address) => {
    expect(isNonPublicAddress(address)).toBe(true);
  });

  it.each(['8.8.8.8', '1.1.1.1', '172.32.0.1', '2606:4700:4700::1111', '::ffff:8.8.8.8'])('%s is public', (address) => {
    expect(isNonPublicAddress(address)).toBe(false);
  });
});

describe('assertPublicImageUrl', () => {
  it.each(['http://127.0.0.1/x.png', 'http://[::1]/x.png', 'http://localhost:8080/x.png', 'http://169.254.169.254/latest/meta-data'])(
    'refuses %s',
    async (url) => {
      await expect(assertPublicImageUrl(url)).rejects.toMatchObject({ status: 400, message: 'Invalid image_url content in `messages`.' });
    },
  );

  it('accepts a public IP literal without a DNS query', async () => {
    await expect(assertPublicImageUrl('https://8.8.8.8/x.png')).resolves.toBeUndefined();
  });

  it('refuses a host that does not resolve', async () => {
    await expect(assertPublicImageUrl('https://does-not-exist.invalid/x.png')).rejects.toMatchObject({ status: 400 });
  });
});
