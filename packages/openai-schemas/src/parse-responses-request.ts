import type { z } from 'zod';
import { formatIssuePath } from './format-zod-error.js';
import { responsesRequestSchema, type ResponsesRequest } from './responses-request.js';
import {
  DEFAULT_RESPONSES_REQUEST_LIMITS,
  checkResponsesRequestLimits,
  type ResponsesRequestLimits,
} from './responses-request-limits.js';

/** The 400 message of an empty or system-only `input`. */
export const MISSING_INPUT_MESSAGE = 'Missing user message in `input`.';

/** Result of {@link parseResponsesRequest}. */
export type ParseResponsesRequestResult =
  | { success: true; data: ResponsesRequest }
  | { success: false; message: string };

/** Options of {@link parseResponsesRequest}. */
export interface ParseResponsesRequestOptions {
  /** Item counts to refuse before validating. @defaultValue {@link DEFAULT_RESPONSES_REQUEST_LIMITS} */
  limits?: Readonly<ResponsesRequestLimits>;
}

/**
 * Validates a Responses API request body and returns the parsed request or the exact 400 message
 * of docs/responses-api.md#errors (type `invalid_request_error`). Never throws.
 *
 * Order: the item counts; then each key in schema order (first problem wins), worded
 * `<path>: <reason>` as OpenClaw words them (an unknown key reads ``: Unrecognized key: "<key>"``),
 * except the one-sentence refusals of a top-level key (`` `temperature` must be between 0 and 2.``);
 * then the tools/tool_choice cross-checks; last an input with no user, assistant or tool item
 * (``Missing user message in `input`.``).
 *
 * @example
 * parseResponsesRequest({ model: 'openclaw', input: 'hi', color: 'red' });
 * // { success: false, message: ': Unrecognized key: "color"' }
 */
export function parseResponsesRequest(
  body: unknown,
  options: ParseResponsesRequestOptions = {},
): ParseResponsesRequestResult {
  const overLimit = checkResponsesRequestLimits(body, options.limits ?? DEFAULT_RESPONSES_REQUEST_LIMITS);
  if (overLimit !== undefined) return { success: false, message: overLimit };
  const result = responsesRequestSchema.safeParse(body);
  if (!result.success) return { success: false, message: describeIssue(result.error) };
  if (!hasConversationItem(result.data.input)) return { success: false, message: MISSING_INPUT_MESSAGE };
  return { success: true, data: result.data };
}

function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (issue === undefined) return 'Invalid request body.';
  if (issue.code === 'custom' && issue.path.length === 1) return issue.message;
  return `${formatIssuePath(issue.path)}: ${issue.message}`;
}

/** Whether `input` holds something to answer: text, or an item other than system/developer messages. */
function hasConversationItem(input: ResponsesRequest['input']): boolean {
  if (input === undefined) return false;
  if (typeof input === 'string') return input.trim() !== '';
  return input.some((item) => {
    switch (item.type) {
      case 'function_call':
      case 'function_call_output':
        return true;
      case 'reasoning':
      case 'item_reference':
        return false;
      default:
        return item.role === 'user' || item.role === 'assistant';
    }
  });
}
