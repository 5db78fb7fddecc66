/**
 * Step 7: runs the prepared turn and answers as JSON or as an SSE stream (contract §6). The run
 * knows nothing of HTTP; this file is its HTTP consumer (the CLI is the other one).
 */
import { createSseResponseWriter, encodeSseJson } from '@clawgate/sse';
import type { AgentRunner, PreparedRun } from '../agent/agent-runner.js';
import { buildChatCompletionBody, type CompletionIdentity } from '../agent/build-chat-completion-body.js';
import { EMPTY_RESPONSE_TEXT } from '../agent/create-agent-runner.js';
import { DISCARDING_REPLY_SINK, type ReplySink } from '../agent/reply-sink.js';
import { GatewayError, internalError } from '../errors.js';
import { createChatCompletionFrames } from './chat-completion-frames.js';
import { silentLogger, type HttpLogger } from './http-logger.js';
import { chatLocals, requestLocals } from './request-state.js';
import { requestPath, type RouteStep, type StepResponse } from './route-step.js';


/** The model echoed in responses when the request had none (§3). */
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
        onUnexpectedError: (error) =>
          logger.error({ err: error, requestId: response.getHeader('x-request-id'), path: requestPath(request) }, 'stream failed'),
      });
      return;
    }
    await respondWithCompletion({ runner, prepared, response, identity, logContent });
  };
}

async function respondWithCompletion(options: {
  runner: AgentRunner;
  prepared: PreparedRun;
  response: StepResponse;
  identity: CompletionIdentity;
  logContent: (text: string) => void;
}): Promise<void> {
  const { runner, prepared, response, identity } = options;
  const controller = new AbortController();
  // `res` closes both when we finish and when the client leaves; only the latter aborts the run.
  const onClose = () => {
    if (!response.writableFinished) {
      controller.abort();
    }
  };
  response.on('close', onClose);
  try {
    // The answer is one body: the pieces are not needed as they arrive, only the whole result.
    const outcome = await runner.run(prepared, DISCARDING_REPLY_SINK, { signal: controller.signal });
    // A run aborted because the client left has nobody to answer (and is no server fault).
    if (controller.signal.aborted) {
      return;
    }
    if (!outcome.ok) {
      throw outcome.error;
    }
    options.logContent(outcome.text);
    // One writeHead + end instead of res.json(): Express's json path (etag, charset negotiation)
    // was ~15% of a non-streaming request's CPU in the profile.
    const payload = JSON.stringify(buildChatCompletionBody(identity, outcome));
    response.writeHead(200, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(payload),
    });
    response.end(payload);
  } finally {
    response.off('close', onClose);
  }
}

async function streamCompletion(options: {
  runner: AgentRunner;
  prepared: PreparedRun;
  response: StepResponse;
  identity: CompletionIdentity;
  heartbeatMs: number;
  includeUsage: boolean;
  onUnexpectedError: (error: unknown) => void;
  logContent: (text: string) => void;
}): Promise<void> {
  const { runner, prepared, response, identity, heartbeatMs, includeUsage, onUnexpectedError } = options;
  const writer = createSseResponseWriter(response, { heartbeatMs });
  const frames = createChatCompletionFrames(identity);

  // Headers and the role chunk go out before the model says anything (§6.1).
  writer.start();
  writer.writeFrame(frames.role());

  // Each piece of the reply becomes one frame, written inside the upstream's own data callback.
  let wroteOutput = false;
  const sink: ReplySink = {
    text(text) {
      wroteOutput = true;
      return writer.writeFrame(frames.content(text));
    },
    toolCallStart(index, id, name) {
      wroteOutput = true;
      return writer.writeFrame(frames.toolCallStart(index, id, name));
    },
    toolCallDelta: (index, argumentsPiece) => writer.writeFrame(frames.toolCallDelta(index, argumentsPiece)),
    drained: () => writer.drained(),
  };

  try {
    const outcome = await runner.run(prepared, sink, { signal: writer.signal });
    if (writer.closed) {
      // The client is gone (the run was aborted with it): nobody to tell.
    } else if (outcome.ok) {
      options.logContent(outcome.text);
      // A provider that does not stream deltas still gets its text out; nothing at all is the
      // contract's fallback text, as in the non-streaming answer.
      if (!wroteOutput && outcome.toolCalls.length === 0) {
        writer.writeFrame(frames.content(outcome.text === '' ? EMPTY_RESPONSE_TEXT : outcome.text));
      }
      writer.writeFrame(frames.finish(outcome.finishReason));
      if (includeUsage) {
        writer.writeFrame(frames.usage(outcome.usage));
      }
    } else {
      requestLocals(response.locals).errorType = outcome.error.type;
      writer.writeFrame(encodeSseJson(outcome.error.toJSON()));
    }
  } catch (error) {
    // Headers are out: the only honest report left is an error frame.
    if (!GatewayError.isInstance(error) || error.status >= 500) {
      onUnexpectedError(error);
    }
    if (!writer.closed) {
      const reported = GatewayError.isInstance(error) ? error : internalError(error);
      requestLocals(response.locals).errorType = reported.type;
      writer.writeFrame(encodeSseJson(reported.toJSON()));
    }
  }
  await writer.writeDone();
}
