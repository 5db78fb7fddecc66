/**
 * Puts one step of a request (auth) in a child span of the request's span.
 */
import { GatewayError } from '../errors.js';
import { requestLocals } from '../http/request-state.js';
import type { RouteStep } from '../http/route-step.js';

/**
 * Wraps `step` so that it runs inside a child span `name` of the request's span. The span ends when
 * the step passes the request on (`next()`), fails (`next(error)`, a throw: the error's type), or
 * settles having answered by itself (a refusal: its status). Meant for steps whose promise settles
 * once they have done one of these, as the auth step's does. Mount it only when tracing is on.
 *
 * @param name - The span's name (`auth`).
 * @param step - The step to trace.
 * @example
 * const auth = tracing === undefined ? authStep : traceStep('auth', authStep);
 */
export function traceStep(name: string, step: RouteStep): RouteStep {
  return async (request, response, next) => {
    const parent = requestLocals(response.locals).trace;
    if (parent === undefined) return step(request, response, next);
    const span = parent.startChild(name);
    let settled = false;
    try {
      await step(request, response, (error?: unknown) => {
        settled = true;
        span.end(error === undefined ? undefined : failureOf(error));
        next(error);
      });
    } catch (error) {
      settled = true;
      span.end(failureOf(error));
      throw error;
    } finally {
      // Neither passed on nor failed: the step answered the request itself (401, 403, 429, 503).
      if (!settled) span.end(response.statusCode >= 400 ? String(response.statusCode) : undefined);
    }
  };
}

/** A bounded description of a step's error: its OpenAI error type, never its message. */
function failureOf(error: unknown): string {
  return GatewayError.isInstance(error) ? error.type : 'internal_error';
}
