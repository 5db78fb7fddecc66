import { ClawgateError } from './clawgate-error.js';
import type { SentRequest } from './send-request.js';

/** Anything with a zod-style `safeParse` (the schemas of `@clawgate/openai-schemas`). */
export interface SafeParser<T> {
  safeParse(value: unknown): { success: true; data: T } | { success: false; error: unknown };
}

/**
 * Reads a 2xx JSON body under the attempt's timer and signal.
 *
 * @param sent - The response with its live attempt; the attempt is finished here.
 * @returns The parsed JSON value.
 * @throws ClawgateError (`invalid_response`) for a body that is not JSON; the attempt's typed error
 *   when reading fails (timeout, abort, dropped connection).
 */
export async function readJson(sent: SentRequest): Promise<unknown> {
  let text: string;
  try {
    text = await sent.response.text();
  } catch (error) {
    throw sent.attempt.toError(error, sent.requestId);
  } finally {
    sent.attempt.finish();
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ClawgateError('The server answered with a body that is not JSON', {
      status: sent.response.status,
      type: 'invalid_response',
      requestId: sent.requestId,
      cause: error,
    });
  }
}

/**
 * Validates a 2xx body; a mismatch means the server is not an OpenAI-compatible gateway.
 *
 * @param sent - The response the body came from (for status and request id).
 * @param value - The parsed body.
 * @param schema - The schema it must pass.
 * @param what - Names the body in the error message, e.g. `chat completion`.
 * @returns The validated value.
 * @throws ClawgateError (`invalid_response`) when the body does not match.
 */
export function parseBody<T>(sent: SentRequest, value: unknown, schema: SafeParser<T>, what: string): T {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new ClawgateError(`The server answered with an unexpected ${what} body`, {
      status: sent.response.status,
      type: 'invalid_response',
      requestId: sent.requestId,
      cause: result.error,
    });
  }
  return result.data;
}

/**
 * Refuses a 2xx answer to a streaming request that is not an event stream. A server that ignores
 * `stream` answers with JSON; decoding that as SSE would yield nothing and end in a misleading
 * "stream ended early" error. A missing header is given the benefit of the doubt.
 *
 * @param sent - The response; its connection is dropped when it is refused.
 * @throws ClawgateError (`invalid_response`) for another content type.
 */
export function assertEventStream(sent: SentRequest): void {
  const contentType = sent.response.headers.get('content-type');
  if (contentType !== null && !contentType.toLowerCase().includes('text/event-stream')) {
    sent.attempt.cancel();
    throw new ClawgateError(`Expected an event stream but the server answered with ${contentType}`, {
      status: sent.response.status,
      type: 'invalid_response',
      requestId: sent.requestId,
    });
  }
}
