/**
 * The last handler: unknown paths and disabled endpoints look the same, a plain-text 404, so the
 * endpoint's existence is not revealed and Express's HTML page never shows (contract §1).
 */
import type { RequestHandler } from 'express';

/** Answers `404 text/plain; charset=utf-8` `Not Found`. */
export const notFoundHandler: RequestHandler = (_request, response) => {
  response.status(404).type('text/plain').send('Not Found');
};
