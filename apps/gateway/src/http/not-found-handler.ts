/**
 * The last handler: unknown paths and disabled endpoints look the same, a plain-text 404, so the
 * endpoint's existence is not revealed and Express's HTML page never shows
 * (docs/http-contract.md#1-request-pipeline-and-errors).
 */
import type { RouteStep } from './route-step.js';
import { sendText } from './send-response.js';

/** Answers `404 text/plain; charset=utf-8` `Not Found`. */
export const notFoundHandler: RouteStep = (_request, response) => {
  sendText(response, 404, 'Not Found');
};
