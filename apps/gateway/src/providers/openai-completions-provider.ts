/**
 * Provider for any OpenAI-compatible `/chat/completions` upstream (OpenAI, vLLM, Ollama, llama.cpp,
 * LM Studio, OpenRouter), and its `/embeddings`. One undici `Pool` per provider keeps connections
 * alive between runs; global fetch is avoided because its shared dispatcher and buffered errors hide
 * timeouts and resets.
 */
import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { IncomingHttpHeaders } from 'node:http';
import {
  parseRetryAfter,
  upstreamChatCompletionSchema,
  upstreamEmbeddingListSchema,
  type ChatCompletionUsage,
  type UpstreamChatCompletion,
  type UpstreamChatCompletionChunk,
  type UpstreamUsage,
} from '@clawgate/openai-schemas';
import { createSseDecoder, SseDecodeError } from '@clawgate/sse';
import { Pool } from 'undici';
import type { z } from 'zod';
import type { FinishReason } from '../agent/agent-runner.js';
import type { OpenAICompletionsProviderConfig } from '../config/config-schema.js';
import { GatewayError } from '../errors.js';
import {
  UPSTREAM_ERROR_MESSAGE,
  UPSTREAM_TIMEOUT_MESSAGE,
  mapTransportError,
  mapUpstreamStatus,
  parseUpstreamErrorBody,
  scrubSecrets,
} from './map-upstream-error.js';
import { estimateEmbeddingUsage } from './estimate-embedding-usage.js';
import type {
  ModelProvider,
  ProviderCallOptions,
  ProviderEmbeddingRequest,
  ProviderEmbeddingResult,
  ProviderMessage,
  ProviderRequest,
  ProviderResult,
  ProviderSink,
} from './model-provider.js';
import { upstreamChunkCheck } from './check-upstream-chunk.js';
import { drainForKeepAlive } from './keep-alive-body.js';
import { readBodyText } from './read-body-text.js';
import { createToolCallTracker } from './tool-call-tracker.js';

/** A stream that ends with neither `[DONE]` nor a finish reason was cut: its text is not a whole answer. */
export const UPSTREAM_TRUNCATED_MESSAGE = 'upstream stream ended before the answer was complete';
/** Error bodies are read only this far: enough for any real message, bounded against hostile upstreams. */
const MAX_ERROR_BODY_BYTES = 64 * 1024;
/** A non-streamed JSON completion (servers that ignore `stream: true`) is read up to this size. */
const MAX_JSON_BODY_BYTES = 32 * 1024 * 1024;
/**
 * An embeddings answer is read up to this size: 2048 vectors of 3072 floats (OpenAI's largest
 * request) are about 130 MB of JSON.
 */
const MAX_EMBEDDINGS_BODY_BYTES = 256 * 1024 * 1024;
/** After a complete stream, this much trailing body is read to keep the socket reusable. */
const DRAIN_LIMIT_BYTES = 64 * 1024;
/** ...for at most this long; a silent upstream loses its socket rather than holding ours. */
const DRAIN_TIMEOUT_MS = 1_000;
/** Idle keep-alive sockets are closed after this long, below common upstream idle timeouts. */
const KEEP_ALIVE_TIMEOUT_MS = 30_000;

/** Options of {@link createOpenAICompletionsProvider}. */
export interface OpenAICompletionsProviderOptions {
  /** Provider id from `models.providers`. */
  id: string;
  /** The provider's validated configuration. */
  config: OpenAICompletionsProviderConfig;
}

/** What one answer's output comes in: a chunk's `delta` or a whole completion's `message`. */
type UpstreamAnswerPart =
  | UpstreamChatCompletionChunk['choices'][number]['delta']
  | UpstreamChatCompletion['choices'][number]['message'];

/**
 * Creates an `openai-completions` provider.
 *
 * Requests: `POST <baseUrl>/chat/completions` with the model id, the messages and every forwarded
 * parameter (`tools`, `tool_choice`, sampling) as is, plus `stream: true` and
 * `stream_options.include_usage`, or `stream: false` when the request says `stream: false` (a
 * caller that only wants the whole answer). `timeoutMs` bounds the wait for response headers and,
 * for a whole answer, the whole generation (504); `idleTimeoutMs` (default `timeoutMs`) bounds each
 * silence inside a body (504). A stream that ends with neither `[DONE]` nor a finish reason is a
 * 502: a cut answer is never passed off as complete.
 *
 * Embeddings: `POST <baseUrl>/embeddings` with the model id, the input list, `encoding_format:
 * "float"` and `dimensions` when asked, on the same pool and headers; `timeoutMs` bounds the whole
 * request (504). The answer must hold one float vector per input entry (`index` 0 to n-1 once each),
 * else 502 (docs/embeddings.md#what-the-upstream-receives).
 *
 * @throws GatewayError while streaming, mapped per docs/http-contract.md#upstream-errors; never
 *   containing the API key.
 * @example
 * const provider = createOpenAICompletionsProvider({ id: 'local', config: { api: 'openai-completions', baseUrl:
 * 'http://127.0.0.1:11434/v1', timeoutMs: 120000 } });
 */
export function createOpenAICompletionsProvider(options: OpenAICompletionsProviderOptions): ModelProvider {
  const { config } = options;
  const base = new URL(config.baseUrl);
  const basePath = base.pathname.replace(/\/+$/, '');
  const path = `${basePath}/chat/completions`;
  const embeddingsPath = `${basePath}/embeddings`;
  const pool = new Pool(base.origin, {
    connections: config.maxConnections ?? null,
    keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
  });
  const secrets = [config.apiKey, ...Object.values(config.headers ?? {})].filter(
    (value): value is string => typeof value === 'string' && value !== '',
  );
  const baseHeaders: Record<string, string> = {
    ...config.headers,
    'content-type': 'application/json',
    ...(config.apiKey ? { authorization: `Bearer ${config.apiKey}` } : {}),
  };
  // Built once: the two header sets of a streamed and of a whole-answer upstream request.
  const streamHeaders = { ...baseHeaders, accept: 'text/event-stream, application/json' };
  const jsonHeaders = { ...baseHeaders, accept: 'application/json' };
  const idleTimeoutMs = config.idleTimeoutMs ?? config.timeoutMs;

  async function stream(
    request: ProviderRequest,
    sink: ProviderSink,
    { signal, traceHeaders }: ProviderCallOptions,
  ): Promise<ProviderResult> {
    signal.throwIfAborted();
    // A caller that will not stream (a non-streaming HTTP client) gets one JSON answer either way.
    // Asking the upstream for one JSON body then costs one parse instead of one parse and one check
    // per SSE frame.
    const streamUpstream = request.stream !== false;
    // Key order as before: model, messages, the forwarded fields, stream (and stream_options).
    const tail = JSON.stringify(
      streamUpstream
        ? { ...request.parameters, stream: true, stream_options: { include_usage: true } }
        : { ...request.parameters, stream: false },
    );
    const requestBody = `{"model":${JSON.stringify(request.model)},"messages":${serializeMessages(request.messages)},${tail.slice(1)}`;
    // A whole answer is bounded as a whole: an upstream that ignores `stream: false` and trickles an
    // SSE body would otherwise reset the idle timer forever while the client sees nothing.
    const deadline = streamUpstream ? undefined : startDeadline(signal, config.timeoutMs);
    const requestSignal = deadline?.signal ?? signal;
    let response: Awaited<ReturnType<Pool['request']>>;
    try {
      response = await pool.request({
        path,
        method: 'POST',
        headers: withTraceHeaders(streamUpstream ? streamHeaders : jsonHeaders, traceHeaders),
        body: requestBody,
        signal: requestSignal,
        headersTimeout: config.timeoutMs,
        bodyTimeout: idleTimeoutMs,
      });
    } catch (error) {
      deadline?.clear();
      throw requestSignal.aborted ? requestSignal.reason : mapTransportError(error);
    }
    const body = response.body;
    let completed = false;
    try {
      if (response.statusCode >= 400) throw await upstreamStatusError(response, secrets);
      const answer = createAnswerState(request, sink);
      // A streamed request reads anything not declared JSON (even a missing content-type) as SSE; a
      // JSON body then means a server that ignored `stream: true`. A whole-answer request reads SSE
      // only when the server declares it (one that ignored `stream: false`).
      const contentType = String(response.headers['content-type'] ?? '').toLowerCase();
      const sse = streamUpstream ? !contentType.includes('json') : contentType.includes('text/event-stream');
      if (sse) {
        await relaySseBody(body, answer, sink, requestSignal, secrets);
      } else {
        answer.acceptCompletion(await readWholeCompletion(body, secrets));
      }
      completed = true;
      return answer.result();
    } catch (error) {
      if (requestSignal.aborted) throw requestSignal.reason;
      throw mapTransportError(error);
    } finally {
      deadline?.clear();
      // Complete: read the rest in the background (bounded) so the socket goes back to the pool.
      // Anything unfinished (error, abort) destroys the body, so the upstream sees the request go away.
      if (completed) drainForKeepAlive(body, { limitBytes: DRAIN_LIMIT_BYTES, timeoutMs: DRAIN_TIMEOUT_MS });
      else if (!body.destroyed) body.destroy();
    }
  }

  async function embed(
    request: ProviderEmbeddingRequest,
    { signal, traceHeaders }: ProviderCallOptions,
  ): Promise<ProviderEmbeddingResult> {
    signal.throwIfAborted();
    // Floats, always: the gateway encodes base64 itself, so every upstream answers in one format.
    const requestBody = JSON.stringify({
      model: request.model,
      input: request.input,
      encoding_format: 'float',
      ...(request.dimensions === undefined ? {} : { dimensions: request.dimensions }),
    });
    const deadline = startDeadline(signal, config.timeoutMs);
    let response: Awaited<ReturnType<Pool['request']>>;
    try {
      response = await pool.request({
        path: embeddingsPath,
        method: 'POST',
        headers: withTraceHeaders(jsonHeaders, traceHeaders),
        body: requestBody,
        signal: deadline.signal,
        headersTimeout: config.timeoutMs,
        bodyTimeout: idleTimeoutMs,
      });
    } catch (error) {
      deadline.clear();
      throw deadline.signal.aborted ? deadline.signal.reason : mapTransportError(error);
    }
    const body = response.body;
    try {
      if (response.statusCode >= 400) throw await upstreamStatusError(response, secrets);
      const text = await readBodyText(body, MAX_EMBEDDINGS_BODY_BYTES);
      return readEmbeddingAnswer(text, request.input, secrets);
    } catch (error) {
      if (deadline.signal.aborted) throw deadline.signal.reason;
      throw mapTransportError(error);
    } finally {
      deadline.clear();
      // Read to its end, the socket goes back to the pool; anything else (abort, error) is destroyed.
      if (!body.readableEnded && !body.destroyed) body.destroy();
    }
  }

  return { id: options.id, stream, embed, close: () => pool.close() };
}

/** A request's headers plus the trace context of its span, when tracing is on (else the shared set as is). */
function withTraceHeaders(
  headers: Record<string, string>,
  traceHeaders: Readonly<Record<string, string>> | undefined,
): Record<string, string> {
  return traceHeaders === undefined ? headers : { ...headers, ...traceHeaders };
}

/**
 * The `GatewayError` for an upstream answer with status ≥ 400: its body read (bounded) for a message
 * and code, secrets scrubbed, `Retry-After` passed on in whole seconds, rounded up.
 */
async function upstreamStatusError(
  response: { statusCode: number; headers: IncomingHttpHeaders; body: Readable },
  secrets: readonly string[],
): Promise<GatewayError> {
  const text = await readBodyText(response.body, MAX_ERROR_BODY_BYTES).catch(() => '');
  const details = parseUpstreamErrorBody(text);
  const retryAfterMs = parseRetryAfter(response.headers['retry-after']);
  return mapUpstreamStatus(
    response.statusCode,
    { message: details.message && scrubSecrets(details.message, secrets), code: details.code },
    retryAfterMs === undefined ? undefined : Math.ceil(retryAfterMs / 1000),
  );
}

/**
 * An upstream embeddings answer as one vector per entry of `input`, in order. A body that is not
 * JSON, not the expected shape, or whose `data` does not hold each index from 0 to n-1 exactly once
 * is a 502 (`upstream provider error`); an `{error}` body is a 502 with its scrubbed message. No
 * `usage` means an estimate.
 */
function readEmbeddingAnswer(
  text: string,
  input: ProviderEmbeddingRequest['input'],
  secrets: readonly string[],
): ProviderEmbeddingResult {
  const list = parseUpstreamAnswer(text, upstreamEmbeddingListSchema, secrets);
  const embeddings = new Array<number[] | undefined>(input.length);
  for (const entry of list.data) {
    if (entry.index >= input.length || embeddings[entry.index] !== undefined) throw malformedUpstreamAnswer();
    embeddings[entry.index] = entry.embedding;
  }
  if (list.data.length !== input.length) throw malformedUpstreamAnswer();
  const usage = list.usage;
  return {
    embeddings: embeddings as number[][],
    usage:
      usage === undefined || usage === null
        ? estimateEmbeddingUsage(input)
        : { prompt_tokens: usage.prompt_tokens, total_tokens: usage.total_tokens ?? usage.prompt_tokens },
  };
}

/** The part of {@link createAnswerState} the SSE relay feeds. */
type AnswerState = ReturnType<typeof createAnswerState>;

/**
 * Decodes an SSE body and hands each chunk to `answer` inside the body's own `data` callback: no
 * promise or async iteration per frame. Resolves at `data: [DONE]` or at the body's end; rejects on
 * an upstream `{error}` payload, a body error (reset, `bodyTimeout`) or an abort. When the sink
 * asks to pause, the body is paused until the sink has drained.
 */
function relaySseBody(
  body: Readable,
  answer: AnswerState,
  sink: ProviderSink,
  signal: AbortSignal,
  secrets: readonly string[],
): Promise<void> {
  return new Promise((resolve, reject) => {
    let settled = false;
    let pauseRequested = false;
    const settle = (error?: unknown): void => {
      if (settled) return;
      settled = true;
      body.off('data', onData);
      body.off('end', onEnd);
      body.off('error', settle);
      body.off('close', onClose);
      signal.removeEventListener('abort', onAbort);
      if (error === undefined) resolve();
      else reject(error);
    };
    const decoder = createSseDecoder({
      schema: upstreamChunkCheck,
      onResult: (result) => {
        if (settled) return;
        if (!result.success) {
          if (SseDecodeError.isInstance(result.error) && result.error.type === 'error-payload') {
            settle(upstreamPayloadError(JSON.stringify(result.error.payload ?? {}), secrets));
          }
          // One malformed chunk is skipped, not fatal (some servers send keep-alive junk).
          return;
        }
        if (!answer.acceptChunk(result.value)) pauseRequested = true;
      },
      onDone: () => settle(),
    });
    const onData = (chunk: Buffer): void => {
      try {
        decoder.push(chunk);
      } catch (error) {
        settle(error);
        return;
      }
      if (pauseRequested && !settled) {
        pauseRequested = false;
        body.pause();
        void sink.drained().then(() => {
          if (!settled) body.resume();
        });
      }
    };
    // The body ended without `data: [DONE]` (that settles first): complete only if a finish reason came.
    const onEnd = (): void => {
      try {
        decoder.end();
      } catch (error) {
        settle(error);
        return;
      }
      settle(
        answer.finished()
          ? undefined
          : new GatewayError(UPSTREAM_TRUNCATED_MESSAGE, { status: 502, type: 'api_error' }),
      );
    };
    // A body destroyed without an error event (undici on abort) must not leave the promise hanging.
    const onClose = (): void =>
      settle(signal.aborted ? signal.reason : new Error('upstream body closed before its end'));
    const onAbort = (): void => settle(signal.reason);
    body.on('data', onData);
    body.on('end', onEnd);
    body.on('error', settle);
    body.on('close', onClose);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * The JSON of messages a session store shares between turns (frozen: see
 * `compose-provider-messages.ts`), serialised once each. A stored session sends up to
 * `maxHistoryMessages` of them every turn; stringifying 200 of them was ~40 µs of every turn.
 */
const serialisedMessages = new WeakMap<ProviderMessage, string>();

/** `JSON.stringify(messages)`, reusing the serialisation of shared messages. */
function serializeMessages(messages: readonly ProviderMessage[]): string {
  let json = '[';
  for (let index = 0; index < messages.length; index += 1) {
    const message = messages[index] as ProviderMessage;
    let text = serialisedMessages.get(message);
    if (text === undefined) {
      text = JSON.stringify(message);
      if (Object.isFrozen(message)) serialisedMessages.set(message, text);
    }
    json += index === 0 ? text : `,${text}`;
  }
  return `${json}]`;
}

/** An upstream `{error}` body (mid-stream or in place of a completion) as a 502 with its scrubbed message. */
function upstreamPayloadError(text: string, secrets: readonly string[]): GatewayError {
  const details = parseUpstreamErrorBody(text);
  return new GatewayError(details.message ? scrubSecrets(details.message, secrets) : UPSTREAM_ERROR_MESSAGE, {
    status: 502,
    type: 'api_error',
    code: details.code,
  });
}

/** A plain JSON completion (asked for, or from a server that ignores `stream: true`), validated. */
async function readWholeCompletion(body: Readable, secrets: readonly string[]): Promise<UpstreamChatCompletion> {
  return parseUpstreamAnswer(await readBodyText(body, MAX_JSON_BODY_BYTES), upstreamChatCompletionSchema, secrets);
}

/**
 * A whole JSON answer (a completion, an embedding list) checked against `schema`: a body that is not
 * JSON or not that shape is a 502 (`upstream provider error`); an `{error}` body is a 502 with its
 * scrubbed message.
 */
function parseUpstreamAnswer<T>(text: string, schema: z.ZodType<T>, secrets: readonly string[]): T {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw malformedUpstreamAnswer(error);
  }
  if (value !== null && typeof value === 'object' && 'error' in value) throw upstreamPayloadError(text, secrets);
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw malformedUpstreamAnswer();
  return parsed.data;
}

/** The 502 of an upstream answer that is not what the API promises; the client never sees the body. */
function malformedUpstreamAnswer(cause?: unknown): GatewayError {
  return new GatewayError(UPSTREAM_ERROR_MESSAGE, { status: 502, type: 'api_error', cause });
}

/**
 * What one answer has produced so far. Output goes straight to the sink as it arrives; the answer
 * ends with one {@link ProviderResult}, known only once the body ends because the upstream's usage
 * arrives after its finish reason (`include_usage` sends it in a last chunk).
 */
function createAnswerState(request: ProviderRequest, sink: ProviderSink) {
  let usage: ChatCompletionUsage | undefined;
  let rawFinish: string | null | undefined;
  let responseModel: string | undefined;
  let sawToolCall = false;
  let outputCharacters = 0;
  const tracker = createToolCallTracker(randomUUID, {
    toolCallStart(index, id, name) {
      sawToolCall = true;
      return sink.toolCallStart(index, id, name);
    },
    toolCallDelta(index, argumentsPiece) {
      outputCharacters += argumentsPiece.length;
      return sink.toolCallDelta(index, argumentsPiece);
    },
  });
  /**
   * Takes one payload's output, finish reason and usage.
   * @returns `false` when the sink asked to pause.
   */
  function accept(
    part: UpstreamAnswerPart,
    finishReason: string | null | undefined,
    reported: UpstreamUsage | null | undefined,
  ): boolean {
    let flowing = true;
    const content = part?.content;
    if (content) {
      outputCharacters += content.length;
      flowing = sink.text(content);
    }
    const toolCalls = part?.tool_calls;
    if (toolCalls) {
      // A whole completion's calls carry no `index`: their place in the list is their index, or
      // parallel calls would be merged into the first.
      toolCalls.forEach((call, position) => {
        const indexed = (call as { index?: unknown }).index === undefined ? { ...call, index: position } : call;
        flowing = tracker.accept(indexed) && flowing;
      });
    }
    if (finishReason) rawFinish = finishReason;
    if (reported && typeof reported.prompt_tokens === 'number' && typeof reported.completion_tokens === 'number') {
      usage = {
        prompt_tokens: reported.prompt_tokens,
        completion_tokens: reported.completion_tokens,
        total_tokens: reported.total_tokens ?? reported.prompt_tokens + reported.completion_tokens,
      };
    }
    return flowing;
  }
  return {
    /** Takes one streamed chunk. @returns `false` when the sink asked to pause. */
    acceptChunk(chunk: UpstreamChatCompletionChunk): boolean {
      if (chunk.model) responseModel = chunk.model;
      const choice = chunk.choices[0];
      return accept(choice?.delta, choice?.finish_reason, chunk.usage);
    },
    /** Takes a whole completion. @returns `false` when the sink asked to pause. */
    acceptCompletion(completion: UpstreamChatCompletion): boolean {
      if (completion.model) responseModel = completion.model;
      const choice = completion.choices[0];
      return accept(choice?.message, choice?.finish_reason, completion.usage);
    },
    /** Whether the upstream said the answer is over (a finish reason); a cut stream has none. */
    finished(): boolean {
      return typeof rawFinish === 'string';
    },
    /**
     * How the answer ended. Some servers (older llama.cpp, proxies stripping stream_options) send
     * no usage: then an estimate by the common 4-characters-per-token rule, so clients still get
     * numbers; they are approximations, not billing figures.
     */
    result(): ProviderResult {
      const finishReason: FinishReason =
        sawToolCall || rawFinish === 'tool_calls' || rawFinish === 'function_call'
          ? 'tool_calls'
          : rawFinish === 'length'
            ? 'length'
            : 'stop';
      if (usage) return responseModel === undefined ? { usage, finishReason } : { usage, finishReason, responseModel };
      const promptCharacters = request.messages.reduce(
        (total, message) => total + JSON.stringify(message.content ?? '').length,
        0,
      );
      const promptTokens = Math.ceil(promptCharacters / 4);
      const completionTokens = Math.ceil(outputCharacters / 4);
      return {
        usage: {
          prompt_tokens: promptTokens,
          completion_tokens: completionTokens,
          total_tokens: promptTokens + completionTokens,
        },
        finishReason,
        ...(responseModel === undefined ? {} : { responseModel }),
      };
    },
  };
}

/**
 * A deadline for one whole answer: its signal aborts with a 504 once `timeoutMs` has passed, or with
 * the caller's reason when the caller aborts first. `clear()` releases the timer and the listener.
 */
function startDeadline(signal: AbortSignal, timeoutMs: number): { signal: AbortSignal; clear(): void } {
  const controller = new AbortController();
  const onAbort = (): void => controller.abort(signal.reason);
  signal.addEventListener('abort', onAbort, { once: true });
  const timer = setTimeout(
    () =>
      controller.abort(
        new GatewayError(UPSTREAM_TIMEOUT_MESSAGE, { status: 504, type: 'api_error', upstreamFailure: 'timeout' }),
      ),
    timeoutMs,
  );
  return {
    signal: controller.signal,
    clear() {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    },
  };
}
