/**
 * The shape of a WebSocket method (docs/ws-protocol.md#methods): its params schema, the scope it
 * needs and its handler. Apart from the table that lists the methods, so a method file imports
 * only this and never the table.
 */
import type { z } from 'zod';
import type { CallerConnection, DoorContext } from './door-context.js';

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
  /** The params schema; {@link defineMethod} makes it build once, on the method's first call. */
  params: () => Schema;
  /** Returns the payload of the (final) `ok: true` response; throws `ProtocolFailure` to refuse. */
  handle(call: MethodCall<z.output<Schema>>): unknown;
}

/**
 * Keeps a method's types tied to its schema, and builds the schema once: zod compiles a parser per
 * schema object, which per call was a fifth of a WebSocket turn's CPU.
 */
export function defineMethod<Schema extends z.ZodType>(definition: MethodDefinition<Schema>): MethodDefinition<Schema> {
  let schema: Schema | undefined;
  return {
    ...definition,
    params: () => {
      schema ??= definition.params();
      return schema;
    },
  };
}
