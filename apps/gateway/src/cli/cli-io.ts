/**
 * What a CLI command may touch besides its arguments: output streams, the environment and a way to
 * wait for a stop signal. Injected so commands are testable in-process and `cli.ts` (the bin, like
 * `server.ts` for the server) stays the only place that reads `process.*`.
 */
export interface CliIo {
  /** Normal output (URLs, results), one line per call (a newline is added). */
  stdout: (line: string) => void;
  /** Diagnostics and errors, one line per call (a newline is added). */
  stderr: (line: string) => void;
  /**
   * Raw stdout without an added newline, for reply text streamed piece by piece.
   * @defaultValue pieces are buffered and flushed through `stdout` as lines
   */
  writeStdout?: (text: string) => void;
  /** Reads all of stdin as UTF-8 (for `--message -`). @defaultValue stdin is empty */
  readStdin?: () => Promise<string>;
  /** Environment (`CLAWGATE_CONFIG`, `CLAWGATE_STATE_DIR`, `${VAR}` references). @defaultValue `{}` */
  env?: NodeJS.ProcessEnv;
  /** Resolves when the process is asked to stop (SIGINT/SIGTERM). */
  waitForStopSignal: () => Promise<string>;
  /**
   * Called as `gateway` starts loading and building the server; the function it returns is called
   * once the server listens (or failed to). The bin holds V8's young-generation growth and
   * optimizing compiler in between (see `hold-v8-during-start-up.ts`). @defaultValue nothing is held
   */
  holdDuringStartUp?: () => () => void;
}
