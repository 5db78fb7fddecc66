/**
 * Names a value's JSON type the way zod 4 does in `received <type>`, so hand-written messages
 * read like zod's own (`Invalid input: expected string or array, received number`).
 *
 * @param value - Any parsed JSON value.
 * @returns `null`, `array`, `NaN`, or the `typeof` name.
 * @internal
 */
export function describeReceived(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number' && Number.isNaN(value)) return 'NaN';
  return typeof value;
}
