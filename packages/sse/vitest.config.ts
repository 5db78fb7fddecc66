import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    name: 'sse',
    environment: 'node',
    include: ['src/**/*.test.ts'],
    // The socket and split-offset tests take ~1-2 s alone but share 2 cores with every other
    // package in CI; a generous ceiling avoids false timeouts without hiding real hangs.
    testTimeout: 20_000,
  },
});
