/**
 * The non-streaming `chat.completion` body (docs/http-contract.md#non-streaming-response) built from
 * a run's result, with no transport attached: the HTTP handler sends it and `clawgate agent --json`
 * prints it, so both transports answer with the same bytes.
 */
import type { ChatCompletionUsage } from '@clawgate/openai-schemas';
import type { FinishReason, RunResult, ToolCall } from './agent-runner.js';
import { EMPTY_RESPONSE_TEXT } from './create-agent-runner.js';

/** Identity of one completion: every body and chunk of it carries the same three values. */
export interface CompletionIdentity {
  /** `chatcmpl_<uuid>`. */
  id: string;
  /** Unix time in whole seconds. */
  created: number;
  /** The model echoed back to the caller. */
  model: string;
}

/** One tool call in OpenAI's wire form. */
export interface WireToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

/** `{id, object:"chat.completion", created, model, choices, usage}`, keys in OpenAI's order. */
export interface ChatCompletionBody {
  id: string;
  object: 'chat.completion';
  created: number;
  model: string;
  choices: [
    {
      index: 0;
      message: { role: 'assistant'; content: string | null; tool_calls?: WireToolCall[] };
      finish_reason: FinishReason;
    },
  ];
  usage: ChatCompletionUsage;
}

/**
 * Builds the non-streaming response body of a finished run.
 *
 * Content rules match OpenAI and the contract: text when there is any; `null` when the model only
 * called tools; the contract's fallback text when there was nothing at all.
 *
 * @param identity - Id, creation time and model to echo.
 * @param end - The run's result.
 * @returns A JSON-ready body.
 * @example
 * const body = buildChatCompletionBody({ id: 'chatcmpl_1', created: 0, model: 'openclaw' }, endEvent);
 */
export function buildChatCompletionBody(identity: CompletionIdentity, end: RunResult): ChatCompletionBody {
  const content = end.text !== '' ? end.text : end.toolCalls.length > 0 ? null : EMPTY_RESPONSE_TEXT;
  return {
    id: identity.id,
    object: 'chat.completion',
    created: identity.created,
    model: identity.model,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content,
          ...(end.toolCalls.length > 0 ? { tool_calls: end.toolCalls.map(toWireToolCall) } : {}),
        },
        finish_reason: end.finishReason,
      },
    ],
    usage: end.usage,
  };
}

/** Our structured call in OpenAI's `{id, type:"function", function:{name, arguments}}` form. */
export function toWireToolCall(call: ToolCall): WireToolCall {
  return { id: call.id, type: 'function', function: { name: call.name, arguments: call.arguments } };
}
