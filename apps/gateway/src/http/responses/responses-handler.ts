/**
 * `/v1/responses`, the last step: runs the prepared turn and answers with the response object or its
 * event stream (docs/responses-api.md). A third consumer of the same run as chat completions and the
 * WebSocket door: it only translates the run's pieces and outcome into this API's words.
 */
import { createSseResponseWriter } from '@clawgate/sse';
import type { AgentRunner, PreparedRun, RunResult } from '../../agent/agent-runner.js';
import { DISCARDING_REPLY_SINK, type ReplySink } from '../../agent/reply-sink.js';
import { GatewayError, internalError } from '../../errors.js';
import { abortStreamWhenClientLeaves, abortWhenClientLeaves } from '../abort-when-client-leaves.js';
import { silentLogger, type HttpLogger } from '../http-logger.js';
import { requestLocals, responsesLocals } from '../request-state.js';
import { requestPath, type RouteStep, type StepResponse } from '../route-step.js';
import { sendJson } from '../send-response.js';
import type { ShutdownCut } from '../shutdown-cut.js';
import { holdStreamStart } from '../stream-start-hold.js';
import { createResponseEventStream } from './response-event-stream.js';
import { outputItemsOf, responseObject, type ResponseError, type ResponseIdentity } from './response-object.js';
import type { ResponseIdStore } from './resolve-responses-run-middleware.js';

/** The failure of a `tool_choice: "required"` turn that called no tool, as OpenClaw words it. */
export const REQUIRED_TOOL_NOT_CALLED: ResponseError = {
  code: 'api_error',
  message: 'tool_choice=required was not satisfied by the agent response',
};

/** Options of {@link createResponsesHandler}. */
export interface ResponsesHandlerOptions {
  runner: AgentRunner;
  /** Where response ids are remembered for `previous_response_id`. */
  responseIds: ResponseIdStore;
  /** `gateway.http.endpoints.responses.previousResponseTtlMs`. */
  previousResponseTtlMs: number;
  /** `gateway.http.sseHeartbeatMs`. */
  heartbeatMs: number;
  now: () => number;
  randomUUID: () => string;
  /** Unexpected errors after the headers went out. @defaultValue silent */
  logger?: HttpLogger;
  /** `logging.includeContent`: log the reply text at `debug`. @defaultValue false */
  includeContent?: boolean;
  /** The shutdown deadline's cut of open runs. */
  shutdown?: ShutdownCut;
}

/**
 * Creates the final handler of `POST /v1/responses`.
 *
 * Non-streaming: the whole run, then the response object (`completed`, or `incomplete` when cut by
 * `max_output_tokens`); a run error is its mapped status and JSON body; `tool_choice: "required"`
 * with no call is a 502 carrying a failed response object. Streaming: headers, `response.created`
 * and `response.in_progress` at once, then one event per piece; a failure becomes `response.failed`.
 * Either way the stream ends with `data: [DONE]`, and the response id is remembered (unless `store`
 * is `false`) before the client can see it, so a `previous_response_id` sent at once finds it.
 */
export function createResponsesHandler(options: ResponsesHandlerOptions): RouteStep {
  const logger = options.logger ?? silentLogger;
  return async (request, response) => {
    const locals = responsesLocals(response.locals);
    const { prepared, responsesRequest } = locals;
    if (prepared === undefined || responsesRequest === undefined) throw new Error('run step ran before prepare');
    const turn: Turn = {
      options,
      prepared,
      response,
      identity: {
        id: `resp_${options.randomUUID()}`,
        createdAt: Math.floor(options.now() / 1000),
        model: responsesRequest.model,
      },
      toolRequired: responsesRequest.tool_choice === 'required',
      remember: responsesRequest.store !== false,
      logContent(text) {
        if (options.includeContent === true) {
          logger.debug({ requestId: requestLocals(response.locals).requestId, response: text }, 'run content');
        }
      },
    };
    if (responsesRequest.stream === true) {
      await streamResponse(turn, (error) =>
        logger.error(
          { err: error, requestId: response.getHeader('x-request-id'), path: requestPath(request) },
          'stream failed',
        ),
      );
      return;
    }
    await respondWithResponse(turn);
  };
}

/** One request's turn, as both answers need it. */
interface Turn {
  options: ResponsesHandlerOptions;
  prepared: PreparedRun;
  response: StepResponse;
  identity: ResponseIdentity;
  /** `tool_choice: "required"`: an answer without a call fails. */
  toolRequired: boolean;
  /** Remember the response id (`store` not `false`). */
  remember: boolean;
  logContent(text: string): void;
}

/** A new item id: `msg_<uuid>`, `fc_<uuid>`. */
function itemIds(randomUUID: () => string): (prefix: 'msg' | 'fc') => string {
  return (prefix) => `${prefix}_${randomUUID()}`;
}

/** Remembers the response's session for `previous_response_id`, when the client keeps it. */
async function rememberResponse(turn: Turn): Promise<void> {
  if (!turn.remember) return;
  const { sessionKey, agentId } = turn.prepared.input;
  await turn.options.responseIds.rememberResponse(
    turn.identity.id,
    { sessionKey, agentId },
    { ttlMs: turn.options.previousResponseTtlMs },
  );
}

/** Whether the turn owed a tool call and made none. */
function missedRequiredTool(turn: Turn, result: RunResult): boolean {
  return turn.toolRequired && result.toolCalls.length === 0;
}

async function respondWithResponse(turn: Turn): Promise<void> {
  const { options, response } = turn;
  const { controller, release } = abortWhenClientLeaves(response, options.shutdown);
  try {
    const outcome = await options.runner.run(turn.prepared, DISCARDING_REPLY_SINK, {
      signal: controller.signal,
      trace: requestLocals(response.locals).trace,
    });
    const shutdownError = options.shutdown?.errorOf(controller);
    // The client left: nobody to answer.
    if (controller.signal.aborted && (shutdownError === undefined || response.destroyed)) return;
    if (!outcome.ok) throw shutdownError ?? outcome.error;
    turn.logContent(outcome.text);
    if (missedRequiredTool(turn, outcome)) {
      requestLocals(response.locals).errorType = REQUIRED_TOOL_NOT_CALLED.code;
      sendJson(response, 502, responseObject(turn.identity, { status: 'failed', error: REQUIRED_TOOL_NOT_CALLED }));
      return;
    }
    await rememberResponse(turn);
    const status = outcome.finishReason === 'length' ? 'incomplete' : 'completed';
    const output = outputItemsOf(outcome, itemIds(options.randomUUID));
    sendJson(response, 200, responseObject(turn.identity, { status, output, usage: outcome.usage }));
  } finally {
    release();
  }
}

async function streamResponse(turn: Turn, onUnexpectedError: (error: unknown) => void): Promise<void> {
  const { options, response } = turn;
  const writer = createSseResponseWriter(response, { heartbeatMs: options.heartbeatMs });
  const events = createResponseEventStream(turn.identity, itemIds(options.randomUUID));
  const run = abortStreamWhenClientLeaves(writer.signal, options.shutdown);
  // The headers, `response.created` and `response.in_progress` wait for the run's first piece (or the
  // heartbeat interval), so a run that fails before it gets its real status (docs/responses-api.md#streaming).
  const hold = holdStreamStart(() => {
    writer.start();
    writer.writeFrame(events.start());
  }, options.heartbeatMs);

  // Each piece becomes its event(s), written inside the upstream's own data callback.
  const sink: ReplySink = {
    text: (piece) => {
      if (!hold.started) hold.start();
      return writer.writeFrame(events.text(piece));
    },
    toolCallStart: (index, id, name) => {
      if (!hold.started) hold.start();
      return writer.writeFrame(events.toolCallStart(index, id, name));
    },
    toolCallDelta: (index, piece) => writer.writeFrame(events.toolCallDelta(index, piece)),
    drained: () => writer.drained(),
  };
  const fail = (error: GatewayError) => {
    requestLocals(response.locals).errorType = error.type;
    writer.writeFrame(events.fail({ code: error.code ?? error.type, message: error.message }));
  };

  try {
    const outcome = await options.runner.run(turn.prepared, sink, {
      signal: run.signal,
      trace: requestLocals(response.locals).trace,
    });
    const failure = outcome.ok ? undefined : (run.shutdownError() ?? outcome.error);
    if (writer.closed) {
      // The client is gone (the run was aborted with it): nobody to tell.
    } else if (failure !== undefined && !hold.started) {
      // Nothing sent yet: the real status and JSON body, as without streaming (the error step answers).
      hold.release();
      throw failure;
    } else if (failure !== undefined) {
      fail(failure);
    } else if (outcome.ok && missedRequiredTool(turn, outcome)) {
      hold.start();
      requestLocals(response.locals).errorType = REQUIRED_TOOL_NOT_CALLED.code;
      writer.writeFrame(events.fail(REQUIRED_TOOL_NOT_CALLED));
    } else if (outcome.ok) {
      hold.start();
      turn.logContent(outcome.text);
      await rememberResponse(turn);
      writer.writeFrame(events.finish(outcome.finishReason, outcome.usage));
    }
  } catch (error) {
    if (!hold.started) throw error;
    // Headers are out: the only honest report left is `response.failed`.
    if (!GatewayError.isInstance(error) || error.status >= 500) onUnexpectedError(error);
    if (!writer.closed) fail(GatewayError.isInstance(error) ? error : internalError(error));
  } finally {
    hold.release();
    run.release();
  }
  await writer.writeDone();
}
