/**
 * What a CLI command may touch besides its arguments: output streams and a way to wait for a stop
 * signal. Injected so commands are testable in-process and `cli.ts` stays a thin shell.
 */
export interface CliIo {
  /** Normal output (URLs, results). */
  stdout: (line: string) => void;
  /** Diagnostics and errors. */
  stderr: (line: string) => void;
  /** Resolves when the process is asked to stop (SIGINT/SIGTERM). */
  waitForStopSignal: () => Promise<string>;
}
