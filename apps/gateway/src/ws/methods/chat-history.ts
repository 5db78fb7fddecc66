/**
 * `chat.history {sessionKey, limit?}` (docs/ws-protocol.md#methods): the newest messages of a
 * session, whichever door its turns came through. Reading a session also subscribes the
 * connection to the events of runs on it.
 */
import { splitProviderModel } from '@clawgate/session-key';
import { z } from 'zod';
import type { TranscriptTurn } from '../../sessions/session-store.js';
import { defineMethod } from '../define-method.js';

const DEFAULT_LIMIT = 200;

export const chatHistoryMethod = defineMethod({
  name: 'chat.history',
  scope: 'operator.read',
  params: () =>
    z.strictObject({
      sessionKey: z.string().trim().min(1).max(512),
      limit: z.number().int().min(1).max(1000).default(DEFAULT_LIMIT),
    }),
  handle: async ({ params, door, connection }) => {
    door.watchers.watch(params.sessionKey, connection);
    const { turns, totalMessages } = await door.sessionStore.readTurns(params.sessionKey, {
      maxMessages: params.limit,
    });
    const messages = turns.flatMap(toHistoryMessages).slice(-params.limit);
    return { sessionKey: params.sessionKey, messages, hasMore: totalMessages > messages.length, totalMessages };
  },
});

function toHistoryMessages(turn: TranscriptTurn) {
  const timestamp = Date.parse(turn.createdAt);
  const meta = turn.meta;
  const model = meta === undefined ? undefined : splitProviderModel(meta.model);
  return turn.messages.map((message) =>
    message.role === 'user'
      ? { role: 'user' as const, content: message.content, timestamp }
      : {
          role: 'assistant' as const,
          content: [{ type: 'text' as const, text: message.content }],
          ...(model === undefined ? {} : { provider: model.provider, model: model.model }),
          ...(meta?.usage === undefined
            ? {}
            : {
                usage: {
                  input: meta.usage.prompt_tokens,
                  output: meta.usage.completion_tokens,
                  totalTokens: meta.usage.total_tokens,
                },
              }),
          ...(meta === undefined ? {} : { stopReason: meta.finishReason }),
          timestamp,
        },
  );
}
