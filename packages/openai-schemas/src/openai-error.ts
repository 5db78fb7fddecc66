import { z } from 'zod';

/**
 * The OpenAI error body the gateway sends: `{ error: { message, type, code?, param? } }`.
 * Absent fields are left out, never `null` (OpenClaw clients see only `message` and `type`).
 */
export const openAIErrorSchema = z.object({
  error: z.object({
    message: z.string(),
    type: z.string(),
    code: z.string().optional(),
    param: z.string().optional(),
  }),
});

/** An OpenAI-shaped error body. */
export type OpenAIErrorBody = z.infer<typeof openAIErrorSchema>;

/** Options of {@link createErrorBody}. */
export interface CreateErrorBodyOptions {
  /** Human-readable message, e.g. ``Missing user message in `messages`.`` */
  message: string;
  /** OpenAI error type, e.g. `invalid_request_error`, `unauthorized`, `rate_limited`. */
  type: string;
  /** Machine code, only when one is known (e.g. copied from an upstream error). @defaultValue omitted */
  code?: string | null;
  /** Offending parameter name. @defaultValue omitted */
  param?: string | null;
}

/**
 * Builds an OpenAI error body, leaving out `code` and `param` when they are `undefined`, `null` or
 * empty so the wire body never carries `null` fields (docs/http-contract.md#1-request-pipeline-and-errors).
 *
 * @param options - `message`, `type`, and optional `code` / `param`.
 * @returns `{ error: { message, type, code?, param? } }`.
 * @example
 * ```ts
 * createErrorBody({ message: 'Unauthorized', type: 'unauthorized' });
 * // { error: { message: 'Unauthorized', type: 'unauthorized' } }
 * ```
 */
export function createErrorBody(options: CreateErrorBodyOptions): OpenAIErrorBody {
  const error: OpenAIErrorBody['error'] = { message: options.message, type: options.type };
  if (options.code !== undefined && options.code !== null && options.code !== '') {
    error.code = options.code;
  }
  if (options.param !== undefined && options.param !== null && options.param !== '') {
    error.param = options.param;
  }
  return { error };
}
