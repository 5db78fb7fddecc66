import type { ChatCompletionCreateOptions } from './create-client.js';
import type { PostJson } from './post-json.js';
import { assertEventStream, parseBody, readJson, type SafeParser } from './read-response-body.js';
import type { SentRequest } from './send-request.js';

/** An endpoint that runs one agent turn and answers with an event stream or one JSON body. */
export interface AgentTurnEndpoint<Body, Stream, Result> {
  /** Where to POST, e.g. `/v1/responses`. */
  path: string;
  /** The TypeError message for a body that is not a request object. */
  notAnObject: string;
  /** Wraps a 2xx event stream (`stream: true`). */
  openStream(sent: SentRequest): Stream;
  /** What the JSON body must pass. */
  schema: SafeParser<Body>;
  /** Names the JSON body in the `invalid_response` message, e.g. `chat completion`. */
  bodyName: string;
  /** Turns the validated JSON body into what the call resolves to. */
  toResult(body: Body): Result;
}

/**
 * Sends a request that runs an agent turn and reads the answer the way the body's `stream` asks.
 *
 * @param postJson - The client's JSON POST.
 * @param endpoint - {@link AgentTurnEndpoint}.
 * @param body - The request; checked to be an object before anything is sent.
 * @param options - The per-call options.
 * @returns The stream once the gateway answered 200, or the whole validated answer.
 * @throws TypeError for a body that is not an object; ClawgateError subclasses for failed requests.
 */
export async function postAgentTurn<Body, Stream, Result>(
  postJson: PostJson,
  endpoint: AgentTurnEndpoint<Body, Stream, Result>,
  body: { stream?: boolean | null | undefined; user?: string | null | undefined },
  options: ChatCompletionCreateOptions | undefined,
): Promise<Stream | Result> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new TypeError(endpoint.notAnObject);
  }
  const streaming = body.stream === true;
  // Not idempotent: the gateway appends (and stores) the turn and may have paid for upstream tokens.
  const sent = await postJson(endpoint.path, body, options, { stream: streaming, idempotent: false });
  if (streaming) {
    assertEventStream(sent);
    return endpoint.openStream(sent);
  }
  return endpoint.toResult(parseBody(sent, await readJson(sent), endpoint.schema, endpoint.bodyName));
}
