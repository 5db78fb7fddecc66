import { responsesObjectSchema, type ResponsesObject, type ResponsesRequestInput } from '@clawgate/openai-schemas';
import type { ChatCompletionCreateOptions } from './create-client.js';
import { type AgentTurnEndpoint, postAgentTurn } from './post-agent-turn.js';
import type { PostJson } from './post-json.js';
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
  const response: AgentTurnEndpoint<ResponsesObject, ResponseStream, ResponsesResult> = {
    path: '/v1/responses',
    notAnObject: 'responses.create expects a request object with model',
    openStream: (sent) => new ResponseStream(sent),
    schema: responsesObjectSchema,
    bodyName: 'response',
    toResult: withOutputText,
  };
  return {
    create: (body: ResponseCreateParams, options?: ResponseCreateOptions) =>
      postAgentTurn(postJson, response, body, options),
  } as Responses;
}
