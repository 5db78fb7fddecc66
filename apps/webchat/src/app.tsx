/**
 * The page: the token form until the tab has a token, then the chat. A refused token sends the user
 * back to the form with the gateway's reason, and is forgotten.
 */
import { useState } from 'preact/hooks';
import { ChatScreen } from './chat-screen.js';
import type { ProtocolError } from './protocol.js';
import { TokenForm } from './token-form.js';
import { forgetToken, readToken, saveToken } from './token-storage.js';

/** The whole page. */
export function App() {
  const [token, setToken] = useState(readToken);
  const [refusal, setRefusal] = useState<string | undefined>(undefined);
  if (token === undefined) {
    return (
      <TokenForm
        problem={refusal}
        onSubmit={(entered) => {
          saveToken(entered);
          setRefusal(undefined);
          setToken(entered);
        }}
      />
    );
  }
  return (
    <ChatScreen
      token={token}
      onSignOut={() => {
        forgetToken();
        setToken(undefined);
      }}
      onRefused={(error) => {
        forgetToken();
        setRefusal(describeRefusal(error));
        setToken(undefined);
      }}
    />
  );
}

/** What a refused handshake means to the person at the keyboard (docs/ws-protocol.md#handshake). */
function describeRefusal(error: ProtocolError): string {
  const code = error.details?.code;
  if (code === 'AUTH_TOKEN_MISMATCH' || code === 'AUTH_PASSWORD_MISMATCH') {
    if (error.retryAfterMs !== undefined) {
      return `Too many wrong tokens: the gateway is refusing this browser for ${Math.ceil(error.retryAfterMs / 1000)} s.`;
    }
    return 'The gateway refused this token. Paste the token of this gateway (gateway.auth.token, or the gateway-token file in its state directory).';
  }
  return `The gateway refused the connection: ${error.message}`;
}
