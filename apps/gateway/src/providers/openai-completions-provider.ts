/**
 * Provider for any OpenAI-compatible `/chat/completions` upstream (OpenAI, vLLM, Ollama, llama.cpp,
 * LM Studio, OpenRouter). One undici `Pool` per provider keeps connections alive between runs;
 * global fetch is avoided because its shared dispatcher and buffered errors hide timeouts and resets.
 */
import { randomUUID } from 'node:crypto';
import { upstreamChatCompletionChunkSchema, upstreamChatCompletionSchema } from '@clawgate/openai-schemas';
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
 * Requests: `POST <baseUrl>/chat/completions` with `stream: true`, `stream_options.include_usage`,
 * the model id, the messages and every forwarded parameter (`tools`, `tool_choice`, sampling) as is.
 * `timeoutMs` bounds the wait for response headers and each silence between body chunks (504).
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
  const headers: Record<string, string> = {
    ...config.headers,
    'content-type': 'application/json',
    accept: 'text/event-stream, application/json',
    ...(config.apiKey ? { authorization: `Bearer ${config.apiKey}` } : {}),
  };

  async function* stream(request: ProviderRequest, { signal }: { signal: AbortSignal }): AsyncIterable<ProviderEvent> {
    signal.throwIfAborted();
    const requestBody = JSON.stringify({
      model: request.model,
      messages: request.messages,
      ...request.parameters,
      stream: true,
      stream_options: { include_usage: true },
    });
    let response: Awaited<ReturnType<Pool['request']>>;
    try {
      response = await pool.request({
        path,
        method: 'POST',
        headers,
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
      // We asked for a stream, so anything not declared JSON (even a missing content-type) is read
      // as SSE; a JSON body means a server that ignored `stream: true`.
      const contentType = String(response.headers['content-type'] ?? '').toLowerCase();
      const events = contentType.includes('json')
        ? decodeWhole(responseBody.iterable, secrets)
        : decodeStreamed(responseBody.iterable, signal, secrets);
      yield* withUsageAndFinish(events, request);
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

type RawEvent = ProviderEvent | { type: 'finish-raw'; reason: string | null | undefined };

/** SSE body → raw events; a mid-stream `{error}` payload becomes a 502 with the upstream's text. */
async function* decodeStreamed(
  body: AsyncIterable<Uint8Array>,
  signal: AbortSignal,
  secrets: readonly string[],
): AsyncIterable<RawEvent> {
  const tracker = createToolCallTracker(randomUUID);
  for await (const result of decodeSseStream(body, { schema: upstreamChatCompletionChunkSchema, signal })) {
    if (!result.success) {
      if (SseDecodeError.isInstance(result.error) && result.error.type === 'error-payload') {
        const details = parseUpstreamErrorBody(JSON.stringify(result.error.payload ?? {}));
        throw new GatewayError(details.message ? scrubSecrets(details.message, secrets) : UPSTREAM_ERROR_MESSAGE, {
          status: 502,
          type: 'api_error',
          code: details.code,
        });
      }
      // One malformed chunk is skipped, not fatal (some servers send keep-alive junk).
      continue;
    }
    yield* payloadEvents(result.value as UpstreamPayloadView, tracker, 'delta');
  }
}

/** A plain JSON completion (servers that ignore `stream: true`) → the same raw events. */
async function* decodeWhole(body: AsyncIterable<Uint8Array>, secrets: readonly string[]): AsyncIterable<RawEvent> {
  const text = await readBodyText(body, MAX_JSON_BODY_BYTES);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new GatewayError(UPSTREAM_ERROR_MESSAGE, { status: 502, type: 'api_error', cause: error });
  }
  if (value !== null && typeof value === 'object' && 'error' in value) {
    const details = parseUpstreamErrorBody(text);
    throw new GatewayError(details.message ? scrubSecrets(details.message, secrets) : UPSTREAM_ERROR_MESSAGE, {
      status: 502,
      type: 'api_error',
      code: details.code,
    });
  }
  const parsed = upstreamChatCompletionSchema.safeParse(value);
  if (!parsed.success) throw new GatewayError(UPSTREAM_ERROR_MESSAGE, { status: 502, type: 'api_error' });
  yield* payloadEvents(parsed.data as UpstreamPayloadView, createToolCallTracker(randomUUID), 'message');
}

function* payloadEvents(
  payload: UpstreamPayloadView,
  tracker: ReturnType<typeof createToolCallTracker>,
  field: 'delta' | 'message',
): Iterable<RawEvent> {
  const choice = payload.choices?.[0];
  const part = choice?.[field];
  if (part?.content) yield { type: 'text-delta', text: part.content };
  for (const call of part?.tool_calls ?? []) yield* tracker.accept(call);
  if (choice?.finish_reason) yield { type: 'finish-raw', reason: choice.finish_reason };
  const usage = payload.usage;
  if (usage && typeof usage.prompt_tokens === 'number' && typeof usage.completion_tokens === 'number') {
    yield {
      type: 'usage',
      usage: {
        prompt_tokens: usage.prompt_tokens,
        completion_tokens: usage.completion_tokens,
        total_tokens: usage.total_tokens ?? usage.prompt_tokens + usage.completion_tokens,
      },
    };
  }
}

/**
 * Passes deltas through as they arrive and ends with exactly one `usage` and one `finish`: the
 * upstream's usage arrives after the finish reason (`include_usage` sends it in a last chunk), so
 * both are held until the body ends.
 */
async function* withUsageAndFinish(events: AsyncIterable<RawEvent>, request: ProviderRequest): AsyncIterable<ProviderEvent> {
  let usage: ProviderEvent | undefined;
  let rawFinish: string | null | undefined;
  let sawToolCall = false;
  let outputCharacters = 0;
  for await (const event of events) {
    if (event.type === 'finish-raw') rawFinish = event.reason;
    else if (event.type === 'usage') usage = event;
    else {
      if (event.type === 'tool-call-start') sawToolCall = true;
      if (event.type === 'text-delta') outputCharacters += event.text.length;
      if (event.type === 'tool-call-delta') outputCharacters += event.arguments.length;
      yield event;
    }
  }
  // Some servers (older llama.cpp, proxies stripping stream_options) send no usage at all. Then we
  // estimate with the common 4-characters-per-token rule so clients still get numbers; they are
  // approximations, not billing figures.
  if (!usage) {
    const promptCharacters = request.messages.reduce((total, message) => total + JSON.stringify(message.content ?? '').length, 0);
    const promptTokens = Math.ceil(promptCharacters / 4);
    const completionTokens = Math.ceil(outputCharacters / 4);
    usage = { type: 'usage', usage: { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens } };
  }
  yield usage;
  const finishReason: FinishReason = sawToolCall || rawFinish === 'tool_calls' || rawFinish === 'function_call'
    ? 'tool_calls'
    : rawFinish === 'length'
      ? 'length'
      : 'stop';
  yield { type: 'finish', finishReason };
}
