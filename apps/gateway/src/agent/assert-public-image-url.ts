/**
 * Guards remote image URLs (only reachable with `images.allowUrl: true`) against server-side request
 * forgery: every address the host resolves to must be public. Known gap, documented: the upstream
 * model resolves the name again when it fetches, so a DNS-rebinding host could still answer
 * differently then; operators who need certainty keep `allowUrl` off (the default).
 */
import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { invalidRequest } from '../errors.js';
import { INVALID_IMAGE_MESSAGE } from './extract-images.js';

const blocked = new BlockList();
// IPv4: "this network", private, CGNAT, loopback, link-local, IETF, TEST-NETs, benchmarking, multicast, reserved.
for (const [network, prefix] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16],
  ['172.16.0.0', 12], ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15],
  ['198.51.100.0', 24], ['203.0.113.0', 24], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) blocked.addSubnet(network, prefix, 'ipv4');
// IPv6: unspecified, loopback, NAT64, discard, documentation, unique-local, link-local, multicast.
for (const [network, prefix] of [
  ['::', 128], ['::1', 128], ['64:ff9b::', 96], ['100::', 64], ['2001:db8::', 32], ['fc00::', 7],
  ['fe80::', 10], ['ff00::', 8],
] as const) blocked.addSubnet(network, prefix, 'ipv6');

/**
 * `true` when an IP address is loopback, private, link-local or otherwise not publicly routable.
 *
 * @param address - IPv4 or IPv6 text (IPv4-mapped IPv6 is checked as IPv4).
 */
export function isNonPublicAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped?.[1]) return blocked.check(mapped[1], 'ipv4');
  const family = isIP(address);
  if (family === 4) return blocked.check(address, 'ipv4');
  if (family === 6) return blocked.check(address, 'ipv6');
  return true;
}

/**
 * Resolves the URL's host and checks every address.
 *
 * @param url - An `http(s)` URL already accepted by `extractImages`.
 * @throws GatewayError 400 ``Invalid image_url content in `messages`.`` when the host does not
 *   resolve or any address is non-public.
 */
export async function assertPublicImageUrl(url: string): Promise<void> {
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  let addresses: string[];
  try {
    addresses = isIP(host) ? [host] : (await lookup(host, { all: true, verbatim: true })).map((entry) => entry.address);
  } catch (error) {
    throw invalidRequest(INVALID_IMAGE_MESSAGE, error);
  }
  if (addresses.length === 0 || addresses.some(isNonPublicAddress)) throw invalidRequest(INVALID_IMAGE_MESSAGE);
}
