/**
 * `startTracing`: turns tracing on when an OTLP endpoint is configured (docs/observability.md#traces).
 *
 * Why a dynamic `import()`: the OpenTelemetry SDK and exporter are several hundred kilobytes of
 * modules. A gateway without an endpoint never loads them; this file itself imports nothing of
 * OpenTelemetry.
 */
import type { GatewayConfig } from '../config/config-schema.js';
import { ConfigError } from '../config/config-error.js';
import { GATEWAY_VERSION } from '../gateway-version.js';
import type { Tracing } from './tracing.js';

/** The environment variable the OpenTelemetry specification defines for an OTLP base URL. */
export const OTLP_ENDPOINT_VARIABLE = 'OTEL_EXPORTER_OTLP_ENDPOINT';

/** `service.name` when `telemetry.otlp.serviceName` is not set. */
const DEFAULT_SERVICE_NAME = 'clawgate';

/** Options of {@link startTracing}. */
export interface StartTracingOptions {
  config: GatewayConfig;
  /** `$OTEL_EXPORTER_OTLP_ENDPOINT`, used when `telemetry.otlp.endpoint` is not set. */
  environmentEndpoint?: string | undefined;
}

/**
 * Starts tracing when `telemetry.otlp.endpoint` (or else `$OTEL_EXPORTER_OTLP_ENDPOINT`) is set.
 *
 * The endpoint is a base URL, as in the OpenTelemetry specification: spans are sent to
 * `<endpoint>/v1/traces` (https://opentelemetry.io/docs/specs/otel/protocol/exporter/).
 *
 * @returns The tracing, or `undefined` when no endpoint is set (nothing is loaded then).
 * @throws ConfigError naming `OTEL_EXPORTER_OTLP_ENDPOINT` when that variable is not an http(s) URL
 *   (the config key is checked by the schema).
 * @example
 * const tracing = await startTracing({ config, environmentEndpoint: env.OTEL_EXPORTER_OTLP_ENDPOINT });
 */
export async function startTracing(options: StartTracingOptions): Promise<Tracing | undefined> {
  const { config } = options;
  const otlp = config.telemetry.otlp;
  const environmentEndpoint = options.environmentEndpoint?.trim() || undefined;
  const endpoint = otlp?.endpoint ?? environmentEndpoint;
  if (endpoint === undefined) return undefined;
  if (otlp === undefined && !isHttpUrl(endpoint)) {
    throw new ConfigError(`${OTLP_ENDPOINT_VARIABLE}: expected an http(s) URL`, { key: OTLP_ENDPOINT_VARIABLE });
  }
  const { createOtelTracing } = await import('./otel-tracing.js');
  return createOtelTracing({
    tracesUrl: `${endpoint.replace(/\/+$/, '')}/v1/traces`,
    headers: otlp?.headers ?? {},
    serviceName: otlp?.serviceName ?? DEFAULT_SERVICE_NAME,
    serviceVersion: GATEWAY_VERSION,
    includeContent: config.logging.includeContent,
    upstreams: upstreamAddresses(config),
  });
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

/** Host and port of every `openai-completions` provider's `baseUrl` (`server.address` of its calls). */
function upstreamAddresses(config: GatewayConfig): Map<string, { address: string; port: number }> {
  const addresses = new Map<string, { address: string; port: number }>();
  for (const [id, provider] of Object.entries(config.models.providers)) {
    if (provider.api !== 'openai-completions') continue;
    const url = new URL(provider.baseUrl);
    const port = url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port);
    // An IPv6 host comes bracketed (`[::1]`); the attribute holds the address alone.
    addresses.set(id, { address: url.hostname.replace(/^\[(.*)\]$/, '$1'), port });
  }
  return addresses;
}
