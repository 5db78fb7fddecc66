/**
 * The methods the door serves: name → params schema → scope → handler
 * (docs/ws-protocol.md#methods). Adding a method is adding a file under `methods/` and a line here.
 */
import type { MethodDefinition } from './define-method.js';
import { agentMethod } from './methods/agent.js';
import { agentWaitMethod } from './methods/agent-wait.js';
import { chatAbortMethod } from './methods/chat-abort.js';
import { chatHistoryMethod } from './methods/chat-history.js';
import { chatSendMethod } from './methods/chat-send.js';
import { healthMethod } from './methods/health.js';
import { modelsListMethod } from './methods/models-list.js';
import { sessionsListMethod } from './methods/sessions-list.js';
import { statusMethod } from './methods/status.js';

const METHODS: readonly MethodDefinition[] = [
  healthMethod,
  statusMethod,
  modelsListMethod,
  sessionsListMethod,
  chatHistoryMethod,
  agentMethod,
  agentWaitMethod,
  chatSendMethod,
  chatAbortMethod,
] as readonly MethodDefinition[];

/** Method name → definition (a `Map`, so a client's `__proto__` or `toString` finds nothing). */
export const METHOD_TABLE: ReadonlyMap<string, MethodDefinition> = new Map(
  METHODS.map((method) => [method.name, method]),
);

/** The names `hello-ok` advertises: the table's, and `connect` itself. */
export const METHOD_NAMES: readonly string[] = ['connect', ...METHOD_TABLE.keys()];
