/**
 * One turn started over WebSocket (`agent`, `chat.send`): the request becomes the same run input
 * HTTP builds, runs on the same `AgentRunner`, and the reply's pieces become the protocol's
 * `agent` and `chat` events (docs/ws-protocol.md#events-of-a-run). Each event's payload is
 * serialised once, whatever the number of connections it goes to; a delta costs two
 * `JSON.stringify` calls of the piece and string concatenation.
 */
import type { ChatCompletionUsage } from '@clawgate/openai-schemas';
import { buildRunInput } from '../agent/build-run-input.js';
import type { AgentRunInput, RunOutcome } from '../agent/agent-runner.js';
import type { ReplySink } from '../agent/reply-sink.js';
import { GatewayError } from '../errors.js';
import type { CallerConnection, DoorContext } from './door-context.js';
import { fromGatewayError, invalidRequestError, ProtocolFailure, unavailableError } from './protocol-error.js';
import type { TrackedRun } from './run-registry.js';

/** What a method asks to run. */
export interface TurnRequest {
  /** The client's idempotency key, which becomes the run id. */
  runId: string;
  agentId: string;
  sessionKey: string;
  message: string;
  extraSystemPrompt?: string;
  /** A model override, checked against the agent's `allowedModels` like `x-openclaw-model`. */
  modelOverride?: string;
  /** Aborts the run after this long (its end is then `timeout`). */
  timeoutMs?: number;
  messageChannel: string;
  /** The method's name, for its error messages (`invalid agent params: …`). */
  method: string;
}

/** How a turn ended, for the method's final answer and `agent.wait`. */
export type TurnEnd =
  | { status: 'ok'; text: string; usage: ChatCompletionUsage; model: string; durationMs: number; stopReason: string }
  | { status: 'timeout'; stopReason: 'rpc' | 'timeout'; durationMs: number }
  | { status: 'error'; error: GatewayError; durationMs: number };

/** The abort reasons this door gives a run's signal, told apart by identity. */
export const ABORTED_BY_CLIENT: unique symbol = Symbol('chat.abort');
const TIMED_OUT: unique symbol = Symbol('timeout');

/**
 * Checks the request (like HTTP's `prepare`, before any answer) and starts the run.
 *
 * @throws ProtocolFailure for a refusal: a bad session key or model override, an unknown agent
 *   (already checked by the caller), a gateway that is shutting down.
 */
export function startTurn(
  door: DoorContext,
  starter: CallerConnection,
  request: TurnRequest,
): { run: TrackedRun; end: Promise<TurnEnd> } {
  if (door.draining()) throw new ProtocolFailure(unavailableError('gateway is shutting down'));
  const maxRuns = door.config.gateway.ws.maxRunsPerConnection;
  if (starter.activeRuns >= maxRuns)
    throw new ProtocolFailure(unavailableError(`too many runs on this connection (at most ${maxRuns} at once)`));

  const messages: AgentRunInput['messages'] = [];
  if (request.extraSystemPrompt !== undefined && request.extraSystemPrompt.trim() !== '')
    messages.push({ role: 'system', content: request.extraSystemPrompt });
  messages.push({ role: 'user', content: request.message });
  const built = buildRunInput({
    defaultAgentId: door.defaultAgentId,
    agentId: request.agentId,
    sessionKey: request.sessionKey,
    modelOverride: request.modelOverride,
    messages,
    messageChannel: request.messageChannel,
  });
  if (!built.ok) {
    const problem =
      built.reason === 'reserved-session-key'
        ? 'session key is in a reserved namespace'
        : built.reason === 'invalid-model-override'
          ? 'model must be "provider/model"'
          : 'invalid agent';
    throw new ProtocolFailure(invalidRequestError(`invalid ${request.method} params: ${problem}`));
  }
  let prepared;
  try {
    prepared = door.runner.prepare(built.input);
  } catch (error) {
    if (GatewayError.isInstance(error)) throw new ProtocolFailure(fromGatewayError(error));
    throw error;
  }

  const run = door.runs.start(request.runId, request.sessionKey, request.agentId);
  starter.activeRuns += 1;
  door.onRunStart?.();
  const events = createRunEvents(door, starter, run);
  const end = (async (): Promise<TurnEnd> => {
    const signal = run.controller.signal;
    const onShutdown = () => run.controller.abort(door.shutdownSignal?.reason);
    door.shutdownSignal?.addEventListener('abort', onShutdown, { once: true });
    const timer =
      request.timeoutMs === undefined
        ? undefined
        : setTimeout(() => run.controller.abort(TIMED_OUT), request.timeoutMs);
    let outcome: RunOutcome;
    // With tracing on, the turn is a span of its own, the run's spans beneath it.
    const span = door.tracing?.startTurnSpan(request.method);
    try {
      // The method answers first (`accepted`, `started`), in this tick or its microtasks; the run's
      // events follow it.
      await new Promise((resolve) => setImmediate(resolve));
      events.lifecycle(`{"phase":"start","startedAt":${run.startedAt}}`);
      outcome = await door.runner.run(prepared, events.sink, { signal, trace: span });
    } finally {
      clearTimeout(timer);
      door.shutdownSignal?.removeEventListener('abort', onShutdown);
    }
    span?.end(outcome.ok ? undefined : outcome.error.type);
    const turnEnd = describeEnd(outcome, signal, run.startedAt, door.now());
    events.end(turnEnd);
    recordEnd(run, turnEnd);
    return turnEnd;
  })()
    .catch((error: unknown): TurnEnd => {
      // `run` never rejects; this is a bug in the event writing. The run still ends cleanly.
      door.logger.error({ err: error, connId: starter.connId }, 'websocket run failed');
      const turnEnd: TurnEnd = {
        status: 'error',
        error: new GatewayError('internal error', { status: 500, type: 'api_error' }),
        durationMs: door.now() - run.startedAt,
      };
      recordEnd(run, turnEnd);
      return turnEnd;
    })
    .finally(() => {
      starter.activeRuns -= 1;
      door.runs.finish(run);
      door.onRunEnd?.();
    });
  return { run, end };
}

function describeEnd(outcome: RunOutcome, signal: AbortSignal, startedAt: number, now: number): TurnEnd {
  const durationMs = now - startedAt;
  if (outcome.ok) {
    return {
      status: 'ok',
      text: outcome.text,
      usage: outcome.usage,
      model: outcome.model,
      durationMs,
      stopReason: outcome.finishReason,
    };
  }
  if (signal.aborted && signal.reason === ABORTED_BY_CLIENT)
    return { status: 'timeout', stopReason: 'rpc', durationMs };
  if (signal.aborted && signal.reason === TIMED_OUT) return { status: 'timeout', stopReason: 'timeout', durationMs };
  return { status: 'error', error: outcome.error, durationMs };
}

function recordEnd(run: TrackedRun, end: TurnEnd): void {
  run.status = end.status;
  if (end.status === 'error') run.error = end.error.message;
  else run.stopReason = end.stopReason;
}

/** The events of one run, sent to the connection that started it and to the session's watchers. */
function createRunEvents(door: DoorContext, starter: CallerConnection, run: TrackedRun) {
  const prefix = `{"runId":${JSON.stringify(run.runId)},"sessionKey":${JSON.stringify(run.sessionKey)},"agentId":${JSON.stringify(run.agentId)},`;
  let seq = 0;
  // The reply so far, already escaped for a JSON string: each delta appends its own escaped text.
  let textSoFar = '';

  function deliver(event: string, payloadJson: string): void {
    starter.sendEvent(event, payloadJson);
    const watchers = door.watchers.of(run.sessionKey);
    if (watchers === undefined) return;
    for (const watcher of watchers) if (watcher !== starter) watcher.sendEvent(event, payloadJson);
  }
  function agentEvent(stream: string, dataJson: string, ts: number): void {
    seq += 1;
    deliver('agent', `${prefix}"stream":"${stream}","data":${dataJson},"seq":${seq},"ts":${ts}}`);
  }
  function chatEvent(state: string, restJson: string): void {
    deliver('chat', `${prefix}"seq":${seq},"state":"${state}"${restJson}}`);
  }
  function message(ts: number): string {
    return `{"role":"assistant","content":[{"type":"text","text":"${textSoFar}"}],"timestamp":${ts}}`;
  }

  const sink: ReplySink = {
    text(piece) {
      const pieceJson = JSON.stringify(piece);
      textSoFar += pieceJson.slice(1, -1);
      const ts = Date.now();
      agentEvent('assistant', `{"text":"${textSoFar}","delta":${pieceJson}}`, ts);
      chatEvent('delta', `,"deltaText":${pieceJson},"message":${message(ts)}`);
      return starter.writable();
    },
    // No client tools are offered over this door, so a model has none to call; nothing to relay.
    toolCallStart: () => true,
    toolCallDelta: () => true,
    drained: () => starter.drained(),
  };

  return {
    sink,
    lifecycle(dataJson: string) {
      agentEvent('lifecycle', dataJson, Date.now());
    },
    end(end: TurnEnd) {
      const ts = Date.now();
      if (end.status === 'ok') {
        const usage = end.usage;
        agentEvent(
          'usage',
          `{"inputTokens":${usage.prompt_tokens},"outputTokens":${usage.completion_tokens},"totalTokens":${usage.total_tokens}}`,
          ts,
        );
        agentEvent(
          'lifecycle',
          `{"phase":"end","stopReason":${JSON.stringify(end.stopReason)},"aborted":false,"endedAt":${ts}}`,
          ts,
        );
        chatEvent('final', `,"stopReason":${JSON.stringify(end.stopReason)},"message":${message(ts)}`);
      } else if (end.status === 'timeout') {
        agentEvent('lifecycle', `{"phase":"end","stopReason":"${end.stopReason}","aborted":true,"endedAt":${ts}}`, ts);
        chatEvent('aborted', `,"stopReason":"${end.stopReason}"`);
      } else {
        const errorJson = JSON.stringify(end.error.message);
        agentEvent('lifecycle', `{"phase":"error","error":${errorJson},"endedAt":${ts}}`, ts);
        chatEvent('error', `,"errorMessage":${errorJson}`);
      }
    },
  };
}
