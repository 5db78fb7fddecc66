import {
  modelListSchema,
  modelSchema,
  upstreamChatCompletionSchema,
  type ChatCompletion,
  type ChatCompletionRequestInput,
  type Model,
  type ModelList,
  type UpstreamChatCompletion,
} from '@clawgate/openai-schemas';
import { ChatCompletionStream } from './chat-completion-stream.js';
import { toChatCompletion } from './normalize-chat-completion.js';
import { createEmbeddings, type Embeddings } from './embeddings.js';
import type { PostJson } from './post-json.js';
import { type AgentTurnEndpoint, postAgentTurn } from './post-agent-turn.js';
import { parseBody, readJson } from './read-response-body.js';
import { MAX_TIMEOUT_MS } from './request-attempt.js';
import { createResponses, type Responses } from './responses.js';
import { sendRequest, type FetchFunction, type SentRequest } from './send-request.js';

/** Ten minutes: an agent run with tools can be slow, and streams re-arm the timer on every byte. */
export const DEFAULT_TIMEOUT_MS = 600_000;
/** Two retries (three attempts) for the failures {@link createClient} considers safe to repeat. */
export const DEFAULT_MAX_RETRIES = 2;
// More would turn one call into minutes of hammering a struggling gateway.
const MAX_MAX_RETRIES = 10;

/** Options of {@link createClient}. */
export interface ClientOptions {
  /**
   * Where the gateway listens, e.g. `http://127.0.0.1:18789`. A trailing `/v1` (the OpenAI SDK
   * habit) is accepted and not doubled.
   */
  baseURL: string;
  /**
   * Sent as `Authorization: Bearer <token>`. Leave out for `auth.mode: "none"` or a trusted proxy. @defaultValue none
   */
  token?: string;
  /** Default agent id for chat completions (`x-openclaw-agent-id`). @defaultValue none (the gateway's default agent) */
  agent?: string;
  /** Default session key (`x-openclaw-session-key`). @defaultValue none (the gateway derives one) */
  sessionKey?: string;
  /** Fills the body's `user` when a request leaves it out, giving a stable per-user session. @defaultValue none */
  user?: string;
  /** Extra headers on every request (e.g. `x-openclaw-scopes` behind a trusted proxy). @defaultValue none */
  headers?: Record<string, string>;
  /** The `fetch` to use (a polyfill, an instrumented wrapper). @defaultValue `globalThis.fetch` */
  fetch?: FetchFunction;
  /** Per-attempt time limit in ms; for streams, the longest silence between bytes. @defaultValue `600000` */
  timeoutMs?: number;
  /** Retries after the first attempt (see README "Retries"). @defaultValue `2` */
  maxRetries?: number;
}

/** Per-call options of every method. */
export interface RequestOptions {
  /** Aborts the call (and a stream's body); the call then rejects with `AbortError`. @defaultValue none */
  signal?: AbortSignal;
  /** Overrides {@link ClientOptions.timeoutMs} for this call. */
  timeoutMs?: number;
  /** Overrides {@link ClientOptions.maxRetries} for this call. */
  maxRetries?: number;
  /** Extra headers for this call; they win over the client's. @defaultValue none */
  headers?: Record<string, string>;
}

/** Per-call options of `chat.completions.create`: routing headers on top of {@link RequestOptions}. */
export interface ChatCompletionCreateOptions extends RequestOptions {
  /** Agent id for this call (`x-openclaw-agent-id`); wins over {@link ClientOptions.agent}. */
  agent?: string;
  /** Session key for this call (`x-openclaw-session-key`); wins over {@link ClientOptions.sessionKey}. */
  sessionKey?: string;
  /** Backend model override within the agent's allow-list (`x-openclaw-model`), e.g. `local/qwen3`. */
  model?: string;
  /** Channel recorded on the run (`x-openclaw-message-channel`). @defaultValue none (the gateway uses `webchat`) */
  messageChannel?: string;
}

/** A chat message as the gateway accepts it. */
export type ChatCompletionMessageParam = NonNullable<ChatCompletionRequestInput['messages']>[number];

/** The request body fields shared by streaming and non-streaming calls (`messages` is required). */
export type ChatCompletionCreateParamsBase = Omit<ChatCompletionRequestInput, 'messages' | 'stream'> & {
  /** The conversation; the last `user` (or `tool`) message is the one the agent answers. */
  messages: ChatCompletionMessageParam[];
};

/** A streaming request body: `stream: true`. */
export type ChatCompletionCreateParamsStreaming = ChatCompletionCreateParamsBase & { stream: true };

/** A non-streaming request body: `stream` absent, `false` or `null`. */
export type ChatCompletionCreateParamsNonStreaming = ChatCompletionCreateParamsBase & { stream?: false | null };

/** Any request body, when whether it streams is only known at run time. */
export type ChatCompletionCreateParams = ChatCompletionCreateParamsBase & { stream?: boolean | null };

/** `client.chat.completions`. */
export interface ChatCompletions {
  /**
   * Streams a chat completion.
   *
   * @param body - The request with `stream: true`.
   * @param options - {@link ChatCompletionCreateOptions}.
   * @returns A {@link ChatCompletionStream}, once the gateway answered 200.
   * @throws ClawgateError subclasses (HTTP errors before the stream started, network, timeout, abort).
   */
  create(
    body: ChatCompletionCreateParamsStreaming,
    options?: ChatCompletionCreateOptions,
  ): Promise<ChatCompletionStream>;
  /**
   * Runs a chat completion and waits for the whole answer.
   *
   * @param body - The request, `stream` absent or `false`.
   * @param options - {@link ChatCompletionCreateOptions}.
   * @returns The {@link ChatCompletion}.
   * @throws ClawgateError subclasses.
   */
  create(body: ChatCompletionCreateParamsNonStreaming, options?: ChatCompletionCreateOptions): Promise<ChatCompletion>;
  /**
   * Either of the above, when `stream` is a run-time boolean.
   *
   * @param body - The request.
   * @param options - {@link ChatCompletionCreateOptions}.
   * @returns A stream when `body.stream` is `true`, else the completion.
   * @throws ClawgateError subclasses.
   */
  create(
    body: ChatCompletionCreateParams,
    options?: ChatCompletionCreateOptions,
  ): Promise<ChatCompletionStream | ChatCompletion>;
}

/** `client.models`. */
export interface Models {
  /**
   * Lists the models the gateway offers (`openclaw`, `openclaw/default`, `openclaw/<agentId>`…).
   *
   * @param options - {@link RequestOptions}.
   * @returns `{ object: 'list', data: Model[] }`.
   * @throws ClawgateError subclasses.
   */
  list(options?: RequestOptions): Promise<ModelList>;
  /**
   * Fetches one model; the id is URL-encoded, so `openclaw/main` works as is.
   *
   * @param id - The model id.
   * @param options - {@link RequestOptions}.
   * @returns The {@link Model}.
   * @throws TypeError for an empty id; `NotFoundError` for an unknown one; other ClawgateError subclasses.
   */
  retrieve(id: string, options?: RequestOptions): Promise<Model>;
}

/** What {@link createClient} returns. */
export interface ClawgateClient {
  /** The normalised base URL requests go to (no trailing slash, no `/v1`). */
  readonly baseURL: string;
  /** Chat completions. */
  readonly chat: { readonly completions: ChatCompletions };
  /** Models. */
  readonly models: Models;
  /** OpenAI's Responses API (`POST /v1/responses`). */
  readonly responses: Responses;
  /** Embeddings (`POST /v1/embeddings`). */
  readonly embeddings: Embeddings;
}

// Header values must be one line; checking here gives a clear TypeError that never echoes the value
// (it may be the token), where fetch's own error would quote it.
const HEADER_VALUE = /^[^\r\n\0]*$/;

function assertHeaderValue(name: string, value: unknown): asserts value is string | undefined {
  if (value === undefined) return;
  if (typeof value !== 'string' || !HEADER_VALUE.test(value)) {
    throw new TypeError(`${name} must be a string without CR, LF or NUL characters`);
  }
}

function assertTimeout(name: string, value: unknown): asserts value is number | undefined {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > MAX_TIMEOUT_MS) {
    throw new TypeError(`${name} must be a number of milliseconds between 1 and ${MAX_TIMEOUT_MS}`);
  }
}

function assertRetries(name: string, value: unknown): asserts value is number | undefined {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > MAX_MAX_RETRIES) {
    throw new TypeError(`${name} must be an integer between 0 and ${MAX_MAX_RETRIES}`);
  }
}

function assertHeaders(name: string, value: unknown): asserts value is Record<string, string> | undefined {
  if (value === undefined) return;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TypeError(`${name} must be an object of header names to string values`);
  }
  for (const [key, headerValue] of Object.entries(value)) {
    assertHeaderValue(`${name}[${JSON.stringify(key)}]`, headerValue);
  }
}

/** Validates and normalises `baseURL`; messages never quote it because it may embed credentials. */
function normalizeBaseURL(baseURL: unknown): string {
  if (typeof baseURL !== 'string' || baseURL.trim() === '') {
    throw new TypeError('baseURL must be a non-empty string such as http://127.0.0.1:18789');
  }
  let url: URL;
  try {
    url = new URL(baseURL.trim());
  } catch {
    throw new TypeError('baseURL is not a valid absolute URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TypeError('baseURL must use http: or https:');
  }
  if (url.username !== '' || url.password !== '') {
    throw new TypeError('baseURL must not contain credentials; pass the token option instead');
  }
  if (url.search !== '' || url.hash !== '') {
    throw new TypeError('baseURL must not contain a query string or fragment');
  }
  const path = url.pathname.replace(/\/+$/, '').replace(/\/v1$/, '');
  return `${url.origin}${path}`;
}

/**
 * Creates a typed client for a clawgate (or OpenClaw) gateway's OpenAI-compatible HTTP surface.
 * It uses the global `fetch` (Node 20+, browsers, Deno, Bun) unless one is passed.
 *
 * @param options - {@link ClientOptions}.
 * @param options.baseURL - The gateway URL, e.g. `http://127.0.0.1:18789`.
 * @param options.token - Bearer token. @defaultValue none
 * @param options.agent - Default agent id. @defaultValue none
 * @param options.sessionKey - Default session key. @defaultValue none
 * @param options.user - Default body `user`. @defaultValue none
 * @param options.headers - Extra headers on every request. @defaultValue none
 * @param options.fetch - The fetch implementation. @defaultValue `globalThis.fetch`
 * @param options.timeoutMs - Per-attempt limit (streams: longest silence). @defaultValue `600000`
 * @param options.maxRetries - Retries for safe-to-repeat failures. @defaultValue `2`
 * @returns A {@link ClawgateClient}.
 * @throws TypeError for an invalid option (the message never contains the token or URL credentials),
 *   or when no `fetch` is available.
 * @example
 * ```ts
 * const client = createClient({ baseURL: 'http://127.0.0.1:18789', token: process.env.OPENCLAW_GATEWAY_TOKEN });
 * const completion = await client.chat.completions.create({ model: 'openclaw', messages: [{ role: 'user', content: 'hi'
 * }] });
 * console.log(completion.choices[0]?.message.content);
 * ```
 */
export function createClient(options: ClientOptions): ClawgateClient {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('createClient expects an options object with at least baseURL');
  }
  const baseURL = normalizeBaseURL(options.baseURL);
  const { token, agent, sessionKey, user, headers: clientHeaders } = options;
  assertHeaderValue('token', token);
  if (token !== undefined && token.trim() === '') throw new TypeError('token must not be empty');
  assertHeaderValue('agent', agent);
  assertHeaderValue('sessionKey', sessionKey);
  if (user !== undefined && typeof user !== 'string') throw new TypeError('user must be a string');
  assertHeaders('headers', clientHeaders);
  assertTimeout('timeoutMs', options.timeoutMs);
  assertRetries('maxRetries', options.maxRetries);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxRetries = options.maxRetries ?? DEFAULT_MAX_RETRIES;
  if (options.fetch !== undefined && typeof options.fetch !== 'function') {
    throw new TypeError('fetch must be a function');
  }
  if (options.fetch === undefined && typeof globalThis.fetch !== 'function') {
    throw new TypeError('No global fetch is available; pass the fetch option');
  }
  // Looked up per call, not captured: test tools and polyfills often replace globalThis.fetch later.
  const fetchFunction: FetchFunction = options.fetch ?? ((url, init) => globalThis.fetch(url, init));

  function buildHeaders(requestOptions: RequestOptions | undefined, accept: string): Headers {
    assertHeaders('options.headers', requestOptions?.headers);
    const headers = new Headers({ accept });
    if (token !== undefined) headers.set('authorization', `Bearer ${token.trim()}`);
    for (const [name, value] of Object.entries(clientHeaders ?? {})) headers.set(name, value);
    if (agent !== undefined) headers.set('x-openclaw-agent-id', agent);
    if (sessionKey !== undefined) headers.set('x-openclaw-session-key', sessionKey);
    for (const [name, value] of Object.entries(requestOptions?.headers ?? {})) headers.set(name, value);
    return headers;
  }

  function send(
    path: string,
    method: 'GET' | 'POST',
    headers: Headers,
    requestOptions: RequestOptions | undefined,
    settings: { body?: string; idempotent: boolean },
  ): Promise<SentRequest> {
    assertTimeout('options.timeoutMs', requestOptions?.timeoutMs);
    assertRetries('options.maxRetries', requestOptions?.maxRetries);
    return sendRequest({
      fetch: fetchFunction,
      url: `${baseURL}${path}`,
      method,
      headers,
      ...(settings.body === undefined ? {} : { body: settings.body }),
      signal: requestOptions?.signal,
      timeoutMs: requestOptions?.timeoutMs ?? timeoutMs,
      maxRetries: requestOptions?.maxRetries ?? maxRetries,
      idempotent: settings.idempotent,
    });
  }

  const postJson: PostJson = (path, body, createOptions, settings) => {
    const headers = buildHeaders(createOptions, settings.stream ? 'text/event-stream' : 'application/json');
    headers.set('content-type', 'application/json');
    const routing: Array<[string, string, string | undefined]> = [
      ['agent', 'x-openclaw-agent-id', createOptions?.agent],
      ['sessionKey', 'x-openclaw-session-key', createOptions?.sessionKey],
      ['model', 'x-openclaw-model', createOptions?.model],
      ['messageChannel', 'x-openclaw-message-channel', createOptions?.messageChannel],
    ];
    for (const [optionName, headerName, value] of routing) {
      assertHeaderValue(`options.${optionName}`, value);
      if (value !== undefined) headers.set(headerName, value);
    }
    const payload = body.user === undefined && user !== undefined ? { ...body, user } : body;
    return send(path, 'POST', headers, createOptions, {
      body: JSON.stringify(payload),
      idempotent: settings.idempotent,
    });
  };

  const chatCompletion: AgentTurnEndpoint<UpstreamChatCompletion, ChatCompletionStream, ChatCompletion> = {
    path: '/v1/chat/completions',
    notAnObject: 'chat.completions.create expects a request object with messages',
    openStream: (sent) => new ChatCompletionStream(sent),
    schema: upstreamChatCompletionSchema,
    bodyName: 'chat completion',
    toResult: toChatCompletion,
  };
  const completions = {
    create: (body: ChatCompletionCreateParams, createOptions?: ChatCompletionCreateOptions) =>
      postAgentTurn(postJson, chatCompletion, body, createOptions),
  } as ChatCompletions;

  const models: Models = {
    async list(requestOptions) {
      const headers = buildHeaders(requestOptions, 'application/json');
      const sent = await send('/v1/models', 'GET', headers, requestOptions, { idempotent: true });
      return parseBody(sent, await readJson(sent), modelListSchema, 'model list');
    },
    async retrieve(id, requestOptions) {
      if (typeof id !== 'string' || id === '') {
        throw new TypeError('models.retrieve expects a non-empty model id');
      }
      const path = `/v1/models/${encodeURIComponent(id)}`;
      const headers = buildHeaders(requestOptions, 'application/json');
      const sent = await send(path, 'GET', headers, requestOptions, { idempotent: true });
      return parseBody(sent, await readJson(sent), modelSchema, 'model');
    },
  };

  return {
    baseURL,
    chat: { completions },
    models,
    responses: createResponses(postJson),
    embeddings: createEmbeddings(postJson),
  };
}
