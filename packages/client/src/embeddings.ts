import {
  embeddingListSchema,
  type Embedding,
  type EmbeddingList,
  type EmbeddingRequestInput,
} from '@clawgate/openai-schemas';
import { ClawgateError } from './clawgate-error.js';
import type { RequestOptions } from './create-client.js';
import { decodeBase64Embedding } from './decode-base64-embedding.js';
import type { PostJson } from './post-json.js';
import { parseBody, readJson } from './read-response-body.js';

/** Per-call options of `embeddings.create`: the agent (whose `embeddingModel` answers) on top of {@link RequestOptions}. */
export interface EmbeddingCreateOptions extends RequestOptions {
  /** Agent id for this call (`x-openclaw-agent-id`); wins over the client's `agent`. */
  agent?: string;
}

/**
 * An embeddings request: `model`, `input` (a text, texts, a token-id list or token-id lists), and
 * optionally `encoding_format` (`float` when left out), `dimensions` and `user`.
 */
export type EmbeddingCreateParams = EmbeddingRequestInput;

/** One vector of {@link EmbeddingsResult}: always floats, whatever `encoding_format` the call asked for. */
export type EmbeddingVector = Omit<Embedding, 'embedding'> & {
  /** The vector; a base64 answer has already been decoded. */
  embedding: number[];
};

/** What `embeddings.create` resolves to: `{ object: 'list', data, model, usage }` with float vectors. */
export type EmbeddingsResult = Omit<EmbeddingList, 'data'> & {
  /** One vector per input entry, with its `index`. */
  data: EmbeddingVector[];
};

/** `client.embeddings`: OpenAI's Embeddings API (https://platform.openai.com/docs/api-reference/embeddings/create). */
export interface Embeddings {
  /**
   * Embeds one or more inputs. With `encoding_format: 'base64'` the gateway sends each vector as
   * base64 float32 (a third of the JSON size) and the client decodes it, so `embedding` is
   * `number[]` either way; without it the client asks for floats.
   *
   * @param body - {@link EmbeddingCreateParams}.
   * @param options - {@link EmbeddingCreateOptions}.
   * @returns The vectors, model and usage.
   * @throws ClawgateError subclasses (400 when the agent has no embedding model, …); a ClawgateError
   *   of type `invalid_response` for a body that is not an embedding list or a vector that does not decode.
   */
  create(body: EmbeddingCreateParams, options?: EmbeddingCreateOptions): Promise<EmbeddingsResult>;
}

/**
 * Builds `client.embeddings` on the client's JSON POST (`POST /v1/embeddings`).
 *
 * @param postJson - Sends with the client's token, agent header and `user` default.
 * @returns The {@link Embeddings} group.
 */
export function createEmbeddings(postJson: PostJson): Embeddings {
  return {
    async create(body, options) {
      if (typeof body !== 'object' || body === null || Array.isArray(body)) {
        throw new TypeError('embeddings.create expects a request object with model and input');
      }
      // Explicit, so any OpenAI-compatible server answers floats rather than its own default.
      const payload = { ...body, encoding_format: body.encoding_format ?? 'float' };
      // Idempotent: an embedding stores nothing, so repeating it after a 5xx or timeout only repeats the work.
      const sent = await postJson('/v1/embeddings', payload, options, { stream: false, idempotent: true });
      const list = parseBody(sent, await readJson(sent), embeddingListSchema, 'embedding list');
      try {
        // Decoded whatever was asked: a server that ignores encoding_format still gives floats here.
        const data = list.data.map((entry) => ({
          ...entry,
          embedding: typeof entry.embedding === 'string' ? decodeBase64Embedding(entry.embedding) : entry.embedding,
        }));
        return { ...list, data };
      } catch (error) {
        throw new ClawgateError(
          `The server answered with an embedding that does not decode: ${(error as Error).message}`,
          {
            status: sent.response.status,
            type: 'invalid_response',
            requestId: sent.requestId,
            cause: error,
          },
        );
      }
    },
  };
}
