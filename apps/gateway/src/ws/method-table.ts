/**
 * The methods the door serves: name → params schema → scope → handler
 * (docs/ws-protocol.md#methods). Adding a method is adding a file under `methods/` and a line here.
 */
import type { z } from 'zod';
import type { CallerConnection, DoorContext } from './door-context.js';
import { agentMethod } from './methods/agent.js';
import { agentWaitMethod } from './methods/agent-wait.js';
import { chatAbortMethod } from './methods/chat-abort.js';
import { chatHistoryMethod } from './methods/chat-history.js';
import { chatSendMethod } from './methods/chat-send.js';
import { healthMethod } from './methods/health.js';
import { modelsListMethod } from './methods/models-list.js';
import { sessionsListMethod } from './methods/sessions-list.js';
import { statusMethod } from './methods/status.js';

/** One call of a method, as its handler receives it. */
export interface MethodCall<Params> {
  params: Params;
  /** The request id (echoed in every response). */
  id: string;
  connection: CallerConnection;
  door: DoorContext;
  /**
   * Sends a response before the handler's final one (`agent` answers `accepted` first, then the
   * result on the same id).
   */
  respondEarly(payload: unknown): void;
}

/** A method: its params schema (built on first use), the scope it needs and its handler. */
export interface MethodDefinition<Schema extends z.ZodType = z.ZodType> {
  name: string;
  scope: 'operator.read' | 'operator.write';
  params: () => Schema;
  /** Returns the payload of the (final) `ok: true` response; throws `ProtocolFailure` to refuse. */
  handle(call: MethodCall<z.output<Schema>>): unknown;
}

/** Keeps a method's types tied to its schema. */
export function defineMethod<Schema extends z.ZodType>(definition: MethodDefinition<Schema>): MethodDefinition<Schema> {
  return definition;
}

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
