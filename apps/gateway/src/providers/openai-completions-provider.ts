/**
 * Provider for any OpenAI-compatible `/chat/completions` upstream (OpenAI, vLLM, Ollama, llama.cpp,
 * LM Studio, OpenRouter). One undici `Pool` per provider keeps connections alive between runs;
 * global fetch is avoided because its shared dispatcher and buffered errors hide timeouts and resets.
 */
import { randomUUID } from 'node:crypto';
import { upstreamChatCompletionSchema, type ChatCompletionUsage } from '@clawgate/openai-schemas';
import { decodeSseStream, SseDecodeError } from '@clawgate/sse';
import { Pool } from 'undici';
import type { FinishReason } from '../agent/agent-runner.js';
import type { OpenAICompletionsProviderConfig } from '../config/config-schema.js';
import { GatewayError } from '../errors.js';
import {
  UPSTREAM_ERROR_MESSAGE,
  mapTransportError,
  mapUpstreamStatus,
  parseRetryAfter,
  parseUpstreamErrorBody,
  scrubSecrets,
} from './map-upstream-error.js';
import type { ModelProvider, ProviderEvent, ProviderRequest } from './model-provider.js';
import { upstreamChunkCheck } from './check-upstream-chunk.js';
import { createKeepAliveBody } from './keep-alive-body.js';
import { readBodyText } from './read-body-text.js';
import { createToolCallTracker } from './tool-call-tracker.js';

/** Error bodies are read only this far: enough for any real message, bounded against hostile upstreams. */
const MAX_ERROR_BODY_BYTES = 64 * 1024;
/** A non-streamed JSON completion (servers that ignore `stream: true`) is read up to this size. */
const MAX_JSON_BODY_BYTES = 32 * 1024 * 1024;
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

// Deliberately partial view of a tolerant upstream chunk/completion: only what we read.
interface UpstreamToolCallView {
  index?: number | null;
  id?: string | null;
  function?: { name?: string | null; arguments?: string | null } | null;
}
interface UpstreamChoiceView {
  delta?: { content?: string | null; tool_calls?: UpstreamToolCallView[] | null } | null;
  message?: { content?: string | null; tool_calls?: UpstreamToolCallView[] | null } | null;
  finish_reason?: string | null;
}
interface UpstreamPayloadView {
  choices?: UpstreamChoiceView[] | null;
  usage?: { prompt_tokens?: number | null; completion_tokens?: number | null; total_tokens?: number | null } | null;
}

/**
 * Creates an `openai-completions` provider.
 *
 * Requests: `POST <baseUrl>/chat/completions` with the model id, the messages and every forwarded
 * parameter (`tools`, `tool_choice`, sampling) as is, plus `stream: true` and
 * `stream_options.include_usage`, or `stream: false` when the request says `stream: false` (a
 * caller that only wants the whole answer). `timeoutMs` bounds the wait for response headers and
 * each silence between body chunks (504); for a whole answer the headers come only once the model
 * has finished, so there it bounds the whole generation.
 *
 * @throws GatewayError while iterating, mapped per contract §6; never containing the API key.
 * @example
 * const provider = createOpenAICompletionsProvider({ id: 'local', config: { api: 'openai-completions', baseUrl: 'http://127.0.0.1:11434/v1', timeoutMs: 120000 } });
 */
export function createOpenAICompletionsProvider(options: OpenAICompletionsProviderOptions): ModelProvider {
  const { config } = options;
  const base = new URL(config.baseUrl);
  const path = `${base.pathname.replace(/\/+$/, '')}/chat/completions`;
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

  async function* stream(request: ProviderRequest, { signal }: { signal: AbortSignal }): AsyncIterable<ProviderEvent> {
    signal.throwIfAborted();
    // A caller that will not stream (a non-streaming HTTP client) gets one JSON answer either way.
    // Asking the upstream for one JSON body then costs one parse instead of one parse, one schema
    // check and several async hops per SSE frame (most of the gateway's CPU per request).
    const streamUpstream = request.stream !== false;
    const requestBody = JSON.stringify(
      streamUpstream
        ? { model: request.model, messages: request.messages, ...request.parameters, stream: true, stream_options: { include_usage: true } }
        : { model: request.model, messages: request.messages, ...request.parameters, stream: false },
    );
    let response: Awaited<ReturnType<Pool['request']>>;
    try {
      response = await pool.request({
        path,
        method: 'POST',
        headers: streamUpstream ? streamHeaders : jsonHeaders,
        body: requestBody,
        signal,
        headersTimeout: config.timeoutMs,
        bodyTimeout: config.timeoutMs,
      });
    } catch (error) {
      throw signal.aborted ? signal.reason : mapTransportError(error);
    }
    let completed = false;
    const responseBody = createKeepAliveBody(response.body);
    try {
      if (response.statusCode >= 400) {
        const text = await readBodyText(responseBody.iterable, MAX_ERROR_BODY_BYTES).catch(() => '');
        const details = parseUpstreamErrorBody(text);
        throw mapUpstreamStatus(
          response.statusCode,
          { message: details.message && scrubSecrets(details.message, secrets), code: details.code },
          parseRetryAfter(response.headers['retry-after']),
        );
      }
      const answer = createAnswerState(request);
      // A streamed request reads anything not declared JSON (even a missing content-type) as SSE; a
      // JSON body then means a server that ignored `stream: true`. A whole-answer request reads SSE
      // only when the server declares it (one that ignored `stream: false`).
      const contentType = String(response.headers['content-type'] ?? '').toLowerCase();
      const sse = streamUpstream ? !contentType.includes('json') : contentType.includes('text/event-stream');
      if (sse) {
        // One generator for decode, tool-call tracking and usage: every layer of async iteration
        // costs microtask hops per frame, and streams carry dozens of frames.
        for await (const result of decodeSseStream(responseBody.iterable, { schema: upstreamChunkCheck, signal })) {
          if (!result.success) {
            if (SseDecodeError.isInstance(result.error) && result.error.type === 'error-payload') {
              throw upstreamPayloadError(JSON.stringify(result.error.payload ?? {}), secrets);
            }
            // One malformed chunk is skipped, not fatal (some servers send keep-alive junk).
            continue;
          }
          const events = answer.accept(result.value as UpstreamPayloadView, 'delta');
          for (let index = 0; index < events.length; index += 1) yield events[index] as ProviderEvent;
        }
      } else {
        const events = answer.accept(await readWholeCompletion(responseBody.iterable, secrets), 'message');
        for (let index = 0; index < events.length; index += 1) yield events[index] as ProviderEvent;
      }
      yield answer.usage();
      yield answer.finish();
      completed = true;
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      throw mapTransportError(error);
    } finally {
      // `[DONE]` can arrive before the body's end: read the rest in the background (bounded in size
      // and time) so the socket goes back to the keep-alive pool. Anything unfinished (error, abort,
      // consumer gone) destroys the socket instead, so the upstream sees the request go away.
      if (completed) responseBody.drain({ limitBytes: DRAIN_LIMIT_BYTES, timeoutMs: DRAIN_TIMEOUT_MS });
      else responseBody.destroy();
    }
  }

  return { id: options.id, stream, close: () => pool.close() };
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
async function readWholeCompletion(body: AsyncIterable<Uint8Array>, secrets: readonly string[]): Promise<UpstreamPayloadView> {
  const text = await readBodyText(body, MAX_JSON_BODY_BYTES);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new GatewayError(UPSTREAM_ERROR_MESSAGE, { status: 502, type: 'api_error', cause: error });
  }
  if (value !== null && typeof value === 'object' && 'error' in value) throw upstreamPayloadError(text, secrets);
  const parsed = upstreamChatCompletionSchema.safeParse(value);
  if (!parsed.success) throw new GatewayError(UPSTREAM_ERROR_MESSAGE, { status: 502, type: 'api_error' });
  return parsed.data as UpstreamPayloadView;
}

/**
 * What one answer has produced so far. Deltas pass through as they arrive; the answer ends with
 * exactly one `usage` and one `finish`, held until the body ends because the upstream's usage
 * arrives after its finish reason (`include_usage` sends it in a last chunk).
 */
function createAnswerState(request: ProviderRequest) {
  const tracker = createToolCallTracker(randomUUID);
  // Reused for every payload: the caller drains it before the next `accept`.
  const events: ProviderEvent[] = [];
  let usage: ChatCompletionUsage | undefined;
  let rawFinish: string | null | undefined;
  let sawToolCall = false;
  let outputCharacters = 0;
  return {
    /** The pass-through events of one payload (valid until the next call). */
    accept(payload: UpstreamPayloadView, field: 'delta' | 'message'): readonly ProviderEvent[] {
      events.length = 0;
      const choice = payload.choices?.[0];
      const part = choice?.[field];
      if (part?.content) {
        outputCharacters += part.content.length;
        events.push({ type: 'text-delta', text: part.content });
      }
      const toolCalls = part?.tool_calls;
      if (toolCalls) {
        for (const call of toolCalls) {
          for (const event of tracker.accept(call)) {
            if (event.type === 'tool-call-start') sawToolCall = true;
            if (event.type === 'tool-call-delta') outputCharacters += event.arguments.length;
            events.push(event);
          }
        }
      }
      if (choice?.finish_reason) rawFinish = choice.finish_reason;
      const reported = payload.usage;
      if (reported && typeof reported.prompt_tokens === 'number' && typeof reported.completion_tokens === 'number') {
        usage = {
          prompt_tokens: reported.prompt_tokens,
          completion_tokens: reported.completion_tokens,
          total_tokens: reported.total_tokens ?? reported.prompt_tokens + reported.completion_tokens,
        };
      }
      return events;
    },
    /**
     * The upstream's usage. Some servers (older llama.cpp, proxies stripping stream_options) send
     * none: then an estimate by the common 4-characters-per-token rule, so clients still get
     * numbers; they are approximations, not billing figures.
     */
    usage(): ProviderEvent {
      if (usage) return { type: 'usage', usage };
      const promptCharacters = request.messages.reduce((total, message) => total + JSON.stringify(message.content ?? '').length, 0);
      const promptTokens = Math.ceil(promptCharacters / 4);
      const completionTokens = Math.ceil(outputCharacters / 4);
      return { type: 'usage', usage: { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens } };
    },
    finish(): ProviderEvent {
      const finishReason: FinishReason =
        sawToolCall || rawFinish === 'tool_calls' || rawFinish === 'function_call' ? 'tool_calls' : rawFinish === 'length' ? 'length' : 'stop';
      return { type: 'finish', finishReason };
    },
  };
}
