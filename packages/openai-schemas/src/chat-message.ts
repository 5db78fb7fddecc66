import { z } from 'zod';
import { arrayUntilFirstError } from './array-until-first-error.js';
import { chatMessageContentSchema } from './chat-content.js';

/** A tool call an assistant made earlier in the conversation (echoed back by the client). */
export const chatCompletionMessageToolCallSchema = z.object({
  id: z.string(),
  type: z.literal('function'),
  function: z.object({
    name: z.string(),
    // Arguments stay a JSON *string*, exactly as OpenAI sends them; parsing is the caller's choice.
    arguments: z.string(),
  }),
});

/** `system` message: joined into the extra system prompt. */
export const chatSystemMessageSchema = z.object({
  role: z.literal('system'),
  content: chatMessageContentSchema,
  name: z.string().optional(),
});

/** `developer` message: OpenAI's newer name for `system`, treated the same. */
export const chatDeveloperMessageSchema = z.object({
  role: z.literal('developer'),
  content: chatMessageContentSchema,
  name: z.string().optional(),
});

/** `user` message. */
export const chatUserMessageSchema = z.object({
  role: z.literal('user'),
  content: chatMessageContentSchema,
  name: z.string().optional(),
});

/** `assistant` message, possibly carrying earlier tool calls instead of content. */
export const chatAssistantMessageSchema = z.object({
  role: z.literal('assistant'),
  content: chatMessageContentSchema,
  name: z.string().optional(),
  tool_calls: arrayUntilFirstError(chatCompletionMessageToolCallSchema).optional(),
});

/** `tool` message: the result of a tool call. */
export const chatToolMessageSchema = z.object({
  role: z.literal('tool'),
  content: chatMessageContentSchema,
  // Optional because some clients omit it; the prompt label falls back to `Tool`.
  tool_call_id: z.string().optional(),
});

/** Legacy `function` message (pre-tools API), treated as `tool`. */
export const chatFunctionMessageSchema = z.object({
  role: z.literal('function'),
  content: chatMessageContentSchema,
  name: z.string().optional(),
});

/** Any message in `messages`, discriminated by `role`. Unknown fields are stripped. */
export const chatMessageSchema = z.discriminatedUnion('role', [
  chatSystemMessageSchema,
  chatDeveloperMessageSchema,
  chatUserMessageSchema,
  chatAssistantMessageSchema,
  chatToolMessageSchema,
  chatFunctionMessageSchema,
]);

/** A tool call inside an assistant message or a non-streaming response. */
export type ChatCompletionMessageToolCall = z.infer<typeof chatCompletionMessageToolCallSchema>;
/** Any accepted chat message. */
export type ChatMessage = z.infer<typeof chatMessageSchema>;
/** The `role` values the gateway accepts. */
export type ChatMessageRole = ChatMessage['role'];
