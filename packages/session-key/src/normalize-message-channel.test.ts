import { describe, expect, it } from 'vitest';
import { DEFAULT_MESSAGE_CHANNEL, normalizeMessageChannel } from './normalize-message-channel.js';

describe('normalizeMessageChannel', () => {
  it.each([
    ['slack', 'slack'],
    ['  Slack ', 'slack'],
    ['WEBCHAT', 'webchat'],
    ['My Channel', 'my channel'],
    ['ÉCOLE', 'école'],
  ])('normalises %j to %j', (raw, expected) => {
    expect(normalizeMessageChannel(raw)).toBe(expected);
  });

  it.each([[undefined], [null], [''], ['   '], ['\t']])('defaults %j to webchat', (raw) => {
    expect(normalizeMessageChannel(raw)).toBe('webchat');
  });

  it('exports webchat as the default', () => {
    expect(DEFAULT_MESSAGE_CHANNEL).toBe('webchat');
    expect(normalizeMessageChannel()).toBe('webchat');
  });
});
