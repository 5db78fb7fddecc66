import { BlockList } from 'node:net';
import { normalizeIpAddress } from './normalize-ip-address.js';

/**
 * A compiled set of trusted proxy addresses and CIDR ranges.
 *
 * Built once from configuration so per-request checks are a `BlockList` lookup.
 */
export interface TrustedProxyList {
  /** Whether a normalised address belongs to a trusted proxy. */
  has(address: string): boolean;
  /** Number of configured entries; `0` means no proxy is trusted. */
  readonly size: number;
}

// The same configured array is often passed on every call of `resolveClientIp`; compile it once.
const compiledLists = new WeakMap<readonly string[], TrustedProxyList>();

/**
 * Compiles `trustedProxies` entries (IPv4/IPv6 addresses or CIDR ranges like `10.0.0.0/8`).
 *
 * @param entries - Addresses or CIDRs from configuration.
 * @returns A reusable matcher.
 * @throws {TypeError} When an entry is neither an IP address nor a valid CIDR (the message names it).
 *
 * @example
 * ```ts
 * const proxies = createTrustedProxyList(['10.0.0.0/8', '::1']);
 * proxies.has('10.1.2.3'); // true
 * ```
 */
export function createTrustedProxyList(entries: readonly string[]): TrustedProxyList {
  const cached = compiledLists.get(entries);
  if (cached !== undefined) return cached;
  if (!Array.isArray(entries)) throw new TypeError('trustedProxies must be an array of strings');
  const blockList = new BlockList();
  for (const entry of entries) {
    if (typeof entry !== 'string') throw new TypeError('trustedProxies must be an array of strings');
    const slash = entry.indexOf('/');
    const address = normalizeIpAddress(slash === -1 ? entry : entry.slice(0, slash));
    if (address === undefined) {
      throw new TypeError(`Invalid trustedProxies entry "${entry}": expected an IP address or CIDR`);
    }
    const type = address.includes(':') ? 'ipv6' : 'ipv4';
    if (slash === -1) {
      blockList.addAddress(address, type);
      continue;
    }
    const prefixText = entry.slice(slash + 1).trim();
    const prefix = Number(prefixText);
    // An IPv4-mapped CIDR such as `::ffff:10.0.0.0/104` was folded to IPv4 above: shift the prefix.
    const folded = type === 'ipv4' && entry.includes(':');
    const effectivePrefix = folded ? prefix - 96 : prefix;
    const maximum = type === 'ipv4' ? 32 : 128;
    if (!/^\d{1,3}$/.test(prefixText) || effectivePrefix < 0 || effectivePrefix > maximum) {
      throw new TypeError(`Invalid trustedProxies entry "${entry}": bad prefix length`);
    }
    blockList.addSubnet(address, effectivePrefix, type);
  }
  const list: TrustedProxyList = {
    size: entries.length,
    has: (address) => entries.length > 0 && blockList.check(address, address.includes(':') ? 'ipv6' : 'ipv4'),
  };
  compiledLists.set(entries, list);
  return list;
}
