import { z } from 'zod';
import { responsesObjectSchema, responsesOutputItemSchema, responsesOutputTextSchema } from './responses-object.js';

/**
 * The events of a streamed response (https://platform.openai.com/docs/api-reference/responses-streaming),
 * each sent as `event: <type>` + `data: <json of the same type>` (docs/responses-api.md#streaming).
 * Every event carries `sequence_number`, counting from 0.
 */

const sequenced = { sequence_number: z.number().int().nonnegative() };

/** `response.created`, `response.in_progress`, `response.completed`, `response.failed`, `response.incomplete`. */
const lifecycleEvent = <Type extends string>(type: Type) =>
  z.looseObject({ type: z.literal(type), ...sequenced, response: responsesObjectSchema });

const itemEvent = <Type extends string>(type: Type) =>
  z.looseObject({
    type: z.literal(type),
    ...sequenced,
    output_index: z.number().int().nonnegative(),
    item: responsesOutputItemSchema,
  });

const contentPartEvent = <Type extends string>(type: Type) =>
  z.looseObject({
    type: z.literal(type),
    ...sequenced,
    item_id: z.string(),
    output_index: z.number().int().nonnegative(),
    content_index: z.number().int().nonnegative(),
    part: responsesOutputTextSchema,
  });

/** Any event of a response stream the gateway sends. */
export const responsesStreamEventSchema = z.discriminatedUnion('type', [
  lifecycleEvent('response.created'),
  lifecycleEvent('response.in_progress'),
  lifecycleEvent('response.completed'),
  lifecycleEvent('response.failed'),
  lifecycleEvent('response.incomplete'),
  itemEvent('response.output_item.added'),
  itemEvent('response.output_item.done'),
  contentPartEvent('response.content_part.added'),
  contentPartEvent('response.content_part.done'),
  z.looseObject({
    type: z.literal('response.output_text.delta'),
    ...sequenced,
    item_id: z.string(),
    output_index: z.number().int().nonnegative(),
    content_index: z.number().int().nonnegative(),
    delta: z.string(),
  }),
  z.looseObject({
    type: z.literal('response.output_text.done'),
    ...sequenced,
    item_id: z.string(),
    output_index: z.number().int().nonnegative(),
    content_index: z.number().int().nonnegative(),
    text: z.string(),
  }),
  z.looseObject({
    type: z.literal('response.function_call_arguments.delta'),
    ...sequenced,
    item_id: z.string(),
    output_index: z.number().int().nonnegative(),
    delta: z.string(),
  }),
  z.looseObject({
    type: z.literal('response.function_call_arguments.done'),
    ...sequenced,
    item_id: z.string(),
    output_index: z.number().int().nonnegative(),
    arguments: z.string(),
  }),
  z.looseObject({ type: z.literal('error'), ...sequenced, message: z.string(), code: z.string().nullish() }),
]);

/** Any event of a response stream. */
export type ResponsesStreamEvent = z.infer<typeof responsesStreamEventSchema>;
/** The `type` of a stream event. */
export type ResponsesStreamEventType = ResponsesStreamEvent['type'];
