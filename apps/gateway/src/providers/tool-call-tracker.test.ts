import { describe, expect, it } from 'vitest';
import type { ProviderEvent } from './model-provider.js';
import { createToolCallTracker } from './tool-call-tracker.js';

describe('createToolCallTracker', () => {
  it('numbers calls densely in order of appearance and generates missing ids', () => {
    const events: ProviderEvent[] = [];
    const tracker = createToolCallTracker(() => 'generated', {
      toolCallStart: (index, id, name) => events.push({ type: 'tool-call-start', index, id, name }) > 0,
      toolCallDelta: (index, piece) => events.push({ type: 'tool-call-delta', index, arguments: piece }) > 0,
    });
    tracker.accept({ index: 3, function: { name: 'a', arguments: '{"x"' } });
    tracker.accept({ index: 3, function: { arguments: ':1}' } });
    tracker.accept({ index: 7, id: 'call_b', function: { name: 'b' } });
    expect(events).toEqual([
      { type: 'tool-call-start', index: 0, id: 'call_generated', name: 'a' },
      { type: 'tool-call-delta', index: 0, arguments: '{"x"' },
      { type: 'tool-call-delta', index: 0, arguments: ':1}' },
      { type: 'tool-call-start', index: 1, id: 'call_b', name: 'b' },
    ]);
  });

  it('passes on a sink that asks to pause', () => {
    const tracker = createToolCallTracker(() => 'generated', { toolCallStart: () => true, toolCallDelta: () => false });
    expect(tracker.accept({ index: 0, function: { name: 'a' } })).toBe(true);
    expect(tracker.accept({ index: 0, function: { arguments: '{}' } })).toBe(false);
  });
});
