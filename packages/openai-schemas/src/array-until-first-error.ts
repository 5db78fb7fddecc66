import { z } from 'zod';
import { describeReceived } from './describe-received.js';

/**
 * An array whose elements are validated in order and whose validation stops at the first invalid
 * element. `z.array` checks every element and records an issue for each bad one; only the first is
 * ever reported, so on a hostile list (a million `{}`) that work is pure waste.
 *
 * Each element is parsed once; the output holds the parsed elements (unknown keys stripped). An
 * element's issues keep their path under the element's index (`[3].content`), so messages read
 * `messages[3].content: …`.
 *
 * @param element - The schema of one element.
 * @example
 * arrayUntilFirstError(z.string()).safeParse(['a', 1, 2]).error?.issues.length; // 1
 */
export function arrayUntilFirstError<Element extends z.ZodType>(element: Element) {
  return z.custom<z.input<Element>[]>().transform((value, context) => {
    if (!Array.isArray(value)) {
      context.addIssue({
        code: 'invalid_type',
        expected: 'array',
        input: value,
        message: `Invalid input: expected array, received ${describeReceived(value)}`,
      });
      return z.NEVER;
    }
    const parsed: z.output<Element>[] = new Array(value.length);
    for (let index = 0; index < value.length; index += 1) {
      const result = element.safeParse(value[index]);
      if (!result.success) {
        for (const issue of result.error.issues) context.addIssue({ ...issue, path: [index, ...issue.path] } as never);
        return z.NEVER;
      }
      parsed[index] = result.data;
    }
    return parsed;
  });
}
