/**
 * The `route` label of a request: its path when the gateway serves that path, else `other`, so a
 * scanner probing random paths cannot create a time series per path (docs/observability.md#metrics).
 */

/** Paths the gateway answers, as they appear in the label. */
const KNOWN_PATHS: ReadonlySet<string> = new Set([
  '/v1/chat/completions',
  '/v1/responses',
  '/v1/embeddings',
  '/v1/models',
  '/healthz',
  '/readyz',
  '/metrics',
  // The web chat page (docs/webchat.md).
  '/',
]);

const MODEL_PREFIX = '/v1/models/';
/** The web chat's hashed files: one label for all of them. */
const WEBCHAT_ASSETS_PREFIX = '/webchat/assets/';

/**
 * @param path - The request path without its query string.
 * @returns The path itself, `/v1/models/{id}` for one model, `/webchat/assets/*` for a page file, or `other`.
 */
export function routeLabel(path: string): string {
  if (KNOWN_PATHS.has(path)) return path;
  if (path.startsWith(MODEL_PREFIX)) return '/v1/models/{id}';
  if (path.startsWith(WEBCHAT_ASSETS_PREFIX)) return '/webchat/assets/*';
  return 'other';
}
