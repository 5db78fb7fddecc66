import { chatCompletionRequestSchema, type ChatCompletionRequest } from './chat-completion-request.js';
import {
  DEFAULT_CHAT_COMPLETION_REQUEST_LIMITS,
  checkChatCompletionRequestLimits,
  type ChatCompletionRequestLimits,
} from './chat-completion-request-limits.js';
import { formatZodError } from './format-zod-error.js';

/** The contract's sentence for a missing or empty `messages` list. */
export const MISSING_USER_MESSAGE = 'Missing user message in `messages`.';

/** Result of {@link parseChatCompletionRequest}. */
export type ParseChatCompletionRequestResult =
  | { success: true; data: ChatCompletionRequest }
  | { success: false; message: string };

/** Options of {@link parseChatCompletionRequest}. */
export interface ParseChatCompletionRequestOptions {
  /** Item counts to refuse before validating. @defaultValue {@link DEFAULT_CHAT_COMPLETION_REQUEST_LIMITS} */
  limits?: Readonly<ChatCompletionRequestLimits>;
}

/**
 * Validates a Chat Completions request body and returns either the parsed request or the exact
 * 400 message of docs/http-contract.md#3-request-validation (type `invalid_request_error`). Never throws.
 *
 * Order: first the item counts ({@link checkChatCompletionRequestLimits}: too many messages, content
 * parts, tool calls or tools), so a hostile body is refused before any element is validated; then the body must be an
 * object (`Invalid input: expected object, received array`), then each
 * field in schema order (first issue wins), then the tools/tool_choice cross-checks, and last a
 * missing or empty `messages` list (``Missing user message in `messages`.``), so a concrete field
 * error is always preferred over the generic one. `model` is only type-checked here.
 *
 * @param body - The JSON-decoded request body (an empty HTTP body should be passed as `{}`).
 * @param options - See {@link ParseChatCompletionRequestOptions}.
 * @returns `{ success: true, data }` or `{ success: false, message }`.
 * @example
 * ```ts
 * const result = parseChatCompletionRequest({ model: 'openclaw', messages: [{ role: 'user', content: 'hi' }] });
 * if (!result.success) return response.status(400).json(createErrorBody({ message: result.message, type:
 * 'invalid_request_error' }));
 * ```
 */
export function parseChatCompletionRequest(
  body: unknown,
  options: ParseChatCompletionRequestOptions = {},
): ParseChatCompletionRequestResult {
  const overLimit = checkChatCompletionRequestLimits(body, options.limits ?? DEFAULT_CHAT_COMPLETION_REQUEST_LIMITS);
  if (overLimit !== undefined) return { success: false, message: overLimit };
  const result = chatCompletionRequestSchema.safeParse(body);
  if (!result.success) return { success: false, message: formatZodError(result.error) };
  if (result.data.messages.length === 0) return { success: false, message: MISSING_USER_MESSAGE };
  return { success: true, data: result.data };
}
