/**
 * Turns an OpenAI `messages` array into one agent turn, as docs/http-contract.md#prompt-building
 * describes (the same flattening OpenClaw does, so agents see identical prompts from either gateway).
 */
import type { AgentRunInput } from './agent-runner.js';
import { invalidRequest } from '../errors.js';
import { extractImages, type ImageInput, type ImagePolicy } from './extract-images.js';

/** The chat messages as validated by `@clawgate/openai-schemas`. */
type Messages = AgentRunInput['messages'];
type Message = Messages[number];

/** The contract's 400 when no usable text or image is left. */
export const MISSING_USER_MESSAGE = 'Missing user message in `messages`.';
/** Body of a current user message that has images and no text. */
export const IMAGE_ONLY_TEXT = 'User sent image(s) with no text.';
/** Header line before the earlier entries. */
export const HISTORY_MARKER = '[Chat messages since your last reply - for context]';
/** Header line before the current entry. */
export const CURRENT_MARKER = '[Current message - respond to this]';

/** One agent turn built from `messages`. */
export interface BuiltPrompt {
  /** The user turn's text (with history markers when earlier entries exist). */
  text: string;
  /** `system` and `developer` contents joined by a blank line; `undefined` when there are none. */
  extraSystemPrompt: string | undefined;
  /** Images of the current user message, validated. */
  images: ImageInput[];
}

interface Entry {
  role: 'user' | 'assistant' | 'tool';
  label: string;
  body: string;
  message: Message;
}

/**
 * Builds the prompt of one turn (docs/http-contract.md#prompt-building).
 *
 * Walks `messages`: `system`/`developer` → extra system prompt; `user`, `assistant`, `tool` and
 * `function` (= `tool`) become labelled entries (`User`, `Assistant`, `Tool:<tool_call_id or name>`),
 * assistant `tool_calls` appended as `tool_call id=<id> name=<name> arguments=<json>`; entries with
 * no text (and no image) are skipped. The current message is the last `user`/`tool` entry (later
 * ones are dropped), else the last entry. Earlier entries go under the history marker.
 *
 * @param messages - Validated request messages.
 * @param imagePolicy - Limits from `gateway.http.endpoints.chatCompletions.images`.
 * @throws GatewayError 400 ``Missing user message in `messages`.`` or
 *   ``Invalid image_url content in `messages`.``
 * @example
 * buildPrompt([{ role: 'user', content: 'hi' }], policy).text; // 'hi'
 */
export function buildPrompt(messages: Messages, imagePolicy: ImagePolicy): BuiltPrompt {
  const systemParts: string[] = [];
  const entries: Entry[] = [];
  for (const message of messages) {
    const text = contentText(message.content);
    if (message.role === 'system' || message.role === 'developer') {
      if (text) systemParts.push(text);
      continue;
    }
    const entry = toEntry(message, text);
    if (entry) entries.push(entry);
  }

  let currentIndex = findLastIndex(entries, (entry) => entry.role === 'user' || entry.role === 'tool');
  if (currentIndex < 0) currentIndex = entries.length - 1;
  const current = entries[currentIndex];
  if (!current) throw invalidRequest(MISSING_USER_MESSAGE);

  const images = current.role === 'user' ? extractImages(current.message.content, imagePolicy) : [];
  const currentBody = current.body;

  const history = entries.slice(0, currentIndex);
  const text =
    history.length === 0
      ? currentBody
      : [
          HISTORY_MARKER,
          ...history.map((entry) => `${entry.label}: ${entry.body}`),
          '',
          CURRENT_MARKER,
          `${current.label}: ${currentBody}`,
        ].join('\n');
  return {
    text,
    extraSystemPrompt: systemParts.length > 0 ? systemParts.join('\n\n') : undefined,
    images,
  };
}

function toEntry(message: Message, text: string): Entry | undefined {
  switch (message.role) {
    case 'user': {
      const hasImage = Array.isArray(message.content) && message.content.some((part) => part.type === 'image_url');
      if (!text && !hasImage) return undefined;
      // An image-only message reads the same in the history as in the current position.
      return { role: 'user', label: 'User', body: text || IMAGE_ONLY_TEXT, message };
    }
    case 'assistant': {
      const calls = (message.tool_calls ?? []).map(
        (call) => `tool_call id=${call.id} name=${call.function.name} arguments=${call.function.arguments}`,
      );
      const body = [text, ...calls].filter((part) => part !== '').join('\n');
      return body ? { role: 'assistant', label: 'Assistant', body, message } : undefined;
    }
    case 'tool':
    case 'function': {
      if (!text) return undefined;
      const name = message.role === 'tool' ? message.tool_call_id : message.name;
      return { role: 'tool', label: name ? `Tool:${name}` : 'Tool', body: text, message };
    }
    default:
      return undefined;
  }
}

/** Text of a message: a string, or its `text`/`input_text` parts joined by `\n`; trimmed. */
export function contentText(content: Message['content']): string {
  if (typeof content === 'string') return content.trim();
  if (!Array.isArray(content)) return '';
  return content
    .flatMap((part) => (part.type === 'text' || part.type === 'input_text' ? [part.text] : []))
    .join('\n')
    .trim();
}

function findLastIndex<T>(items: readonly T[], predicate: (item: T) => boolean): number {
  for (let index = items.length - 1; index >= 0; index -= 1) {
    const item = items[index];
    if (item !== undefined && predicate(item)) return index;
  }
  return -1;
}
