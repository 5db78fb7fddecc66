/**
 * Secret-free copy of a configuration for printing (`config check`, start-up logs).
 */
const REDACTED = '***';
// Keys whose values are secrets wherever they appear.
const SECRET_KEYS = /^(token|password|apikey|api_key|secret|clientsecret)$/i;
// Header names that carry credentials (`headers: { Authorization: ... }` on providers).
const SECRET_HEADER = /authorization|api[-_]?key|token|secret|cookie|password/i;
// Which values of a `headers` object are redacted: those named like credentials, or all of them
// (a trace back-end's headers exist to carry its key, under names like `x-honeycomb-team`).
type HeaderValues = 'none' | 'credentials' | 'all';

/**
 * Returns a deep copy of `config` with secrets replaced by `"***"`: `token`, `password`, `apiKey`
 * values; header values whose name looks like a credential (authorization, api-key, token, cookie...)
 * and every value of `telemetry.otlp.headers`;
 * and the password (and user) in any URL with credentials, such as `redis://user:pass@host`.
 *
 * @param config - A parsed `GatewayConfig` (or any JSON-like value).
 * @returns A new JSON-like value; the input is untouched.
 * @example
 * redactConfig({ gateway: { auth: { token: 'abc' } } }); // { gateway: { auth: { token: '***' } } }
 */
export function redactConfig(config: unknown): unknown {
  return redact(config, undefined, 'none', undefined);
}

function redact(
  value: unknown,
  key: string | undefined,
  headers: HeaderValues,
  parentKey: string | undefined,
): unknown {
  if (typeof value === 'string') {
    if (
      key !== undefined &&
      (SECRET_KEYS.test(key) || headers === 'all' || (headers === 'credentials' && SECRET_HEADER.test(key)))
    ) {
      return REDACTED;
    }
    return redactUrlCredentials(value);
  }
  if (Array.isArray(value)) return value.map((item) => redact(item, undefined, 'none', key));
  if (value !== null && typeof value === 'object') {
    const childHeaders: HeaderValues =
      key === undefined || key.toLowerCase() !== 'headers' ? 'none' : parentKey === 'otlp' ? 'all' : 'credentials';
    const result: Record<string, unknown> = {};
    for (const [childKey, child] of Object.entries(value)) {
      result[childKey] = redact(child, childKey, childHeaders, key);
    }
    return result;
  }
  return value;
}

/** `scheme://user:pass@host` → `scheme://***:***@host`; other strings unchanged. */
function redactUrlCredentials(text: string): string {
  const match = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#@]*)@/i.exec(text);
  if (!match) return text;
  const userinfo = match[2] ?? '';
  const masked = userinfo.includes(':') ? `${REDACTED}:${REDACTED}` : REDACTED;
  return `${match[1]}${masked}@${text.slice(match[0].length)}`;
}
