import type { z } from 'zod';

/**
 * Renders an issue path the way OpenAI names params: `messages[0].content[1].text`.
 */
export function formatIssuePath(path: readonly PropertyKey[]): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else text += text === '' ? String(segment) : `.${String(segment)}`;
  }
  return text;
}

/**
 * Turns a zod error into the gateway's one-line 400 message (docs/http-contract.md#3-request-validation).
 *
 * Only the first issue is used, so the message is stable when several fields are wrong. Built-in
 * zod issues read `<path>: <reason>` in zod 4's own wording; an issue on the root reads `<reason>`
 * alone. Refinement issues (`code: "custom"`) already carry a complete contract sentence such as
 * `` `temperature` must be between 0 and 2. `` and are returned verbatim.
 *
 * @param error - A `ZodError` from `safeParse`.
 * @returns The message, e.g. `messages: Invalid input: expected array, received string`.
 * @example
 * ```ts
 * const result = chatCompletionRequestSchema.safeParse({ messages: 'hi' });
 * if (!result.success) formatZodError(result.error); // 'messages: Invalid input: expected array, received string'
 * ```
 */
export function formatZodError(error: z.ZodError): string {
  const issue = error.issues[0];
  // A ZodError always has an issue, but a hand-built one may not; never answer with an empty body.
  if (issue === undefined) return 'Invalid request body.';
  if (issue.code === 'custom') return issue.message;
  const path = formatIssuePath(issue.path);
  return path === '' ? issue.message : `${path}: ${issue.message}`;
}
