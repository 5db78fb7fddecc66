import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    name: 'client',
    environment: 'node',
    include: ['src/**/*.test.ts'],
    // Type tests (`*.test-d.ts`) pin the `create` overloads; they run through tsc, not at run time.
    typecheck: { enabled: true, include: ['src/**/*.test-d.ts'] },
  },
});
