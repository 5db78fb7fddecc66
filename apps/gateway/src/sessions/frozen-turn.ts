import type { ToolCall } from '../agent/agent-runner.js';
import type { TranscriptMessage, TranscriptTurn } from './session-store.js';

/**
 * A deep-frozen copy of `turn`, made field by field (the shape is known; unknown fields are
 * dropped).
 *
 * Why frozen: stores that keep turns in memory hand their own message objects out of `load` instead
 * of copying up to `maxMessages` of them on every turn of every stored session. Freezing is what
 * makes that sharing safe: a caller that writes to a loaded message gets a `TypeError` (in strict
 * mode, which every ES module is) instead of silently rewriting history. Why a copy: the caller keeps
 * its own objects and may still change them after the append. Why exactly these keys (`role`,
 * `content`, and `toolCalls` only when stored): the run sends a frozen message without tool calls
 * to the model as it is, and reuses its serialised JSON turn after turn.
 *
 * Memory: `meta` is shared with `previous` when equal. Consecutive turns of a session nearly always
 * have the same agent, model, channel and finish reason, and one meta object per turn made up about
 * 40% of a cached session's heap (short messages, measured).
 *
 * @param turn - A turn given to `append`, or one just parsed from storage.
 * @param previous - The turn stored just before it, if any (an earlier result of this function).
 */
export function frozenTurnCopy(turn: TranscriptTurn, previous?: TranscriptTurn): TranscriptTurn {
  // The types stay mutable (`readonly` would ripple through every caller); the freeze enforces it.
  const messages = Object.freeze(turn.messages.map(frozenMessageCopy)) as TranscriptMessage[];
  const copy: TranscriptTurn = { createdAt: turn.createdAt, messages };
  if (turn.meta !== undefined) {
    const shared = previous?.meta;
    copy.meta = shared !== undefined && sameFields(shared, turn.meta) ? shared : Object.freeze({ ...turn.meta });
  }
  return Object.freeze(copy);
}

/** Same own keys with the same (`===`) values. */
function sameFields(left: object, right: object): boolean {
  const leftKeys = Object.keys(left);
  if (leftKeys.length !== Object.keys(right).length) return false;
  return leftKeys.every((key) => (left as Record<string, unknown>)[key] === (right as Record<string, unknown>)[key]);
}

function frozenMessageCopy(message: TranscriptMessage): TranscriptMessage {
  if (message.role === 'user') return Object.freeze({ role: 'user', content: message.content });
  const copy: TranscriptMessage = { role: 'assistant', content: message.content };
  if (Array.isArray(message.toolCalls)) {
    // A parsed line's tool calls are not validated further; skip what is not even an object.
    const calls = message.toolCalls
      .filter((call) => call !== null && typeof call === 'object')
      .map((call) => Object.freeze({ id: call.id, name: call.name, arguments: call.arguments }));
    copy.toolCalls = Object.freeze(calls) as ToolCall[];
  }
  return Object.freeze(copy);
}
