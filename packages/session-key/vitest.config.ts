import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    name: 'session-key',
    environment: 'node',
    include: ['src/**/*.test.ts'],
  },
});
