import { z } from 'zod';

/**
 * OpenAI documents most optional fields as nullable, so `null` means "use the default": it is
 * accepted and the key is dropped from the parsed request (the output type never contains `null`).
 */
export function nullAsAbsent<Schema extends z.ZodType>(schema: Schema) {
  return schema
    .nullish()
    .transform((value) => value ?? undefined)
    .optional();
}

/** A number inside `[minimum, maximum]`, with the contract's one-sentence message on failure. */
export function boundedNumber(minimum: number, maximum: number, message: string) {
  return z.number().refine((value) => value >= minimum && value <= maximum, { message });
}

/**
 * Drops the keys {@link nullAsAbsent} left as `undefined`, so `'temperature' in request` and
 * `Object.keys` see only what the client really set.
 */
export function withoutUndefinedKeys<Request extends object>(request: Request): Request {
  return Object.fromEntries(Object.entries(request).filter(([, value]) => value !== undefined)) as Request;
}
