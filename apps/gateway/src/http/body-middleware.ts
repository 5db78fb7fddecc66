/**
 * Step 4: reads the request body ourselves instead of `express.json()`, because the contract wants
 * things a generic parser does not do: no `Content-Type` requirement, an empty body meaning `{}`, a
 * wall-clock deadline for the whole body (slow-loris uploads), and exact error bodies (contract §1).
 */
import type { RouteStep } from './route-step.js';
import { chatLocals } from './request-state.js';
import { sendError } from './send-error.js';

/** Limits of {@link createBodyMiddleware}. */
export interface BodyMiddlewareOptions {
  /** Largest accepted body in bytes; more → 413. @defaultValue 20 MiB (`gateway.http.maxBodyBytes`) */
  maxBytes: number;
  /** Deadline for the whole body in ms; later → 408. @defaultValue 30000 (`gateway.http.bodyTimeoutMs`) */
  timeoutMs: number;
}

/** The exact refusals of the body step; documented in the README. */
export const BODY_ERROR_MESSAGES = {
  tooLarge: (maxBytes: number) => `Request body exceeds the limit of ${maxBytes} bytes.`,
  timeout: (timeoutMs: number) => `Request body was not received within ${timeoutMs} ms.`,
  invalidJson: 'Invalid JSON in request body.',
} as const;

/**
 * After a 413 we keep discarding what the client still sends for a while, so it can finish its
 * write and read our answer; closing at once would reset the connection under it and the client
 * would see `EPIPE` instead of the 413. The drain is bounded in time and bytes.
 */
const DRAIN_LIMIT_MULTIPLIER = 2;

/**
 * Creates the middleware that reads the whole body, enforces the size limit and deadline, parses
 * JSON, and stores the value in `res.locals.body`.
 *
 * @param options - See {@link BodyMiddlewareOptions}.
 * @throws TypeError at construction when a limit is not a positive integer.
 */
export function createBodyMiddleware(options: BodyMiddlewareOptions): RouteStep {
  const { maxBytes, timeoutMs } = options;
  if (!Number.isSafeInteger(maxBytes) || maxBytes <= 0) {
    throw new TypeError(`maxBytes must be a positive integer, received ${String(maxBytes)}`);
  }
  if (!Number.isSafeInteger(timeoutMs) || timeoutMs <= 0) {
    throw new TypeError(`timeoutMs must be a positive integer, received ${String(timeoutMs)}`);
  }

  return (request, response, next) => {
    const chunks: Buffer[] = [];
    let received = 0;
    let settled = false;

    const cleanup = () => {
      settled = true;
      clearTimeout(deadline);
      request.off('data', onData);
      request.off('end', onEnd);
      request.off('error', onError);
      request.off('close', onClose);
    };

    const refuseTooLarge = () => {
      cleanup();
      chunks.length = 0;
      sendError(response, 413, {
        error: { message: BODY_ERROR_MESSAGES.tooLarge(maxBytes), type: 'invalid_request_error' },
      });
      // Drain (discard) the rest so the client reads the 413, but never more than a bounded amount
      // or time: past that the socket is destroyed.
      let drained = 0;
      const drainLimit = maxBytes * DRAIN_LIMIT_MULTIPLIER;
      const drainDeadline = setTimeout(() => request.socket.destroy(), timeoutMs);
      drainDeadline.unref();
      request.on('data', (chunk: Buffer) => {
        drained += chunk.length;
        if (drained > drainLimit) {
          clearTimeout(drainDeadline);
          request.socket.destroy();
        }
      });
      request.once('end', () => clearTimeout(drainDeadline));
      request.once('close', () => clearTimeout(drainDeadline));
      request.resume();
    };

    const onData = (chunk: Buffer) => {
      if (settled) {
        return;
      }
      received += chunk.length;
      if (received > maxBytes) {
        refuseTooLarge();
        return;
      }
      chunks.push(chunk);
    };

    const onEnd = () => {
      if (settled) {
        return;
      }
      cleanup();
      const parsed = parseBody(Buffer.concat(chunks, received));
      if (parsed.ok) {
        chatLocals(response.locals).body = parsed.value;
        next();
        return;
      }
      sendError(response, 400, {
        error: { message: BODY_ERROR_MESSAGES.invalidJson, type: 'invalid_request_error' },
      });
    };

    // The client went away mid-upload: nobody to answer, just stop.
    const onError = () => cleanup();
    const onClose = () => {
      if (!settled && !request.complete) {
        cleanup();
      }
    };

    const deadline = setTimeout(() => {
      if (settled) {
        return;
      }
      cleanup();
      // The client is stalled, so closing after the answer loses nothing it still needs.
      response.setHeader('Connection', 'close');
      sendError(response, 408, {
        error: { message: BODY_ERROR_MESSAGES.timeout(timeoutMs), type: 'invalid_request_error' },
      });
    }, timeoutMs);

    // A declared length over the limit is refused before a byte is buffered.
    const declaredLength = Number(request.headers['content-length']);
    if (Number.isFinite(declaredLength) && declaredLength > maxBytes) {
      refuseTooLarge();
      return;
    }

    request.on('data', onData);
    request.on('end', onEnd);
    request.on('error', onError);
    request.on('close', onClose);
  };
}

function parseBody(buffer: Buffer): { ok: true; value: unknown } | { ok: false } {
  // Invalid UTF-8 becomes U+FFFD rather than an error: the JSON (or the schema) then decides.
  let text = buffer.toString('utf8');
  // A UTF-8 byte-order mark is legal at the start of a JSON text on the wire but JSON.parse rejects it.
  if (text.charCodeAt(0) === 0xfeff) {
    text = text.slice(1);
  }
  if (text.trim() === '') {
    return { ok: true, value: {} };
  }
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}
