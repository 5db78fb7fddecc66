/**
 * Writes one OpenAI-shaped error response. Every refusal of the HTTP layer goes through here so the
 * body shape (`{"error":{"message","type","code?"}}`) and the JSON content type never drift
 * (docs/http-contract.md#1-request-pipeline-and-errors).
 */
import type { StepResponse } from './route-step.js';
import { sendJson } from './send-response.js';
import type { OpenAIErrorBody } from '@clawgate/openai-schemas';
import { requestLocals } from './request-state.js';

/**
 * Sends `status` with `body` as `application/json; charset=utf-8`.
 *
 * @param response - The response (raw or Express); its headers must not have been sent.
 * @param status - The HTTP status.
 * @param body - The wire body, already without `null` fields.
 * @param retryAfterSeconds - When set, a `Retry-After` header (the limiter's 429, an upstream's 429, a
 *   503 that may be retried soon).
 */
export function sendError(
  response: StepResponse,
  status: number,
  body: OpenAIErrorBody,
  retryAfterSeconds?: number,
): void {
  // The request log names the error type (never the message, which may quote the request).
  requestLocals(response.locals).errorType = body.error.type;
  sendJson(
    response,
    status,
    body,
    retryAfterSeconds === undefined ? undefined : { 'Retry-After': String(Math.max(0, Math.ceil(retryAfterSeconds))) },
  );
}
