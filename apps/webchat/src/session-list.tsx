/** The chosen agent's stored sessions, newest first; a click opens one. */
import type { SessionSummary } from './protocol.js';

/** The list of sessions. */
export function SessionList(props: {
  sessions: SessionSummary[];
  openKey: string | undefined;
  onOpen: (sessionKey: string, agentId: string) => void;
}) {
  return (
    <nav class="sessions" aria-label="Sessions">
      <h2>Sessions</h2>
      {props.sessions.length === 0 ? <p class="empty">No stored sessions yet.</p> : null}
      <ul data-testid="session-list">
        {props.sessions.map((session) => (
          <li key={session.key}>
            <button
              type="button"
              class={session.key === props.openKey ? 'session open' : 'session'}
              aria-current={session.key === props.openKey ? 'true' : undefined}
              data-session-key={session.key}
              onClick={() => props.onOpen(session.key, session.agentId)}
            >
              <span class="session-key">{session.key}</span>
              <time dateTime={new Date(session.updatedAt).toISOString()}>
                {new Date(session.updatedAt).toLocaleString()}
              </time>
            </button>
          </li>
        ))}
      </ul>
    </nav>
  );
}
