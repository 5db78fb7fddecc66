import { z } from 'zod';
import { arrayUntilFirstError } from './array-until-first-error.js';
import { boundedNumber, nullAsAbsent, withoutUndefinedKeys } from './optional-fields.js';
import { chatMessageSchema } from './chat-message.js';
import {
  INVALID_TOOLS_PREFIX,
  chatCompletionToolChoiceSchema,
  chatCompletionToolSchema,
} from './chat-completion-tool.js';

/** `max_tokens` / `max_completion_tokens`: positive integers, zod's own wording on failure. */
const positiveIntegerSchema = z.number().int().positive();

/**
 * `stop`: a string or at most 4 strings. Built on `z.custom` so a wrong type reads
 * `Invalid stop: …` like the length error instead of zod's bare union "Invalid input".
 */
const stopSchema = z.custom<string | string[]>().superRefine((value, context) => {
  if (typeof value === 'string') return;
  if (!Array.isArray(value) || !value.every((sequence) => typeof sequence === 'string')) {
    context.addIssue({
      code: 'custom',
      message: 'Invalid stop: stop must be a string or an array of strings',
    });
    return;
  }
  if (value.length > 4) {
    context.addIssue({ code: 'custom', message: 'Invalid stop: stop supports at most 4 sequences' });
  }
});

const responseFormatTypeMessage =
  'Invalid response_format: response_format.type must be text, json_object, or json_schema';

/** `response_format`. Deliberately partial: `json_schema` is forwarded upstream unchecked apart from its type. */
const responseFormatSchema = z
  .custom<{
    type: 'text' | 'json_object' | 'json_schema';
    json_schema?: Record<string, unknown>;
  }>()
  .superRefine((value, context) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      context.addIssue({
        code: 'custom',
        message: 'Invalid response_format: response_format must be an object',
      });
      return;
    }
    const { type, json_schema: jsonSchema } = value as Record<string, unknown>;
    if (type !== 'text' && type !== 'json_object' && type !== 'json_schema') {
      context.addIssue({ code: 'custom', message: responseFormatTypeMessage });
      return;
    }
    if (
      type === 'json_schema' &&
      (typeof jsonSchema !== 'object' || jsonSchema === null || Array.isArray(jsonSchema))
    ) {
      context.addIssue({
        code: 'custom',
        message: 'Invalid response_format: response_format.json_schema must be an object',
      });
    }
  })
  // Keep only the two known keys so unknown client fields never reach the upstream request.
  .transform((value) =>
    value.json_schema === undefined ? { type: value.type } : { type: value.type, json_schema: value.json_schema },
  );

/**
 * The Chat Completions request as the gateway validates it (docs/http-contract.md#3-request-validation).
 *
 * Unknown fields are stripped (OpenAI clients send many). Key order is the order of checks: when
 * several fields are wrong, the first issue in this order wins. Cross-field tools/tool_choice checks
 * run only once every field is individually valid. `messages` defaults to `[]`; an empty list is not
 * a schema error ({@link parseChatCompletionRequest} reports it last, with the contract's sentence).
 */
export const chatCompletionRequestSchema = z
  .object({
    // Form (`openclaw/<agent>` …) is checked by @clawgate/session-key; `null` is rejected like OpenAI does.
    model: z.string().optional(),
    messages: arrayUntilFirstError(chatMessageSchema).default([]),
    stream: nullAsAbsent(z.boolean()),
    stream_options: nullAsAbsent(z.object({ include_usage: z.boolean().optional() })),
    user: z.string().optional(),
    temperature: nullAsAbsent(boundedNumber(0, 2, '`temperature` must be between 0 and 2.')),
    top_p: nullAsAbsent(boundedNumber(0, 1, '`top_p` must be between 0 and 1.')),
    frequency_penalty: nullAsAbsent(boundedNumber(-2, 2, '`frequency_penalty` must be between -2.0 and 2.0.')),
    presence_penalty: nullAsAbsent(boundedNumber(-2, 2, '`presence_penalty` must be between -2.0 and 2.0.')),
    seed: nullAsAbsent(z.number().refine(Number.isInteger, { message: '`seed` must be an integer.' })),
    stop: nullAsAbsent(stopSchema),
    response_format: responseFormatSchema.optional(),
    max_completion_tokens: nullAsAbsent(positiveIntegerSchema),
    max_tokens: nullAsAbsent(positiveIntegerSchema),
    tools: arrayUntilFirstError(chatCompletionToolSchema).optional(),
    tool_choice: chatCompletionToolChoiceSchema.optional(),
  })
  .check((payload) => {
    // Refinement issues are "continuable" in zod 4, so this runs even when a field failed; the
    // cross-check is only meaningful (and only safe to read) once every field is valid.
    if (payload.issues.length > 0) return;
    const { tools = [], tool_choice: toolChoice } = payload.value;
    if (toolChoice === 'required' && tools.length === 0) {
      payload.issues.push({
        code: 'custom',
        input: toolChoice,
        path: ['tool_choice'],
        message: `${INVALID_TOOLS_PREFIX}tool_choice=required but no tools were provided`,
      });
      return;
    }
    if (typeof toolChoice === 'object') {
      const name = toolChoice.function.name;
      if (!tools.some((tool) => tool.function.name === name)) {
        payload.issues.push({
          code: 'custom',
          input: toolChoice,
          path: ['tool_choice'],
          message: `${INVALID_TOOLS_PREFIX}tool_choice requested unknown tool: ${name}`,
        });
      }
    }
  })
  // `nullAsAbsent` leaves `key: undefined` behind; drop those keys so `'temperature' in request`
  // and `Object.keys` see only what the client really set.
  .transform(withoutUndefinedKeys);

/** A validated Chat Completions request (output of {@link chatCompletionRequestSchema}). */
export type ChatCompletionRequest = z.infer<typeof chatCompletionRequestSchema>;
/** The raw shape a client may send (input of {@link chatCompletionRequestSchema}). */
export type ChatCompletionRequestInput = z.input<typeof chatCompletionRequestSchema>;
