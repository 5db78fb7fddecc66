import { setFlagsFromString } from 'node:v8';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { holdV8DuringStartUp } from './hold-v8-during-start-up.js';

// The real flags are process-wide; the test only checks which ones the hold asks V8 for.
vi.mock('node:v8', () => ({ setFlagsFromString: vi.fn() }));
const setFlags = vi.mocked(setFlagsFromString);

describe('holdV8DuringStartUp', () => {
  afterEach(() => setFlags.mockClear());

  it('holds young-generation growth and the optimizing compiler, then restores V8 defaults once', () => {
    const release = holdV8DuringStartUp({ execArgv: [], nodeOptions: undefined });
    expect(setFlags.mock.calls.flat()).toEqual(['--semi-space-growth-factor=1', '--no-turbofan']);
    release();
    release();
    expect(setFlags.mock.calls.flat().slice(2)).toEqual(['--semi-space-growth-factor=2', '--turbofan']);
  });

  it('leaves alone what the operator tuned on the command line or in NODE_OPTIONS', () => {
    holdV8DuringStartUp({ execArgv: ['--jitless'], nodeOptions: '--max_semi_space_size=4' })();
    expect(setFlags).not.toHaveBeenCalled();
    holdV8DuringStartUp({ execArgv: ['--trace-opt'], nodeOptions: '--no-turbofan --max-old-space-size=512' })();
    expect(setFlags.mock.calls.flat()).toEqual(['--semi-space-growth-factor=1', '--semi-space-growth-factor=2']);
  });
});
