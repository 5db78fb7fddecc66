/**
 * The `clawgate` exit codes, shared by every command and printed in every `--help` so scripts can
 * rely on them.
 */
import os from 'node:os';

/** Success. */
export const EXIT_OK = 0;
/** Runtime failure: bad config file, unreachable store, a refused or failed agent turn. */
export const EXIT_FAILURE = 1;
/** Usage error: unknown command or flag, missing or malformed flag value. */
export const EXIT_USAGE = 2;

/** The block appended to every usage text. */
export const EXIT_CODES_HELP = `Exit codes:
  0    success
  1    runtime or configuration error (bad config, store unreachable, turn refused or failed)
  2    usage error (unknown command or flag, missing or bad flag value)
  130  interrupted by SIGINT (143 for SIGTERM): the turn was aborted`;

/**
 * The conventional shell status of a process ended by a signal: 128 + the signal number.
 *
 * @param signal - A signal name such as `SIGINT`.
 * @returns 130 for SIGINT, 143 for SIGTERM; 1 for a name this platform does not know.
 */
export function exitCodeForSignal(signal: string): number {
  const number = (os.constants.signals as Record<string, number | undefined>)[signal];
  return number === undefined ? EXIT_FAILURE : 128 + number;
}
