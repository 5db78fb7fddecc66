import {
  formatZodError,
  responsesStreamEventSchema,
  type ResponsesObject,
  type ResponsesStreamEvent,
  type ResponsesStreamEventType,
} from '@clawgate/openai-schemas';
import type { ClawgateError } from './clawgate-error.js';
import { createErrorFromFailedResponse, createErrorFromStreamPayload } from './create-error-from-response.js';
import { EventStreamReader } from './event-stream-reader.js';
import type { RequestAttempt } from './request-attempt.js';
import { type ResponsesResult, withOutputText } from './response-output-text.js';

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
  readonly #reader: EventStreamReader<unknown, ResponsesStreamEvent>;
  #nextSequenceNumber = 0;
  #final: ResponsesObject | undefined;

  /**
   * Created by `client.responses.create({ stream: true })`; not meant to be constructed directly.
   *
   * @param options - The 2xx response, its attempt (owning the abort controller and idle timer), and its request id.
   */
  constructor(options: { response: Response; attempt: RequestAttempt; requestId: string | undefined }) {
    this.response = options.response;
    this.requestId = options.requestId;
    // No schema: the event type decides whether (and how) an event is validated, in #toEvent.
    this.#reader = new EventStreamReader({
      ...options,
      className: 'ResponseStream',
      eventName: 'event',
      errorFromPayload: (payload) => this.#errorFromPayload(payload),
      toItem: (value) => this.#toEvent(value),
      hasFinished: () => this.#final !== undefined,
    });
  }

  /**
   * Returns the stream's only iterator.
   *
   * @returns An async iterator of events.
   * @throws TypeError when called a second time (the body can be read once).
   */
  [Symbol.asyncIterator](): AsyncIterator<ResponsesStreamEvent> {
    return this.#reader.iterator();
  }

  /** Cancels the stream: the HTTP body is dropped and a pending or later read throws {@link AbortError}. */
  abort(): void {
    this.#reader.abort();
  }

  /**
   * Reads the rest of the stream and returns the response of its `response.completed` event (or of
   * `response.incomplete`, whose `status` says so), as the non-streaming call would.
   *
   * @returns The response object with `output`, `usage` and `output_text`.
   * @throws The same errors as iterating; {@link AbortError} if the stream was cancelled before its end.
   */
  async finalResponse(): Promise<ResponsesResult> {
    await this.#reader.drain();
    // drain() only returns once the terminal event set #final.
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

  /** Checks the sequence and the shape; `undefined` for an event of a type this client does not know. */
  #validate(value: unknown): ResponsesStreamEvent | undefined {
    if (typeof value !== 'object' || value === null || typeof (value as { type?: unknown }).type !== 'string') {
      throw this.#reader.invalid('expected a JSON object with a string `type`');
    }
    const { type, sequence_number: sequenceNumber } = value as { type: string; sequence_number?: unknown };
    if (sequenceNumber !== this.#nextSequenceNumber) {
      throw this.#reader.invalid(
        `${type} has sequence_number ${JSON.stringify(sequenceNumber) ?? 'undefined'} where ${this.#nextSequenceNumber} was expected`,
      );
    }
    this.#nextSequenceNumber += 1;
    if (!isKnownEventType(type)) return undefined;
    const parsed = responsesStreamEventSchema.safeParse(value);
    if (!parsed.success) throw this.#reader.invalid(`${type}: ${formatZodError(parsed.error)}`, parsed.error);
    return parsed.data;
  }

  /** An `event: error` or `{"error": …}` frame: the Responses `error` event, or a chat-style error body. */
  #errorFromPayload(payload: unknown): ClawgateError {
    if (typeof payload === 'object' && payload !== null && (payload as { type?: unknown }).type === 'error') {
      return createErrorFromFailedResponse(payload as { code?: string; message?: string }, this.requestId);
    }
    return createErrorFromStreamPayload(payload, this.requestId);
  }

  /** One decoded event: checked, turned into the stream's error when it reports a failure, remembered when terminal. */
  #toEvent(value: unknown): ResponsesStreamEvent | undefined {
    const event = this.#validate(value);
    if (event === undefined) return undefined;
    if (event.type === 'response.failed') {
      throw createErrorFromFailedResponse(event.response.error, this.requestId);
    }
    if (event.type === 'error') throw createErrorFromFailedResponse(event, this.requestId);
    if (event.type === 'response.completed' || event.type === 'response.incomplete') this.#final = event.response;
    return event;
  }
}
