/**
 * Step 7: runs the prepared turn and answers as JSON or as an SSE stream
 * (docs/http-contract.md#6-responses). The run knows nothing of HTTP; this file is its HTTP consumer
 * (the CLI is the other one).
 */
import { createSseResponseWriter, encodeSseJson } from '@clawgate/sse';
import type { AgentRunner, PreparedRun } from '../agent/agent-runner.js';
import { buildChatCompletionBody, type CompletionIdentity } from '../agent/build-chat-completion-body.js';
import { DISCARDING_REPLY_SINK, type ReplySink } from '../agent/reply-sink.js';
import { GatewayError, internalError } from '../errors.js';
import { abortStreamWhenClientLeaves, abortWhenClientLeaves } from './abort-when-client-leaves.js';
import { createChatCompletionFrames } from './chat-completion-frames.js';
import { createShutdownCut, type ShutdownCut } from './shutdown-cut.js';
import { holdStreamStart } from './stream-start-hold.js';
import { silentLogger, type HttpLogger } from './http-logger.js';
import { chatLocals, requestLocals } from './request-state.js';
import { requestPath, type RouteStep, type StepResponse } from './route-step.js';
import { sendJson } from './send-response.js';

/** The model echoed in responses when the request had none (docs/http-contract.md#6-responses). */
const DEFAULT_RESPONSE_MODEL = 'openclaw';

/** Options of {@link createChatCompletionHandler}. */
export interface ChatCompletionHandlerOptions {
  runner: AgentRunner;
  /** `gateway.http.sseHeartbeatMs`. */
  heartbeatMs: number;
  now: () => number;
  randomUUID: () => string;
  /** Receives unexpected errors that happen after the SSE headers went out. @defaultValue silent */
  logger?: HttpLogger;
  /** `logging.includeContent`: log the messages and the reply text at `debug`. @defaultValue false */
  includeContent?: boolean;
  /**
   * Aborted at the shutdown deadline with a `GatewayError` reason: every run still open (and any
   * that starts later) is aborted with it, so a stream ends with that error as its last frame before
   * `data: [DONE]`, and a non-streaming request without headers out is answered with it.
   * @defaultValue never
   */
  shutdownSignal?: AbortSignal;
}

/**
 * Creates the final handler of `POST /v1/chat/completions`.
 *
 * Non-streaming: the whole run is collected; a run error before any output becomes its mapped
 * status and body (with `Retry-After` passed on). Streaming: headers and the role chunk go out at
 * once, each piece of the reply becomes a chunk as it arrives, and a run error becomes an error frame
 * followed by `data: [DONE]`. A client that goes away aborts the run (and so the upstream request).
 *
 * @param options - See {@link ChatCompletionHandlerOptions}.
 */
export function createChatCompletionHandler(options: ChatCompletionHandlerOptions): RouteStep {
  const { runner, heartbeatMs, now, randomUUID } = options;
  const logger = options.logger ?? silentLogger;
  const shutdown = options.shutdownSignal === undefined ? undefined : createShutdownCut(options.shutdownSignal);
  return async (request, response) => {
    const locals = chatLocals(response.locals);
    const prepared = locals.prepared;
    const chatRequest = locals.chatRequest;
    if (prepared === undefined || chatRequest === undefined) {
      throw new Error('run step ran before prepare');
    }
    const identity: CompletionIdentity = {
      id: `chatcmpl_${randomUUID()}`,
      created: Math.floor(now() / 1000),
      model: chatRequest.model ?? DEFAULT_RESPONSE_MODEL,
    };
    // Message content reaches the log only when the operator asked for it (logging.includeContent).
    const logContent = (text: string) => {
      if (options.includeContent === true) {
        logger.debug(
          { requestId: requestLocals(response.locals).requestId, messages: chatRequest.messages, response: text },
          'run content',
        );
      }
    };
    if (chatRequest.stream === true) {
      await streamCompletion({
        logContent,
        runner,
        prepared,
        response,
        identity,
        heartbeatMs,
        includeUsage: chatRequest.stream_options?.include_usage === true,
        shutdown,
        onUnexpectedError: (error) =>
          logger.error(
            { err: error, requestId: response.getHeader('x-request-id'), path: requestPath(request) },
            'stream failed',
          ),
      });
      return;
    }
    await respondWithCompletion({ runner, prepared, response, identity, logContent, shutdown });
  };
}

async function respondWithCompletion(options: {
  runner: AgentRunner;
  prepared: PreparedRun;
  response: StepResponse;
  identity: CompletionIdentity;
  logContent: (text: string) => void;
  shutdown: ShutdownCut | undefined;
}): Promise<void> {
  const { runner, prepared, response, identity, shutdown } = options;
  const { controller, release } = abortWhenClientLeaves(response, shutdown);
  try {
    // The answer is one body: the pieces are not needed as they arrive, only the whole result.
    const outcome = await runner.run(prepared, DISCARDING_REPLY_SINK, {
      signal: controller.signal,
      trace: requestLocals(response.locals).trace,
    });
    // Cut by the shutdown, the client is still there to be told why (the error step answers).
    const shutdownError = shutdown?.errorOf(controller);
    // The client left: nobody to answer (and no server fault).
    if (controller.signal.aborted && (shutdownError === undefined || response.destroyed)) {
      return;
    }
    if (!outcome.ok) {
      throw shutdownError ?? outcome.error;
    }
    options.logContent(outcome.text);
    // sendJson's one writeHead + end instead of res.json(): Express's json path (etag, charset negotiation)
    // was ~15% of a non-streaming request's CPU in the profile.
    sendJson(response, 200, buildChatCompletionBody(identity, outcome));
  } finally {
    release();
  }
}

async function streamCompletion(options: {
  runner: AgentRunner;
  prepared: PreparedRun;
  response: StepResponse;
  identity: CompletionIdentity;
  heartbeatMs: number;
  includeUsage: boolean;
  shutdown: ShutdownCut | undefined;
  onUnexpectedError: (error: unknown) => void;
  logContent: (text: string) => void;
}): Promise<void> {
  const { runner, prepared, response, identity, heartbeatMs, includeUsage, shutdown, onUnexpectedError } = options;
  const writer = createSseResponseWriter(response, { heartbeatMs });
  const frames = createChatCompletionFrames(identity);
  const run = abortStreamWhenClientLeaves(writer.signal, shutdown);

  // Headers and the role chunk wait for the run's first piece (or the heartbeat interval), so a run
  // that fails before it is answered with its real status (docs/http-contract.md#streaming-response).
  const hold = holdStreamStart(() => {
    writer.start();
    writer.writeFrame(frames.role());
  }, heartbeatMs);

  // Each piece of the reply becomes one frame, written inside the upstream's own data callback. The
  // run itself sends the fallback text when the model said nothing, so every reply has a piece.
  const sink: ReplySink = {
    text: (text) => {
      if (!hold.started) hold.start();
      return writer.writeFrame(frames.content(text));
    },
    toolCallStart: (index, id, name) => {
      if (!hold.started) hold.start();
      return writer.writeFrame(frames.toolCallStart(index, id, name));
    },
    toolCallDelta: (index, argumentsPiece) => writer.writeFrame(frames.toolCallDelta(index, argumentsPiece)),
    drained: () => writer.drained(),
  };

  try {
    const outcome = await runner.run(prepared, sink, {
      signal: run.signal,
      trace: requestLocals(response.locals).trace,
    });
    // Cut by the shutdown: say so, whatever the provider made of the abort.
    const failure = outcome.ok ? undefined : (run.shutdownError() ?? outcome.error);
    if (writer.closed) {
      // The client is gone (the run was aborted with it): nobody to tell.
    } else if (failure !== undefined && !hold.started) {
      // Nothing sent yet: the real status and JSON body, as without streaming (the error step answers).
      hold.release();
      throw failure;
    } else if (failure !== undefined) {
      requestLocals(response.locals).errorType = failure.type;
      writer.writeFrame(encodeSseJson(failure.toJSON()));
    } else if (outcome.ok) {
      hold.start();
      options.logContent(outcome.text);
      writer.writeFrame(frames.finish(outcome.finishReason));
      if (includeUsage) {
        writer.writeFrame(frames.usage(outcome.usage));
      }
    }
  } catch (error) {
    if (!hold.started) throw error;
    // Headers are out: the only honest report left is an error frame.
    if (!GatewayError.isInstance(error) || error.status >= 500) {
      onUnexpectedError(error);
    }
    if (!writer.closed) {
      const reported = GatewayError.isInstance(error) ? error : internalError(error);
      requestLocals(response.locals).errorType = reported.type;
      writer.writeFrame(encodeSseJson(reported.toJSON()));
    }
  } finally {
    hold.release();
    run.release();
  }
  await writer.writeDone();
}
