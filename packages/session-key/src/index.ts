export {
  AGENT_ID_PATTERN,
  DEFAULT_AGENT_ID,
  MAX_AGENT_ID_LENGTH,
  isValidAgentId,
  normalizeAgentId,
} from './normalize-agent-id.js';
export { parseModelAgent } from './parse-model-agent.js';
export type { ModelAgent } from './parse-model-agent.js';
export { resolveAgentId } from './resolve-agent-id.js';
export type { ResolveAgentIdOptions, ResolveAgentIdResult } from './resolve-agent-id.js';
export { RESERVED_SESSION_KEY_PREFIXES, isReservedSessionKey } from './reserved-session-namespaces.js';
export {
  EPHEMERAL_SESSION_NAMESPACE,
  RESPONSES_SESSION_NAMESPACE,
  RESPONSES_USER_SESSION_NAMESPACE,
  USER_SESSION_NAMESPACE,
  deriveSessionKey,
} from './derive-session-key.js';
export type {
  DeriveSessionKeyOptions,
  DeriveSessionKeyResult,
  SessionKeyKind,
  SessionNamespaces,
} from './derive-session-key.js';
export { parseSessionKey } from './parse-session-key.js';
export type { ParsedSessionKey } from './parse-session-key.js';
export { DEFAULT_MESSAGE_CHANNEL, normalizeMessageChannel } from './normalize-message-channel.js';
export { parseModelOverride, splitModelRef, splitProviderModel } from './parse-model-override.js';
export type { ModelOverrideResult, ModelRef } from './parse-model-override.js';
