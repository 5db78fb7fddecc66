import { chatCompletionRequestSchema, type ChatCompletionRequest } from './chat-completion-request.js';
import { formatZodError } from './format-zod-error.js';

/** The contract's sentence for a missing or empty `messages` list. */
export const MISSING_USER_MESSAGE = 'Missing user message in `messages`.';

/** Result of {@link parseChatCompletionRequest}. */
export type ParseChatCompletionRequestResult =
  | { success: true; data: ChatCompletionRequest }
  | { success: false; message: string };

/**
 * Validates a Chat Completions request body and returns either the parsed request or the exact
 * contract §3 400 message (type `invalid_request_error`). Never throws.
 *
 * Order: the body must be an object (`Invalid input: expected object, received array`), then each
 * field in schema order (first issue wins), then the tools/tool_choice cross-checks, and last a
 * missing or empty `messages` list (``Missing user message in `messages`.``), so a concrete field
 * error is always preferred over the generic one. `model` is only type-checked here.
 *
 * @param body - The JSON-decoded request body (an empty HTTP body should be passed as `{}`).
 * @returns `{ success: true, data }` or `{ success: false, message }`.
 * @example
 * ```ts
 * const result = parseChatCompletionRequest({ model: 'openclaw', messages: [{ role: 'user', content: 'hi' }] });
 * if (!result.success) return response.status(400).json(createErrorBody({ message: result.message, type: 'invalid_request_error' }));
 * ```
 */
export function parseChatCompletionRequest(body: unknown): ParseChatCompletionRequestResult {
  const result = chatCompletionRequestSchema.safeParse(body);
  if (!result.success) return { success: false, message: formatZodError(result.error) };
  if (result.data.messages.length === 0) return { success: false, message: MISSING_USER_MESSAGE };
  return { success: true, data: result.data };
}
