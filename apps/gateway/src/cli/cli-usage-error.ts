/**
 * A mistake on the command line (unknown flag, bad value): the CLI prints the message and the
 * command's usage and exits with 2, the conventional "usage" status.
 */
export class CliUsageError extends Error {
  /** The usage text of the command that refused the arguments. */
  readonly usage: string;

  /**
   * @param message - What was wrong, naming the flag.
   * @param options.usage - The command's usage text.
   */
  constructor(message: string, options: { usage: string }) {
    super(message);
    this.name = 'CliUsageError';
    this.usage = options.usage;
  }
}
