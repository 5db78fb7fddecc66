/**
 * What each step of `POST /v1/embeddings` leaves in `res.locals` for the next one
 * (docs/embeddings.md#request): like the chat steps, each adds one field and never rewrites one.
 */
import type { EmbeddingRequest } from '@clawgate/openai-schemas';
import type { ModelProvider } from '../providers/model-provider.js';
import type { AllowedAuthDecision } from './request-state.js';

/** Where an embeddings request goes: the agent's `embeddingModel`, resolved to its provider. */
export interface EmbeddingTarget {
  agentId: string;
  /** `<provider>/<model id>` as configured. */
  embeddingModel: string;
  /** The provider's id (for the log and errors). */
  providerId: string;
  /** The provider's `embed` (the resolve step has checked it exists). */
  embed: NonNullable<ModelProvider['embed']>;
  /** The model id the upstream receives. */
  modelId: string;
}

/** The fields the embeddings steps store on `res.locals`, in the order they are set. */
export interface EmbeddingsLocals {
  /** Auth step. */
  auth?: AllowedAuthDecision;
  /** Body step: the parsed JSON, `{}` for an empty body. */
  body?: unknown;
  /** Validation step. */
  embeddingRequest?: EmbeddingRequest;
  /** Resolve step. */
  embeddingTarget?: EmbeddingTarget;
}

/** Typed view of `res.locals` on the embeddings route. */
export function embeddingsLocals(locals: Record<string, unknown>): EmbeddingsLocals {
  return locals as EmbeddingsLocals;
}
