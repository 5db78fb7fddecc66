/**
 * Test adapter: runs a turn through the push-style `AgentRunner.run` and gives back what happened
 * as a list-like async iterable of events (each piece as it arrived, then one `end` or `error`), so
 * tests can assert the exact sequence and stop early with `break` (which aborts the run, as a
 * client that goes away does).
 */
import type { AgentRunner, PreparedRun, RunOutcome, RunResult } from '../agent/agent-runner.js';
import type { GatewayError } from '../errors.js';
import { replySinkEvents } from './reply-sink-events.js';

/** One observed step of a run. */
export type RunEvent =
  | { type: 'delta'; text: string }
  | { type: 'tool_call_start'; index: number; id: string; name: string }
  | { type: 'tool_call_delta'; index: number; arguments: string }
  | ({ type: 'end' } & RunResult)
  | { type: 'error'; error: GatewayError };

export function runEvents(
  runner: AgentRunner,
  prepared: PreparedRun,
  options: { signal: AbortSignal },
): AsyncGenerator<RunEvent, void, undefined> {
  return replySinkEvents<RunEvent, RunOutcome>(
    (sink, signal) => runner.run(prepared, sink, { signal }),
    {
      text: (text) => ({ type: 'delta', text }),
      toolCallStart: (index, id, name) => ({ type: 'tool_call_start', index, id, name }),
      toolCallDelta: (index, piece) => ({ type: 'tool_call_delta', index, arguments: piece }),
      outcome: (outcome) => {
        if (!outcome.ok) return [{ type: 'error', error: outcome.error }];
        const { ok: _ok, ...result } = outcome;
        return [{ type: 'end', ...result }];
      },
    },
    options.signal,
  );
}
