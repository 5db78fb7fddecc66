/**
 * Builds the page into `dist/`: `index.html` (served by the gateway at `/`) and hashed files under
 * `dist/assets/` (served at `/webchat/assets/…`). Everything the page loads is a file of its own,
 * because its Content-Security-Policy allows no inline script or style and no other origin
 * (docs/webchat.md#security).
 */
import { defineConfig } from 'vite';

export default defineConfig({
  base: '/webchat/',
  build: {
    outDir: 'dist',
    assetsDir: 'assets',
    // Never inline an asset as a `data:` URL: the CSP's `default-src 'self'` would refuse it.
    assetsInlineLimit: 0,
    // Modern browsers preload modules themselves; the polyfill would be one more script for nothing.
    modulePreload: { polyfill: false },
    target: 'es2022',
  },
});
