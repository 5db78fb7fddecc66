/**
 * One request → one agent run input, for every transport (the HTTP endpoint and `clawgate agent`):
 * agent selection, session key derivation, the model override and the forwarded parameters. Each
 * transport reads its own inputs (headers and body, or flags) and words a refusal in its own terms.
 */
import { deriveSessionKey, parseModelOverride, resolveAgentId, type SessionNamespaces } from '@clawgate/session-key';
import type { AgentRunInput, ForwardedParameters } from './agent-runner.js';

/** The request fields forwarded to the upstream model as sent (docs/http-contract.md#3-request-validation). */
const FORWARDED_FIELDS = [
  'temperature',
  'top_p',
  'frequency_penalty',
  'presence_penalty',
  'seed',
  'stop',
  'response_format',
  'max_completion_tokens',
  'max_tokens',
  'tools',
  'tool_choice',
] as const satisfies readonly (keyof ForwardedParameters)[];

/** What a transport read from its request, before any check. */
export interface RunRequest {
  /** The configured default agent. */
  defaultAgentId: string;
  /** An explicit agent id (`x-openclaw-agent-id`, `--agent`); wins over `model`. @defaultValue none */
  agentId?: string;
  /** The OpenAI `model` field: `openclaw`, `openclaw/<agentId>`, … @defaultValue none (default agent) */
  model?: string;
  /** An explicit session key (`x-openclaw-session-key`, `--session-key`). @defaultValue none */
  sessionKey?: string;
  /** The OpenAI `user` field (`--user`): one stored session per user. @defaultValue none */
  user?: string;
  /** The model override (`x-openclaw-model`, `--model`); trimmed, blank means none. @defaultValue none */
  modelOverride?: string;
  messages: AgentRunInput['messages'];
  /** The request's fields; only the forwarded ones (sampling, tools, …) are copied. @defaultValue none */
  parameters?: ForwardedParameters;
  /** The channel recorded with the turn, already normalised by the transport. */
  messageChannel: string;
  /** `false` when the transport answers with one JSON body (see `AgentRunInput.stream`). @defaultValue true */
  stream?: boolean;
  /** Source of per-request session ids. @defaultValue `crypto.randomUUID` */
  randomUUID?: () => string;
  /** The namespaces of keys derived from `user` and per request. @defaultValue Chat Completions' (`openai-user`, `openai`) */
  sessionNamespaces?: SessionNamespaces;
  /** Store the turn even in a per-request session (see `AgentRunInput.storeTurn`). @defaultValue false */
  storeTurn?: boolean;
}

/** Why {@link buildRunInput} refused a request. */
export type RunRequestRefusal = 'invalid-model' | 'reserved-session-key' | 'invalid-model-override';

/**
 * Checks a request and builds the run input the runner's `prepare` takes (which then checks the
 * agent exists, the model is allowed and the messages).
 *
 * @returns `{ ok: true, input }`, or `{ ok: false, reason }` for a `model` naming no agent, a session
 *   key in a reserved namespace or a malformed model override, checked in that order.
 * @example
 * const built = buildRunInput({ defaultAgentId: 'main', user: 'alice', messages, messageChannel: 'cli' });
 * if (built.ok) runner.prepare(built.input);
 */
export function buildRunInput(
  request: RunRequest,
): { ok: true; input: AgentRunInput } | { ok: false; reason: RunRequestRefusal } {
  const agent = resolveAgentId({
    headerAgentId: request.agentId,
    model: request.model,
    defaultAgentId: request.defaultAgentId,
  });
  if (!agent.ok) return { ok: false, reason: 'invalid-model' };

  const session = deriveSessionKey({
    agentId: agent.agentId,
    sessionKeyHeader: request.sessionKey,
    user: request.user,
    randomUUID: request.randomUUID,
    ...(request.sessionNamespaces === undefined ? {} : { namespaces: request.sessionNamespaces }),
  });
  if (!session.ok) return { ok: false, reason: 'reserved-session-key' };

  // Absent or whitespace-only means "no override" (a proxy may forward an empty header).
  const override = request.modelOverride?.trim();
  const modelOverride = override === undefined || override === '' ? undefined : override;
  if (modelOverride !== undefined && !parseModelOverride(modelOverride).ok)
    return { ok: false, reason: 'invalid-model-override' };

  const parameters: ForwardedParameters = {};
  if (request.parameters !== undefined) {
    for (const field of FORWARDED_FIELDS) {
      if (request.parameters[field] !== undefined) {
        (parameters as Record<string, unknown>)[field] = request.parameters[field];
      }
    }
  }

  return {
    ok: true,
    input: {
      agentId: agent.agentId,
      sessionKey: session.sessionKey,
      sessionKind: session.kind,
      ...(request.storeTurn === true ? { storeTurn: true } : {}),
      messages: request.messages,
      parameters,
      ...(modelOverride === undefined ? {} : { modelOverride }),
      messageChannel: request.messageChannel,
      ...(request.stream === false ? { stream: false } : {}),
    },
  };
}
