import { cp, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { defineConfig, type Options } from 'tsup';

type EsbuildPlugin = NonNullable<Options['esbuildPlugins']>[number];

const requireFromHere = createRequire(import.meta.url);

/**
 * Dependencies compiled into the gateway's own files instead of being loaded from node_modules.
 *
 * Why: a gateway's start-up was mostly Node resolving, reading and linking ~250 small modules
 * (Express alone pulls ~130 CommonJS files, zod ~95 ES modules); bundled, the same code loads as a
 * few files (~110 ms less CPU to listening on the default configuration). `@clawgate/openai-schemas`
 * is bundled with zod so both use one copy of it; the other workspace packages follow (fewer
 * modules, and esbuild keeps only what the gateway imports from them, as they are side-effect free).
 * undici only loads with the first run of an `openai-completions` provider, from the provider's own
 * chunk; bundled, that first run pays ~65 ms instead of ~125 ms.
 *
 * Not bundled: ioredis, which the Redis stores load on their first client, and only they.
 */
const BUNDLED_DEPENDENCIES = ['express', 'pino', 'json5', 'zod', 'undici', /^@clawgate\//];

/**
 * Express copies body-parser's four parsers onto `express` when it loads (`express.json` ...), so
 * body-parser, raw-body, iconv-lite (~500 KB of encoding tables) and zlib load with it, although
 * the gateway reads request bodies itself and never calls them. Express gets a stand-in whose
 * parsers load the real body-parser (from node_modules, next to Express) on their first call: the
 * same middleware then, and nothing at start (~530 KB less code to compile, ~1.7 MB less memory).
 */
const deferBodyParser: EsbuildPlugin = {
  name: 'defer-body-parser',
  setup(build) {
    const expressDir = path.dirname(requireFromHere.resolve('express/package.json'));
    build.onResolve({ filter: /^body-parser$/ }, (args) =>
      args.importer.startsWith(expressDir) ? { path: 'body-parser', namespace: 'deferred-body-parser' } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'deferred-body-parser' }, () => ({
      loader: 'js',
      contents: `let bodyParser;
const load = () => (bodyParser ??= require('node:module').createRequire(require.resolve('express'))('body-parser'));
module.exports = {
  json: (options) => load().json(options),
  raw: (options) => load().raw(options),
  text: (options) => load().text(options),
  urlencoded: (options) => load().urlencoded(options),
};`,
    }));
  },
};

/**
 * Bundled JSON files become `JSON.parse('...')` instead of esbuild's object literal: V8 parses JSON
 * about twice as fast as the same data written as code and keeps no bytecode for it: mime-db (the
 * table Express loads at start) takes 8 ms instead of 16 ms, and ~1.3 MB less memory. It is also
 * exactly what Node does for `require('./x.json')`.
 */
const jsonAsParse: EsbuildPlugin = {
  name: 'json-as-parse',
  setup(build) {
    build.onLoad({ filter: /\.json$/ }, async (args) => {
      const json = JSON.stringify(JSON.parse(await readFile(args.path, 'utf8')));
      return { loader: 'js', contents: `module.exports = JSON.parse(${JSON.stringify(json)});` };
    });
  },
};

/**
 * The web chat page (`@clawgate/webchat`, built first by turbo's `^build`) ships inside the gateway's
 * build as `dist/webchat/`, where `src/http/webchat-files.ts` looks for it at run time
 * (docs/webchat.md#how-it-is-built-and-served).
 */
async function copyWebchatPage(): Promise<void> {
  const webchatDist = path.join(path.dirname(requireFromHere.resolve('@clawgate/webchat/package.json')), 'dist');
  await cp(webchatDist, path.join('dist', 'webchat'), { recursive: true });
}

// The app ships ESM only: it is run (bin, server) or imported by our own tests and benchmarks,
// never required from CJS.
export default defineConfig({
  entry: ['src/index.ts', 'src/cli.ts', 'src/server.ts'],
  format: ['esm'],
  dts: { entry: 'src/index.ts' },
  sourcemap: true,
  clean: true,
  target: 'node20',
  noExternal: BUNDLED_DEPENDENCIES,
  esbuildPlugins: [deferBodyParser, jsonAsParse],
  // Bundled CommonJS (Express, pino, undici) calls `require` for Node built-ins; ES modules have none.
  banner: {
    js: "import { createRequire as __bundleCreateRequire } from 'node:module'; const require = __bundleCreateRequire(import.meta.url);",
  },
  // Less source for V8 to scan and keep in memory; names stay, so stack traces and profiles still read.
  minifyWhitespace: true,
  minifySyntax: true,
  onSuccess: copyWebchatPage,
});
