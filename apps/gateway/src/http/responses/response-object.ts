/**
 * The response object of `/v1/responses` (docs/responses-api.md#the-response-object) and its output
 * items, built from a run's result. Keys are in OpenAI's order.
 */
import type { ChatCompletionUsage } from '@clawgate/openai-schemas';
import type { RunResult } from '../../agent/agent-runner.js';

/** What every event and body of one response carries. */
export interface ResponseIdentity {
  /** `resp_<uuid>`. */
  id: string;
  /** Unix time in whole seconds. */
  createdAt: number;
  /** The `model` the client sent, echoed. */
  model: string;
}

/** A message item. */
export interface MessageItem {
  type: 'message';
  id: string;
  role: 'assistant';
  status: ItemStatus;
  content: Array<{ type: 'output_text'; text: string; annotations: [] }>;
}

/** A function call item. */
export interface FunctionCallItem {
  type: 'function_call';
  id: string;
  call_id: string;
  name: string;
  arguments: string;
  status: ItemStatus;
}

export type OutputItem = MessageItem | FunctionCallItem;
export type ItemStatus = 'in_progress' | 'completed' | 'incomplete';

/** The Responses API's usage object. */
export interface ResponseUsage {
  input_tokens: number;
  input_tokens_details: { cached_tokens: number };
  output_tokens: number;
  output_tokens_details: { reasoning_tokens: number };
  total_tokens: number;
}

/** Why a response failed. */
export interface ResponseError {
  code: string;
  message: string;
}

/** Usage details an upstream may add to the three counts. */
interface DetailedUsage extends ChatCompletionUsage {
  prompt_tokens_details?: { cached_tokens?: number };
  completion_tokens_details?: { reasoning_tokens?: number };
}

/** A run's usage in the Responses API's words. */
export function toResponseUsage(usage: ChatCompletionUsage): ResponseUsage {
  const details = usage as DetailedUsage;
  return {
    input_tokens: usage.prompt_tokens,
    input_tokens_details: { cached_tokens: details.prompt_tokens_details?.cached_tokens ?? 0 },
    output_tokens: usage.completion_tokens,
    output_tokens_details: { reasoning_tokens: details.completion_tokens_details?.reasoning_tokens ?? 0 },
    total_tokens: usage.total_tokens,
  };
}

/** A message item holding `text`. */
export function messageItem(id: string, text: string, status: ItemStatus): MessageItem {
  return { type: 'message', id, role: 'assistant', status, content: [{ type: 'output_text', text, annotations: [] }] };
}

/** A function call item. */
export function functionCallItem(
  id: string,
  call: { id: string; name: string; arguments: string },
  status: ItemStatus,
): FunctionCallItem {
  return { type: 'function_call', id, call_id: call.id, name: call.name, arguments: call.arguments, status };
}

/**
 * The output items of a finished run, for the non-streaming answer: the message when the model said
 * something, then one item per tool call.
 *
 * @param newItemId - Makes an item id from its prefix (`msg`, `fc`).
 */
export function outputItemsOf(result: RunResult, newItemId: (prefix: 'msg' | 'fc') => string): OutputItem[] {
  const status: ItemStatus = result.finishReason === 'length' ? 'incomplete' : 'completed';
  const items: OutputItem[] = [];
  if (result.text !== '') items.push(messageItem(newItemId('msg'), result.text, status));
  for (const call of result.toolCalls) items.push(functionCallItem(newItemId('fc'), call, status));
  return items;
}

/** The response object: `in_progress` (no usage yet), `completed`, `incomplete` (cut by `max_output_tokens`) or `failed`. */
export type ResponseState =
  | { status: 'in_progress' }
  | { status: 'completed' | 'incomplete'; output: OutputItem[]; usage: ChatCompletionUsage }
  | { status: 'failed'; error: ResponseError };

/**
 * Builds the response object.
 *
 * @example
 * responseObject({ id: 'resp_1', createdAt: 0, model: 'openclaw' }, { status: 'in_progress' });
 * // { id: 'resp_1', object: 'response', created_at: 0, status: 'in_progress', model: 'openclaw', output: [] }
 */
export function responseObject(identity: ResponseIdentity, state: ResponseState): Record<string, unknown> {
  const head = {
    id: identity.id,
    object: 'response',
    created_at: identity.createdAt,
    status: state.status,
    model: identity.model,
  };
  switch (state.status) {
    case 'in_progress':
      return { ...head, output: [] };
    case 'failed':
      return { ...head, output: [], error: state.error };
    case 'incomplete':
      return {
        ...head,
        output: state.output,
        incomplete_details: { reason: 'max_output_tokens' },
        usage: toResponseUsage(state.usage),
      };
    default:
      return { ...head, output: state.output, usage: toResponseUsage(state.usage) };
  }
}
