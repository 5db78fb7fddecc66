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
export { formatZodError } from './format-zod-error.js';
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
