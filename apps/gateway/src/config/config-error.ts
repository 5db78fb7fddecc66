/**
 * Start-up failures of the configuration (bad JSON5, a bad key or value, a missing env variable).
 * Kept apart from `GatewayError` on purpose: these stop the process before any request exists, so
 * they carry the offending key instead of an HTTP status.
 */
const marker = Symbol.for('@clawgate/gateway.ConfigError');

/** Options of {@link ConfigError}. */
export interface ConfigErrorOptions {
  /** Dotted path of the offending key (`gateway.port`, `agents.list.1.id`); absent for file-level errors. */
  key?: string;
  /** The file the configuration came from, when there was one. */
  path?: string;
  cause?: unknown;
}

/**
 * A configuration that cannot be used. `message` always names the key (or the file) so an operator
 * can fix it without reading code; it never contains a secret value.
 *
 * @example
 * new ConfigError('gateway.port: Invalid input: expected number, received string', { key: 'gateway.port' });
 */
export class ConfigError extends Error {
  readonly [marker] = true;
  readonly key: string | undefined;
  readonly path: string | undefined;

  constructor(message: string, options: ConfigErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.name = 'ConfigError';
    this.key = options.key;
    this.path = options.path;
  }

  /** Cross-install check, like `GatewayError.isInstance`. */
  static isInstance(error: unknown): error is ConfigError {
    return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[marker] === true;
  }
}
