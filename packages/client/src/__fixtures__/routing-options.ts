import type { ChatCompletionCreateOptions, ClientOptions } from '../create-client.js';

/**
 * Client options that set every default a request carries: the token (with spaces the client trims),
 * agent, session key, body `user` and an extra header. The endpoints that run an agent turn must all
 * send them alike.
 */
export const CLIENT_ROUTING_DEFAULTS = {
  token: ' tok ',
  agent: 'main',
  sessionKey: 'client-key',
  user: 'alice',
  headers: { 'x-extra': 'one' },
} satisfies Omit<ClientOptions, 'baseURL'>;

/** Per-call options that override each of {@link CLIENT_ROUTING_DEFAULTS} and add the model and channel headers. */
export const CALL_ROUTING_OVERRIDES = {
  agent: 'beta',
  sessionKey: 'call-key',
  model: 'local/qwen3',
  messageChannel: 'Slack',
  headers: { 'x-extra': 'two' },
} satisfies ChatCompletionCreateOptions;
