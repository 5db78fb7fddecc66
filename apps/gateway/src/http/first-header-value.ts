/**
 * Header access that never sees Node's comma-joining: for a header sent twice, Node joins the
 * values of unknown headers with `, `, which would turn two agent ids into one nonsense id. We use
 * the first value, like the `Authorization` rule
 * (docs/http-contract.md#2-authentication-rate-limiting-and-scopes).
 */
import type { IncomingMessage } from 'node:http';

/**
 * Returns the first value of a request header, or `undefined` when absent.
 *
 * @param request - The incoming request.
 * @param name - The lower-case header name.
 */
export function firstHeaderValue(request: IncomingMessage, name: string): string | undefined {
  // `headersDistinct` (Node >= 18.3) keeps every occurrence as its own array entry.
  const values = request.headersDistinct[name];
  return values?.[0];
}
