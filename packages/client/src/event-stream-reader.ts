import { decodeSseStream, type SafeParseSchema } from '@clawgate/sse';
import { AbortError, ClawgateError, ConnectionError } from './clawgate-error.js';
import type { SentRequest } from './send-request.js';

type StreamStatus = 'pending' | 'completed' | 'cancelled' | 'errored';

/** What one stream class tells {@link EventStreamReader} about its own events. */
export interface EventStreamReaderOptions<Value, Item> extends SentRequest {
  /** The public class, named in the TypeError of a second iteration. */
  className: string;
  /** What one event is called in `invalid_response` messages, e.g. `chunk`. */
  eventName: string;
  /** Validates each event's JSON while decoding; without it, {@link EventStreamReaderOptions.toItem} gets the JSON. */
  schema?: SafeParseSchema<Value>;
  /** The typed error for an `{"error": …}` frame or an `event: error`. */
  errorFromPayload(payload: unknown): ClawgateError;
  /** The item to yield for one event, `undefined` to skip it; what it throws ends the stream. */
  toItem(value: Value): Item | undefined;
  /** Whether the terminal event has arrived: a body that ends before it was cut short. */
  hasFinished(): boolean;
}

/**
 * The read-once life of a 2xx `text/event-stream` body, shared by the stream classes: it hands out
 * one iterator, re-arms the attempt's timer on every byte, maps every failure to a typed error,
 * cancels the body on abort or an early `break`, and lets the final-answer helpers read what is left.
 * Each stream class keeps what is its own (accumulating chunks, checking event order) in the options.
 */
export class EventStreamReader<Value, Item> {
  readonly #options: EventStreamReaderOptions<Value, Item>;
  #generator: AsyncGenerator<Item, void, undefined> | undefined;
  #handedOut = false;
  #status: StreamStatus = 'pending';
  #error: unknown;

  /** @param options - The sent request and what the stream class makes of its events. */
  constructor(options: EventStreamReaderOptions<Value, Item>) {
    this.#options = options;
  }

  /**
   * Returns the stream's only iterator.
   *
   * @throws TypeError when called a second time (the body can be read once).
   */
  iterator(): AsyncIterator<Item> {
    if (this.#handedOut) {
      throw new TypeError(`A ${this.#options.className} can be iterated only once`);
    }
    this.#handedOut = true;
    this.#generator ??= this.#iterate();
    return this.#generator;
  }

  /** Cancels the stream: the HTTP body is dropped and a pending or later read throws {@link AbortError}. */
  abort(): void {
    if (this.#status !== 'pending') return;
    this.#status = 'cancelled';
    this.#options.attempt.cancel();
  }

  /**
   * Reads the rest of the stream, including what a loop left unread.
   *
   * @throws The error that ended the stream; {@link AbortError} if it was cancelled before its end.
   */
  async drain(): Promise<void> {
    // Reuse the single generator so a loop that stopped early (without break) can be finished here;
    // async generators queue concurrent next() calls, so this is safe even while a loop is suspended.
    this.#generator ??= this.#iterate();
    const generator = this.#generator;
    while (this.#status === 'pending') {
      const next = await generator.next();
      if (next.done) break;
    }
    if (this.#status === 'errored') throw this.#error;
    if (this.#status !== 'completed') {
      throw new AbortError('The stream was cancelled before it finished', { requestId: this.#options.requestId });
    }
  }

  /**
   * The error for an event the server should not have sent.
   *
   * @param message - What is wrong with it.
   * @param cause - The decoder's or schema's error, when there is one.
   * @returns A {@link ClawgateError} of type `invalid_response`.
   */
  invalid(message: string, cause?: unknown): ClawgateError {
    return new ClawgateError(`The stream sent an invalid ${this.#options.eventName}: ${message}`, {
      type: 'invalid_response',
      requestId: this.#options.requestId,
      ...(cause === undefined ? {} : { cause }),
    });
  }

  async *#iterate(): AsyncGenerator<Item, void, undefined> {
    const { response, attempt, requestId, schema } = this.#options;
    if (this.#status === 'cancelled') {
      throw new AbortError('The stream was cancelled', { requestId });
    }
    if (response.body === null) {
      attempt.cancel();
      this.#fail(new ConnectionError('The stream response has no body', { requestId }));
      throw this.#error;
    }
    // Every received byte (heartbeat comments included) re-arms the timer, so `timeoutMs` limits
    // silence rather than the length of a long agent run.
    const body = response.body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(bytes, controller) {
          attempt.restartTimer();
          controller.enqueue(bytes);
        },
      }),
    );
    let finished = false;
    try {
      for await (const result of decodeSseStream(body, { schema, signal: attempt.signal })) {
        if (!result.success) {
          if (result.error.type === 'error-payload') throw this.#options.errorFromPayload(result.error.payload);
          throw this.invalid(result.error.message, result.error);
        }
        const item = this.#options.toItem(result.value);
        if (item !== undefined) yield item;
      }
      if (!this.#options.hasFinished()) {
        throw new ConnectionError('The stream ended before the server finished the response', { requestId });
      }
      finished = true;
      this.#status = 'completed';
    } catch (error) {
      // The decoder's RangeError means one event outgrew its buffer: a broken server, not the network.
      this.#fail(error instanceof RangeError ? this.invalid(error.message, error) : attempt.toError(error, requestId));
      throw this.#error;
    } finally {
      if (!finished) {
        // Reached by break/return too: drop the connection so the gateway sees the client leave.
        if (this.#status === 'pending') this.#status = 'cancelled';
        attempt.cancel();
      }
      attempt.finish();
    }
  }

  #fail(error: unknown): void {
    this.#status = 'errored';
    this.#error = error;
  }
}
