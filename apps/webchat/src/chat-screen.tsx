/** The chat once connected: agent picker and status on top, the agent's sessions, the conversation. */
import { useEffect } from 'preact/hooks';
import { Composer } from './composer.js';
import type { ConnectionStatus } from './gateway-client.js';
import { MessageList } from './message-list.js';
import type { ProtocolError } from './protocol.js';
import { SessionKeyBar } from './session-key-bar.js';
import { SessionList } from './session-list.js';
import { useChat } from './use-chat.js';

/** The chat for one token. */
export function ChatScreen(props: { token: string; onSignOut: () => void; onRefused: (error: ProtocolError) => void }) {
  const { state, actions } = useChat(props.token);
  const { connection } = state;
  const { onRefused } = props;
  useEffect(() => {
    if (connection.state === 'refused') onRefused(connection.error);
  }, [connection, onRefused]);

  const connected = connection.state === 'connected';
  const agentSessions = state.sessions.filter((session) => session.agentId === state.selectedAgentId);
  return (
    <div class="chat-app">
      <header class="top-bar">
        <h1>clawgate</h1>
        <label class="agent-picker">
          <span>Agent</span>
          <select
            data-testid="agent-picker"
            value={state.selectedAgentId ?? ''}
            disabled={state.agents.length === 0}
            onChange={(event) => actions.selectAgent(event.currentTarget.value)}
          >
            {state.agents.map((agent) => (
              <option key={agent.id} value={agent.id}>
                {agent.isDefault ? `${agent.id} (default)` : agent.id}
              </option>
            ))}
          </select>
        </label>
        <button type="button" onClick={actions.newSession} disabled={state.selectedAgentId === undefined}>
          New session
        </button>
        <span class={`status status-${connection.state}`} data-testid="connection-status">
          {describeConnection(connection)}
        </span>
        <button type="button" class="link-button" onClick={props.onSignOut}>
          Forget token
        </button>
      </header>
      <SessionList sessions={agentSessions} openKey={state.sessionKey} onOpen={actions.openSession} />
      <main class="conversation">
        {state.sessionKey === undefined ? null : <SessionKeyBar sessionKey={state.sessionKey} />}
        {state.notice === undefined ? null : (
          <p class="notice" role="alert">
            {state.notice}
          </p>
        )}
        <MessageList messages={state.messages} />
        <Composer
          disabled={!connected || state.sessionKey === undefined}
          running={state.activeRunId !== undefined}
          onSend={actions.send}
          onStop={actions.stop}
        />
        {state.models.length === 0 ? null : (
          <p class="models">Models: {state.models.map((model) => `${model.provider}/${model.id}`).join(', ')}</p>
        )}
      </main>
    </div>
  );
}

function describeConnection(status: ConnectionStatus): string {
  switch (status.state) {
    case 'connecting':
      return 'Connecting…';
    case 'connected':
      return 'Connected';
    case 'reconnecting':
      return `Reconnecting in ${Math.ceil(status.delayMs / 1000)} s (${status.reason})`;
    case 'refused':
      return 'Refused';
    case 'closed':
      return 'Closed';
  }
}
