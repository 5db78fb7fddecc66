/** The turn session-store tests append: `q<index>` then `a<index>`, at a fixed time. */
import type { TranscriptTurn } from '../session-store.js';

export const numberedTurn = (index: number): TranscriptTurn => ({
  createdAt: '2026-01-01T00:00:00.000Z',
  messages: [
    { role: 'user', content: `q${index}` },
    { role: 'assistant', content: `a${index}` },
  ],
});
