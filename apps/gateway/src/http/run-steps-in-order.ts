/**
 * Runs the steps of one route as one handler. Each step stays a small `RouteStep` in its own file,
 * but a router sees a single layer (a profile showed Express's per-layer bookkeeping at about a
 * fifth of the CPU of a chat completion when each step was its own layer), and the chat route runs
 * the same composition without any router at all.
 */
import type { IncomingMessage } from 'node:http';
import type { NextStep, RouteStep, StepResponse } from './route-step.js';

/**
 * Creates a handler that calls `steps` in order, each one's `next()` starting the following one,
 * with Express's own rules: a step that throws or returns a rejected promise, or calls `next(error)`,
 * skips the remaining steps and hands the error to `next` (Express's error middleware, or the chat
 * route's `answerError`); after the last step, `next()` is called with no argument.
 *
 * @param steps - The handlers, in the order they run.
 * @returns One `RouteStep` equivalent to mounting `steps` one after another.
 * @example
 * app.all('/v1/models', runStepsInOrder([methodStep, authStep, scopeStep, listModelsHandler]));
 */
export function runStepsInOrder(steps: readonly RouteStep[]): RouteStep {
  return (request: IncomingMessage, response: StepResponse, next: NextStep) => {
    let index = 0;
    const runNext = (error?: unknown): void => {
      // Like Express, any truthy argument to next() is an error (`'route'`/`'router'` are not used by our steps).
      if (error) {
        next(error);
        return;
      }
      const step = steps[index];
      index += 1;
      if (step === undefined) {
        next();
        return;
      }
      let result: unknown;
      try {
        result = step(request, response, runNext);
      } catch (thrown) {
        next(thrown);
        return;
      }
      // Express 5 forwards an async step's rejection the same way (a falsy reason becomes an Error).
      if (result instanceof Promise) {
        result.then(undefined, (reason: unknown) => next(reason ? reason : new Error('Rejected promise')));
      }
    };
    runNext();
  };
}
