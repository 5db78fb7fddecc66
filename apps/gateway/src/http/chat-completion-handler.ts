/**
 * Step 7: runs the prepared turn and answers as JSON or as an SSE stream (contract §6). The run
 * knows nothing of HTTP; this file is its HTTP consumer (the CLI is the other one).
 */
import type { RequestHandler, Response } from 'express';
import { createSseResponseWriter } from '@clawgate/sse';
import type { AgentRunner, FinishReason, PreparedRun, RunEvent } from '../agent/agent-runner.js';
import { buildChatCompletionBody, type CompletionIdentity } from '../agent/build-chat-completion-body.js';
import { EMPTY_RESPONSE_TEXT } from '../agent/create-agent-runner.js';
import { GatewayError, internalError } from '../errors.js';
import { silentLogger, type HttpLogger } from './http-logger.js';
import { chatLocals, requestLocals } from './request-state.js';


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
 * once, each run event becomes a chunk as it arrives, and a run error becomes an error frame
 * followed by `data: [DONE]`. A client that goes away aborts the run (and so the upstream request).
 *
 * @param options - See {@link ChatCompletionHandlerOptions}.
 */
export function createChatCompletionHandler(options: ChatCompletionHandlerOptions): RequestHandler {
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
          logger.error({ err: error, requestId: response.getHeader('x-request-id'), path: request.path }, 'stream failed'),
      });
      return;
    }
    await respondWithCompletion({ runner, prepared, response, identity, logContent });
  };
}

async function respondWithCompletion(options: {
  runner: AgentRunner;
  prepared: PreparedRun;
  response: Response;
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
    for await (const event of runner.run(prepared, { signal: controller.signal })) {
      if (event.type === 'error') {
        // A run aborted because the client left has nobody to answer (and is no server fault).
        if (controller.signal.aborted) {
          return;
        }
        throw event.error;
      }
      if (event.type === 'end') {
        if (controller.signal.aborted) {
          return;
        }
        options.logContent(event.text);
        // One writeHead + end instead of res.json(): Express's json path (etag, charset negotiation)
        // was ~15% of a non-streaming request's CPU in the profile.
        const payload = JSON.stringify(buildChatCompletionBody(identity, event));
        response.writeHead(200, {
          'content-type': 'application/json; charset=utf-8',
          'content-length': Buffer.byteLength(payload),
        });
        response.end(payload);
        return;
      }
    }
    // A runner must end with `end` or `error`; ending silently is a bug, answered as a 500.
    if (!controller.signal.aborted) {
      throw internalError(new Error('agent run ended without an end event'));
    }
  } finally {
    response.off('close', onClose);
  }
}

async function streamCompletion(options: {
  runner: AgentRunner;
  prepared: PreparedRun;
  response: Response;
  identity: CompletionIdentity;
  heartbeatMs: number;
  includeUsage: boolean;
  onUnexpectedError: (error: unknown) => void;
  logContent: (text: string) => void;
}): Promise<void> {
  const { runner, prepared, response, identity, heartbeatMs, includeUsage, onUnexpectedError } = options;
  const writer = createSseResponseWriter(response, { heartbeatMs });
  // Key order as OpenAI sends it: id, object, created, model, choices (some clients diff raw text).
  const chunk = (delta: Record<string, unknown>, finishReason: FinishReason | null = null) => ({
    id: identity.id,
    object: 'chat.completion.chunk',
    created: identity.created,
    model: identity.model,
    choices: [{ index: 0, delta, finish_reason: finishReason }],
  });

  // Headers and the role chunk go out before the model says anything (§6.1).
  writer.start();
  await writer.writeJson(chunk({ role: 'assistant' }));

  let wroteOutput = false;
  try {
    for await (const event of runner.run(prepared, { signal: writer.signal }) as AsyncIterable<RunEvent>) {
      if (writer.closed) {
        break;
      }
      switch (event.type) {
        case 'delta':
          if (event.text !== '') {
            wroteOutput = true;
            await writer.writeJson(chunk({ content: event.text }));
          }
          break;
        case 'tool_call_start':
          wroteOutput = true;
          await writer.writeJson(
            chunk({
              tool_calls: [
                { index: event.index, id: event.id, type: 'function', function: { name: event.name, arguments: '' } },
              ],
            }),
          );
          break;
        case 'tool_call_delta':
          if (event.arguments !== '') {
            await writer.writeJson(chunk({ tool_calls: [{ index: event.index, function: { arguments: event.arguments } }] }));
          }
          break;
        case 'end':
          options.logContent(event.text);
          // A provider that does not stream deltas still gets its text out; nothing at all is the
          // contract's fallback text, as in the non-streaming answer.
          if (!wroteOutput && event.toolCalls.length === 0) {
            await writer.writeJson(chunk({ content: event.text === '' ? EMPTY_RESPONSE_TEXT : event.text }));
          }
          await writer.writeJson(chunk({}, event.finishReason));
          if (includeUsage) {
            await writer.writeJson({
              id: identity.id,
              object: 'chat.completion.chunk',
              created: identity.created,
              model: identity.model,
              choices: [],
              usage: event.usage,
            });
          }
          await writer.writeDone();
          return;
        case 'error':
          requestLocals(response.locals).errorType = event.error.type;
          await writer.writeJson(event.error.toJSON());
          await writer.writeDone();
          return;
      }
    }
    if (!writer.closed) {
      requestLocals(response.locals).errorType = internalError().type;
      await writer.writeJson(internalError().toJSON());
    }
  } catch (error) {
    // Headers are out: the only honest report left is an error frame.
    if (!GatewayError.isInstance(error) || error.status >= 500) {
      onUnexpectedError(error);
    }
    if (!writer.closed) {
      const reported = GatewayError.isInstance(error) ? error : internalError(error);
      requestLocals(response.locals).errorType = reported.type;
      await writer.writeJson(reported.toJSON());
    }
  }
  await writer.writeDone();
}
