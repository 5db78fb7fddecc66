import type { TranscriptMessage, TranscriptTurn } from './session-store.js';

/**
 * Flattens turns into the last `maxMessages` messages, dropping leading assistant messages so the
 * model never sees a reply without its prompt.
 *
 * @param turns - Turns, oldest first.
 * @param maxMessages - The agent's `maxHistoryMessages`.
 */
export function trimTranscript(turns: readonly TranscriptTurn[], maxMessages: number): TranscriptMessage[] {
  const messages = turns.flatMap((turn) => turn.messages).slice(-maxMessages);
  const firstUser = messages.findIndex((message) => message.role === 'user');
  return firstUser < 0 ? [] : messages.slice(firstUser);
}

/**
 * The newest turns that hold the last `maxMessages` messages (whole turns, for compaction).
 *
 * @param turns - Turns, oldest first.
 * @param maxMessages - Messages to keep at least.
 */
export function keepNewestTurns(turns: readonly TranscriptTurn[], maxMessages: number): TranscriptTurn[] {
  let count = 0;
  let start = turns.length;
  while (start > 0 && count < maxMessages) {
    start -= 1;
    count += turns[start]?.messages.length ?? 0;
  }
  return turns.slice(start);
}
