/**
 * The logging surface the HTTP layer needs: a pino-compatible subset (merge object first, message
 * second), so `server.ts` passes its pino logger and tests pass a pino logger writing to a buffer.
 */

/** A pino-style logger: merge object first, message second. */
export interface HttpLogger {
  error(object: Record<string, unknown>, message: string): void;
  warn(object: Record<string, unknown>, message: string): void;
  info(object: Record<string, unknown>, message: string): void;
  debug(object: Record<string, unknown>, message: string): void;
}

/** Discards everything; the default of `createApp` so tests stay quiet. */
export const silentLogger: HttpLogger = {
  error: () => undefined,
  warn: () => undefined,
  info: () => undefined,
  debug: () => undefined,
};
