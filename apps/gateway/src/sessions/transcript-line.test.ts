import { describe, expect, it } from 'vitest';
import { formatTranscriptLine, parseTranscriptLine } from './transcript-line.js';

const messages = [
  { role: 'user', content: 'q' },
  { role: 'assistant', content: 'a' },
] as const;
const meta = { agentId: 'main', model: 'offline/m', messageChannel: 'webchat', finishReason: 'stop' };

describe('transcript lines', () => {
  it('still parses a version 1 line written before usage was recorded', () => {
    const stored = { v: 1, createdAt: '2026-01-01T00:00:00.000Z', messages, meta };
    const line = JSON.stringify(stored);
    expect(parseTranscriptLine(line)).toEqual({ createdAt: '2026-01-01T00:00:00.000Z', messages, meta });
  });

  it('round-trips a turn whose meta records usage, still as version 1', () => {
    const turn = {
      createdAt: '2026-01-01T00:00:00.000Z',
      messages: [...messages],
      meta: { ...meta, usage: { prompt_tokens: 3, completion_tokens: 5, total_tokens: 8 } },
    };
    const line = formatTranscriptLine(turn);
    expect(JSON.parse(line).v).toBe(1);
    expect(parseTranscriptLine(line)).toEqual(turn);
  });
});
