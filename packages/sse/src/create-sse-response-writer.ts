import type { ServerResponse } from 'node:http';
import { encodeSseComment, encodeSseDone, encodeSseEvent, encodeSseJson, type SseEvent } from './encode-sse-event.js';
import { SSE_HEADERS } from './sse-headers.js';

/**
 * Options for {@link createSseResponseWriter}.
 */
export interface SseResponseWriterOptions {
  /**
   * Milliseconds without any write after which a `: ping` comment is sent, so proxies and clients
   * do not time the idle stream out. `0` turns heartbeats off.
   *
   * @defaultValue `15000` (the contract's `gateway.http.sseHeartbeatMs` default)
   */
  heartbeatMs?: number;
  /**
   * Extra response headers (e.g. `x-request-id`). They override {@link SSE_HEADERS} on a clash.
   *
   * @defaultValue `{}`
   */
  extraHeaders?: Record<string, string>;
}

/**
 * Streams SSE frames to one `http.ServerResponse`; created by {@link createSseResponseWriter}.
 *
 * Every write returns a promise that resolves once the frame is handed to the socket, or, when the
 * socket buffer is full, once it has drained. Awaiting each write is therefore the back-pressure.
 * Writes after the client left (or after {@link SseResponseWriter.writeDone}) resolve without writing.
 */
export interface SseResponseWriter {
  /**
   * Sends status 200 and the SSE headers and flushes them. Idempotent; writes call it implicitly.
   * The `Connection` header is Node's choice for the request (or one set on the response before),
   * so a client that asked for `Connection: close` gets it, and the socket closes after `[DONE]`.
   */
  start(): void;
  /** Writes one `data: <json>` frame. Rejects with `TypeError` if the value is not serialisable. */
  writeJson(value: unknown): Promise<void>;
  /** Writes one event with optional `event`/`id`/`retry`. Rejects with `TypeError` on invalid fields. */
  writeEvent(event: SseEvent): Promise<void>;
  /** Writes one SSE comment. Rejects with `TypeError` if `text` is not a string. */
  writeComment(text: string): Promise<void>;
  /**
   * Writes `data: [DONE]` and ends the response, once; later calls return the same promise.
   * Resolves when the response finished or the client left.
   */
  writeDone(): Promise<void>;
  /**
   * Writes one already-encoded frame (from `encodeSse*`, or `data: <JSON>\n\n` built the same way)
   * at once, without a promise: the path for producers that pace themselves, one call per frame.
   * Frames written in the same tick go out together in one socket write.
   * Returns `false` when the socket's buffer is full or earlier frames still wait for a drain; the
   * frame is kept in order all the same, and the producer should pause until {@link drained}
   * resolves. Ignored (returns `true`) once the client is gone or the stream ended.
   */
  writeFrame(frame: string): boolean;
  /** Resolves once nothing waits for the socket to drain (at once when nothing does, or the client is gone). */
  drained(): Promise<void>;
  /** Aborts when the client goes away before the response finished. */
  readonly signal: AbortSignal;
  /** `true` once the client went away or the response was ended. */
  readonly closed: boolean;
}

const DEFAULT_HEARTBEAT_MS = 15_000;

/** Shared by every write that completed at once (a settled promise has no state to leak). */
const RESOLVED: Promise<void> = Promise.resolve();

function validateHeartbeat(heartbeatMs: unknown): number {
  if (heartbeatMs === undefined) {
    return DEFAULT_HEARTBEAT_MS;
  }
  // setTimeout clamps anything above 2^31-1 ms to 1 ms, which would turn a "huge" value into a flood.
  if (
    typeof heartbeatMs !== 'number' ||
    !Number.isInteger(heartbeatMs) ||
    heartbeatMs < 0 ||
    heartbeatMs > 2_147_483_647
  ) {
    throw new TypeError(
      `heartbeatMs must be an integer between 0 and 2147483647 (0 disables heartbeats), received ${String(heartbeatMs)}`,
    );
  }
  return heartbeatMs;
}

/**
 * Creates a writer that streams Server-Sent Events to a Node `http.ServerResponse` (Express 5
 * responses included): it sends the SSE headers at once, honours back-pressure, pings while idle,
 * notices a departed client through `signal`, and ends with `data: [DONE]` exactly once.
 *
 * The writer listens for the response's `close` and `error` events; a socket error therefore ends
 * the stream (the signal aborts) instead of crashing the process.
 *
 * @param response - The response to stream to. Its headers must not have been sent yet.
 * @param options - See {@link SseResponseWriterOptions}.
 * @param options.heartbeatMs - Idle time before a `: ping` comment; `0` disables. Default `15000`.
 * @param options.extraHeaders - Headers merged over {@link SSE_HEADERS}. Default `{}`.
 * @returns The writer.
 * @throws TypeError if `heartbeatMs` is not an integer in [0, 2147483647].
 * @example
 * ```ts
 * app.post('/v1/chat/completions', async (request, response) => {
 *   const writer = createSseResponseWriter(response, { heartbeatMs: 15_000 });
 *   writer.start();
 *   for await (const chunk of model.stream({ signal: writer.signal })) {
 *     await writer.writeJson(chunk); // waits while the client reads slowly
 *   }
 *   await writer.writeDone();
 * });
 * ```
 */
export function createSseResponseWriter(
  response: ServerResponse,
  options: SseResponseWriterOptions = {},
): SseResponseWriter {
  const heartbeatMs = validateHeartbeat(options.heartbeatMs);
  const extraHeaders = options.extraHeaders ?? {};
  const abortController = new AbortController();
  let started = false;
  let clientGone = false;
  let ended = false;
  let donePromise: Promise<void> | undefined;
  // Writes are chained so frames keep their order and each waits for the previous one's drain.
  let queue: Promise<void> = Promise.resolve();
  let queuedWrites = 0;
  let heartbeatTimer: NodeJS.Timeout | undefined;

  function stopHeartbeat(): void {
    if (heartbeatTimer !== undefined) {
      clearTimeout(heartbeatTimer);
      heartbeatTimer = undefined;
    }
  }

  function markClientGone(): void {
    stopHeartbeat();
    if (clientGone) {
      return;
    }
    clientGone = true;
    // Only a close before the response fully finished means the client left early.
    if (!response.writableFinished) {
      abortController.abort(new Error('SSE client disconnected before the stream finished'));
    }
  }

  function armHeartbeat(): void {
    if (heartbeatMs === 0 || ended || clientGone) {
      return;
    }
    if (heartbeatTimer === undefined) {
      heartbeatTimer = setTimeout(onHeartbeat, heartbeatMs);
      // The timer alone must never keep the process (or a test run) alive.
      heartbeatTimer.unref();
    } else {
      // refresh() re-arms the same timer without allocating one per frame.
      heartbeatTimer.refresh();
    }
  }

  function onHeartbeat(): void {
    heartbeatTimer = undefined;
    // A write still waiting for drain proves the socket is busy; a ping would only add to the pile.
    if (queuedWrites > 0) {
      armHeartbeat();
      return;
    }
    void enqueue(encodeSseComment('ping'));
  }

  /**
   * Whether the socket's buffer is full, so the next frame must wait for its `drain`. Releases the
   * cork first. The socket decides, not the response: from Node 22 a corked response keeps its
   * frames itself, counts only those against the high-water mark, and once they reach a socket that
   * still has room stays marked as needing a drain that it never emits.
   */
  function mustWaitForDrain(): boolean {
    uncork();
    return (response.socket ?? response).writableNeedDrain;
  }

  function waitForDrainOrClose(): Promise<void> {
    return new Promise((resolve) => {
      // The socket may have died inside write(); a `close` that already fired would never come again.
      if (clientGone || response.destroyed || !mustWaitForDrain()) {
        resolve();
        return;
      }
      const drainSource = response.socket ?? response;
      const finish = (): void => {
        drainSource.off('drain', finish);
        response.off('close', finish);
        response.off('error', finish);
        resolve();
      };
      drainSource.on('drain', finish);
      response.on('close', finish);
      response.on('error', finish);
    });
  }

  async function writeNow(frame: string): Promise<void> {
    if (clientGone || ended) {
      return;
    }
    const flushed = response.write(frame);
    armHeartbeat();
    if (!flushed) {
      await waitForDrainOrClose();
    }
  }

  function enqueue(frame: string): Promise<void> {
    start();
    if (queuedWrites === 0 && donePromise === undefined) {
      // Nothing is ahead of this frame, so order needs no chain: write at once and spare the three
      // promises per frame (a busy gateway writes tens of thousands of frames a second).
      if (clientGone || ended) {
        return RESOLVED;
      }
      const flushed = response.write(frame);
      armHeartbeat();
      if (flushed) {
        return RESOLVED;
      }
      // A full buffer: later frames queue behind the drain, exactly as in the chained path.
      queuedWrites += 1;
      const drained = waitForDrainOrClose().finally(() => {
        queuedWrites -= 1;
      });
      queue = drained;
      return drained;
    }
    queuedWrites += 1;
    const result = queue
      .then(() => writeNow(frame))
      .finally(() => {
        queuedWrites -= 1;
      });
    // The chain itself never rejects, so one failed write cannot poison later ones.
    queue = result.catch(() => undefined);
    return result;
  }

  function start(): void {
    if (started) {
      return;
    }
    started = true;
    if (clientGone || response.destroyed) {
      markClientGone();
      return;
    }
    if (!response.headersSent) {
      response.writeHead(200, { ...SSE_HEADERS, ...extraHeaders });
    }
    // Without an explicit flush Node holds the headers until the first body write, and the client
    // would see nothing while the model is still thinking.
    response.flushHeaders();
    armHeartbeat();
  }

  let corked = false;
  function uncork(): void {
    if (!corked) return;
    corked = false;
    response.uncork();
  }
  function uncorkAndArm(): void {
    uncork();
    // Once per tick rather than once per frame: the heartbeat only needs the time of the last burst.
    armHeartbeat();
  }

  response.on('close', markClientGone);
  response.on('error', markClientGone);
  if (response.destroyed) {
    markClientGone();
  }

  return {
    start,
    get signal() {
      return abortController.signal;
    },
    get closed() {
      return clientGone || ended;
    },
    writeJson(value: unknown): Promise<void> {
      try {
        return enqueue(encodeSseJson(value));
      } catch (error) {
        return Promise.reject(error);
      }
    },
    writeEvent(event: SseEvent): Promise<void> {
      try {
        return enqueue(encodeSseEvent(event));
      } catch (error) {
        return Promise.reject(error);
      }
    },
    writeComment(text: string): Promise<void> {
      try {
        return enqueue(encodeSseComment(text));
      } catch (error) {
        return Promise.reject(error);
      }
    },
    writeFrame(frame: string): boolean {
      if (queuedWrites > 0 || donePromise !== undefined) {
        void enqueue(frame).catch(() => undefined);
        return false;
      }
      start();
      if (clientGone || ended) {
        return true;
      }
      if (!corked) {
        // Frames written in the same tick (an upstream chunk often carries several) leave in one
        // syscall instead of one each; the socket is uncorked before any I/O can happen.
        corked = true;
        response.cork();
        process.nextTick(uncorkAndArm);
      }
      // Node 22 and later answer `true` while a corked response holds less than the high-water mark
      // itself, however full the socket behind it is: count both.
      return response.write(frame) && response.writableLength < response.writableHighWaterMark;
    },
    drained(): Promise<void> {
      if (queuedWrites > 0) {
        return queue;
      }
      if (clientGone || ended || !mustWaitForDrain()) {
        return RESOLVED;
      }
      return waitForDrainOrClose();
    },
    writeDone(): Promise<void> {
      if (donePromise !== undefined) {
        return donePromise;
      }
      start();
      donePromise = queue.then(
        () =>
          new Promise<void>((resolve) => {
            stopHeartbeat();
            if (clientGone || ended) {
              ended = true;
              resolve();
              return;
            }
            ended = true;
            // end(frame, callback) runs the callback on finish; `close` covers a client that
            // vanished mid-flush, so the promise can never hang.
            response.once('close', () => resolve());
            // Node 22 and later send the end of a corked response before the frames held by the cork,
            // so the client would get an empty stream: release them first.
            uncork();
            response.end(encodeSseDone(), () => resolve());
          }),
      );
      // Frames queued after writeDone run after it and see `ended`, so nothing follows [DONE].
      queue = donePromise;
      return donePromise;
    },
  };
}
