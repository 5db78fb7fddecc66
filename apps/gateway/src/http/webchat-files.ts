/**
 * The web chat page's files (docs/webchat.md): `index.html` and the hashed files of `assets/`, read
 * into memory once when the app is built. Serving only this fixed set means no request path ever
 * reaches the file system, so there is nothing to traverse out of.
 *
 * Where they are: the gateway's build copies `@clawgate/webchat`'s `dist/` to `dist/webchat/` beside
 * the bundled gateway (tsup.config.ts), so an installed gateway finds them relative to its own code.
 * Run from source (the tests), the code sits in `src/http/`, and the files are found in the
 * workspace package's `dist/` instead.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** One file of the page, ready to send. */
export interface WebchatFile {
  body: Buffer;
  contentType: string;
}

/** The page: its HTML and its assets by file name. */
export interface WebchatFiles {
  index: WebchatFile;
  assets: ReadonlyMap<string, WebchatFile>;
}

/** Content types of what Vite emits; anything else is not served. */
const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
};

/**
 * The directory holding the built page: `webchat/` beside the gateway's bundle, else the
 * `@clawgate/webchat` workspace package's `dist/`.
 */
export function locateWebchatRoot(): string {
  const besideBundle = fileURLToPath(new URL('./webchat/', import.meta.url));
  if (existsSync(path.join(besideBundle, 'index.html'))) return besideBundle;
  const packageJson = createRequire(import.meta.url).resolve('@clawgate/webchat/package.json');
  return path.join(path.dirname(packageJson), 'dist');
}

/**
 * Reads the page from `root`.
 *
 * @throws Error naming `gateway.webchat.enabled` when `root` holds no built page (`pnpm build` makes it).
 */
export function loadWebchatFiles(root: string): WebchatFiles {
  const indexPath = path.join(root, 'index.html');
  if (!existsSync(indexPath)) {
    throw new Error(
      `gateway.webchat.enabled: the web chat page is not built (no ${indexPath}); run \`pnpm build\` first`,
    );
  }
  const assets = new Map<string, WebchatFile>();
  const assetsDir = path.join(root, 'assets');
  const names = existsSync(assetsDir) ? readdirSync(assetsDir, { withFileTypes: true }) : [];
  for (const entry of names) {
    const contentType = CONTENT_TYPES[path.extname(entry.name)];
    if (!entry.isFile() || contentType === undefined) continue;
    assets.set(entry.name, { body: readFileSync(path.join(assetsDir, entry.name)), contentType });
  }
  return { index: { body: readFileSync(indexPath), contentType: 'text/html; charset=utf-8' }, assets };
}
