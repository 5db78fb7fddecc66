/**
 * The shape of one step of a route: Express's `(req, res, next)` convention, typed on Node's own
 * request and response plus the `locals` bag the steps share. The chat completions route runs its
 * steps on the raw Node objects without Express in between (see `createApp`); typing the steps on
 * Node's types is what keeps them honest about that: a step cannot reach for an Express-only
 * helper by accident. Express accepts the same functions for the other routes.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Node's response plus the per-request bag of what earlier steps found (see `request-state.ts`). */
export type StepResponse = ServerResponse & { locals: Record<string, unknown> };

/** Continues with the next step; any argument is an error that skips the rest. */
export type NextStep = (error?: unknown) => void;

/** One step: answers, or calls `next()` (possibly later), or throws / rejects / calls `next(error)`. */
export type RouteStep = (request: IncomingMessage, response: StepResponse, next: NextStep) => void | Promise<void>;

/** The path of a request without its query string, exactly as the client sent it. */
export function requestPath(request: IncomingMessage): string {
  const url = request.url ?? '/';
  const queryStart = url.indexOf('?');
  return queryStart === -1 ? url : url.slice(0, queryStart);
}
