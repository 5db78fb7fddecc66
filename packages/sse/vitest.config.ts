import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    name: 'sse',
    environment: 'node',
    include: ['src/**/*.test.ts'],
  },
});
