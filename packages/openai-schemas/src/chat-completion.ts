import { z } from 'zod';
import { chatCompletionMessageToolCallSchema } from './chat-message.js';

/** Why a choice stopped. `function_call` is the legacy name some servers still send. */
export const finishReasonSchema = z.enum(['stop', 'length', 'tool_calls', 'content_filter', 'function_call']);

/** Token counts of one completion. */
export const chatCompletionUsageSchema = z.object({
  prompt_tokens: z.number().int().nonnegative(),
  completion_tokens: z.number().int().nonnegative(),
  total_tokens: z.number().int().nonnegative(),
});

/**
 * A non-streaming response (`object: "chat.completion"`), the shape the gateway returns
 * (docs/http-contract.md#non-streaming-response).
 */
export const chatCompletionSchema = z.object({
  id: z.string(),
  object: z.literal('chat.completion'),
  created: z.number().int(),
  model: z.string(),
  choices: z.array(
    z.object({
      index: z.number().int().nonnegative(),
      message: z.object({
        role: z.literal('assistant'),
        content: z.string().nullable(),
        tool_calls: z.array(chatCompletionMessageToolCallSchema).optional(),
      }),
      finish_reason: finishReasonSchema,
    }),
  ),
  usage: chatCompletionUsageSchema.optional(),
});

/**
 * A tool-call fragment in a stream. The first fragment of a call carries `id`, `type` and
 * `function.name` with `arguments: ""`; later fragments carry only `index` and argument pieces.
 */
export const chatCompletionToolCallDeltaSchema = z.object({
  index: z.number().int().nonnegative(),
  id: z.string().optional(),
  type: z.literal('function').optional(),
  function: z
    .object({
      name: z.string().optional(),
      arguments: z.string().optional(),
    })
    .optional(),
});

/**
 * One streamed chunk (`object: "chat.completion.chunk"`). The usage chunk sent with
 * `stream_options.include_usage` has `choices: []` and `usage` set.
 */
export const chatCompletionChunkSchema = z.object({
  id: z.string(),
  object: z.literal('chat.completion.chunk'),
  created: z.number().int(),
  model: z.string(),
  choices: z.array(
    z.object({
      index: z.number().int().nonnegative(),
      delta: z.object({
        role: z.literal('assistant').optional(),
        content: z.string().nullable().optional(),
        tool_calls: z.array(chatCompletionToolCallDeltaSchema).optional(),
      }),
      finish_reason: finishReasonSchema.nullable(),
    }),
  ),
  usage: chatCompletionUsageSchema.nullable().optional(),
});

/** Why a choice stopped. */
export type FinishReason = z.infer<typeof finishReasonSchema>;
/** Token usage: `prompt_tokens`, `completion_tokens`, `total_tokens`. */
export type ChatCompletionUsage = z.infer<typeof chatCompletionUsageSchema>;
/** A non-streaming Chat Completions response. */
export type ChatCompletion = z.infer<typeof chatCompletionSchema>;
/** A tool-call fragment inside a chunk's `delta`. */
export type ChatCompletionToolCallDelta = z.infer<typeof chatCompletionToolCallDeltaSchema>;
/** One streamed chunk. */
export type ChatCompletionChunk = z.infer<typeof chatCompletionChunkSchema>;
