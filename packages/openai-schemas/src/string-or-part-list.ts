import { z } from 'zod';
import { arrayUntilFirstError } from './array-until-first-error.js';
import { describeReceived } from './describe-received.js';

/**
 * Message content: a string, or a list of parts parsed once (unknown keys stripped), stopping at the
 * first invalid part, whose issues keep their paths (`content[1].text`). A plain `z.union` would say
 * only "Invalid input"; a value of another type names what was expected instead.
 *
 * @param part - The schema of one part.
 */
export function stringOrPartList<Part extends z.ZodType>(part: Part) {
  const list = arrayUntilFirstError(part);
  return z.custom<string | z.input<Part>[]>().transform((value, context): string | z.output<Part>[] => {
    if (typeof value === 'string') return value;
    if (!Array.isArray(value)) {
      context.addIssue({
        code: 'invalid_type',
        expected: 'array',
        input: value,
        message: `Invalid input: expected string or array, received ${describeReceived(value)}`,
      });
      return z.NEVER;
    }
    const result = list.safeParse(value);
    if (result.success) return result.data as z.output<Part>[];
    for (const issue of result.error.issues) context.addIssue({ ...issue } as never);
    return z.NEVER;
  });
}
