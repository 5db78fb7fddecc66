/**
 * The SSE events of one streamed response (docs/responses-api.md#streaming), as strings: each
 * event is `event: <type>` + `data: <json of the same type>`, numbered by `sequence_number` from 0.
 * A text delta, the hot path, costs one `JSON.stringify` of its text and one concatenation: the
 * parts that are the same for every delta of an item are serialised once, when the item opens.
 */
import type { ChatCompletionUsage } from '@clawgate/openai-schemas';
import type { FinishReason } from '../../agent/agent-runner.js';
import {
  functionCallItem,
  messageItem,
  type OutputItem,
  type ResponseError,
  type ResponseIdentity,
  responseObject,
} from './response-object.js';

/** The item open for deltas. */
type OpenItem =
  | { kind: 'message'; id: string; outputIndex: number; text: string; deltaHead: string }
  | {
      kind: 'call';
      id: string;
      outputIndex: number;
      callId: string;
      name: string;
      arguments: string;
      deltaHead: string;
    };

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
 * Starts the event builder of one response.
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
  const items: OutputItem[] = [];
  /** Calls by the run's index, so a late argument piece still finds its item. */
  const calls: Array<Extract<OpenItem, { kind: 'call' }> | undefined> = [];

  /** One event with the next sequence number; `body` is the JSON after `sequence_number`, without braces. */
  const event = (type: string, body: Record<string, unknown>): string => {
    const json = JSON.stringify({ type, sequence_number: sequence++, ...body });
    return `event: ${type}\ndata: ${json}\n\n`;
  };

  /** Opens a message item; call with no item open. */
  const openMessage = (): string => {
    const outputIndex = items.length;
    const id = newItemId('msg');
    const deltaHead = `,"item_id":${JSON.stringify(id)},"output_index":${outputIndex},"content_index":0,"delta":`;
    open = { kind: 'message', id, outputIndex, text: '', deltaHead };
    return (
      event('response.output_item.added', {
        output_index: outputIndex,
        item: { ...messageItem(id, '', 'in_progress'), content: [] },
      }) +
      event('response.content_part.added', {
        item_id: id,
        output_index: outputIndex,
        content_index: 0,
        part: { type: 'output_text', text: '', annotations: [] },
      })
    );
  };

  /** Closes the open item with `status` and keeps it for the final response object. */
  const closeOpen = (status: 'completed' | 'incomplete'): string => {
    const item = open;
    if (item === undefined) return '';
    open = undefined;
    if (item.kind === 'message') {
      const done = messageItem(item.id, item.text, status);
      items.push(done);
      const where = { item_id: item.id, output_index: item.outputIndex, content_index: 0 };
      return (
        event('response.output_text.done', { ...where, text: item.text }) +
        event('response.content_part.done', { ...where, part: done.content[0] }) +
        event('response.output_item.done', { output_index: item.outputIndex, item: done })
      );
    }
    const done = functionCallItem(item.id, { id: item.callId, name: item.name, arguments: item.arguments }, status);
    items.push(done);
    return (
      event('response.function_call_arguments.done', {
        item_id: item.id,
        output_index: item.outputIndex,
        arguments: item.arguments,
      }) + event('response.output_item.done', { output_index: item.outputIndex, item: done })
    );
  };

  const deltaFrame = (type: string, deltaHead: string, piece: string): string =>
    `event: ${type}\ndata: {"type":"${type}","sequence_number":${sequence++}${deltaHead}${JSON.stringify(piece)}}\n\n`;

  return {
    start: () =>
      event('response.created', { response: responseObject(identity, { status: 'in_progress' }) }) +
      event('response.in_progress', { response: responseObject(identity, { status: 'in_progress' }) }),

    text(piece) {
      let frames = '';
      if (open?.kind !== 'message') frames = closeOpen('completed') + openMessage();
      const message = open as Extract<OpenItem, { kind: 'message' }>;
      message.text += piece;
      return frames + deltaFrame('response.output_text.delta', message.deltaHead, piece);
    },

    toolCallStart(index, callId, name) {
      const frames = closeOpen('completed');
      const outputIndex = items.length;
      const id = newItemId('fc');
      const deltaHead = `,"item_id":${JSON.stringify(id)},"output_index":${outputIndex},"delta":`;
      const call = { kind: 'call' as const, id, outputIndex, callId, name, arguments: '', deltaHead };
      open = call;
      calls[index] = call;
      return (
        frames +
        event('response.output_item.added', {
          output_index: outputIndex,
          item: functionCallItem(id, { id: callId, name, arguments: '' }, 'in_progress'),
        })
      );
    },

    toolCallDelta(index, piece) {
      const call = calls[index];
      if (call === undefined) return '';
      call.arguments += piece;
      // A piece for a call already closed (an upstream that interleaves calls) still reaches the
      // client, under its own item; the final response object holds the whole arguments.
      const closed = items.find((item) => item.id === call.id);
      if (closed?.type === 'function_call') closed.arguments = call.arguments;
      return deltaFrame('response.function_call_arguments.delta', call.deltaHead, piece);
    },

    finish(finishReason, usage) {
      const status = finishReason === 'length' ? 'incomplete' : 'completed';
      const frames = closeOpen(status);
      const type = status === 'incomplete' ? 'response.incomplete' : 'response.completed';
      return frames + event(type, { response: responseObject(identity, { status, output: items, usage }) });
    },

    fail(error) {
      const frames = closeOpen('incomplete');
      return frames + event('response.failed', { response: responseObject(identity, { status: 'failed', error }) });
    },
  };
}
