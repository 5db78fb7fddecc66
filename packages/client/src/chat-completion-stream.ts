import {
  upstreamChatCompletionChunkSchema,
  type ChatCompletion,
  type ChatCompletionChunk,
  type ChatCompletionMessageToolCall,
  type ChatCompletionUsage,
  type FinishReason,
  type UpstreamChatCompletionChunk,
} from '@clawgate/openai-schemas';
import { createErrorFromStreamPayload } from './create-error-from-response.js';
import { EventStreamReader } from './event-stream-reader.js';
import { toChatCompletionChunk } from './normalize-chat-completion.js';
import type { RequestAttempt } from './request-attempt.js';

/** The assistant message assembled from a stream's deltas (same shape as a non-streaming `message`). */
export type ChatCompletionStreamMessage = ChatCompletion['choices'][number]['message'];

/** Per-choice accumulation of deltas. */
interface ChoiceState {
  content: string | undefined;
  toolCalls: Map<number, ChatCompletionMessageToolCall>;
  finishReason: FinishReason | null;
}

/**
 * A streaming chat completion: an async iterable of typed {@link ChatCompletionChunk}s, as sent by
 * the gateway, plus helpers that assemble the whole answer.
 *
 * - Iterate it once (`for await`). `break`, `return()` or {@link ChatCompletionStream.abort} cancel
 *   the HTTP body, which makes the gateway stop the agent run and its upstream request.
 * - An `{"error": …}` frame throws the matching {@link ClawgateError} subclass from the loop; a
 *   dropped connection throws {@link ConnectionError}; silence longer than `timeoutMs` throws
 *   `TimeoutError`; the caller's signal throws {@link AbortError}.
 * - A stream that ends without any `finish_reason` was cut short and throws {@link ConnectionError}
 *   instead of passing a truncated answer off as complete.
 * - {@link ChatCompletionStream.toText}, {@link ChatCompletionStream.finalMessage} and
 *   {@link ChatCompletionStream.finalChatCompletion} read whatever is left and include chunks that a
 *   loop already consumed.
 *
 * @example
 * ```ts
 * const stream = await client.chat.completions.create({ stream: true, messages: [{ role: 'user', content: 'hi' }] });
 * for await (const chunk of stream) process.stdout.write(chunk.choices[0]?.delta.content ?? '');
 * console.log((await stream.finalMessage()).content);
 * ```
 */
export class ChatCompletionStream implements AsyncIterable<ChatCompletionChunk> {
  /** The HTTP response (status 200, `text/event-stream`); its body belongs to the stream. */
  readonly response: Response;
  /** The response's `x-request-id` header, when present. */
  readonly requestId: string | undefined;
  readonly #reader: EventStreamReader<UpstreamChatCompletionChunk, ChatCompletionChunk>;
  #id = '';
  #created = 0;
  #model = '';
  #usage: ChatCompletionUsage | undefined;
  readonly #choices = new Map<number, ChoiceState>();

  /**
   * Created by `client.chat.completions.create({ stream: true })`; not meant to be constructed directly.
   *
   * @param options - The 2xx response, its attempt (owning the abort controller and idle timer), and its request id.
   */
  constructor(options: { response: Response; attempt: RequestAttempt; requestId: string | undefined }) {
    this.response = options.response;
    this.requestId = options.requestId;
    this.#reader = new EventStreamReader({
      ...options,
      className: 'ChatCompletionStream',
      eventName: 'chunk',
      schema: upstreamChatCompletionChunkSchema,
      errorFromPayload: (payload) => createErrorFromStreamPayload(payload, this.requestId),
      toItem: (value) => {
        const chunk = toChatCompletionChunk(value);
        this.#accumulate(chunk);
        return chunk;
      },
      // A stream that finished sent a finish_reason for at least one choice.
      hasFinished: () => [...this.#choices.values()].some((state) => state.finishReason !== null),
    });
  }

  /**
   * Returns the stream's only iterator.
   *
   * @returns An async iterator of chunks.
   * @throws TypeError when called a second time (the body can be read once).
   */
  [Symbol.asyncIterator](): AsyncIterator<ChatCompletionChunk> {
    return this.#reader.iterator();
  }

  /** Cancels the stream: the HTTP body is dropped and a pending or later read throws {@link AbortError}. */
  abort(): void {
    this.#reader.abort();
  }

  /**
   * Reads the rest of the stream and returns the text of the first choice.
   *
   * @returns All `delta.content` pieces of choice 0 joined (`''` when there were none).
   * @throws The same errors as iterating; {@link AbortError} if the stream was cancelled before its end.
   */
  async toText(): Promise<string> {
    await this.#reader.drain();
    return this.#choices.get(0)?.content ?? '';
  }

  /**
   * Reads the rest of the stream and returns the assembled assistant message of the first choice.
   *
   * @returns `{ role: 'assistant', content, tool_calls? }`; `content` is `null` when no text arrived.
   * @throws The same errors as iterating; {@link AbortError} if the stream was cancelled before its end.
   */
  async finalMessage(): Promise<ChatCompletionStreamMessage> {
    await this.#reader.drain();
    return this.#message(this.#choices.get(0));
  }

  /**
   * Reads the rest of the stream and returns it as the equivalent non-streaming response.
   *
   * @returns A {@link ChatCompletion} with every choice, and `usage` when the server sent it
   *   (`stream_options: { include_usage: true }`).
   * @throws The same errors as iterating; {@link AbortError} if the stream was cancelled before its end.
   */
  async finalChatCompletion(): Promise<ChatCompletion> {
    await this.#reader.drain();
    const indexes = [...this.#choices.keys()].sort((left, right) => left - right);
    const completion: ChatCompletion = {
      id: this.#id,
      object: 'chat.completion',
      created: this.#created,
      model: this.#model,
      choices: indexes.map((index) => {
        const state = this.#choices.get(index);
        return { index, message: this.#message(state), finish_reason: state?.finishReason ?? 'stop' };
      }),
    };
    if (this.#usage !== undefined) completion.usage = this.#usage;
    return completion;
  }

  #message(state: ChoiceState | undefined): ChatCompletionStreamMessage {
    const message: ChatCompletionStreamMessage = { role: 'assistant', content: state?.content ?? null };
    if (state !== undefined && state.toolCalls.size > 0) {
      message.tool_calls = [...state.toolCalls.entries()]
        .sort(([left], [right]) => left - right)
        .map(([, call]) => call);
    }
    return message;
  }

  #accumulate(chunk: ChatCompletionChunk): void {
    if (chunk.id !== '') this.#id = chunk.id;
    if (chunk.created !== 0) this.#created = chunk.created;
    if (chunk.model !== '') this.#model = chunk.model;
    if (chunk.usage !== undefined && chunk.usage !== null) this.#usage = chunk.usage;
    for (const choice of chunk.choices) {
      let state = this.#choices.get(choice.index);
      if (state === undefined) {
        state = { content: undefined, toolCalls: new Map(), finishReason: null };
        this.#choices.set(choice.index, state);
      }
      if (typeof choice.delta.content === 'string') state.content = (state.content ?? '') + choice.delta.content;
      for (const fragment of choice.delta.tool_calls ?? []) {
        // The first fragment of a call names it; later ones only append argument text
        // (docs/http-contract.md#streaming-response).
        const call = state.toolCalls.get(fragment.index) ?? {
          id: '',
          type: 'function' as const,
          function: { name: '', arguments: '' },
        };
        if (fragment.id !== undefined) call.id = fragment.id;
        if (fragment.function?.name !== undefined) call.function.name += fragment.function.name;
        if (fragment.function?.arguments !== undefined) call.function.arguments += fragment.function.arguments;
        state.toolCalls.set(fragment.index, call);
      }
      if (choice.finish_reason !== null) state.finishReason = choice.finish_reason;
    }
  }
}
