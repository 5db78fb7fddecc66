/**
 * Test adapter: runs a turn through the push-style `AgentRunner.run` and gives back what happened
 * as a list-like async iterable of events (each piece as it arrived, then one `end` or `error`), so
 * tests can assert the exact sequence and stop early with `break` (which aborts the run, as a
 * client that goes away does).
 */
import type { AgentRunner, PreparedRun, RunResult } from '../agent/agent-runner.js';
import type { GatewayError } from '../errors.js';

/** One observed step of a run. */
export type RunEvent =
  | { type: 'delta'; text: string }
  | { type: 'tool_call_start'; index: number; id: string; name: string }
  | { type: 'tool_call_delta'; index: number; arguments: string }
  | ({ type: 'end' } & RunResult)
  | { type: 'error'; error: GatewayError };

export async function* runEvents(
  runner: AgentRunner,
  prepared: PreparedRun,
  options: { signal: AbortSignal },
): AsyncGenerator<RunEvent, void, undefined> {
  const controller = new AbortController();
  const forwardAbort = (): void => controller.abort(options.signal.reason);
  if (options.signal.aborted) forwardAbort();
  else options.signal.addEventListener('abort', forwardAbort, { once: true });
  const queue: RunEvent[] = [];
  let finished = false;
  let wake: (() => void) | undefined;
  const push = (event: RunEvent): boolean => {
    queue.push(event);
    wake?.();
    return true;
  };
  void runner
    .run(
      prepared,
      {
        text: (text) => push({ type: 'delta', text }),
        toolCallStart: (index, id, name) => push({ type: 'tool_call_start', index, id, name }),
        toolCallDelta: (index, piece) => push({ type: 'tool_call_delta', index, arguments: piece }),
        drained: () => Promise.resolve(),
      },
      { signal: controller.signal },
    )
    .then((outcome) => {
      if (outcome.ok) {
        const { ok: _ok, ...result } = outcome;
        queue.push({ type: 'end', ...result });
      } else {
        queue.push({ type: 'error', error: outcome.error });
      }
      finished = true;
      wake?.();
    });
  try {
    for (;;) {
      while (queue.length > 0) yield queue.shift() as RunEvent;
      if (finished) return;
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
      wake = undefined;
    }
  } finally {
    options.signal.removeEventListener('abort', forwardAbort);
    if (!finished) controller.abort(new Error('consumer stopped reading'));
  }
}
