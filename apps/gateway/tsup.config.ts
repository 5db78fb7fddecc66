import { defineConfig } from 'tsup';

// The app ships ESM only: it is run (bin, server) or imported by our own tests and benchmarks,
// never required from CJS.
export default defineConfig({
  entry: ['src/index.ts', 'src/cli.ts', 'src/server.ts'],
  format: ['esm'],
  dts: { entry: 'src/index.ts' },
  sourcemap: true,
  clean: true,
  target: 'node20',
});
