/**
 * The `clawgate` command dispatcher. Each command lives in its own file and is listed in
 * `COMMANDS`; `agent` and `config check` slot in here in the next issue.
 */
import type { CliIo } from './cli-io.js';
import { CliUsageError } from './cli-usage-error.js';
import { runGatewayCommand } from './gateway-command.js';

/** One subcommand: a one-line summary for the top-level help and its runner. */
interface CliCommand {
  summary: string;
  run: (args: string[], io: CliIo) => Promise<number>;
}

const COMMANDS: Readonly<Record<string, CliCommand>> = {
  gateway: { summary: 'run the gateway server', run: runGatewayCommand },
};

/** Top-level usage text. */
export const CLI_USAGE = `Usage: clawgate <command> [options]

Commands:
${Object.entries(COMMANDS)
  .map(([name, command]) => `  ${name.padEnd(10)}${command.summary}`)
  .join('\n')}

Run 'clawgate <command> --help' for a command's options.`;

/**
 * Runs the CLI.
 *
 * @param argv - Arguments after the program name.
 * @param io - Output and signal hooks.
 * @returns The exit code: 0 success, 1 runtime failure (e.g. a bad config file), 2 usage error.
 */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    (name === undefined ? io.stderr : io.stdout)(CLI_USAGE);
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  if (command === undefined) {
    io.stderr(`Unknown command '${name}'\n\n${CLI_USAGE}`);
    return 2;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    if (error instanceof CliUsageError) {
      io.stderr(`${error.message}\n\n${error.usage}`);
      return 2;
    }
    io.stderr(`clawgate ${name}: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}
