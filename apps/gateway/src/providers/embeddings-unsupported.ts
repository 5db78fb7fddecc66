/**
 * The refusal for an agent whose `embeddingModel` names a provider that cannot embed
 * (docs/embeddings.md#errors): a configuration mistake the caller can only report, so a 400 naming
 * the provider rather than a 5xx.
 */
import { type GatewayError, invalidRequest } from '../errors.js';

/**
 * The 400 `invalid_request_error` for a provider without embeddings.
 *
 * @param providerId - The provider's configured id.
 * @example
 * throw embeddingsUnsupportedError('local'); // "Provider 'local' does not support embeddings."
 */
export function embeddingsUnsupportedError(providerId: string): GatewayError {
  return invalidRequest(`Provider '${providerId}' does not support embeddings.`);
}
