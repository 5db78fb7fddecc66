/**
 * `clawgate config check`: validates a configuration file exactly as the gateway's start-up does and
 * prints the resolved settings, every default filled in and every secret redacted, so an operator
 * can see what will run before starting it.
 */
import { parseArgs } from 'node:util';
import { resolveAuthConfig } from '@clawgate/auth';
import { ConfigError } from '../config/config-error.js';
import { describeIgnoredKeys } from '../config/describe-ignored-keys.js';
import { loadConfig } from '../config/load-config.js';
import { redactConfig } from '../config/redact-config.js';
import { resolveStateDir } from '../config/state-dir.js';
import { createProviderRegistry } from '../providers/provider-registry.js';
import type { CliIo } from './cli-io.js';
import { CliUsageError } from './cli-usage-error.js';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from './exit-codes.js';

/** Usage text of `clawgate config`. */
export const CONFIG_USAGE = `Usage: clawgate config <subcommand> [options]

Subcommands:
  check     validate a configuration file and print the resolved settings

Run 'clawgate config check --help' for its options.

Exit codes:
  0    the configuration is valid
  1    the configuration is invalid: the message names the offending key (or the file)
  2    usage error (no or unknown subcommand, unknown flag, missing flag value)`;

/** Usage text of `clawgate config check`. */
export const CONFIG_CHECK_USAGE = `Usage: clawgate config check [options]

Validates a configuration file the way 'clawgate gateway' does at start-up (JSON5, \${VAR}
references, every key, the auth mode, every agent's provider) and prints the resolved settings
as JSON on stdout: every default filled in, gateway.auth.mode as start-up derives it, and every
secret (tokens, passwords, API keys, credential headers, passwords in URLs) replaced by "***".
The file that was read goes to stderr, with the keys of an OpenClaw config that clawgate does not
implement and ignores. Nothing is started, connected or written.

Options:
  --config <file>   configuration file (JSON5, an openclaw.json too); default $CLAWGATE_CONFIG,
                    else $OPENCLAW_CONFIG_PATH, else <state dir>/clawgate.json5
                    (state dir: $CLAWGATE_STATE_DIR, else ~/.clawgate)
  -h, --help        show this help

Exit codes:
  0    the configuration is valid
  1    the configuration is invalid: the message names the offending key (or the file)
  2    usage error (unknown subcommand or flag, missing flag value)`;

/**
 * Runs `clawgate config <subcommand>`.
 *
 * @param args - Arguments after `config`.
 * @param io - Output and environment hooks.
 * @returns 0 for a valid file (or `--help`), 2 when no subcommand was given.
 * @throws CliUsageError for an unknown subcommand or flag; ConfigError (exit 1) for an invalid file.
 */
export async function runConfigCommand(args: string[], io: CliIo): Promise<number> {
  const [subcommand, ...rest] = args;
  if (subcommand === undefined) {
    io.stderr(CONFIG_USAGE);
    return EXIT_USAGE;
  }
  if (subcommand === '--help' || subcommand === '-h' || subcommand === 'help') {
    io.stdout(CONFIG_USAGE);
    return EXIT_OK;
  }
  if (subcommand !== 'check') {
    throw new CliUsageError(`Unknown subcommand 'config ${subcommand}'`, { usage: CONFIG_USAGE });
  }
  return runConfigCheck(rest, io);
}

async function runConfigCheck(args: string[], io: CliIo): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: { config: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new CliUsageError((error as Error).message, { usage: CONFIG_CHECK_USAGE });
  }
  if (values.help === true) {
    io.stdout(CONFIG_CHECK_USAGE);
    return EXIT_OK;
  }
  if (values.config !== undefined && values.config.trim() === '') {
    throw new CliUsageError('Option --config needs a file path', { usage: CONFIG_CHECK_USAGE });
  }
  const env = io.env ?? {};
  // Same lookup as the gateway: --config, $CLAWGATE_CONFIG, $OPENCLAW_CONFIG_PATH, the state directory's file.
  let loaded;
  try {
    loaded = await loadConfig({ path: values.config, env, stateDir: resolveStateDir(env) });
  } catch (error) {
    if (!ConfigError.isInstance(error)) throw error;
    // The message names the key (or the file) and never carries a secret value.
    io.stderr(`clawgate config check: ${error.message}`);
    return EXIT_FAILURE;
  }
  const { config, path, ignoredKeys } = loaded;
  let mode: string;
  try {
    // The checks start-up makes beyond the schema: the auth mode (env secrets decide it when unset)
    // and every agent's provider.
    mode = resolveAuthConfig(config.gateway.auth, env).mode;
    await createProviderRegistry({ config }).close();
  } catch (error) {
    io.stderr(`clawgate config check: ${(error as Error).message}${path === undefined ? '' : ` (in ${path})`}`);
    return EXIT_FAILURE;
  }
  const resolved = { ...config, gateway: { ...config.gateway, auth: { mode, ...config.gateway.auth } } };
  io.stderr(`config: ${path ?? '(none: built-in defaults)'}`);
  // Key paths only: an ignored section's values (a channel's bot token) are never printed.
  const ignoredKeysWarning = describeIgnoredKeys(ignoredKeys);
  if (ignoredKeysWarning !== undefined) io.stderr(ignoredKeysWarning);
  io.stdout(JSON.stringify(redactConfig(resolved), null, 2));
  return EXIT_OK;
}
