/**
 * The first problem zod found in a request's params, worded like OpenClaw's validator
 * (`must have required property 'message'`, `/client/id must be equal to one of the allowed values`)
 * so error messages read the same against either gateway (docs/ws-protocol.md#frames-and-errors).
 */
import type { z } from 'zod';
import { printable } from './frames.js';

/**
 * Describes the first issue of a failed parse; never echoes a value the client sent, only key
 * names. `input` is what was parsed: zod does not keep the offending value, and a missing key is
 * told from a wrong type by looking it up.
 */
export function describeParamsProblem(error: z.ZodError, input: unknown): string {
  const issue = error.issues[0];
  if (issue === undefined) return 'invalid';
  const where = issue.path.length === 0 ? '' : `/${issue.path.map((part) => printable(String(part))).join('/')} `;
  // zod reports a missing key as a wrong type or a wrong enum value; the validator's wording names it.
  if (issue.path.length > 0 && valueAt(input, issue.path) === undefined) {
    const parent = issue.path.slice(0, -1);
    const prefix = parent.length === 0 ? '' : `/${parent.map((part) => printable(String(part))).join('/')} `;
    return `${prefix}must have required property '${printable(String(issue.path.at(-1)))}'`;
  }
  switch (issue.code) {
    case 'invalid_type':
      return `${where}must be ${issue.expected === 'int' ? 'integer' : issue.expected}`;
    case 'unrecognized_keys':
      return `${where}must NOT have additional property '${printable(issue.keys[0] ?? '')}'`;
    case 'invalid_value':
      return `${where}must be equal to one of the allowed values`;
    case 'too_big':
      return `${where}must be at most ${String(issue.maximum)}${unitOf(issue.origin, Number(issue.maximum))}`;
    case 'too_small':
      return `${where}must be at least ${String(issue.minimum)}${unitOf(issue.origin, Number(issue.minimum))}`;
    default:
      return `${where}${issue.message}`.trim();
  }
}

/** ` characters` / ` items` after a size limit (singular for 1); nothing for numbers. */
function unitOf(origin: string, count: number): string {
  const unit = origin === 'string' ? 'character' : origin === 'array' ? 'item' : '';
  return unit === '' ? '' : ` ${unit}${count === 1 ? '' : 's'}`;
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const key of path) {
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, key)) return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}
