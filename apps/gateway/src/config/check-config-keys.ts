/**
 * The key check that lets an operator start from their OpenClaw config as it is
 * (docs/http-contract.md#8-configuration): every key of the file is either one clawgate reads
 * (kept), one only OpenClaw knows (dropped, reported once as ignored) or neither (an error naming
 * the key, with the closest valid key at that place as a suggestion).
 *
 * It runs before `${VAR}` references are resolved, so a variable that only an ignored section uses
 * (a channel's bot token) need not be set for clawgate.
 */
import type { z } from 'zod';
import { ConfigError } from './config-error.js';
import { type KnownKeys, OPENCLAW_KNOWN_KEYS } from './openclaw-known-keys.js';
import { schemaChildren } from './schema-children.js';
import { suggestKey } from './suggest-key.js';

/** The result of {@link checkConfigKeys}. */
export interface CheckedConfigKeys {
  /** A copy of the document without the ignored keys. */
  value: unknown;
  /**
   * The ignored keys, dotted, in file order, each once; an array position is written `[]`
   * (`models.providers.local.models[].cost`).
   */
  ignoredKeys: string[];
}

type KeyPath = readonly (string | number)[];

/**
 * Sorts every key of a parsed configuration document against clawgate's schema and OpenClaw's keys.
 *
 * @param value - The parsed JSON5 document.
 * @param schema - clawgate's schema (the keys it reads come from it).
 * @param known - OpenClaw's keys. @defaultValue {@link OPENCLAW_KNOWN_KEYS}
 * @throws ConfigError for a key neither knows (`gateway.prot: Unrecognized key; did you mean \`port\`?`)
 *   and for OpenClaw's `$include`, which clawgate cannot follow.
 * @example
 * checkConfigKeys({ gateway: { port: 1, controlUi: {} } }, createGatewayConfigSchema()).ignoredKeys;
 * // ['gateway.controlUi']
 */
export function checkConfigKeys(
  value: unknown,
  schema: z.ZodType,
  known: KnownKeys = OPENCLAW_KNOWN_KEYS,
): CheckedConfigKeys {
  const ignored = new Set<string>();
  const checked = walk(value, [schema], known, [], ignored);
  return { value: checked, ignoredKeys: [...ignored] };
}

function walk(
  value: unknown,
  schemas: readonly z.ZodType[],
  known: KnownKeys | undefined,
  path: KeyPath,
  ignored: Set<string>,
): unknown {
  if (Array.isArray(value)) {
    const { elements } = schemaChildren(schemas);
    if (elements.length === 0) return value;
    return value.map((item, index) => walk(item, elements, childOf(known, '*'), [...path, index], ignored));
  }
  if (value === null || typeof value !== 'object') return value;
  const children = schemaChildren(schemas);
  const result: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    const keyPath = [...path, key];
    const own = children.keys.get(key);
    let kept: unknown = child;
    if (own !== undefined) {
      kept = walk(child, own, childOf(known, key), keyPath, ignored);
    } else if (children.mapValues.length > 0) {
      kept = walk(child, children.mapValues, childOf(known, '*'), keyPath, ignored);
    } else if (children.keys.size === 0 || children.openKeys) {
      // Not an object clawgate defines (a wrong type, left to the schema), or one that takes any key.
    } else if (key === '$include') {
      throw new ConfigError(
        `${dotted(keyPath)}: not supported by clawgate (it reads one file); inline the included settings`,
        { key: dotted(keyPath) },
      );
    } else if (childOf(known, key) !== undefined) {
      ignored.add(summarised(keyPath));
      continue;
    } else {
      const suggestion = suggestKey(key, [...children.keys.keys(), ...knownKeysOf(known)]);
      const hint = suggestion === undefined ? '' : `; did you mean \`${suggestion}\`?`;
      throw new ConfigError(`${dotted(keyPath)}: Unrecognized key${hint}`, { key: dotted(keyPath) });
    }
    // defineProperty, not assignment: a JSON5 `__proto__` key stays an own key (and so is reported).
    Object.defineProperty(result, key, { value: kept, enumerable: true, writable: true, configurable: true });
  }
  return result;
}

/** The node of `known` beneath `key`; `undefined` when OpenClaw lists nothing there. */
function childOf(known: KnownKeys | undefined, key: string): KnownKeys | undefined {
  return typeof known === 'object' && Object.hasOwn(known, key) ? known[key] : undefined;
}

function knownKeysOf(known: KnownKeys | undefined): string[] {
  return typeof known === 'object' ? Object.keys(known).filter((key) => key !== '*') : [];
}

/** `gateway.http.prot`, `agents.list.0.modle`: the form every other configuration error uses. */
function dotted(path: KeyPath): string {
  return path.join('.');
}

/** `agents.list[].workspace`: one line for the same key in every element of an array. */
function summarised(path: KeyPath): string {
  return path.reduce<string>((text, part) => {
    if (typeof part === 'number') return `${text}[]`;
    return text === '' ? part : `${text}.${part}`;
  }, '');
}
