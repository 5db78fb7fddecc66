/**
 * The OpenAI Embeddings wire format (https://platform.openai.com/docs/api-reference/embeddings):
 * the request a client sends, the list it gets back, and what an OpenAI-compatible upstream answers.
 *
 * `input` is checked by hand, element by element, instead of with a `z.union` of `z.array`s: a union
 * would report only "Invalid input", and zod's per-element machinery costs far more than a `typeof`
 * on a request of 2048 inputs or an upstream answer of millions of floats.
 */
import { z } from 'zod';
import { describeReceived } from './describe-received.js';
import { formatZodError } from './format-zod-error.js';

/** Most entries one request may embed: OpenAI's own maximum. */
export const MAX_EMBEDDING_INPUTS = 2048;

/** What `input` may be: one text, several texts, one token-id list, or several token-id lists. */
export type EmbeddingInput = string | string[] | number[] | number[][];

/** A non-negative integer, as token ids are. */
function isTokenId(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}

/** What each wrong-type message names, and the zod type it stands for in the issue's `expected`. */
const EXPECTED = {
  'string or array': 'array',
  string: 'string',
  array: 'array',
  'non-negative integer': 'int',
  'string, integer or array': 'array',
} as const;

/** A value of the wrong type, worded like zod's own `invalid_type` issues. */
function wrongType(
  context: z.RefinementCtx,
  path: (string | number)[],
  expected: keyof typeof EXPECTED,
  value: unknown,
): void {
  context.addIssue({
    code: 'invalid_type',
    expected: EXPECTED[expected],
    input: value,
    path,
    message: `Invalid input: expected ${expected}, received ${describeReceived(value)}`,
  });
}

/** An empty string or array, worded like zod's own `.min(1)`. */
function empty(context: z.RefinementCtx, path: (string | number)[], origin: 'string' | 'array', value: unknown): void {
  context.addIssue({
    code: 'too_small',
    origin,
    minimum: 1,
    inclusive: true,
    input: value,
    path,
    message: `Too small: expected ${origin} to have >=1 ${origin === 'string' ? 'characters' : 'items'}`,
  });
}

/**
 * `input`: a non-empty string; or a non-empty array of at most {@link MAX_EMBEDDING_INPUTS} entries,
 * all non-empty strings, all token ids (non-negative integers), or all non-empty token-id arrays. The
 * first entry decides which of the three an array is. Stops at the first bad entry.
 */
const embeddingInputSchema = z.custom<EmbeddingInput>().superRefine((value, context) => {
  if (typeof value === 'string') {
    if (value === '') empty(context, [], 'string', value);
    return;
  }
  if (!Array.isArray(value)) {
    wrongType(context, [], 'string or array', value);
    return;
  }
  if (value.length === 0) {
    empty(context, [], 'array', value);
    return;
  }
  if (value.length > MAX_EMBEDDING_INPUTS) {
    context.addIssue({
      code: 'custom',
      message: `Invalid 'input': array too long. Expected an array with maximum length ${MAX_EMBEDDING_INPUTS}, but got an array with length ${value.length} instead.`,
    });
    return;
  }
  const first: unknown = value[0];
  if (typeof first === 'string') {
    for (let index = 0; index < value.length; index += 1) {
      const entry: unknown = value[index];
      if (typeof entry !== 'string') return wrongType(context, [index], 'string', entry);
      if (entry === '') return empty(context, [index], 'string', entry);
    }
  } else if (typeof first === 'number') {
    for (let index = 0; index < value.length; index += 1) {
      const entry: unknown = value[index];
      if (!isTokenId(entry)) return wrongType(context, [index], 'non-negative integer', entry);
    }
  } else if (Array.isArray(first)) {
    for (let index = 0; index < value.length; index += 1) {
      const entry: unknown = value[index];
      if (!Array.isArray(entry)) return wrongType(context, [index], 'array', entry);
      if (entry.length === 0) return empty(context, [index], 'array', entry);
      for (let position = 0; position < entry.length; position += 1) {
        const token: unknown = entry[position];
        if (!isTokenId(token)) return wrongType(context, [index, position], 'non-negative integer', token);
      }
    }
  } else {
    wrongType(context, [0], 'string, integer or array', first);
  }
});

/** OpenAI documents these fields as nullable: `null` means the default, and the key is dropped. */
function nullAsAbsent<Schema extends z.ZodType>(schema: Schema) {
  return schema
    .nullish()
    .transform((value) => value ?? undefined)
    .optional();
}

/**
 * A `POST /v1/embeddings` body. `encoding_format` defaults to `float`; `user` is accepted (OpenAI
 * documents it) and carries no meaning for the gateway. Unknown keys are stripped.
 */
export const embeddingRequestSchema = z.object({
  model: z.string(),
  input: embeddingInputSchema,
  encoding_format: z
    .enum(['float', 'base64'])
    .nullish()
    .transform((value) => value ?? 'float'),
  dimensions: nullAsAbsent(z.number().int().positive()),
  user: nullAsAbsent(z.string()),
});

/** A validated embeddings request. */
export type EmbeddingRequest = z.output<typeof embeddingRequestSchema>;
/** An embeddings request as a client writes it. */
export type EmbeddingRequestInput = z.input<typeof embeddingRequestSchema>;

/** Result of {@link parseEmbeddingRequest}. */
export type ParseEmbeddingRequestResult =
  | { success: true; data: EmbeddingRequest }
  | { success: false; message: string };

/**
 * Validates an embeddings request body and returns either the parsed request or the one-line 400
 * message (type `invalid_request_error`) in the style of {@link formatZodError}:
 * `input: Invalid input: expected string or array, received number`,
 * `input[2]: Too small: expected string to have >=1 characters`,
 * ``Invalid 'input': array too long. …``. Never throws. `model` is only type-checked here.
 *
 * @param body - The JSON-decoded request body (an empty HTTP body should be passed as `{}`).
 * @example
 * ```ts
 * const result = parseEmbeddingRequest({ model: 'openclaw', input: ['a', 'b'] });
 * if (result.success) embeddingInputList(result.data.input); // ['a', 'b']
 * ```
 */
export function parseEmbeddingRequest(body: unknown): ParseEmbeddingRequestResult {
  const result = embeddingRequestSchema.safeParse(body);
  if (!result.success) return { success: false, message: formatZodError(result.error) };
  return { success: true, data: result.data };
}

/**
 * The entries that each get one vector, in order: a single string or token list is one entry.
 *
 * @param input - A validated `input`.
 * @returns The texts, or the token-id lists.
 * @example
 * embeddingInputList('hi'); // ['hi']
 * embeddingInputList([1, 2, 3]); // [[1, 2, 3]]
 */
export function embeddingInputList(input: EmbeddingInput): string[] | number[][] {
  if (typeof input === 'string') return [input];
  if (input.length > 0 && typeof input[0] === 'number') return [input as number[]];
  return input as string[] | number[][];
}

/** Token counts of an embeddings answer (there are no completion tokens). */
export const embeddingUsageSchema = z.object({
  prompt_tokens: z.number().int().nonnegative(),
  total_tokens: z.number().int().nonnegative(),
});

/** One vector of the answer: floats, or the base64 of their float32 little-endian bytes. */
export const embeddingSchema = z.object({
  object: z.literal('embedding'),
  index: z.number().int().nonnegative(),
  embedding: z.union([z.array(z.number()), z.string()]),
});

/** The `POST /v1/embeddings` answer: `{ object: "list", data, model, usage }`. */
export const embeddingListSchema = z.object({
  object: z.literal('list'),
  data: z.array(embeddingSchema),
  model: z.string(),
  usage: embeddingUsageSchema,
});

/** Token counts of an embeddings answer. */
export type EmbeddingUsage = z.infer<typeof embeddingUsageSchema>;
/** One vector of an embeddings answer. */
export type Embedding = z.infer<typeof embeddingSchema>;
/** An embeddings answer. */
export type EmbeddingList = z.infer<typeof embeddingListSchema>;

/** Float vectors (what a gateway asks its upstream for), checked with one `typeof` per element. */
const floatVectorSchema = z.custom<number[]>(
  (value) => Array.isArray(value) && value.every((element) => typeof element === 'number'),
  { message: 'Invalid input: expected an array of numbers' },
);

/**
 * What an OpenAI-compatible upstream answers to a float embeddings request, loosely: `data` entries
 * with an `index` and a float `embedding`; `usage` may be missing (some local servers omit it) and
 * extra keys are kept out. Whether the entries match the inputs is the caller's check.
 */
export const upstreamEmbeddingListSchema = z.object({
  data: z.array(z.object({ index: z.number().int().nonnegative(), embedding: floatVectorSchema })),
  usage: z
    .object({ prompt_tokens: z.number().nonnegative(), total_tokens: z.number().nonnegative().optional() })
    .nullish()
    .catch(undefined),
});

/** An upstream embeddings answer. */
export type UpstreamEmbeddingList = z.infer<typeof upstreamEmbeddingListSchema>;
