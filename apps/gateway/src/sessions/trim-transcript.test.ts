import { describe, expect, it } from 'vitest';
import type { TranscriptTurn } from './session-store.js';
import { keepNewestTurns, trimTranscript } from './trim-transcript.js';

const turn = (index: number, extra: TranscriptTurn['messages'] = []): TranscriptTurn => ({
  createdAt: '2026-01-01T00:00:00.000Z',
  messages: [{ role: 'user', content: `q${index}` }, { role: 'assistant', content: `a${index}` }, ...extra],
});

const contents = (messages: { content: string }[]) => messages.map((message) => message.content);

describe('trimTranscript', () => {
  it('keeps the newest messages, oldest first', () => {
    const turns = [turn(0), turn(1), turn(2)];
    expect(contents(trimTranscript(turns, 4))).toEqual(['q1', 'a1', 'q2', 'a2']);
    expect(contents(trimTranscript(turns, 100))).toEqual(['q0', 'a0', 'q1', 'a1', 'q2', 'a2']);
  });

  it('drops an assistant message cut from its prompt', () => {
    expect(contents(trimTranscript([turn(0), turn(1)], 3))).toEqual(['q1', 'a1']);
    // A turn ending in two assistant messages: a limit of 2 keeps no user message at all.
    expect(trimTranscript([turn(0, [{ role: 'assistant', content: 'more' }])], 2)).toEqual([]);
  });

  it('answers [] for no turns or a zero limit', () => {
    expect(trimTranscript([], 10)).toEqual([]);
    expect(trimTranscript([turn(0)], 0)).toEqual([]);
  });
});

describe('keepNewestTurns', () => {
  it('keeps whole turns holding at least the limit', () => {
    expect(keepNewestTurns([turn(0), turn(1), turn(2)], 3).map((kept) => kept.messages[0]?.content)).toEqual([
      'q1',
      'q2',
    ]);
  });
});
