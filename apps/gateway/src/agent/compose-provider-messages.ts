/**
 * The upstream conversation of one run: one system message (agent prompt + the request's extra
 * system prompt), the stored transcript, then this turn with its images.
 */
import type { ProviderContentPart, ProviderMessage } from '../providers/model-provider.js';
import type { TranscriptMessage } from '../sessions/session-store.js';
import type { ToolCall } from './agent-runner.js';
import type { BuiltPrompt } from './build-prompt.js';

/**
 * Renders tool calls the way the prompt renders a client's assistant `tool_calls`
 * (docs/http-contract.md#prompt-building), so stored turns read
 * like history the client sent. Stored calls are sent as text, not `tool_calls`: upstreams reject
 * an assistant `tool_calls` message that is not followed by its `tool` results.
 */
export function renderToolCalls(toolCalls: readonly ToolCall[]): string[] {
  return toolCalls.map((call) => `tool_call id=${call.id} name=${call.name} arguments=${call.arguments}`);
}

/**
 * Builds the provider messages.
 *
 * @param options.agentSystemPrompt - The agent's configured system prompt.
 * @param options.transcript - Stored history (already trimmed).
 * @param options.prompt - This turn.
 */
export function composeProviderMessages(options: {
  agentSystemPrompt: string | undefined;
  transcript: readonly TranscriptMessage[];
  prompt: BuiltPrompt;
}): ProviderMessage[] {
  const messages: ProviderMessage[] = [];
  const system = [options.agentSystemPrompt?.trim(), options.prompt.extraSystemPrompt]
    .filter((part): part is string => typeof part === 'string' && part !== '')
    .join('\n\n');
  if (system) messages.push({ role: 'system', content: system });
  for (const message of options.transcript) messages.push(providerMessageOf(message));
  const { text, images } = options.prompt;
  if (images.length === 0) messages.push({ role: 'user', content: text });
  else {
    const parts: ProviderContentPart[] = [
      { type: 'text', text },
      ...images.map((image): ProviderContentPart => ({ type: 'image_url', image_url: { url: image.url } })),
    ];
    messages.push({ role: 'user', content: parts });
  }
  return messages;
}

/**
 * Provider messages of stored messages a store shares between turns (frozen, so their identity is
 * stable and nobody can change them): a plain one is already in the provider's shape and is used
 * as it is, one with tool calls is rendered once and reused every later turn. Either way the
 * provider can reuse its serialised JSON. A stored session replays up to `maxHistoryMessages` of
 * them every turn, so per message this must cost next to nothing (no copy, no lookup).
 */
const renderedWithToolCalls = new WeakMap<TranscriptMessage, ProviderMessage>();

/** A stored message as the model sees it: tool calls rendered into the assistant's text. */
function providerMessageOf(message: TranscriptMessage): ProviderMessage {
  const hasToolCalls = message.role === 'assistant' && message.toolCalls !== undefined;
  const shared = Object.isFrozen(message);
  // Stores freeze exactly `{role, content}` (plus `toolCalls` when there are some): the same JSON.
  if (shared && !hasToolCalls) return message as ProviderMessage;
  if (shared) {
    const known = renderedWithToolCalls.get(message);
    if (known !== undefined) return known;
  }
  let built: ProviderMessage;
  if (message.role === 'user') built = { role: 'user', content: message.content };
  else {
    const content = [message.content, ...renderToolCalls(message.toolCalls ?? [])]
      .filter((part) => part !== '')
      .join('\n');
    built = { role: 'assistant', content };
  }
  if (shared) renderedWithToolCalls.set(message, Object.freeze(built));
  return built;
}
