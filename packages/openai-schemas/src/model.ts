import { z } from 'zod';

/**
 * One model entry of `GET /v1/models`. The gateway sends `created: 0`, `owned_by: "openclaw"` and
 * `permission: []` (docs/http-contract.md#7-models); `permission` is optional because OpenAI itself
 * does not send it.
 */
export const modelSchema = z.object({
  id: z.string(),
  object: z.literal('model'),
  created: z.number().int(),
  owned_by: z.string(),
  permission: z.array(z.unknown()).optional(),
});

/** The `GET /v1/models` body: `{ object: "list", data: Model[] }`. */
export const modelListSchema = z.object({
  object: z.literal('list'),
  data: z.array(modelSchema),
});

/** A model entry. */
export type Model = z.infer<typeof modelSchema>;
/** A model list. */
export type ModelList = z.infer<typeof modelListSchema>;
