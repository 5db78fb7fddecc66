import {
  formatZodError,
  responsesStreamEventSchema,
  type ResponsesObject,
  type ResponsesStreamEvent,
  type ResponsesStreamEventType,
} from '@clawgate/openai-schemas';
import { decodeSseStream } from '@clawgate/sse';
import { AbortError, ClawgateError, ConnectionError } from './clawgate-error.js';
import { createErrorFromFailedResponse, createErrorFromStreamPayload } from './create-error-from-response.js';
import type { RequestAttempt } from './request-attempt.js';
import { type ResponsesResult, withOutputText } from './response-output-text.js';

type StreamStatus = 'pending' | 'completed' | 'cancelled' | 'errored';

// Every type the schema knows, spelled out so the compiler flags a type added to (or removed from)
// the schema. Events of any other type are skipped: a newer server may send more kinds
// (https://platform.openai.com/docs/api-reference/responses-streaming) and older clients keep working.
const KNOWN_EVENT_TYPES: Record<ResponsesStreamEventType, true> = {
  'response.created': true,
  'response.in_progress': true,
  'response.completed': true,
  'response.failed': true,
  'response.incomplete': true,
  'response.output_item.added': true,
  'response.output_item.done': true,
  'response.content_part.added': true,
  'response.content_part.done': true,
  'response.output_text.delta': true,
  'response.output_text.done': true,
  'response.function_call_arguments.delta': true,
  'response.function_call_arguments.done': true,
  error: true,
};

function isKnownEventType(type: string): type is ResponsesStreamEventType {
  return Object.hasOwn(KNOWN_EVENT_TYPES, type);
}

/**
 * A streamed Responses API answer: an async iterable of typed {@link ResponsesStreamEvent}s in the
 * order the gateway sent them, plus helpers that wait for the whole response.
 *
 * - Iterate it once (`for await`). `break`, `return()` or {@link ResponseStream.abort} cancel the
 *   HTTP body, which makes the gateway stop the agent run and its upstream request.
 * - A `response.failed` event (or an `error` event) is not yielded: the loop throws the
 *   {@link ClawgateError} subclass matching its error `code` ({@link InternalServerError} for the
 *   gateway's `api_error` and for unknown codes), with its message. A dropped connection throws
 *   {@link ConnectionError}; silence longer than `timeoutMs` throws `TimeoutError`; the caller's
 *   signal throws {@link AbortError}.
 * - A stream that ends without `response.completed` (or `response.incomplete`) was cut short and
 *   throws {@link ConnectionError} instead of passing a truncated answer off as complete.
 * - Every event must carry the next `sequence_number` (0, 1, 2, …); a gap, a repeat or an invalid
 *   event throws a {@link ClawgateError} of type `invalid_response`. Events of a type this client
 *   does not know are skipped (they still count in the sequence).
 * - {@link ResponseStream.finalResponse} and {@link ResponseStream.toText} read whatever is left,
 *   so they work both on a fresh stream and after a loop.
 *
 * @example
 * ```ts
 * const stream = await client.responses.create({ model: 'openclaw', input: 'hi', stream: true });
 * for await (const event of stream) if (event.type === 'response.output_text.delta') process.stdout.write(event.delta);
 * console.log((await stream.finalResponse()).usage);
 * ```
 */
export class ResponseStream implements AsyncIterable<ResponsesStreamEvent> {
  /** The HTTP response (status 200, `text/event-stream`); its body belongs to the stream. */
  readonly response: Response;
  /** The response's `x-request-id` header, when present. */
  readonly requestId: string | undefined;
  readonly #attempt: RequestAttempt;
  #generator: AsyncGenerator<ResponsesStreamEvent, void, undefined> | undefined;
  #handedOut = false;
  #status: StreamStatus = 'pending';
  #error: unknown;
  #nextSequenceNumber = 0;
  #final: ResponsesObject | undefined;

  /**
   * Created by `client.responses.create({ stream: true })`; not meant to be constructed directly.
   *
   * @param options - The 2xx response, its attempt (owning the abort controller and idle timer), and its request id.
   */
  constructor(options: { response: Response; attempt: RequestAttempt; requestId: string | undefined }) {
    this.response = options.response;
    this.#attempt = options.attempt;
    this.requestId = options.requestId;
  }

  /**
   * Returns the stream's only iterator.
   *
   * @returns An async iterator of events.
   * @throws TypeError when called a second time (the body can be read once).
   */
  [Symbol.asyncIterator](): AsyncIterator<ResponsesStreamEvent> {
    if (this.#handedOut) {
      throw new TypeError('A ResponseStream can be iterated only once');
    }
    this.#handedOut = true;
    this.#generator ??= this.#iterate();
    return this.#generator;
  }

  /** Cancels the stream: the HTTP body is dropped and a pending or later read throws {@link AbortError}. */
  abort(): void {
    if (this.#status !== 'pending') return;
    this.#status = 'cancelled';
    this.#attempt.cancel();
  }

  /**
   * Reads the rest of the stream and returns the response of its `response.completed` event (or of
   * `response.incomplete`, whose `status` says so), as the non-streaming call would.
   *
   * @returns The response object with `output`, `usage` and `output_text`.
   * @throws The same errors as iterating; {@link AbortError} if the stream was cancelled before its end.
   */
  async finalResponse(): Promise<ResponsesResult> {
    await this.#drain();
    // #drain only returns once the terminal event set #final.
    return withOutputText(this.#final as ResponsesObject);
  }

  /**
   * Reads the rest of the stream and returns the answer's text.
   *
   * @returns The final response's `output_text` (`''` when it only called functions).
   * @throws The same errors as iterating; {@link AbortError} if the stream was cancelled before its end.
   */
  async toText(): Promise<string> {
    return (await this.finalResponse()).output_text;
  }

  async #drain(): Promise<void> {
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
      throw new AbortError('The stream was cancelled before it finished', { requestId: this.requestId });
    }
  }

  #invalid(message: string, cause?: unknown): ClawgateError {
    return new ClawgateError(`The stream sent an invalid event: ${message}`, {
      type: 'invalid_response',
      requestId: this.requestId,
      ...(cause === undefined ? {} : { cause }),
    });
  }

  /** Checks the sequence and the shape; `undefined` for an event of a type this client does not know. */
  #validate(value: unknown): ResponsesStreamEvent | undefined {
    if (typeof value !== 'object' || value === null || typeof (value as { type?: unknown }).type !== 'string') {
      throw this.#invalid('expected a JSON object with a string `type`');
    }
    const { type, sequence_number: sequenceNumber } = value as { type: string; sequence_number?: unknown };
    if (sequenceNumber !== this.#nextSequenceNumber) {
      throw this.#invalid(
        `${type} has sequence_number ${JSON.stringify(sequenceNumber) ?? 'undefined'} where ${this.#nextSequenceNumber} was expected`,
      );
    }
    this.#nextSequenceNumber += 1;
    if (!isKnownEventType(type)) return undefined;
    const parsed = responsesStreamEventSchema.safeParse(value);
    if (!parsed.success) throw this.#invalid(`${type}: ${formatZodError(parsed.error)}`, parsed.error);
    return parsed.data;
  }

  /** An `event: error` or `{"error": …}` frame: the Responses `error` event, or a chat-style error body. */
  #errorFromPayload(payload: unknown): ClawgateError {
    if (typeof payload === 'object' && payload !== null && (payload as { type?: unknown }).type === 'error') {
      return createErrorFromFailedResponse(payload as { code?: string; message?: string }, this.requestId);
    }
    return createErrorFromStreamPayload(payload, this.requestId);
  }

  async *#iterate(): AsyncGenerator<ResponsesStreamEvent, void, undefined> {
    const attempt = this.#attempt;
    if (this.#status === 'cancelled') {
      throw new AbortError('The stream was cancelled', { requestId: this.requestId });
    }
    if (this.response.body === null) {
      attempt.cancel();
      this.#fail(new ConnectionError('The stream response has no body', { requestId: this.requestId }));
      throw this.#error;
    }
    // Every received byte (heartbeat comments included) re-arms the timer, so `timeoutMs` limits
    // silence rather than the length of a long agent run.
    const body = this.response.body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(bytes, controller) {
          attempt.restartTimer();
          controller.enqueue(bytes);
        },
      }),
    );
    let finished = false;
    try {
      // No schema here: the event type decides whether (and how) an event is validated, in #validate.
      for await (const result of decodeSseStream(body, { signal: attempt.signal })) {
        if (!result.success) {
          if (result.error.type === 'error-payload') throw this.#errorFromPayload(result.error.payload);
          throw this.#invalid(result.error.message, result.error);
        }
        const event = this.#validate(result.value);
        if (event === undefined) continue;
        if (event.type === 'response.failed') {
          throw createErrorFromFailedResponse(event.response.error, this.requestId);
        }
        if (event.type === 'error') throw createErrorFromFailedResponse(event, this.requestId);
        if (event.type === 'response.completed' || event.type === 'response.incomplete') this.#final = event.response;
        yield event;
      }
      if (this.#final === undefined) {
        throw new ConnectionError('The stream ended before the server finished the response', {
          requestId: this.requestId,
        });
      }
      finished = true;
      this.#status = 'completed';
    } catch (error) {
      // The decoder's RangeError means one event outgrew its buffer: a broken server, not the network.
      this.#fail(
        error instanceof RangeError ? this.#invalid(error.message, error) : attempt.toError(error, this.requestId),
      );
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
