import { isIP } from 'node:net';

// `::ffff:a.b.c.d` (and its hex spelling `::ffff:0102:0304` after URL canonicalisation) is an
// IPv4 client reached through a dual-stack socket; it must share the rate-limit key of `a.b.c.d`.
const mappedDotted = /^::ffff:(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})$/;
const mappedHex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/;

/**
 * Normalises an IP address for comparison and rate-limit keys.
 *
 * Strips surrounding brackets and an IPv6 zone id, folds IPv4-mapped IPv6 to IPv4 and
 * canonicalises IPv6 spelling (`0:0:0:0:0:0:0:1` and `::1` become one key).
 *
 * @param value - An address as a socket or proxy reported it.
 * @returns The normalised address, or `undefined` when `value` is not an IP address.
 *
 * @example
 * ```ts
 * normalizeIpAddress('::ffff:1.2.3.4'); // '1.2.3.4'
 * normalizeIpAddress('[::1]');          // '::1'
 * normalizeIpAddress('example.com');    // undefined
 * ```
 */
export function normalizeIpAddress(value: string | undefined | null): string | undefined {
  if (typeof value !== 'string') return undefined;
  let address = value.trim();
  // Longest IPv6 text form with an embedded IPv4 is 45 characters; anything far longer is junk.
  if (address.length === 0 || address.length > 64) return undefined;
  if (address.startsWith('[') && address.endsWith(']')) address = address.slice(1, -1);
  const zoneIndex = address.indexOf('%');
  if (zoneIndex !== -1) address = address.slice(0, zoneIndex);
  const family = isIP(address);
  if (family === 4) return address;
  if (family !== 6) return undefined;
  // The WHATWG URL parser canonicalises IPv6 (lower case, longest zero run compressed).
  const canonical = new URL(`http://[${address}]/`).hostname.slice(1, -1);
  const dotted = mappedDotted.exec(canonical);
  if (dotted?.[1] !== undefined) return dotted[1];
  const hex = mappedHex.exec(canonical);
  if (hex?.[1] !== undefined && hex[2] !== undefined) {
    const high = Number.parseInt(hex[1], 16);
    const low = Number.parseInt(hex[2], 16);
    return `${high >> 8}.${high & 0xff}.${low >> 8}.${low & 0xff}`;
  }
  return canonical;
}

/**
 * Whether `address` (already normalised) is a loopback address: `127.0.0.0/8` or `::1`.
 *
 * @param address - A normalised address from {@link normalizeIpAddress}.
 */
export function isLoopbackAddress(address: string): boolean {
  return address === '::1' || (isIP(address) === 4 && address.startsWith('127.'));
}
