import { z } from 'zod';
import { arrayUntilFirstError } from './array-until-first-error.js';
import { boundedNumber, nullAsAbsent, withoutUndefinedKeys } from './optional-fields.js';
import { responsesInputSchema } from './responses-input.js';

/** The 400 message of `tool_choice: "required"` without tools, as OpenClaw words it. */
export const INVALID_TOOL_CONFIGURATION = 'invalid tool configuration';

/** A function the model may call; `parameters` is a JSON Schema passed on untouched. */
export const responsesFunctionToolSchema = z.object({
  type: z.literal('function'),
  name: z.string().min(1),
  description: z.string().nullish(),
  parameters: z.record(z.string(), z.unknown()).nullish(),
  strict: z.boolean().nullish(),
});

/** `tool_choice`: `auto`, `none`, `required`, or one named function. */
export const responsesToolChoiceSchema = z.union([
  z.enum(['auto', 'none', 'required']),
  z.object({ type: z.literal('function'), name: z.string() }),
]);

/** `text.format`: plain text, any JSON object, or JSON matching a schema. */
export const responsesTextFormatSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text') }),
  z.object({ type: z.literal('json_object') }),
  z.object({
    type: z.literal('json_schema'),
    name: z.string(),
    schema: z.record(z.string(), z.unknown()),
    description: z.string().optional(),
    strict: z.boolean().nullish(),
  }),
]);

/** A refusal for a key OpenAI defines whose feature clawgate does not have (better than losing it silently). */
function unsupported(message: string) {
  return z
    .unknown()
    .superRefine((value, context) => {
      if (value !== undefined && value !== null) context.addIssue({ code: 'custom', message });
    })
    .optional();
}

/**
 * A Responses API request as the gateway validates it (docs/responses-api.md#request).
 *
 * A closed object: a key neither OpenAI nor OpenClaw defines is a 400 (``: Unrecognized key: "<key>"``).
 * Keys OpenAI defines that the SDKs send and the gateway has no use for (`include`,
 * `parallel_tool_calls`, `service_tier`, `prompt_cache_key`, …) are accepted and ignored. Key order
 * is the order of checks: the first problem wins.
 */
export const responsesRequestSchema = z
  .strictObject({
    model: z.string(),
    input: responsesInputSchema.optional(),
    instructions: nullAsAbsent(z.string()),
    tools: nullAsAbsent(arrayUntilFirstError(responsesFunctionToolSchema)),
    tool_choice: nullAsAbsent(responsesToolChoiceSchema),
    stream: nullAsAbsent(z.boolean()),
    max_output_tokens: nullAsAbsent(z.number().int().positive()),
    max_tool_calls: nullAsAbsent(z.number().int().positive()),
    user: nullAsAbsent(z.string()),
    temperature: nullAsAbsent(boundedNumber(0, 2, '`temperature` must be between 0 and 2.')),
    top_p: nullAsAbsent(boundedNumber(0, 1, '`top_p` must be between 0 and 1.')),
    metadata: nullAsAbsent(z.record(z.string(), z.string())),
    store: nullAsAbsent(z.boolean()),
    previous_response_id: nullAsAbsent(z.string().min(1)),
    reasoning: nullAsAbsent(z.looseObject({})),
    truncation: nullAsAbsent(z.enum(['auto', 'disabled'])),
    text: nullAsAbsent(z.looseObject({ format: responsesTextFormatSchema.optional() })),
    // Defined by OpenAI and sent by its SDKs; nothing for the gateway to do with them.
    include: nullAsAbsent(z.array(z.string())),
    parallel_tool_calls: nullAsAbsent(z.boolean()),
    service_tier: nullAsAbsent(z.string()),
    prompt_cache_key: nullAsAbsent(z.string()),
    prompt_cache_retention: nullAsAbsent(z.string()),
    safety_identifier: nullAsAbsent(z.string()),
    stream_options: nullAsAbsent(z.looseObject({})),
    top_logprobs: nullAsAbsent(z.number().int().nonnegative()),
    background: nullAsAbsent(
      z.boolean().refine((value) => !value, { message: '`background: true` is not supported.' }),
    ),
    // Defined by OpenAI, but their features do not exist here: refused instead of silently dropped.
    conversation: unsupported('`conversation` is not supported; continue with `previous_response_id`.'),
    prompt: unsupported('`prompt` (stored prompt templates) is not supported.'),
  })
  .check((payload) => {
    if (payload.issues.length > 0) return;
    const { tools = [], tool_choice: toolChoice } = payload.value;
    if (toolChoice === 'required' && tools.length === 0) {
      payload.issues.push({
        code: 'custom',
        input: toolChoice,
        path: ['tool_choice'],
        message: INVALID_TOOL_CONFIGURATION,
      });
      return;
    }
    if (typeof toolChoice === 'object' && !tools.some((tool) => tool.name === toolChoice.name)) {
      payload.issues.push({
        code: 'custom',
        input: toolChoice,
        path: ['tool_choice'],
        message: `${INVALID_TOOL_CONFIGURATION}: tool_choice names the unknown tool '${toolChoice.name}'`,
      });
    }
  })
  // Drop the keys `nullAsAbsent` left as `undefined`, so only what the client set remains.
  .transform(withoutUndefinedKeys);

/** A validated Responses API request. */
export type ResponsesRequest = z.infer<typeof responsesRequestSchema>;
/** The raw shape a client may send. */
export type ResponsesRequestInput = z.input<typeof responsesRequestSchema>;
/** A function tool declaration. */
export type ResponsesFunctionTool = z.infer<typeof responsesFunctionToolSchema>;
/** Any accepted `tool_choice`. */
export type ResponsesToolChoice = z.infer<typeof responsesToolChoiceSchema>;
/** Any accepted `text.format`. */
export type ResponsesTextFormat = z.infer<typeof responsesTextFormatSchema>;
