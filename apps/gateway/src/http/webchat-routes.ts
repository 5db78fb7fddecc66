/**
 * The web chat page's routes (docs/webchat.md#security): `GET /` answers the page and
 * `GET /webchat/assets/<file>` its hashed files. No authentication: the files hold no secret (the
 * page asks the user for the token and sends it only over the WebSocket). GET and HEAD only.
 */
import type { IncomingMessage } from 'node:http';
import { notFoundHandler } from './not-found-handler.js';
import { requestPath, type RouteStep, type StepResponse } from './route-step.js';
import { sendText } from './send-response.js';
import type { WebchatFile, WebchatFiles } from './webchat-files.js';

/** Where the page's assets are served (Vite's `base` + `assetsDir` in apps/webchat/vite.config.ts). */
export const WEBCHAT_ASSETS_PREFIX = '/webchat/assets/';

/**
 * The page's policy: its own origin only (the WebSocket included: CSP Level 3 lets `'self'` match
 * `ws:`/`wss:` on the same host), no inline script or style, no plugins, no framing, no forms sent
 * anywhere; and Trusted Types, so no string can be assigned as HTML even by mistake.
 * https://www.w3.org/TR/CSP3/ and https://w3c.github.io/trusted-types/dist/spec/
 */
export const WEBCHAT_CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "require-trusted-types-for 'script'",
  "trusted-types 'none'",
].join('; ');

/** Headers of the page itself, beside the security headers every response carries. */
const PAGE_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': WEBCHAT_CONTENT_SECURITY_POLICY,
  'X-Frame-Options': 'DENY',
  // Always revalidated, so a new build's asset names are picked up at once.
  'Cache-Control': 'no-cache',
};

/** Asset names carry their content hash (Vite): a name's bytes never change. */
const ASSET_CACHE_CONTROL = 'public, max-age=31536000, immutable';

/**
 * Creates the two route steps.
 *
 * @param options.files - The page's files ({@link loadWebchatFiles}).
 */
export function createWebchatRoutes(options: { files: WebchatFiles }): { page: RouteStep; asset: RouteStep } {
  const { files } = options;
  return {
    page: (request, response) => {
      if (!allowMethod(request, response)) return;
      sendFile(request, response, files.index, PAGE_HEADERS);
    },
    asset: (request, response, next) => {
      if (!allowMethod(request, response)) return;
      const file = files.assets.get(requestPath(request).slice(WEBCHAT_ASSETS_PREFIX.length));
      if (file === undefined) {
        notFoundHandler(request, response, next);
        return;
      }
      sendFile(request, response, file, { 'Cache-Control': ASSET_CACHE_CONTROL });
    },
  };
}

/** GET and HEAD pass; anything else gets `405` with `Allow: GET, HEAD`. */
function allowMethod(request: IncomingMessage, response: StepResponse): boolean {
  if (request.method === 'GET' || request.method === 'HEAD') return true;
  sendText(response, 405, 'Method Not Allowed', { Allow: 'GET, HEAD' });
  return false;
}

function sendFile(
  request: IncomingMessage,
  response: StepResponse,
  file: WebchatFile,
  headers: Readonly<Record<string, string>>,
): void {
  response.writeHead(200, {
    ...headers,
    'Content-Type': file.contentType,
    'Content-Length': file.body.length,
  });
  // HEAD: the same headers, no body.
  response.end(request.method === 'HEAD' ? undefined : file.body);
}
