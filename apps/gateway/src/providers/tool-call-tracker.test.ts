import { describe, expect, it } from 'vitest';
import { createToolCallTracker } from './tool-call-tracker.js';

describe('createToolCallTracker', () => {
  it('numbers calls densely in order of appearance and generates missing ids', () => {
    const tracker = createToolCallTracker(() => 'generated');
    const events = [
      ...tracker.accept({ index: 3, function: { name: 'a', arguments: '{"x"' } }),
      ...tracker.accept({ index: 3, function: { arguments: ':1}' } }),
      ...tracker.accept({ index: 7, id: 'call_b', function: { name: 'b' } }),
    ];
    expect(events).toEqual([
      { type: 'tool-call-start', index: 0, id: 'call_generated', name: 'a' },
      { type: 'tool-call-delta', index: 0, arguments: '{"x"' },
      { type: 'tool-call-delta', index: 0, arguments: ':1}' },
      { type: 'tool-call-start', index: 1, id: 'call_b', name: 'b' },
    ]);
  });
});
