import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    name: 'openai-schemas',
    environment: 'node',
    include: ['src/**/*.test.ts'],
  },
});
