import { joinHeaderValues, type HeaderValue } from './header-value.js';
import { normalizeIpAddress } from './normalize-ip-address.js';
import { createTrustedProxyList, type TrustedProxyList } from './trusted-proxy-list.js';

/** Client IP used when the socket address is unknown (the socket already closed). */
export const UNKNOWN_CLIENT_IP = 'unknown';

// A real proxy chain is a handful of hops; bounding the walk keeps a 1 MB header cheap.
const maxForwardedHops = 32;

/** Input of {@link resolveClientIp}. */
export interface ResolveClientIpOptions {
  /** The socket peer address (`request.socket.remoteAddress`). */
  remoteAddress: string | undefined;
  /** The raw `X-Forwarded-For` header value(s); ignored unless the peer is a trusted proxy. */
  forwardedFor?: HeaderValue;
  /** Trusted proxy addresses/CIDRs, or a list compiled with `createTrustedProxyList`. */
  trustedProxies?: readonly string[] | TrustedProxyList;
}

/**
 * Resolves the client IP used for rate-limit keys and logs.
 *
 * The socket address is used (IPv4-mapped IPv6 folded to IPv4). Only when the socket peer is a
 * trusted proxy is `X-Forwarded-For` consulted: it is walked from the right, skipping trusted
 * proxies, and the first untrusted hop is the client. If every hop is trusted the left-most one
 * wins; an unparsable hop stops the walk and the nearest trusted hop is used (a trusted proxy
 * never writes garbage, so anything that is not an address came from the client).
 *
 * @param options - Socket address, forwarded header and trusted proxies.
 * @returns A normalised IP, or `'unknown'` when the socket address is missing or invalid.
 * @throws {TypeError} When `trustedProxies` contains an invalid entry.
 *
 * @example
 * ```ts
 * resolveClientIp({ remoteAddress: '10.0.0.2', forwardedFor: '203.0.113.9, 10.0.0.1',
 *                   trustedProxies: ['10.0.0.0/8'] }); // '203.0.113.9'
 * ```
 */
export function resolveClientIp(options: ResolveClientIpOptions): string {
  const peer = normalizeIpAddress(options.remoteAddress);
  if (peer === undefined) return UNKNOWN_CLIENT_IP;
  const trusted = toTrustedProxyList(options.trustedProxies);
  if (trusted.size === 0 || !trusted.has(peer)) return peer;
  const header = joinHeaderValues(options.forwardedFor);
  if (header === undefined) return peer;

  let client = peer;
  let end = header.length;
  for (let hop = 0; hop < maxForwardedHops && end > 0; hop += 1) {
    const start = header.lastIndexOf(',', end - 1);
    const raw = header.slice(start + 1, end);
    end = start === -1 ? 0 : start;
    // Blank list items (`a,,b`) are legal in HTTP lists; skip them, stop on anything else.
    if (raw.trim() === '') continue;
    const address = normalizeForwardedHop(raw);
    if (address === undefined) break;
    client = address;
    if (!trusted.has(address)) break;
  }
  return client;
}

/** Accepts `1.2.3.4`, `1.2.3.4:5678`, `::1` and `[::1]:5678` forms seen in proxy headers. */
function normalizeForwardedHop(raw: string): string | undefined {
  const value = raw.trim();
  if (value.length === 0 || value.length > 64) return undefined;
  const direct = normalizeIpAddress(value);
  if (direct !== undefined) return direct;
  if (value.startsWith('[')) {
    const close = value.indexOf(']');
    return close === -1 ? undefined : normalizeIpAddress(value.slice(1, close));
  }
  const colon = value.indexOf(':');
  // A single colon is an IPv4 address with a port; more colons would be IPv6 (handled above).
  if (colon !== -1 && value.indexOf(':', colon + 1) === -1) {
    return normalizeIpAddress(value.slice(0, colon));
  }
  return undefined;
}

function toTrustedProxyList(value: ResolveClientIpOptions['trustedProxies']): TrustedProxyList {
  if (value === undefined) return emptyList;
  return Array.isArray(value) ? createTrustedProxyList(value) : (value as TrustedProxyList);
}

const emptyList: TrustedProxyList = { size: 0, has: () => false };
