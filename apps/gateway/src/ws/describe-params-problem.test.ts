/**
 * `describeParamsProblem` (docs/ws-protocol.md#frames-and-errors): the first zod issue worded like
 * OpenClaw's validator, with exact texts for each kind of issue, on the schemas the door really uses
 * (`connect`, `agent`, `sessions.list`) and on small schemas built for one case.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { connectParamsSchema } from './connect-params.js';
import { describeParamsProblem } from './describe-params-problem.js';
import { METHOD_TABLE } from './method-table.js';

/** Parses the way the door does (no options) and describes the first issue. */
function problemOf(schema: z.ZodType, value: unknown): string {
  const result = schema.safeParse(value);
  if (result.success) throw new Error(`expected ${JSON.stringify(value)} to be refused`);
  return describeParamsProblem(result.error, value);
}

// Through the table: a method module imported on its own first hits its import cycle with the table.
const agentParams = () => methodParams('agent');
const sessionsListParams = () => methodParams('sessions.list');
function methodParams(name: string): z.ZodType {
  const method = METHOD_TABLE.get(name);
  if (method === undefined) throw new Error(`no method ${name}`);
  return method.params();
}

const client = { id: 'test', version: '1.0.0', platform: 'linux', mode: 'test' };
const validConnect = { minProtocol: 4, maxProtocol: 4, client };

describe('describeParamsProblem', () => {
  it('names a missing top-level property', () => {
    expect(problemOf(connectParamsSchema(), { maxProtocol: 4, client })).toBe(
      "must have required property 'minProtocol'",
    );
    expect(problemOf(agentParams(), { idempotencyKey: 'k' })).toBe("must have required property 'message'");
  });

  it('names a missing nested property under its parent path', () => {
    const { version: _version, ...withoutVersion } = client;
    expect(problemOf(connectParamsSchema(), { ...validConnect, client: withoutVersion })).toBe(
      "/client must have required property 'version'",
    );
    const deep = z.strictObject({ a: z.strictObject({ b: z.strictObject({ c: z.string() }) }) });
    expect(problemOf(deep, { a: { b: {} } })).toBe("/a/b must have required property 'c'");
  });

  it('names the expected type of a wrong value at the root', () => {
    expect(problemOf(connectParamsSchema(), 5)).toBe('must be object');
    expect(problemOf(connectParamsSchema(), null)).toBe('must be object');
    expect(problemOf(connectParamsSchema(), [validConnect])).toBe('must be object');
    expect(problemOf(z.string(), 1)).toBe('must be string');
  });

  it('names the expected type of a wrong nested value, not a missing property', () => {
    expect(problemOf(connectParamsSchema(), { ...validConnect, minProtocol: '4' })).toBe('/minProtocol must be number');
    expect(problemOf(connectParamsSchema(), { ...validConnect, minProtocol: null })).toBe(
      '/minProtocol must be number',
    );
    expect(problemOf(connectParamsSchema(), { ...validConnect, client: 'test' })).toBe('/client must be object');
    expect(problemOf(connectParamsSchema(), { ...validConnect, client: { ...client, version: 1 } })).toBe(
      '/client/version must be string',
    );
    expect(problemOf(connectParamsSchema(), { ...validConnect, caps: ['a', 7] })).toBe('/caps/1 must be string');
    expect(problemOf(connectParamsSchema(), { ...validConnect, minProtocol: 4.5 })).toBe(
      '/minProtocol must be integer',
    );
  });

  it('tells a missing property from a wrong type by the input it is given', () => {
    const schema = z.strictObject({ a: z.number() });
    const result = schema.safeParse({ a: 'x' });
    if (result.success) throw new Error('expected a refusal');
    expect(describeParamsProblem(result.error, { a: 'x' })).toBe('/a must be number');
    // An inherited property is not the client's: it counts as missing.
    expect(describeParamsProblem(result.error, Object.create({ a: 'x' }))).toBe("must have required property 'a'");
    expect(describeParamsProblem(result.error, undefined)).toBe("must have required property 'a'");
  });

  it('names the first unknown key, at the root and nested', () => {
    expect(problemOf(connectParamsSchema(), { ...validConnect, extra: 1, more: 2 })).toBe(
      "must NOT have additional property 'extra'",
    );
    expect(problemOf(connectParamsSchema(), { ...validConnect, client: { ...client, shoe: 'size' } })).toBe(
      "/client must NOT have additional property 'shoe'",
    );
    expect(
      problemOf(
        connectParamsSchema(),
        JSON.parse(`{"minProtocol":4,"maxProtocol":4,"client":${JSON.stringify(client)},"__proto__":{}}`),
      ),
    ).toBe("must NOT have additional property '__proto__'");
  });

  it('cuts an unknown key longer than 64 characters', () => {
    expect(problemOf(sessionsListParams(), { ['x'.repeat(80)]: 1 })).toBe(
      `must NOT have additional property '${'x'.repeat(64)}…'`,
    );
  });

  it('says an enum or literal value is not one of the allowed ones, without echoing it', () => {
    expect(problemOf(connectParamsSchema(), { ...validConnect, client: { ...client, id: 'evil<script>' } })).toBe(
      '/client/id must be equal to one of the allowed values',
    );
    expect(problemOf(connectParamsSchema(), { ...validConnect, client: { ...client, mode: 'root' } })).toBe(
      '/client/mode must be equal to one of the allowed values',
    );
    expect(problemOf(z.literal('a'), 'b')).toBe('must be equal to one of the allowed values');
  });

  it('names a missing enum key as missing, not as a wrong value', () => {
    const { id: _id, ...withoutId } = client;
    expect(problemOf(connectParamsSchema(), { ...validConnect, client: withoutId })).toBe(
      "/client must have required property 'id'",
    );
  });

  it('gives the upper bound of a number, a string and an array', () => {
    expect(problemOf(sessionsListParams(), { limit: 1001 })).toBe('/limit must be at most 1000');
    expect(problemOf(connectParamsSchema(), { ...validConnect, locale: 'l'.repeat(257) })).toBe(
      '/locale must be at most 256 characters',
    );
    expect(problemOf(connectParamsSchema(), { ...validConnect, caps: Array.from({ length: 65 }, () => 'c') })).toBe(
      '/caps must be at most 64 items',
    );
  });

  it('gives the lower bound of a number, a string and an array', () => {
    expect(problemOf(connectParamsSchema(), { ...validConnect, minProtocol: 0 })).toBe(
      '/minProtocol must be at least 1',
    );
    expect(problemOf(sessionsListParams(), { offset: -1 })).toBe('/offset must be at least 0');
    expect(problemOf(agentParams(), { message: '', idempotencyKey: 'k' })).toBe(
      '/message must be at least 1 character',
    );
    expect(problemOf(z.strictObject({ list: z.array(z.string()).min(2) }), { list: ['a'] })).toBe(
      '/list must be at least 2 items',
    );
  });

  it('uses zod’s own message for other issues, after the path', () => {
    expect(problemOf(connectParamsSchema(), { ...validConnect, permissions: { ['p'.repeat(300)]: true } })).toBe(
      `/permissions/${'p'.repeat(64)}… Invalid key in record`,
    );
    expect(
      problemOf(
        z.string().refine(() => false, 'nope'),
        'x',
      ),
    ).toBe('nope');
  });

  it('cuts long path segments to 64 characters', () => {
    const longKey = 'q'.repeat(100);
    const schema = z.strictObject({ [longKey]: z.number().max(1) });
    expect(problemOf(schema, { [longKey]: 2 })).toBe(`/${'q'.repeat(64)}… must be at most 1`);
  });

  it('reports only the first of several issues', () => {
    expect(problemOf(connectParamsSchema(), {})).toBe("must have required property 'minProtocol'");
  });

  it('answers "invalid" for an error without issues', () => {
    expect(describeParamsProblem(new z.ZodError([]), {})).toBe('invalid');
  });
});
