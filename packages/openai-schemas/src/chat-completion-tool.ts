import { z } from 'zod';

/** Prefix of every tools/tool_choice 400 message (docs/http-contract.md#3-request-validation). */
export const INVALID_TOOLS_PREFIX = 'Invalid tools/tool_choice: ';

const onlyFunctionTools = `${INVALID_TOOLS_PREFIX}only function tools are supported`;

/** `type` must be `function`; anything else is the contract's "only function tools" 400. */
const functionTypeSchema = z.custom<'function'>().superRefine((value, context) => {
  if (value !== 'function') context.addIssue({ code: 'custom', message: onlyFunctionTools });
});

/**
 * A client-declared tool. Only function tools exist on this route; `parameters` is a
 * JSON Schema object passed through untouched.
 */
export const chatCompletionToolSchema = z.object({
  type: functionTypeSchema,
  function: z.object({
    name: z.string(),
    description: z.string().optional(),
    parameters: z.record(z.string(), z.unknown()).optional(),
    strict: z.boolean().nullish(),
  }),
});

/** `tool_choice` naming one function. */
export const chatCompletionNamedToolChoiceSchema = z.object({
  type: functionTypeSchema,
  function: z.object({ name: z.string() }),
});

/**
 * `tool_choice`: `auto`, `none`, `required`, or a named function. Cross-checks against `tools`
 * (required without tools, unknown name) live on the request schema because they need both fields.
 */
export const chatCompletionToolChoiceSchema = z
  .custom<'auto' | 'none' | 'required' | z.infer<typeof chatCompletionNamedToolChoiceSchema>>()
  .superRefine((value, context) => {
    if (value === 'auto' || value === 'none' || value === 'required') return;
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      const result = chatCompletionNamedToolChoiceSchema.safeParse(value);
      // Re-raise the nested issues so their paths (`tool_choice.function.name`) survive.
      if (!result.success) for (const issue of result.error.issues) context.addIssue({ ...issue } as never);
      return;
    }
    context.addIssue({
      code: 'custom',
      message: `${INVALID_TOOLS_PREFIX}tool_choice must be auto, none, required, or a function tool`,
    });
  })
  // Runs only after the checks above passed; parsing again strips unknown keys from the object form.
  .transform((value) => (typeof value === 'string' ? value : chatCompletionNamedToolChoiceSchema.parse(value)));

/** A function tool declaration. */
export type ChatCompletionTool = z.infer<typeof chatCompletionToolSchema>;
/** `tool_choice` naming one function. */
export type ChatCompletionNamedToolChoice = z.infer<typeof chatCompletionNamedToolChoiceSchema>;
/** Any accepted `tool_choice`. */
export type ChatCompletionToolChoice = z.infer<typeof chatCompletionToolChoiceSchema>;
