/**
 * The page's controller: one gateway connection for a token, the view state it feeds, and the
 * actions the screen calls. Which protocol methods each action uses is listed in
 * docs/webchat.md#how-it-uses-the-websocket-protocol.
 */
import { useEffect, useMemo, useReducer, useRef } from 'preact/hooks';
import { version } from '../package.json';
import { createGatewayClient, type GatewayClient } from './gateway-client.js';
import { newSessionKey } from './new-session-key.js';
import type {
  ChatEventPayload,
  ChatHistoryPayload,
  HealthPayload,
  ModelsListPayload,
  SessionsListPayload,
} from './protocol.js';
import { initialViewState, reduceViewState, type ViewState } from './view-state.js';

/** What the screen can do. */
export interface ChatActions {
  selectAgent(agentId: string): void;
  newSession(): void;
  openSession(sessionKey: string, agentId: string): void;
  send(text: string): void;
  stop(): void;
}

/** How many sessions and history messages the page asks for. */
const SESSIONS_LIMIT = 200;
const HISTORY_LIMIT = 200;

/** The gateway's WebSocket: the page's own origin, so the gateway's origin check admits it. */
function gatewaySocketUrl(): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/`;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Connects with `token` for as long as the component lives; returns the view and its actions. */
export function useChat(token: string): { state: ViewState; actions: ChatActions } {
  const [state, dispatch] = useReducer(reduceViewState, initialViewState);
  // The connection callbacks outlive renders: they read the latest view through this ref.
  const latest = useRef(state);
  latest.current = state;
  const clientRef = useRef<GatewayClient | undefined>(undefined);

  useEffect(() => {
    const refreshSessions = async (client: GatewayClient) => {
      const list = await client.request<SessionsListPayload>('sessions.list', { limit: SESSIONS_LIMIT });
      dispatch({ type: 'sessions-loaded', sessions: list.sessions });
    };
    const loadHistory = async (client: GatewayClient, sessionKey: string) => {
      const history = await client.request<ChatHistoryPayload>('chat.history', { sessionKey, limit: HISTORY_LIMIT });
      dispatch({ type: 'history-loaded', sessionKey, messages: history.messages });
    };
    const loadEverything = async (client: GatewayClient) => {
      const [health, models] = await Promise.all([
        client.request<HealthPayload>('health'),
        client.request<ModelsListPayload>('models.list').catch(() => ({ models: [] })),
      ]);
      dispatch({
        type: 'agents-loaded',
        agents: health.agents.map((agent) => ({ id: agent.agentId, isDefault: agent.isDefault })),
        models: models.models,
      });
      await refreshSessions(client);
      const { sessionKey, selectedAgentId } = latest.current;
      // After a reconnect the open conversation is read again: turns may have ended while away.
      if (sessionKey !== undefined) await loadHistory(client, sessionKey);
      else {
        const agentId = selectedAgentId ?? health.defaultAgentId;
        dispatch({ type: 'session-started', agentId, sessionKey: newSessionKey(agentId) });
      }
    };

    const client = createGatewayClient({
      url: gatewaySocketUrl(),
      token,
      clientVersion: version,
      onStatus: (status) => {
        dispatch({ type: 'connection-changed', status });
        if (status.state === 'connected') {
          loadEverything(client).catch((error: unknown) =>
            dispatch({ type: 'request-failed', message: messageOf(error) }),
          );
        }
      },
      onEvent: (event, payload) => {
        if (event !== 'chat') return;
        const chat = payload as ChatEventPayload;
        dispatch({ type: 'chat-event', payload: chat });
        // A turn that ended is now stored: the list shows its session and its new time.
        if (chat.state !== 'delta') refreshSessions(client).catch(() => undefined);
      },
    });
    clientRef.current = client;
    return () => {
      clientRef.current = undefined;
      client.close();
    };
  }, [token]);

  const actions = useMemo<ChatActions>(() => {
    const withClient = (work: (client: GatewayClient) => Promise<unknown>) => {
      const client = clientRef.current;
      if (client === undefined) return;
      work(client).catch((error: unknown) => dispatch({ type: 'request-failed', message: messageOf(error) }));
    };
    return {
      selectAgent(agentId) {
        dispatch({ type: 'session-started', agentId, sessionKey: newSessionKey(agentId) });
      },
      newSession() {
        const agentId = latest.current.selectedAgentId;
        if (agentId !== undefined) dispatch({ type: 'session-started', agentId, sessionKey: newSessionKey(agentId) });
      },
      openSession(sessionKey, agentId) {
        dispatch({ type: 'session-opened', agentId, sessionKey });
        withClient(async (client) => {
          const history = await client.request<ChatHistoryPayload>('chat.history', {
            sessionKey,
            limit: HISTORY_LIMIT,
          });
          dispatch({ type: 'history-loaded', sessionKey, messages: history.messages });
        });
      },
      send(text) {
        const { sessionKey } = latest.current;
        const client = clientRef.current;
        if (sessionKey === undefined || client === undefined) return;
        // The run id is our idempotency key, so a resend after a reconnect never runs the turn twice.
        const runId = crypto.randomUUID();
        dispatch({ type: 'message-sent', sessionKey, runId, text });
        client
          .request('chat.send', { sessionKey, message: text, idempotencyKey: runId })
          .catch((error: unknown) => dispatch({ type: 'send-failed', runId, message: messageOf(error) }));
      },
      stop() {
        const { sessionKey, activeRunId } = latest.current;
        if (sessionKey === undefined || activeRunId === undefined) return;
        withClient((client) => client.request('chat.abort', { sessionKey, runId: activeRunId }));
      },
    };
  }, []);

  return { state, actions };
}
