import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    name: 'webchat',
    environment: 'node',
    include: ['src/**/*.test.ts'],
  },
});
