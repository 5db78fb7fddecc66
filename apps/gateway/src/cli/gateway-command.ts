/**
 * `clawgate gateway [--config F] [--port N] [--bind ADDR]`: runs the server until SIGINT/SIGTERM.
 */
import { parseArgs } from 'node:util';
import type { CliIo } from './cli-io.js';
import { CliUsageError } from './cli-usage-error.js';

/** Usage text of `clawgate gateway`. */
export const GATEWAY_USAGE = `Usage: clawgate gateway [options]

Runs the gateway (OpenAI-compatible /v1/chat/completions) until SIGINT or SIGTERM.

Options:
  --config <file>   configuration file (JSON5, an openclaw.json too); default $CLAWGATE_CONFIG,
                    else $OPENCLAW_CONFIG_PATH, else <state dir>/clawgate.json5
  --port <n>        port to listen on (0 picks a free one); default gateway.port (18789)
  --bind <address>  address or mode (loopback, lan, auto, custom) to listen on;
                    default gateway.bind (127.0.0.1)
  -h, --help        show this help

Exit codes:
  0    stopped by SIGINT or SIGTERM (in-flight requests drained up to gateway.shutdownTimeoutMs)
  1    could not start (bad config, port in use, Redis unreachable)
  2    usage error (unknown flag, missing or bad flag value)`;

/**
 * Parses the arguments, starts the gateway and waits for a stop signal.
 *
 * @param args - Arguments after `gateway`.
 * @param io - Output and signal hooks.
 * @returns The exit code (0 after a clean stop).
 * @throws CliUsageError for unknown flags or a bad `--port`.
 */
export async function runGatewayCommand(args: string[], io: CliIo): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        config: { type: 'string' },
        port: { type: 'string' },
        bind: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new CliUsageError((error as Error).message, { usage: GATEWAY_USAGE });
  }
  if (values.help === true) {
    io.stdout(GATEWAY_USAGE);
    return 0;
  }
  const port = values.port === undefined ? undefined : parsePort(values.port);
  if (values.bind !== undefined && values.bind.trim() === '') {
    throw new CliUsageError('Option --bind needs an address', { usage: GATEWAY_USAGE });
  }
  if (values.config !== undefined && values.config.trim() === '') {
    throw new CliUsageError('Option --config needs a file path', { usage: GATEWAY_USAGE });
  }

  const release = io.holdDuringStartUp?.();
  let gateway;
  try {
    // Loaded here, not at the top: `gateway --help` and usage errors should not load Express and
    // the rest of the server, and the bin's start-up hold must be in place before they load.
    const { startGateway } = await import('../server.js');
    gateway = await startGateway({
      configPath: values.config,
      port,
      bind: values.bind?.trim(),
      print: io.stdout,
    });
  } finally {
    release?.();
  }
  const signal = await io.waitForStopSignal();
  io.stderr(`received ${signal}, shutting down`);
  // Graceful: drain in-flight requests and streams until gateway.shutdownTimeoutMs, then release stores.
  await gateway.shutdown();
  return 0;
}

function parsePort(raw: string): number {
  // Digits only: `Number('0x10')`, `'1e3'` or `' 80'` would otherwise sneak through.
  const port = /^\d{1,5}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isInteger(port) || port > 65_535) {
    throw new CliUsageError(`Option --port must be an integer between 0 and 65535, received '${raw}'`, {
      usage: GATEWAY_USAGE,
    });
  }
  return port;
}
