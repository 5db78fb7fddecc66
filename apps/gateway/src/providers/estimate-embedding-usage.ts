/**
 * Token counts for an embeddings answer when nobody counted them: the offline model always, an
 * upstream that sent no `usage` (some local servers). An approximation by the common
 * 4-characters-per-token rule, like the chat estimate, not a billing figure.
 */
import type { EmbeddingUsage } from '@clawgate/openai-schemas';

/**
 * Estimates the usage of embedding `input`.
 *
 * @param input - Texts (`ceil(characters of all texts / 4)` tokens) or token-id lists (one token per id).
 * @example
 * estimateEmbeddingUsage(['hello', 'world']); // { prompt_tokens: 3, total_tokens: 3 }
 */
export function estimateEmbeddingUsage(input: readonly string[] | readonly number[][]): EmbeddingUsage {
  let tokens = 0;
  let characters = 0;
  for (const entry of input) {
    if (typeof entry === 'string') characters += entry.length;
    else tokens += entry.length;
  }
  const promptTokens = tokens + Math.ceil(characters / 4);
  return { prompt_tokens: promptTokens, total_tokens: promptTokens };
}
