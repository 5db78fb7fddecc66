/**
 * What each step of the chat-completions pipeline leaves in `res.locals` for the next one. Each
 * step adds one field and never rewrites an earlier one (docs/architecture.md#each-step-adds-one-fact).
 */
import type { AuthDecision } from '@clawgate/auth';
import type { ChatCompletionRequest, ResponsesRequest } from '@clawgate/openai-schemas';
import type { PreparedRun } from '../agent/agent-runner.js';
import type { RequestSpan } from '../tracing/tracing.js';

/** The authorizer's decision when it let the caller in. */
export type AllowedAuthDecision = Extract<AuthDecision, { allowed: true }>;

/** The fields the pipeline stores on `res.locals`, in the order they are set. */
export interface ChatCompletionLocals {
  /** Step 2 (auth). */
  auth?: AllowedAuthDecision;
  /** Step 4 (body): the parsed JSON, `{}` for an empty body. */
  body?: unknown;
  /** Step 5 (validation). */
  chatRequest?: ChatCompletionRequest;
  /** Step 6 (resolution + `runner.prepare`). */
  prepared?: PreparedRun;
}

/** The fields the `/v1/responses` pipeline stores: the shared steps' own, then its validated request. */
export interface ResponsesLocals extends Pick<ChatCompletionLocals, 'auth' | 'body' | 'prepared'> {
  /** Validation. */
  responsesRequest?: ResponsesRequest;
}

/** What every request (not only chat completions) leaves in `res.locals` for the request log. */
export interface RequestLocals {
  /** Step 0: the `x-request-id` this response carries. */
  requestId?: string;
  /** The `error.type` of the refusal or SSE error frame that ended the request, if any. */
  errorType?: string;
  /** The request's span, when tracing is on (docs/observability.md#traces). */
  trace?: RequestSpan;
}

/** Typed view of `res.locals` for any request. */
export function requestLocals(locals: Record<string, unknown>): RequestLocals & ChatCompletionLocals {
  return locals as RequestLocals & ChatCompletionLocals;
}

/** Typed view of `res.locals`. */
export function chatLocals(locals: Record<string, unknown>): ChatCompletionLocals {
  return locals as ChatCompletionLocals;
}

/** Typed view of `res.locals` on `/v1/responses`. */
export function responsesLocals(locals: Record<string, unknown>): ResponsesLocals {
  return locals as ResponsesLocals;
}
