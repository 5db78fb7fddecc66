/**
 * The web chat page's routes through `createApp` (docs/webchat.md#security): exact statuses and
 * headers, GET and HEAD only, no authentication and no secret in what is served, `404` when the page
 * is off, and only the files of the build.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { afterAll, describe, expect, it } from 'vitest';
import { buildTestApp, TEST_TOKEN, testConfig } from '../__fixtures__/build-test-app.js';
import { createRecordingRunner } from '../__fixtures__/recording-runner.js';
import { parseConfigAndIgnoredKeys } from '../config/parse-config.js';
import { loadWebchatFiles, locateWebchatRoot } from './webchat-files.js';

const EXPECTED_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; " +
  "object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'; " +
  "require-trusted-types-for 'script'; trusted-types 'none'";

function appWithWebchat(enabled: boolean) {
  const config = testConfig({ gateway: { webchat: { enabled } } });
  return buildTestApp({ config, runner: createRecordingRunner() }).app;
}

const builtIndex = readFileSync(path.join(locateWebchatRoot(), 'index.html'), 'utf8');
/** The files index.html loads: `/webchat/assets/<hashed name>`. */
const referencedAssets = [...builtIndex.matchAll(/(?:src|href)="(\/webchat\/assets\/[^"]+)"/g)].map(
  (match) => match[1] as string,
);

describe('gateway.webchat.enabled: true', () => {
  const app = appWithWebchat(true);

  it('GET / answers the built page with its CSP, no framing, no-cache and the usual headers; no auth needed', async () => {
    const response = await request(app).get('/');
    expect(response.status).toBe(200);
    expect(response.text).toBe(builtIndex);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(response.headers['content-length']).toBe(String(Buffer.byteLength(builtIndex)));
    expect(response.headers['content-security-policy']).toBe(EXPECTED_CSP);
    expect(response.headers['x-frame-options']).toBe('DENY');
    expect(response.headers['cache-control']).toBe('no-cache');
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['referrer-policy']).toBe('no-referrer');
    expect(response.headers['set-cookie']).toBeUndefined();
    expect(response.headers.etag).toBeUndefined();
  });

  it('the page loads only same-origin files of its own (a script, a stylesheet, an icon), no inline script or style', () => {
    expect(referencedAssets.map((asset) => path.extname(asset)).sort()).toEqual(['.css', '.js', '.svg']);
    expect(builtIndex).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(builtIndex).not.toMatch(/<style|style=|https?:\/\//);
  });

  it('each asset the page references answers 200 with its type and immutable caching, no CSP needed', async () => {
    const types: Record<string, string> = {
      '.js': 'text/javascript; charset=utf-8',
      '.css': 'text/css; charset=utf-8',
      '.svg': 'image/svg+xml',
    };
    for (const asset of referencedAssets) {
      const response = await request(app).get(asset);
      expect(response.status).toBe(200);
      expect(response.headers['content-type']).toBe(types[path.extname(asset)]);
      expect(response.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      expect(response.headers['x-content-type-options']).toBe('nosniff');
      const body = response.body instanceof Buffer ? response.body.toString('utf8') : response.text;
      expect(body.length).toBeGreaterThan(0);
      // Nothing served holds a secret: the token never reaches the page's files.
      expect(body).not.toContain(TEST_TOKEN);
    }
    expect(builtIndex).not.toContain(TEST_TOKEN);
  });

  it('HEAD answers the same headers without a body', async () => {
    const response = await request(app).head('/');
    expect(response.status).toBe(200);
    expect(response.headers['content-length']).toBe(String(Buffer.byteLength(builtIndex)));
    expect(response.headers['content-security-policy']).toBe(EXPECTED_CSP);
    expect(response.text).toBeUndefined();
  });

  it.each(['post', 'put', 'delete', 'patch'] as const)('%s is 405 with Allow: GET, HEAD', async (method) => {
    for (const url of ['/', referencedAssets[0] as string]) {
      const response = await request(app)[method](url);
      expect(response.status).toBe(405);
      expect(response.headers.allow).toBe('GET, HEAD');
      expect(response.headers['content-type']).toBe('text/plain; charset=utf-8');
      expect(response.text).toBe('Method Not Allowed');
    }
  });

  it.each([
    '/webchat/assets/missing.js',
    '/webchat/assets/..%2Findex.html',
    '/webchat/assets/',
    '/webchat/',
    '/index.html',
    '/webchat/assets/sub/dir.js',
  ])('%s is the plain 404', async (url) => {
    const response = await request(app).get(url);
    expect(response.status).toBe(404);
    expect(response.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(response.text).toBe('Not Found');
  });
});

describe('gateway.webchat.enabled: false (the default)', () => {
  it('is the default outside the offline example', () => {
    expect(testConfig().gateway.webchat.enabled).toBe(false);
  });

  it('/ and every asset are the plain 404, for GET and HEAD alike', async () => {
    const app = appWithWebchat(false);
    for (const url of ['/', ...referencedAssets]) {
      const response = await request(app).get(url);
      expect(response.status).toBe(404);
      expect(response.headers['content-type']).toBe('text/plain; charset=utf-8');
      expect(response.text).toBe('Not Found');
      expect(response.headers['content-security-policy']).toBeUndefined();
      expect((await request(app).head(url)).status).toBe(404);
    }
  });
});

describe('gateway.webchat in an OpenClaw config', () => {
  it("reads enabled; OpenClaw's chatHistoryMaxChars is ignored and reported; a typo is refused", () => {
    const { config, ignoredKeys } = parseConfigAndIgnoredKeys(
      { gateway: { webchat: { enabled: true, chatHistoryMaxChars: 4000 } } },
      {},
    );
    expect(config.gateway.webchat).toEqual({ enabled: true });
    expect(ignoredKeys).toEqual(['gateway.webchat.chatHistoryMaxChars']);
    expect(() => parseConfigAndIgnoredKeys({ gateway: { webchat: { enabeld: true } } }, {})).toThrow(
      'gateway.webchat.enabeld: Unrecognized key; did you mean `enabled`?',
    );
  });
});

describe('loadWebchatFiles', () => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'clawgate-webchat-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('refuses a directory without a built page, naming the key and the fix', () => {
    expect(() => loadWebchatFiles(root)).toThrow(
      `gateway.webchat.enabled: the web chat page is not built (no ${path.join(root, 'index.html')}); run \`pnpm build\` first`,
    );
  });

  it('keeps only the asset kinds the page uses (no source maps, no directories)', () => {
    writeFileSync(path.join(root, 'index.html'), '<!doctype html>');
    mkdirSync(path.join(root, 'assets', 'nested'), { recursive: true });
    writeFileSync(path.join(root, 'assets', 'index-abc.js'), 'export {};');
    writeFileSync(path.join(root, 'assets', 'index-abc.js.map'), '{}');
    writeFileSync(path.join(root, 'assets', 'notes.txt'), 'x');
    const files = loadWebchatFiles(root);
    expect([...files.assets.keys()]).toEqual(['index-abc.js']);
    expect(files.index.body.toString()).toBe('<!doctype html>');
  });
});
