/**
 * The `clawgate` command dispatcher. Each command lives in its own file and is listed in
 * `COMMANDS`; the dispatcher owns the shared exit-code policy (see `exit-codes.ts`).
 */
import type { CliIo } from './cli-io.js';
import { CliUsageError } from './cli-usage-error.js';
import { EXIT_CODES_HELP, EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from './exit-codes.js';

/** One subcommand: a one-line summary for the top-level help and its runner. */
interface CliCommand {
  summary: string;
  run: (args: string[], io: CliIo) => Promise<number>;
}

// Commands load on use: `--help` or `config check` should not pay for Express, ioredis and undici.
const COMMANDS: Readonly<Record<string, CliCommand>> = {
  gateway: {
    summary: 'run the gateway server',
    run: async (args, io) => (await import('./gateway-command.js')).runGatewayCommand(args, io),
  },
  agent: {
    summary: 'run one agent turn and print the reply',
    run: async (args, io) => (await import('./agent-command.js')).runAgentCommand(args, io),
  },
  config: {
    summary: "check a configuration file ('config check')",
    run: async (args, io) => (await import('./config-command.js')).runConfigCommand(args, io),
  },
};

/** Top-level usage text. */
export const CLI_USAGE = `Usage: clawgate <command> [options]

Commands:
${Object.entries(COMMANDS)
  .map(([name, command]) => `  ${name.padEnd(10)}${command.summary}`)
  .join('\n')}

Options:
  -h, --help  show this help

Run 'clawgate <command> --help' for a command's options.

${EXIT_CODES_HELP}`;

/**
 * Runs the CLI.
 *
 * @param argv - Arguments after the program name.
 * @param io - Output, environment and signal hooks.
 * @returns The exit code: 0 success, 1 runtime failure (e.g. a bad config file), 2 usage error,
 *   128 + signal number when `agent` was interrupted.
 */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    (name === undefined ? io.stderr : io.stdout)(CLI_USAGE);
    return name === undefined ? EXIT_USAGE : EXIT_OK;
  }
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (command === undefined) {
    io.stderr(`${name.startsWith('-') ? `Unknown option '${name}'` : `Unknown command '${name}'`}\n\n${CLI_USAGE}`);
    return EXIT_USAGE;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    if (error instanceof CliUsageError) {
      io.stderr(`${error.message}\n\n${error.usage}`);
      return EXIT_USAGE;
    }
    io.stderr(`clawgate ${name}: ${error instanceof Error ? error.message : String(error)}`);
    return EXIT_FAILURE;
  }
}
