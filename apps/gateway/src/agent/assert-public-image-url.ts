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
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  blocked.addSubnet(network, prefix, 'ipv4');
// IPv6: unspecified, loopback, local-use NAT64, discard, Teredo, documentation, unique-local, link-local,
// multicast. Teredo is refused whole rather than decoded (server IPv4, client IPv4 XOR 0xffffffff): a
// Teredo address is never a legitimate image host, and refusing the prefix leaves nothing to get wrong.
// The well-known NAT64 prefix 64:ff9b::/96 is not listed: its embedded IPv4 decides (see `embeddedIPv4`).
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['64:ff9b:1::', 48],
  ['100::', 64],
  ['2001::', 32],
  ['2001:db8::', 32],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const)
  blocked.addSubnet(network, prefix, 'ipv6');

/** The eight 16-bit groups of an IPv6 address (zone id dropped, `::` expanded, dotted-quad tail folded in). */
function ipv6Groups(address: string): number[] {
  let text = address.replace(/%.*$/, '');
  const tail = text.slice(text.lastIndexOf(':') + 1);
  if (tail.includes('.')) {
    const [a = 0, b = 0, c = 0, d = 0] = tail.split('.').map(Number);
    text = `${text.slice(0, text.length - tail.length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', rest] = text.split('::');
  const left = head ? head.split(':') : [];
  const right = rest ? rest.split(':') : [];
  const middle = rest === undefined ? [] : Array<string>(8 - left.length - right.length).fill('0');
  return [...left, ...middle, ...right].map((group) => Number.parseInt(group, 16));
}

/**
 * The IPv4 address an IPv6 address embeds and routes to, so it gets the IPv4 verdict: IPv4-compatible
 * `::a.b.c.d` (deprecated), IPv4-mapped `::ffff:a.b.c.d`, IPv4-translated `::ffff:0:a.b.c.d`, NAT64
 * `64:ff9b::a.b.c.d` (all the last 32 bits) and 6to4 `2002:WWXX:YYZZ::/48`; `undefined` for the rest.
 */
function embeddedIPv4(groups: readonly number[]): string | undefined {
  const zero = (from: number, to: number) => groups.slice(from, to).every((group) => group === 0);
  const dotted = (at: number) => {
    const [high = 0, low = 0] = groups.slice(at, at + 2);
    return `${high >> 8}.${high & 0xff}.${low >> 8}.${low & 0xff}`;
  };
  const [first, second, , , fifth, sixth] = groups;
  if (zero(0, 5) && (sixth === 0 || sixth === 0xffff)) return dotted(6);
  if (zero(0, 4) && fifth === 0xffff && sixth === 0) return dotted(6);
  if (first === 0x64 && second === 0xff9b && zero(2, 6)) return dotted(6);
  if (first === 0x2002) return dotted(1);
  return undefined;
}

/**
 * `true` when an IP address is loopback, private, link-local or otherwise not publicly routable.
 *
 * @param address - IPv4 or IPv6 text, in any spelling `net.isIP` accepts (a zone id is ignored). An IPv6
 *   address that embeds an IPv4 address (mapped, translated, compatible, NAT64, 6to4) is also judged by
 *   that IPv4 address.
 */
export function isNonPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return blocked.check(address, 'ipv4');
  if (family !== 6) return true;
  const groups = ipv6Groups(address);
  const ipv4 = embeddedIPv4(groups);
  if (ipv4 !== undefined && blocked.check(ipv4, 'ipv4')) return true;
  return blocked.check(groups.map((group) => group.toString(16)).join(':'), 'ipv6');
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
