/**
 * What the protocol's answers must be, written once for every WebSocket test
 * (docs/ws-protocol.md#handshake): the methods `hello-ok` advertises and the wrong-secret error.
 */

/** `hello-ok`'s `features.methods`, in the order the gateway lists them. */
export const ADVERTISED_METHODS = [
  'connect',
  'health',
  'status',
  'models.list',
  'sessions.list',
  'chat.history',
  'agent',
  'agent.wait',
  'chat.send',
  'chat.abort',
];

/** The error answering a `connect` with the wrong token. */
export const TOKEN_MISMATCH_ERROR = {
  code: 'INVALID_REQUEST',
  message: "unauthorized: gateway token mismatch (use this gateway's gateway.auth.token or pair the device)",
  details: {
    code: 'AUTH_TOKEN_MISMATCH',
    authReason: 'token_mismatch',
    canRetryWithDeviceToken: false,
    recommendedNextStep: 'update_auth_credentials',
  },
};
