// Public surface of @clawgate/openai-schemas. Anything not exported here is private.
export {
  chatContentImagePartSchema,
  chatContentPartSchema,
  chatContentTextPartSchema,
  chatMessageContentSchema,
} from './chat-content.js';
export type {
  ChatContentImagePart,
  ChatContentPart,
  ChatContentTextPart,
  ChatMessageContent,
} from './chat-content.js';
export {
  chatAssistantMessageSchema,
  chatCompletionMessageToolCallSchema,
  chatDeveloperMessageSchema,
  chatFunctionMessageSchema,
  chatMessageSchema,
  chatSystemMessageSchema,
  chatToolMessageSchema,
  chatUserMessageSchema,
} from './chat-message.js';
export type { ChatCompletionMessageToolCall, ChatMessage, ChatMessageRole } from './chat-message.js';
export {
  INVALID_TOOLS_PREFIX,
  chatCompletionNamedToolChoiceSchema,
  chatCompletionToolChoiceSchema,
  chatCompletionToolSchema,
} from './chat-completion-tool.js';
export type {
  ChatCompletionNamedToolChoice,
  ChatCompletionTool,
  ChatCompletionToolChoice,
} from './chat-completion-tool.js';
export { chatCompletionRequestSchema } from './chat-completion-request.js';
export type { ChatCompletionRequest, ChatCompletionRequestInput } from './chat-completion-request.js';
export { MISSING_USER_MESSAGE, parseChatCompletionRequest } from './parse-chat-completion-request.js';
export type {
  ParseChatCompletionRequestOptions,
  ParseChatCompletionRequestResult,
} from './parse-chat-completion-request.js';
export {
  DEFAULT_CHAT_COMPLETION_REQUEST_LIMITS,
  checkChatCompletionRequestLimits,
} from './chat-completion-request-limits.js';
export type { ChatCompletionRequestLimits } from './chat-completion-request-limits.js';
export { formatIssuePath, formatZodError } from './format-zod-error.js';
export {
  chatCompletionChunkSchema,
  chatCompletionSchema,
  chatCompletionToolCallDeltaSchema,
  chatCompletionUsageSchema,
  finishReasonSchema,
} from './chat-completion.js';
export type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionToolCallDelta,
  ChatCompletionUsage,
  FinishReason,
} from './chat-completion.js';
export {
  isUpstreamError,
  normalizeUpstreamError,
  upstreamChatCompletionChunkSchema,
  upstreamChatCompletionSchema,
  upstreamErrorSchema,
  upstreamStreamEventSchema,
  upstreamToolCallDeltaSchema,
  upstreamToolCallSchema,
  upstreamUsageSchema,
} from './upstream-chat-completion.js';
export type {
  UpstreamChatCompletion,
  UpstreamChatCompletionChunk,
  UpstreamError,
  UpstreamStreamEvent,
  UpstreamToolCall,
  UpstreamToolCallDelta,
  UpstreamUsage,
} from './upstream-chat-completion.js';
export { createErrorBody, openAIErrorSchema } from './openai-error.js';
export type { CreateErrorBodyOptions, OpenAIErrorBody } from './openai-error.js';
export { parseRetryAfter } from './parse-retry-after.js';
export { modelListSchema, modelSchema } from './model.js';
export type { Model, ModelList } from './model.js';
export {
  responsesFunctionCallItemSchema,
  responsesFunctionCallOutputItemSchema,
  responsesInputContentPartSchema,
  responsesInputFilePartSchema,
  responsesInputImagePartSchema,
  responsesInputItemSchema,
  responsesInputMessageSchema,
  responsesInputSchema,
  responsesInputTextPartSchema,
  responsesItemReferenceSchema,
  responsesOutputTextPartSchema,
  responsesReasoningItemSchema,
  responsesRefusalPartSchema,
} from './responses-input.js';
export type {
  ResponsesFunctionCallItem,
  ResponsesFunctionCallOutputItem,
  ResponsesInputContentPart,
  ResponsesInputItem,
  ResponsesInputMessage,
} from './responses-input.js';
export {
  INVALID_TOOL_CONFIGURATION,
  responsesFunctionToolSchema,
  responsesRequestSchema,
  responsesTextFormatSchema,
  responsesToolChoiceSchema,
} from './responses-request.js';
export type {
  ResponsesFunctionTool,
  ResponsesRequest,
  ResponsesRequestInput,
  ResponsesTextFormat,
  ResponsesToolChoice,
} from './responses-request.js';
export { DEFAULT_RESPONSES_REQUEST_LIMITS, checkResponsesRequestLimits } from './responses-request-limits.js';
export type { ResponsesRequestLimits } from './responses-request-limits.js';
export { MISSING_INPUT_MESSAGE, parseResponsesRequest } from './parse-responses-request.js';
export type { ParseResponsesRequestOptions, ParseResponsesRequestResult } from './parse-responses-request.js';
export {
  responsesErrorSchema,
  responsesFunctionCallSchema,
  responsesObjectSchema,
  responsesOutputItemSchema,
  responsesOutputMessageSchema,
  responsesOutputTextSchema,
  responsesUsageSchema,
} from './responses-object.js';
export type {
  ResponsesFunctionCall,
  ResponsesObject,
  ResponsesOutputItem,
  ResponsesOutputMessage,
  ResponsesUsage,
} from './responses-object.js';
export { responsesStreamEventSchema } from './responses-stream-event.js';
export type { ResponsesStreamEvent, ResponsesStreamEventType } from './responses-stream-event.js';
export {
  MAX_EMBEDDING_INPUTS,
  embeddingInputList,
  embeddingListSchema,
  embeddingRequestSchema,
  embeddingSchema,
  embeddingUsageSchema,
  parseEmbeddingRequest,
  upstreamEmbeddingListSchema,
} from './embeddings.js';
export type {
  Embedding,
  EmbeddingInput,
  EmbeddingList,
  EmbeddingRequest,
  EmbeddingRequestInput,
  EmbeddingUsage,
  ParseEmbeddingRequestResult,
  UpstreamEmbeddingList,
} from './embeddings.js';
