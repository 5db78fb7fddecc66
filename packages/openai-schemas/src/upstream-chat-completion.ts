import { z } from 'zod';

// Tolerant view of what OpenAI-compatible servers (OpenAI, vLLM, Ollama, llama.cpp, …) send back.
// Deliberately partial: every optional field is `.nullish()` because servers send `null` where
// OpenAI omits and vice versa, objects are loose because each server adds its own fields
// (`reasoning_content`, `system_fingerprint`, `prompt_tokens_details`), and enums are plain
// strings so a new finish reason from a provider never fails a whole response.

/** Upstream token usage; extra detail objects are kept. */
export const upstreamUsageSchema = z.looseObject({
  prompt_tokens: z.number().nullish(),
  completion_tokens: z.number().nullish(),
  total_tokens: z.number().nullish(),
});

/** Upstream tool call in a non-streaming message. */
export const upstreamToolCallSchema = z.looseObject({
  id: z.string().nullish(),
  type: z.string().nullish(),
  function: z.looseObject({
    name: z.string().nullish(),
    arguments: z.string().nullish(),
  }),
});

/** Upstream tool-call fragment in a stream delta. */
export const upstreamToolCallDeltaSchema = z.looseObject({
  index: z.number().nullish(),
  id: z.string().nullish(),
  type: z.string().nullish(),
  function: z
    .looseObject({
      name: z.string().nullish(),
      arguments: z.string().nullish(),
    })
    .nullish(),
});

/** Fields every upstream completion and chunk carries, all optional because servers differ. */
const upstreamEnvelopeFields = {
  id: z.string().nullish(),
  object: z.string().nullish(),
  created: z.number().nullish(),
  model: z.string().nullish(),
};

/** Upstream non-streaming response. */
export const upstreamChatCompletionSchema = z.looseObject({
  ...upstreamEnvelopeFields,
  choices: z.array(
    z.looseObject({
      index: z.number().nullish(),
      message: z.looseObject({
        role: z.string().nullish(),
        content: z.string().nullish(),
        reasoning_content: z.string().nullish(),
        tool_calls: z.array(upstreamToolCallSchema).nullish(),
      }),
      finish_reason: z.string().nullish(),
    }),
  ),
  usage: upstreamUsageSchema.nullish(),
});

/** Upstream stream chunk, including the usage chunk with `choices: []`. */
export const upstreamChatCompletionChunkSchema = z.looseObject({
  ...upstreamEnvelopeFields,
  choices: z.array(
    z.looseObject({
      index: z.number().nullish(),
      delta: z
        .looseObject({
          role: z.string().nullish(),
          content: z.string().nullish(),
          reasoning_content: z.string().nullish(),
          tool_calls: z.array(upstreamToolCallDeltaSchema).nullish(),
        })
        // Some servers send a final choice without `delta`; treat it as an empty delta.
        .nullish(),
      finish_reason: z.string().nullish(),
    }),
  ),
  usage: upstreamUsageSchema.nullish(),
});

/**
 * An upstream error body. Three shapes occur in practice: OpenAI's (and Ollama's `/v1`)
 * `{error:{message,type,param,code}}`, vLLM's flat `{object:"error",message,type,code}` (where `code`
 * is the HTTP status number), and Ollama's native `{error:"..."}`.
 */
export const upstreamErrorSchema = z.union([
  z.looseObject({
    error: z.looseObject({
      message: z.string(),
      type: z.string().nullish(),
      code: z.union([z.string(), z.number()]).nullish(),
      param: z.string().nullish(),
    }),
  }),
  z.looseObject({ error: z.string() }),
  z.looseObject({
    object: z.literal('error'),
    message: z.string(),
    type: z.string().nullish(),
    code: z.union([z.string(), z.number()]).nullish(),
    param: z.string().nullish(),
  }),
]);

/**
 * One decoded SSE `data:` payload from upstream: a chunk or an error body. An error object has no
 * `choices`, so the two branches never overlap.
 */
export const upstreamStreamEventSchema = z.union([upstreamChatCompletionChunkSchema, upstreamErrorSchema]);

/** Upstream usage. */
export type UpstreamUsage = z.infer<typeof upstreamUsageSchema>;
/** Upstream tool call in a non-streaming message. */
export type UpstreamToolCall = z.infer<typeof upstreamToolCallSchema>;
/** Upstream tool-call fragment in a stream delta. */
export type UpstreamToolCallDelta = z.infer<typeof upstreamToolCallDeltaSchema>;
/** Upstream non-streaming response. */
export type UpstreamChatCompletion = z.infer<typeof upstreamChatCompletionSchema>;
/** Upstream stream chunk. */
export type UpstreamChatCompletionChunk = z.infer<typeof upstreamChatCompletionChunkSchema>;
/** Upstream error body (any of the three shapes). */
export type UpstreamError = z.infer<typeof upstreamErrorSchema>;
/** Upstream SSE payload: chunk or error. */
export type UpstreamStreamEvent = z.infer<typeof upstreamStreamEventSchema>;

/**
 * Tells an error payload apart from a chunk after {@link upstreamStreamEventSchema} parsed it.
 *
 * @param event - A parsed upstream stream payload.
 * @returns `true` for any of the three error shapes.
 */
export function isUpstreamError(event: UpstreamStreamEvent): event is UpstreamError {
  return !('choices' in event) || 'error' in event || event.object === 'error';
}

/**
 * Reduces any upstream error shape to `{ message, type?, code? }` so the gateway can map it
 * (docs/http-contract.md#upstream-errors).
 * Numeric codes (vLLM puts the HTTP status there) become strings.
 *
 * @param error - A parsed upstream error body.
 * @returns The message plus `type` and `code` when present.
 */
export function normalizeUpstreamError(error: UpstreamError): {
  message: string;
  type?: string;
  code?: string;
} {
  const detail =
    typeof error.error === 'string'
      ? { message: error.error }
      : typeof error.error === 'object' && error.error !== null
        ? (error.error as { message: string; type?: string | null; code?: string | number | null })
        : (error as { message: string; type?: string | null; code?: string | number | null });
  const normalized: { message: string; type?: string; code?: string } = { message: detail.message };
  if (typeof detail.type === 'string' && detail.type !== '') normalized.type = detail.type;
  if (detail.code !== undefined && detail.code !== null && detail.code !== '') {
    normalized.code = String(detail.code);
  }
  return normalized;
}
