/**
 * A Responses API request's `instructions` and `input` as the chat messages every run starts from
 * (docs/responses-api.md#from-input-to-a-turn): the run then flattens them into one turn exactly as
 * it does for Chat Completions, so an agent sees the same prompt from either door.
 */
import type {
  ChatContentPart,
  ChatMessage,
  ResponsesInputContentPart,
  ResponsesRequest,
} from '@clawgate/openai-schemas';
import { invalidRequest } from '../../errors.js';

/** The 400 of an `input_image` without `image_url` (by `file_id`: there is no file store here). */
export const IMAGE_URL_REQUIRED =
  '`input_image` needs an `image_url` (a URL or a data: URI); `file_id` is not supported.';
/** The 400 of an image in a tool result, which the run passes on as text only. */
export const IMAGE_IN_TOOL_OUTPUT = 'Images in `function_call_output` are not supported; send them in a user message.';
/** The 400 of an `input_file` part. */
export const INPUT_FILE_UNSUPPORTED = "`input_file` is not supported; send the file's text as `input_text`.";

/**
 * Maps the request to chat messages: `instructions` first as a system message; `system`/`developer`
 * items stay system messages; a user message keeps its text and image parts; an assistant message
 * keeps its text; a `function_call` becomes an assistant tool call and a `function_call_output` a
 * tool result; `reasoning` and `item_reference` items are dropped (a stored session already holds
 * what they point at).
 *
 * @throws GatewayError 400 for parts the gateway cannot pass on (`input_file`, an image without
 *   `image_url`, an image in a tool result): refused rather than lost.
 * @example
 * responsesInputToMessages({ model: 'openclaw', input: 'hi', instructions: 'Be brief.' });
 * // [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'hi' }]
 */
export function responsesInputToMessages(request: Pick<ResponsesRequest, 'input' | 'instructions'>): ChatMessage[] {
  const messages: ChatMessage[] = [];
  if (request.instructions !== undefined && request.instructions.trim() !== '') {
    messages.push({ role: 'system', content: request.instructions });
  }
  const input = request.input ?? [];
  if (typeof input === 'string') {
    messages.push({ role: 'user', content: input });
    return messages;
  }
  for (const item of input) {
    switch (item.type) {
      case 'function_call':
        messages.push({
          role: 'assistant',
          content: null,
          tool_calls: [
            { id: item.call_id, type: 'function', function: { name: item.name, arguments: item.arguments } },
          ],
        });
        break;
      case 'function_call_output':
        if (typeof item.output !== 'string' && item.output.some((part) => part.type === 'input_image')) {
          throw invalidRequest(IMAGE_IN_TOOL_OUTPUT);
        }
        messages.push({ role: 'tool', tool_call_id: item.call_id, content: toChatContent(item.output) });
        break;
      case 'reasoning':
      case 'item_reference':
        break;
      default:
        messages.push({ role: item.role, content: toChatContent(item.content) } as ChatMessage);
    }
  }
  return messages;
}

/** Content as the chat schema holds it: text parts as `input_text`, images as `image_url`. */
function toChatContent(content: string | ResponsesInputContentPart[]): string | ChatContentPart[] {
  if (typeof content === 'string') return content;
  const parts: ChatContentPart[] = [];
  for (const part of content) {
    switch (part.type) {
      case 'input_text':
      case 'output_text':
        parts.push({ type: 'input_text', text: part.text });
        break;
      case 'refusal':
        parts.push({ type: 'input_text', text: part.refusal });
        break;
      case 'input_image': {
        if (typeof part.image_url !== 'string') throw invalidRequest(IMAGE_URL_REQUIRED);
        const detail = part.detail ?? undefined;
        parts.push({ type: 'image_url', image_url: { url: part.image_url, ...(detail ? { detail } : {}) } });
        break;
      }
      case 'input_file':
        throw invalidRequest(INPUT_FILE_UNSUPPORTED);
    }
  }
  return parts;
}
