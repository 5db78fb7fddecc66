/**
 * The SSE events of one streamed response (docs/responses-api.md#streaming), as strings: each
 * event is `event: <type>` + `data: <json of the same type>`, numbered by `sequence_number` from 0.
 * A text delta, the hot path, costs one `JSON.stringify` of its text and one concatenation: the
 * parts that are the same for every delta of an item are serialised once, when the item opens.
 */
import type { ChatCompletionUsage } from '@clawgate/openai-schemas';
import type { FinishReason } from '../../agent/agent-runner.js';
import { type ResponseError, type ResponseIdentity, toResponseUsage } from './response-object.js';

/** The item open for deltas, with the JSON of its id serialised once. */
type OpenItem =
  | { kind: 'message'; idJson: string; outputIndex: number; text: string; deltaHead: string }
  | {
      kind: 'call';
      id: string;
      idJson: string;
      outputIndex: number;
      callId: string;
      name: string;
      arguments: string;
      deltaHead: string;
      status?: 'completed' | 'incomplete';
    };

type CallItem = Extract<OpenItem, { kind: 'call' }>;

/** Builds the frames of one stream; each method returns every frame it produced as one string. */
export interface ResponseEventStream {
  /** `response.created` and `response.in_progress`. */
  start(): string;
  /** A piece of text (opening a message item and its text part first when none is open). */
  text(piece: string): string;
  /** A new function call item (closing the open item first). */
  toolCallStart(index: number, callId: string, name: string): string;
  /** A piece of a started call's arguments. */
  toolCallDelta(index: number, piece: string): string;
  /** Closes the open item, then `response.completed` (or `response.incomplete` when cut by `max_output_tokens`). */
  finish(finishReason: FinishReason, usage: ChatCompletionUsage): string;
  /** Closes the open item, then `response.failed` with `error`. */
  fail(error: ResponseError): string;
}

/**
 * Starts the event builder of one response. Frames are built as strings, with keys in the order
 * `JSON.stringify` of the response object gives (docs/responses-api.md#the-response-object); each
 * text and each argument string is serialised once however many events repeat it.
 *
 * @param identity - The response's id, creation time and model.
 * @param newItemId - Makes an item id from its prefix (`msg`, `fc`).
 * @example
 * const events = createResponseEventStream(identity, (prefix) => `${prefix}_${randomUUID()}`);
 * writer.writeFrame(events.start());
 */
export function createResponseEventStream(
  identity: ResponseIdentity,
  newItemId: (prefix: 'msg' | 'fc') => string,
): ResponseEventStream {
  let sequence = 0;
  let open: OpenItem | undefined;
  /** The JSON of each closed item, in output order; `undefined` for a call a late piece changed. */
  const itemJsons: Array<string | undefined> = [];
  /** Calls by the run's index, so a late argument piece still finds its item. */
  const calls: Array<CallItem | undefined> = [];

  const responseHead = `{"id":${JSON.stringify(identity.id)},"object":"response","created_at":${JSON.stringify(identity.createdAt)},"status":`;
  const modelJson = `,"model":${JSON.stringify(identity.model)}`;
  /** The response object with `status` and what follows `model` (`,"output":[…]…`). */
  const responseJson = (status: string, rest: string): string => `${responseHead}"${status}"${modelJson}${rest}}`;

  /** One event with the next sequence number; `body` is the JSON that follows `sequence_number`, from its comma. */
  const frame = (type: string, body: string): string =>
    `event: ${type}\ndata: {"type":"${type}","sequence_number":${sequence++}${body}}\n\n`;

  const callJson = (call: CallItem, status: 'in_progress' | 'completed' | 'incomplete', argumentsJson: string) =>
    `{"type":"function_call","id":${call.idJson},"call_id":${JSON.stringify(call.callId)},"name":${JSON.stringify(call.name)},"arguments":${argumentsJson},"status":"${status}"}`;

  /** Opens a message item; call with no item open. */
  const openMessage = (): string => {
    const outputIndex = itemJsons.length;
    const idJson = JSON.stringify(newItemId('msg'));
    const where = `,"item_id":${idJson},"output_index":${outputIndex},"content_index":0`;
    open = { kind: 'message', idJson, outputIndex, text: '', deltaHead: `${where},"delta":` };
    return (
      frame(
        'response.output_item.added',
        `,"output_index":${outputIndex},"item":{"type":"message","id":${idJson},"role":"assistant","status":"in_progress","content":[]}`,
      ) + frame('response.content_part.added', `${where},"part":{"type":"output_text","text":"","annotations":[]}`)
    );
  };

  /** Closes the open item with `status` and keeps its JSON for the final response object. */
  const closeOpen = (status: 'completed' | 'incomplete'): string => {
    const item = open;
    if (item === undefined) return '';
    open = undefined;
    if (item.kind === 'message') {
      const textJson = JSON.stringify(item.text);
      const partJson = `{"type":"output_text","text":${textJson},"annotations":[]}`;
      const itemJson = `{"type":"message","id":${item.idJson},"role":"assistant","status":"${status}","content":[${partJson}]}`;
      itemJsons.push(itemJson);
      const where = `,"item_id":${item.idJson},"output_index":${item.outputIndex},"content_index":0`;
      return (
        frame('response.output_text.done', `${where},"text":${textJson}`) +
        frame('response.content_part.done', `${where},"part":${partJson}`) +
        frame('response.output_item.done', `,"output_index":${item.outputIndex},"item":${itemJson}`)
      );
    }
    item.status = status;
    const argumentsJson = JSON.stringify(item.arguments);
    const itemJson = callJson(item, status, argumentsJson);
    itemJsons.push(itemJson);
    return (
      frame(
        'response.function_call_arguments.done',
        `,"item_id":${item.idJson},"output_index":${item.outputIndex},"arguments":${argumentsJson}`,
      ) + frame('response.output_item.done', `,"output_index":${item.outputIndex},"item":${itemJson}`)
    );
  };

  /** `,"output":[…]`: the closed items, a call changed by a late piece serialised again. */
  const outputJson = (): string => {
    const jsons = itemJsons.map((json, outputIndex) => {
      if (json !== undefined) return json;
      const call = calls.find((candidate) => candidate?.outputIndex === outputIndex) as CallItem;
      return callJson(call, call.status ?? 'completed', JSON.stringify(call.arguments));
    });
    return `,"output":[${jsons.join(',')}]`;
  };

  const deltaFrame = (type: string, deltaHead: string, piece: string): string =>
    `event: ${type}\ndata: {"type":"${type}","sequence_number":${sequence++}${deltaHead}${JSON.stringify(piece)}}\n\n`;

  return {
    start() {
      const inProgress = `,"response":${responseJson('in_progress', ',"output":[]')}`;
      return frame('response.created', inProgress) + frame('response.in_progress', inProgress);
    },

    text(piece) {
      let frames = '';
      if (open?.kind !== 'message') frames = closeOpen('completed') + openMessage();
      const message = open as Extract<OpenItem, { kind: 'message' }>;
      message.text += piece;
      return frames + deltaFrame('response.output_text.delta', message.deltaHead, piece);
    },

    toolCallStart(index, callId, name) {
      const frames = closeOpen('completed');
      const outputIndex = itemJsons.length;
      const id = newItemId('fc');
      const idJson = JSON.stringify(id);
      const deltaHead = `,"item_id":${idJson},"output_index":${outputIndex},"delta":`;
      const call: CallItem = { kind: 'call', id, idJson, outputIndex, callId, name, arguments: '', deltaHead };
      open = call;
      calls[index] = call;
      return (
        frames +
        frame(
          'response.output_item.added',
          `,"output_index":${outputIndex},"item":${callJson(call, 'in_progress', '""')}`,
        )
      );
    },

    toolCallDelta(index, piece) {
      const call = calls[index];
      if (call === undefined) return '';
      call.arguments += piece;
      // A piece for a call already closed (an upstream that interleaves calls) still reaches the
      // client, under its own item; the final response object holds the whole arguments.
      if (call !== open && call.status !== undefined) itemJsons[call.outputIndex] = undefined;
      return deltaFrame('response.function_call_arguments.delta', call.deltaHead, piece);
    },

    finish(finishReason, usage) {
      const status = finishReason === 'length' ? 'incomplete' : 'completed';
      const frames = closeOpen(status);
      const details = status === 'incomplete' ? ',"incomplete_details":{"reason":"max_output_tokens"}' : '';
      const usageJson = `,"usage":${JSON.stringify(toResponseUsage(usage))}`;
      const type = status === 'incomplete' ? 'response.incomplete' : 'response.completed';
      return frames + frame(type, `,"response":${responseJson(status, `${outputJson()}${details}${usageJson}`)}`);
    },

    fail(error) {
      const frames = closeOpen('incomplete');
      const errorJson = JSON.stringify({ code: error.code, message: error.message });
      return (
        frames + frame('response.failed', `,"response":${responseJson('failed', `,"output":[],"error":${errorJson}`)}`)
      );
    },
  };
}
