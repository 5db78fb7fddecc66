import { z } from 'zod';

/**
 * The Responses API's answer: the response object and its output items
 * (https://platform.openai.com/docs/api-reference/responses/object), the shape the gateway sends
 * (docs/responses-api.md#the-response-object). Objects are open so a client reading OpenAI or a
 * newer gateway keeps working when keys are added.
 */

/** Text the model wrote; `annotations` is always `[]` from the gateway. */
export const responsesOutputTextSchema = z.looseObject({
  type: z.literal('output_text'),
  text: z.string(),
  annotations: z.array(z.unknown()).optional(),
});

/** A message the model wrote. */
export const responsesOutputMessageSchema = z.looseObject({
  type: z.literal('message'),
  id: z.string(),
  role: z.literal('assistant'),
  status: z.enum(['in_progress', 'completed', 'incomplete']),
  content: z.array(z.union([responsesOutputTextSchema, z.looseObject({ type: z.string() })])),
});

/** A call of a client function: the client runs it and sends a `function_call_output` item back. */
export const responsesFunctionCallSchema = z.looseObject({
  type: z.literal('function_call'),
  id: z.string(),
  call_id: z.string(),
  name: z.string(),
  arguments: z.string(),
  status: z.enum(['in_progress', 'completed', 'incomplete']).optional(),
});

/** One output item: a message, a function call, or a kind this schema does not know. */
export const responsesOutputItemSchema = z.union([
  responsesOutputMessageSchema,
  responsesFunctionCallSchema,
  z.looseObject({ type: z.string() }),
]);

/** Token counts of one response. */
export const responsesUsageSchema = z.looseObject({
  input_tokens: z.number().int().nonnegative(),
  input_tokens_details: z.looseObject({ cached_tokens: z.number().int().nonnegative() }).optional(),
  output_tokens: z.number().int().nonnegative(),
  output_tokens_details: z.looseObject({ reasoning_tokens: z.number().int().nonnegative() }).optional(),
  total_tokens: z.number().int().nonnegative(),
});

/** Why a response failed (`status: "failed"`). */
export const responsesErrorSchema = z.looseObject({ code: z.string(), message: z.string() });

/** The response object (`object: "response"`). */
export const responsesObjectSchema = z.looseObject({
  id: z.string(),
  object: z.literal('response'),
  created_at: z.number(),
  status: z.enum(['completed', 'failed', 'in_progress', 'incomplete', 'queued', 'cancelled']),
  model: z.string(),
  output: z.array(responsesOutputItemSchema),
  usage: responsesUsageSchema.nullish(),
  error: responsesErrorSchema.nullish(),
});

/** The response object. */
export type ResponsesObject = z.infer<typeof responsesObjectSchema>;
/** One output item. */
export type ResponsesOutputItem = z.infer<typeof responsesOutputItemSchema>;
/** A message output item. */
export type ResponsesOutputMessage = z.infer<typeof responsesOutputMessageSchema>;
/** A function call output item. */
export type ResponsesFunctionCall = z.infer<typeof responsesFunctionCallSchema>;
/** Token counts of one response. */
export type ResponsesUsage = z.infer<typeof responsesUsageSchema>;
