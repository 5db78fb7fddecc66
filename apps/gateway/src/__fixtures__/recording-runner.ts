/**
 * A small `AgentRunner` for the pure-HTTP tests (routing, auth, body, validation): it records what
 * the HTTP layer handed over and answers one fixed turn. Streaming, provider and end-to-end tests use
 * the real runner instead.
 */
import type { AgentRunInput, AgentRunner, PreparedRun, RunOutcome } from '../agent/agent-runner.js';
import type { ReplySink } from '../agent/reply-sink.js';

/** The reply text of {@link createRecordingRunner}. */
export const RECORDED_REPLY = 'recorded reply';

export interface RecordingRunner extends AgentRunner {
  /** Every input given to `prepare`, in order. */
  readonly inputs: AgentRunInput[];
}

/**
 * @param options.prepare - Optional extra check run inside `prepare` (to make it throw).
 */
export function createRecordingRunner(options: { prepare?: (input: AgentRunInput) => void } = {}): RecordingRunner {
  const inputs: AgentRunInput[] = [];
  return {
    inputs,
    prepare(input: AgentRunInput): PreparedRun {
      inputs.push(input);
      options.prepare?.(input);
      return { input };
    },
    async run(_prepared: PreparedRun, sink: ReplySink): Promise<RunOutcome> {
      sink.text(RECORDED_REPLY);
      return {
        ok: true,
        finishReason: 'stop',
        text: RECORDED_REPLY,
        toolCalls: [],
        model: 'offline/clawgate-offline',
        usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 },
      };
    },
  };
}
