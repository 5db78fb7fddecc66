// Public surface of @clawgate/client. Anything not exported here is private.
export {
  createClient,
  DEFAULT_MAX_RETRIES,
  DEFAULT_TIMEOUT_MS,
} from './create-client.js';
export type {
  ChatCompletionCreateOptions,
  ChatCompletionCreateParams,
  ChatCompletionCreateParamsBase,
  ChatCompletionCreateParamsNonStreaming,
  ChatCompletionCreateParamsStreaming,
  ChatCompletionMessageParam,
  ChatCompletions,
  ClawgateClient,
  ClientOptions,
  Models,
  RequestOptions,
} from './create-client.js';
export { ChatCompletionStream } from './chat-completion-stream.js';
export type { ChatCompletionStreamMessage } from './chat-completion-stream.js';
export type {
  ResponseCreateOptions,
  ResponseCreateParams,
  ResponseCreateParamsBase,
  ResponseCreateParamsNonStreaming,
  ResponseCreateParamsStreaming,
  Responses,
} from './responses.js';
export type { ResponsesResult } from './response-output-text.js';
export { ResponseStream } from './response-stream.js';
export type {
  EmbeddingCreateOptions,
  EmbeddingCreateParams,
  Embeddings,
  EmbeddingsResult,
  EmbeddingVector,
} from './embeddings.js';
export {
  AbortError,
  AuthenticationError,
  BadRequestError,
  ClawgateError,
  ConnectionError,
  InternalServerError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  TimeoutError,
} from './clawgate-error.js';
export type { ClawgateErrorOptions, RateLimitErrorOptions } from './clawgate-error.js';
export { createErrorFromResponse } from './create-error-from-response.js';
export type { ErrorResponseInit } from './create-error-from-response.js';
export { parseRetryAfter } from '@clawgate/openai-schemas';
export type { FetchFunction } from './send-request.js';
// The wire types, re-exported so most apps need only this package.
export type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionMessageToolCall,
  ChatCompletionToolCallDelta,
  ChatCompletionUsage,
  EmbeddingInput,
  EmbeddingUsage,
  FinishReason,
  Model,
  ModelList,
  ResponsesFunctionCall,
  ResponsesInputItem,
  ResponsesObject,
  ResponsesOutputItem,
  ResponsesOutputMessage,
  ResponsesRequestInput,
  ResponsesStreamEvent,
  ResponsesStreamEventType,
  ResponsesUsage,
} from '@clawgate/openai-schemas';
