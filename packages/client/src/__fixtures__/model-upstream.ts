import type { ServerResponse } from 'node:http';
import { startLoopbackServer, type LoopbackServer } from './loopback-server.js';

/** A loopback OpenAI-compatible upstream for the end-to-end tests' gateway. */
export interface ModelUpstream extends LoopbackServer {
  /** The indexes of the requests for one model id (the gateway forwards the part after `up/`). */
  requestsFor(model: string): number[];
}

/**
 * Starts an upstream whose behaviour each request's model id chooses, so every test agent (configured
 * with its own `up/<model>`) gets the failure or answer it is there for.
 *
 * @param answer - Writes the answer for one request's `model`.
 * @returns The running upstream; the caller closes it.
 */
export async function startModelUpstream(
  answer: (response: ServerResponse, model: string) => void,
): Promise<ModelUpstream> {
  // The gateway always sends a model id; every answer depends on it.
  const modelOf = (body: string): string => (JSON.parse(body) as { model: string }).model;
  const server = await startLoopbackServer((_request, response, recorded) => answer(response, modelOf(recorded.body)));
  return {
    ...server,
    requestsFor: (model) =>
      server.requests.flatMap((request, index) => (modelOf(request.body) === model ? [index] : [])),
  };
}
