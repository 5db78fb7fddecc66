import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { defineMethod } from './define-method.js';

describe('defineMethod', () => {
  it('builds the params schema once, on first use, and keeps it', () => {
    const build = vi.fn(() => z.strictObject({ a: z.string() }));
    const method = defineMethod({ name: 'x', scope: 'operator.read', params: build, handle: () => ({}) });
    expect(build).not.toHaveBeenCalled();
    const first = method.params();
    expect(method.params()).toBe(first);
    expect(build).toHaveBeenCalledTimes(1);
  });
});
