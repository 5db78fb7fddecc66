/**
 * `gateway.bind` (and `--bind`) take a listen address, as clawgate always did, or one of OpenClaw's
 * bind modes (docs/http-contract.md#8-configuration):
 * - `loopback` → `127.0.0.1`; `auto` → `127.0.0.1` too (OpenClaw's `auto` is loopback unless loopback
 *   cannot be bound, which a host running clawgate does not lack);
 * - `lan` → `0.0.0.0` (every interface);
 * - `custom` → `gateway.customBindHost`, which must be set (OpenClaw falls back to `0.0.0.0` when it
 *   is missing or unusable; clawgate refuses instead of widening the exposure);
 * - `tailnet` is refused: it means "the host's Tailscale address", which clawgate does not look up.
 *   Listen on that address itself, or on loopback behind Tailscale Serve.
 */
import { ConfigError } from './config-error.js';

/** What a mode stands for; a value that is not a mode is an address. */
const MODE_ADDRESSES: Readonly<Record<string, string>> = {
  loopback: '127.0.0.1',
  auto: '127.0.0.1',
  lan: '0.0.0.0',
};

const TAILNET_REFUSAL =
  '"tailnet" is not supported: clawgate does not look up the Tailscale address; set the address itself ' +
  '(e.g. "100.64.0.1"), or "loopback" with Tailscale Serve in front';
const CUSTOM_NEEDS_HOST = 'required when gateway.bind is "custom" (the address to listen on)';

/**
 * Why a configured `bind` cannot be resolved, for the schema to report at start-up.
 *
 * @returns The key to name (relative to `gateway`) and the reason, or `undefined` when it resolves.
 */
export function bindModeProblem(
  bind: string,
  customBindHost: string | undefined,
): { key: 'bind' | 'customBindHost'; message: string } | undefined {
  if (bind === 'tailnet') return { key: 'bind', message: TAILNET_REFUSAL };
  if (bind === 'custom' && customBindHost === undefined) return { key: 'customBindHost', message: CUSTOM_NEEDS_HOST };
  return undefined;
}

/**
 * The address to listen on for a `gateway.bind` value (or `--bind`).
 *
 * @param bind - An address, or `loopback`, `lan`, `auto`, `custom`.
 * @param customBindHost - `gateway.customBindHost`, for `custom`.
 * @throws ConfigError for `tailnet`, and for `custom` without `customBindHost`.
 * @example
 * resolveBindAddress('lan'); // '0.0.0.0'
 * resolveBindAddress('10.0.0.5'); // '10.0.0.5'
 */
export function resolveBindAddress(bind: string, customBindHost?: string): string {
  const problem = bindModeProblem(bind, customBindHost);
  if (problem !== undefined) {
    const key = `gateway.${problem.key}`;
    throw new ConfigError(`${key}: ${problem.message}`, { key });
  }
  if (bind === 'custom') return customBindHost as string;
  return Object.hasOwn(MODE_ADDRESSES, bind) ? (MODE_ADDRESSES[bind] as string) : bind;
}
