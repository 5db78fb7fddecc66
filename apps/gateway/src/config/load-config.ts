import { readFile } from 'node:fs/promises';
import path from 'node:path';
import JSON5 from 'json5';
import { ConfigError } from './config-error.js';
import type { GatewayConfig } from './config-schema.js';
import { parseConfigAndIgnoredKeys } from './parse-config.js';

/** Options of {@link loadConfig}. */
export interface LoadConfigOptions {
  /** Explicit file (`--config`); must exist. */
  path?: string;
  /** Environment: `$CLAWGATE_CONFIG`, `$OPENCLAW_CONFIG_PATH` and `${VAR}` references are read from it. */
  env: NodeJS.ProcessEnv;
  /** State directory; `<stateDir>/clawgate.json5` is the default file. */
  stateDir: string;
}

/** What {@link loadConfig} returns. */
export interface LoadedConfig {
  config: GatewayConfig;
  /** The absolute path of the file read; `undefined` when there was none (all defaults). */
  path: string | undefined;
  /** OpenClaw keys of the file that clawgate does not implement and ignored (see `parseConfigAndIgnoredKeys`). */
  ignoredKeys: string[];
}

/**
 * Reads and validates the configuration file (docs/http-contract.md#8-configuration).
 *
 * Which file: `options.path` (`--config`), else `$CLAWGATE_CONFIG`, else `$OPENCLAW_CONFIG_PATH` (so an
 * OpenClaw install's own setting works unchanged, below clawgate's own), else `<stateDir>/clawgate.json5`.
 * A missing default file means "all defaults"; a missing explicit file (argument or either variable)
 * is an error.
 *
 * @returns The config, the absolute path it came from and the ignored OpenClaw keys.
 * @throws ConfigError for an unreadable or invalid file, naming the file or the bad key.
 * @example
 * const { config } = await loadConfig({ env: process.env, stateDir: resolveStateDir(process.env) });
 */
export async function loadConfig(options: LoadConfigOptions): Promise<LoadedConfig> {
  const explicit =
    options.path?.trim() ||
    options.env.CLAWGATE_CONFIG?.trim() ||
    options.env.OPENCLAW_CONFIG_PATH?.trim() ||
    undefined;
  const file = path.resolve(explicit ?? path.join(options.stateDir, 'clawgate.json5'));
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && explicit === undefined) {
      return { ...parseConfigAndIgnoredKeys({}, options.env), path: undefined };
    }
    const reason = code === 'ENOENT' ? 'file not found' : `cannot read file (${code ?? 'unknown error'})`;
    throw new ConfigError(`${file}: ${reason}`, { path: file, cause: error });
  }
  let value: unknown;
  try {
    // An empty (or whitespace-only) file is an empty configuration, not a syntax error.
    value = text.trim() === '' ? {} : JSON5.parse(text);
  } catch (error) {
    throw new ConfigError(`${file}: invalid JSON5: ${(error as Error).message}`, { path: file, cause: error });
  }
  try {
    return { ...parseConfigAndIgnoredKeys(value, options.env), path: file };
  } catch (error) {
    if (ConfigError.isInstance(error)) {
      throw new ConfigError(`${error.message} (in ${file})`, { key: error.key, path: file, cause: error.cause });
    }
    throw error;
  }
}
