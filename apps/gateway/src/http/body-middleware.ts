/**
 * Step 4: reads the request body ourselves instead of `express.json()`, because the gateway promises
 * things a generic parser does not do: no `Content-Type` requirement, an empty body meaning `{}`, a
 * wall-clock deadline for the whole body (slow-loris uploads), and exact error bodies
 * (docs/http-contract.md#1-request-pipeline-and-errors, docs/decisions.md#request-body-and-limits).
 */
import type { IncomingMessage } from 'node:http';
import type { OpenAIErrorBody } from '@clawgate/openai-schemas';
import { createJsonShapeLimit, type JsonShapeLimits } from './json-shape-limit.js';
import type { RouteStep, StepResponse } from './route-step.js';
import { chatLocals } from './request-state.js';
import { sendError } from './send-error.js';

/** Limits of {@link createBodyMiddleware}. */
export interface BodyMiddlewareOptions {
  /** Largest accepted body in bytes; more → 413. @defaultValue 20 MiB (`gateway.http.maxBodyBytes`) */
  maxBytes: number;
  /** Deadline for the whole body in ms; later → 408. @defaultValue 30000 (`gateway.http.bodyTimeoutMs`) */
  timeoutMs: number;
  /**
   * Nesting and value-count bounds checked on each chunk as it arrives; past one → 400 before the
   * body is parsed (`gateway.http.maxJsonDepth`, `maxJsonValues`). @defaultValue unchecked
   */
  jsonShape?: JsonShapeLimits;
}

/** The exact refusals of the body step; documented in the README. */
export const BODY_ERROR_MESSAGES = {
  tooLarge: (maxBytes: number) => `Request body exceeds the limit of ${maxBytes} bytes.`,
  timeout: (timeoutMs: number) => `Request body was not received within ${timeoutMs} ms.`,
  invalidJson: 'Invalid JSON in request body.',
} as const;

/**
 * A refused upload is still read and discarded, up to this many times the limit beyond the limit,
 * so the client can finish writing and read our answer: a socket closed while the client still
 * writes is reset by the kernel, and the client sees `EPIPE`/`ECONNRESET` instead of the 413.
 * Past that bound (or the body deadline) the socket is closed regardless.
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

  const { jsonShape } = options;

  return (request, response, next) => {
    const chunks: Buffer[] = [];
    let received = 0;
    let settled = false;
    const shape = jsonShape === undefined ? undefined : createJsonShapeLimit(jsonShape);

    const cleanup = () => {
      settled = true;
      clearTimeout(deadline);
      request.off('data', onData);
      request.off('end', onEnd);
      request.off('error', onError);
      request.off('close', onClose);
    };

    const refuse = (status: number, body: OpenAIErrorBody) => {
      cleanup();
      chunks.length = 0;
      drainThenRefuse(request, response, { status, body, bound: drainBound(maxBytes), timeoutMs, received });
    };
    const refuseTooLarge = () => refuse(413, tooLargeBody(maxBytes));

    const onData = (chunk: Buffer) => {
      if (settled) {
        return;
      }
      received += chunk.length;
      if (received > maxBytes) {
        refuseTooLarge();
        return;
      }
      const shapeRefusal = shape?.push(chunk);
      if (shapeRefusal !== undefined) {
        refuse(400, { error: { message: shapeRefusal, type: 'invalid_request_error' } });
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
      if (declaredLength > drainBound(maxBytes)) {
        // More than we would ever discard: answer now, and Node closes the socket after it.
        cleanup();
        refuseAndClose(response, 413, tooLargeBody(maxBytes));
        return;
      }
      refuseTooLarge();
      return;
    }

    request.on('data', onData);
    request.on('end', onEnd);
    request.on('error', onError);
    request.on('close', onClose);
  };
}

/** The most body bytes, refused ones included, that are read before the socket is closed. */
function drainBound(maxBytes: number): number {
  return maxBytes * (1 + DRAIN_LIMIT_MULTIPLIER);
}

function tooLargeBody(maxBytes: number): OpenAIErrorBody {
  return { error: { message: BODY_ERROR_MESSAGES.tooLarge(maxBytes), type: 'invalid_request_error' } };
}

/** Answers with `Connection: close`: Node ends and closes the socket once the answer is out. */
function refuseAndClose(response: StepResponse, status: number, body: OpenAIErrorBody): void {
  response.setHeader('Connection', 'close');
  sendError(response, status, body);
}

/**
 * True when Node will close the socket after this response: the client sent `Connection: close`
 * (or spoke HTTP/1.0), or an earlier step set `Connection: close` (draining for shutdown).
 */
function connectionWillClose(response: StepResponse): boolean {
  if (!response.shouldKeepAlive) return true;
  const header = response.getHeader('connection');
  return typeof header === 'string' && header.toLowerCase().includes('close');
}

/**
 * Refuses an upload (over the size limit, or a JSON shape past its bounds) without making the
 * client lose the answer, reading (and discarding) the rest of the body up to `bound` bytes in all
 * and the body deadline.
 *
 * On a keep-alive connection the 413 goes out at once: Node keeps the socket and reads past the
 * rest of the body itself before the next request. On a connection that closes after the answer,
 * the 413 waits until the whole body has been read, because Node closes the socket right after
 * the answer, and a close while the client still writes resets the connection under it. Past the
 * bound or the deadline the socket is closed (after a 413, when none went out yet).
 */
function drainThenRefuse(
  request: IncomingMessage,
  response: StepResponse,
  options: { status: number; body: OpenAIErrorBody; bound: number; timeoutMs: number; received: number },
): void {
  const { status, body, bound, timeoutMs } = options;
  const answerAtEnd = connectionWillClose(response);
  if (!answerAtEnd) {
    sendError(response, status, body);
  }
  let total = options.received;

  const stop = () => {
    clearTimeout(drainDeadline);
    request.off('data', onDrainData);
    request.off('end', onDrainEnd);
    request.off('close', stop);
  };
  const giveUp = () => {
    stop();
    if (response.headersSent) {
      request.socket.destroy();
    } else {
      refuseAndClose(response, status, body);
    }
  };
  const onDrainData = (chunk: Buffer) => {
    total += chunk.length;
    if (total > bound) giveUp();
  };
  const onDrainEnd = () => {
    stop();
    if (answerAtEnd) sendError(response, status, body);
  };
  const drainDeadline = setTimeout(giveUp, timeoutMs);
  drainDeadline.unref();
  request.on('data', onDrainData);
  request.once('end', onDrainEnd);
  // The client left: nothing to answer, nothing more to read.
  request.once('close', stop);
  request.resume();
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
