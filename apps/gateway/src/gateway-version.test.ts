import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { GATEWAY_VERSION } from './gateway-version.js';

it('GATEWAY_VERSION is the package version', () => {
  const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  expect(GATEWAY_VERSION).toBe(manifest.version);
});
