import type { TranscriptMessage, TranscriptTurn } from './session-store.js';

/**
 * Flattens turns into the last `maxMessages` messages, dropping leading assistant messages so the
 * model never sees a reply without its prompt.
 *
 * @param turns - Turns, oldest first.
 * @param maxMessages - The agent's `maxHistoryMessages`.
 */
export function trimTranscript(turns: readonly TranscriptTurn[], maxMessages: number): TranscriptMessage[] {
  // Walks back from the newest turn and stops at the limit: a long stored history costs nothing
  // beyond the messages actually sent (this runs on every turn of a stored session).
  const kept: TranscriptMessage[] = [];
  for (let turnIndex = turns.length - 1; turnIndex >= 0 && kept.length < maxMessages; turnIndex -= 1) {
    const messages = turns[turnIndex]?.messages ?? [];
    for (let index = messages.length - 1; index >= 0 && kept.length < maxMessages; index -= 1) {
      kept.push(messages[index] as TranscriptMessage);
    }
  }
  kept.reverse();
  const firstUser = kept.findIndex((message) => message.role === 'user');
  if (firstUser < 0) return [];
  return firstUser === 0 ? kept : kept.slice(firstUser);
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
