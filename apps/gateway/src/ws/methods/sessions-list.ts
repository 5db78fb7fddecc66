/** `sessions.list {limit?, offset?}` (docs/ws-protocol.md#methods): stored sessions, newest first. */
import { parseSessionKey } from '@clawgate/session-key';
import { z } from 'zod';
import { defineMethod } from '../define-method.js';

export const sessionsListMethod = defineMethod({
  name: 'sessions.list',
  scope: 'operator.read',
  params: () =>
    z.strictObject({
      limit: z.number().int().min(1).max(1000).default(50),
      offset: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(0),
    }),
  handle: async ({ params, door }) => {
    const page = await door.sessionStore.list({ limit: params.limit, offset: params.offset });
    const count = page.sessions.length;
    const hasMore = params.offset + count < page.totalCount;
    return {
      ts: door.now(),
      count,
      totalCount: page.totalCount,
      hasMore,
      nextOffset: hasMore ? params.offset + count : null,
      sessions: page.sessions.map((session) => ({
        key: session.key,
        agentId: session.agentId ?? parseSessionKey(session.key)?.agentId ?? door.defaultAgentId,
        updatedAt: session.updatedAt,
      })),
    };
  },
});
