import { responsesObjectSchema, type ResponsesRequestInput } from '@clawgate/openai-schemas';
import type { ChatCompletionCreateOptions } from './create-client.js';
import type { PostJson } from './post-json.js';
import { assertEventStream, parseBody, readJson } from './read-response-body.js';
import { type ResponsesResult, withOutputText } from './response-output-text.js';
import { ResponseStream } from './response-stream.js';

/**
 * Per-call options of `responses.create`: the same routing headers as chat completions
 * (`agent`, `sessionKey`, `model`, `messageChannel`) on top of the common request options.
 */
export type ResponseCreateOptions = ChatCompletionCreateOptions;

/** The request body fields shared by streaming and non-streaming calls (`model` is required). */
export type ResponseCreateParamsBase = Omit<ResponsesRequestInput, 'stream'>;

/** A streaming request body: `stream: true`. */
export type ResponseCreateParamsStreaming = ResponseCreateParamsBase & { stream: true };

/** A non-streaming request body: `stream` absent, `false` or `null`. */
export type ResponseCreateParamsNonStreaming = ResponseCreateParamsBase & { stream?: false | null };

/** Any request body, when whether it streams is only known at run time. */
export type ResponseCreateParams = ResponseCreateParamsBase & { stream?: boolean | null };

/** `client.responses`: OpenAI's Responses API (https://platform.openai.com/docs/api-reference/responses/create). */
export interface Responses {
  /**
   * Streams a response.
   *
   * @param body - The request with `stream: true`.
   * @param options - {@link ResponseCreateOptions}.
   * @returns A {@link ResponseStream}, once the gateway answered 200.
   * @throws ClawgateError subclasses (HTTP errors before the stream started, network, timeout, abort).
   */
  create(body: ResponseCreateParamsStreaming, options?: ResponseCreateOptions): Promise<ResponseStream>;
  /**
   * Creates a response and waits for all of it.
   *
   * @param body - The request, `stream` absent or `false`.
   * @param options - {@link ResponseCreateOptions}.
   * @returns The response object plus `output_text`.
   * @throws ClawgateError subclasses; a run that failed upstream is a 502 `InternalServerError` with its message.
   */
  create(body: ResponseCreateParamsNonStreaming, options?: ResponseCreateOptions): Promise<ResponsesResult>;
  /**
   * Either of the above, when `stream` is a run-time boolean.
   *
   * @param body - The request.
   * @param options - {@link ResponseCreateOptions}.
   * @returns A stream when `body.stream` is `true`, else the response.
   * @throws ClawgateError subclasses.
   */
  create(body: ResponseCreateParams, options?: ResponseCreateOptions): Promise<ResponseStream | ResponsesResult>;
}

/**
 * Builds `client.responses` on the client's JSON POST (`POST /v1/responses`).
 *
 * @param postJson - Sends with the client's token, routing headers and `user` default.
 * @returns The {@link Responses} group.
 */
export function createResponses(postJson: PostJson): Responses {
  async function create(
    body: ResponseCreateParams,
    options?: ResponseCreateOptions,
  ): Promise<ResponseStream | ResponsesResult> {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new TypeError('responses.create expects a request object with model');
    }
    const streaming = body.stream === true;
    // Not idempotent: like a chat completion, a response runs (and stores) an agent turn.
    const sent = await postJson('/v1/responses', body, options, { stream: streaming, idempotent: false });
    if (streaming) {
      assertEventStream(sent);
      return new ResponseStream(sent);
    }
    return withOutputText(parseBody(sent, await readJson(sent), responsesObjectSchema, 'response'));
  }
  return { create } as Responses;
}
