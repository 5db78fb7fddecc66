import { z } from 'zod';
import { arrayUntilFirstError } from './array-until-first-error.js';
import { describeReceived } from './describe-received.js';
import { stringOrPartList } from './string-or-part-list.js';

/**
 * The `input` of a Responses API request: its items and their content parts
 * (https://platform.openai.com/docs/api-reference/responses/create). Items and parts are open
 * objects (unknown keys are stripped), because clients send back output items whole, with `id`,
 * `status` and keys added in later API versions.
 */

/** Text the user (or system) wrote. */
export const responsesInputTextPartSchema = z.object({ type: z.literal('input_text'), text: z.string() });

/** An image: `image_url` is an `http(s)` URL or a `data:` URI; `file_id` names an uploaded file. */
export const responsesInputImagePartSchema = z.object({
  type: z.literal('input_image'),
  image_url: z.string().nullish(),
  file_id: z.string().nullish(),
  detail: z.enum(['auto', 'low', 'high']).nullish(),
});

/** A file: inline as `file_data` (a `data:` URI or bare base64), or by `file_id` / `file_url`. */
export const responsesInputFilePartSchema = z.object({
  type: z.literal('input_file'),
  file_data: z.string().nullish(),
  file_id: z.string().nullish(),
  file_url: z.string().nullish(),
  filename: z.string().nullish(),
});

/** Text an assistant said earlier (an output item sent back as input). */
export const responsesOutputTextPartSchema = z.object({
  type: z.literal('output_text'),
  text: z.string(),
  annotations: z.array(z.unknown()).optional(),
});

/** A refusal an assistant gave earlier. */
export const responsesRefusalPartSchema = z.object({ type: z.literal('refusal'), refusal: z.string() });

/** One content part of an input message. */
export const responsesInputContentPartSchema = z.discriminatedUnion('type', [
  responsesInputTextPartSchema,
  responsesInputImagePartSchema,
  responsesInputFilePartSchema,
  responsesOutputTextPartSchema,
  responsesRefusalPartSchema,
]);

/** Message `content`: a string or a list of parts; the parts' own paths reach the 400 message. */
const messageContentSchema = stringOrPartList(responsesInputContentPartSchema);

/** A message item; `type` may be left out (the "easy input message" form). */
export const responsesInputMessageSchema = z.object({
  type: z.literal('message').optional(),
  role: z.enum(['user', 'assistant', 'system', 'developer']),
  content: messageContentSchema,
});

/** A function call the model made earlier (sent back so the next turn sees it). */
export const responsesFunctionCallItemSchema = z.object({
  type: z.literal('function_call'),
  call_id: z.string(),
  name: z.string(),
  arguments: z.string(),
  id: z.string().optional(),
});

/** The result of a function call, for the model to read. */
export const responsesFunctionCallOutputItemSchema = z.object({
  type: z.literal('function_call_output'),
  call_id: z.string(),
  output: messageContentSchema,
});

/** Reasoning the model produced earlier; accepted and not sent upstream. */
export const responsesReasoningItemSchema = z.object({ type: z.literal('reasoning') });

/** A reference to an earlier item by id; accepted (a stored session already holds it). */
export const responsesItemReferenceSchema = z.object({ type: z.literal('item_reference'), id: z.string() });

const ITEM_SCHEMAS = {
  message: responsesInputMessageSchema,
  function_call: responsesFunctionCallItemSchema,
  function_call_output: responsesFunctionCallOutputItemSchema,
  reasoning: responsesReasoningItemSchema,
  item_reference: responsesItemReferenceSchema,
} as const;

const ITEM_TYPES = Object.keys(ITEM_SCHEMAS).join(', ');

/**
 * One input item, chosen by its `type` (a missing `type` is a message). A dispatcher rather than a
 * union, so a bad item reports its own problem (`input[2].call_id: …`) instead of zod's "Invalid input".
 */
export const responsesInputItemSchema = z.custom<unknown>().transform((value, context): ResponsesInputItem => {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    context.addIssue({
      code: 'invalid_type',
      expected: 'object',
      input: value,
      message: `Invalid input: expected object, received ${describeReceived(value)}`,
    });
    return z.NEVER;
  }
  const type = (value as { type?: unknown }).type ?? 'message';
  const schema = typeof type === 'string' && Object.hasOwn(ITEM_SCHEMAS, type) ? ITEM_SCHEMAS[type as ItemType] : null;
  if (schema === null) {
    context.addIssue({
      code: 'custom',
      path: ['type'],
      input: type,
      message: `Invalid item type: expected one of ${ITEM_TYPES}`,
    });
    return z.NEVER;
  }
  const result = schema.safeParse(value);
  if (result.success) return result.data as ResponsesInputItem;
  for (const issue of result.error.issues) context.addIssue({ ...issue } as never);
  return z.NEVER;
});

type ItemType = keyof typeof ITEM_SCHEMAS;

const itemListSchema = arrayUntilFirstError(responsesInputItemSchema);

/**
 * `input`: a string (one user message) or a list of items. Anything else reads `input: Invalid input`,
 * as OpenClaw words it.
 */
export const responsesInputSchema = z
  .custom<string | unknown[]>()
  .transform((value, context): string | ResponsesInputItem[] => {
    if (typeof value === 'string') return value;
    if (!Array.isArray(value)) {
      context.addIssue({ code: 'invalid_type', expected: 'array', input: value, message: 'Invalid input' });
      return z.NEVER;
    }
    const result = itemListSchema.safeParse(value);
    if (result.success) return result.data;
    for (const issue of result.error.issues) context.addIssue({ ...issue } as never);
    return z.NEVER;
  });

/** One content part of an input message. */
export type ResponsesInputContentPart = z.infer<typeof responsesInputContentPartSchema>;
/** A message item. */
export type ResponsesInputMessage = z.infer<typeof responsesInputMessageSchema>;
/** A `function_call` item. */
export type ResponsesFunctionCallItem = z.infer<typeof responsesFunctionCallItemSchema>;
/** A `function_call_output` item. */
export type ResponsesFunctionCallOutputItem = z.infer<typeof responsesFunctionCallOutputItemSchema>;
/** Any accepted input item. */
export type ResponsesInputItem =
  | ResponsesInputMessage
  | ResponsesFunctionCallItem
  | ResponsesFunctionCallOutputItem
  | z.infer<typeof responsesReasoningItemSchema>
  | z.infer<typeof responsesItemReferenceSchema>;
