import type { ChatCompletionCreateOptions } from './create-client.js';
import type { SentRequest } from './send-request.js';

/** How one JSON POST is sent. */
export interface PostJsonSettings {
  /** `true` asks for `text/event-stream`, else `application/json`. */
  stream: boolean;
  /**
   * Whether repeating the request is harmless even if the server acted on it (see retry-policy.ts):
   * `false` for anything that runs an agent turn.
   */
  idempotent: boolean;
}

/**
 * One JSON POST with the client's token, default and per-call routing headers, and its `user`
 * default filled in when the body has no `user`; resolves once a 2xx response's headers arrived
 * (see `sendRequest`). `createClient` builds it; the API groups (responses, embeddings) use it so
 * every endpoint sends the same headers.
 *
 * @throws TypeError for an invalid per-call option; ClawgateError subclasses for failed requests.
 */
export type PostJson = (
  path: string,
  body: { user?: string | null | undefined },
  options: ChatCompletionCreateOptions | undefined,
  settings: PostJsonSettings,
) => Promise<SentRequest>;
