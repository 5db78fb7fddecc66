/**
 * The logging surface the HTTP layer needs: a pino-compatible subset, so `server.ts` can pass a pino
 * logger and tests can pass nothing.
 */

/** A pino-style logger: merge object first, message second. */
export interface HttpLogger {
  error(object: Record<string, unknown>, message: string): void;
  warn(object: Record<string, unknown>, message: string): void;
}

/** Discards everything; the default of `createApp` so tests stay quiet. */
export const silentLogger: HttpLogger = {
  error: () => undefined,
  warn: () => undefined,
};
