import type { z } from 'zod';
import { checkConfigKeys } from './check-config-keys.js';
import { ConfigError } from './config-error.js';
import { createGatewayConfigSchema, type GatewayConfig } from './config-schema.js';
import { resolveEnvReferences } from './resolve-env-references.js';

/** What {@link parseConfigAndIgnoredKeys} returns. */
export interface ParsedConfig {
  /** The configuration with every default filled in. */
  config: GatewayConfig;
  /**
   * Keys OpenClaw knows that clawgate does not implement, dropped from the file (see `check-config-keys.ts`);
   * `[]` for a file of clawgate's own keys.
   */
  ignoredKeys: string[];
}

/**
 * Validates a parsed configuration value: sorts its keys (clawgate's kept, OpenClaw-only ones
 * dropped and reported, unknown ones refused), resolves `${VAR}` references, then applies the schema.
 *
 * @param value - The parsed JSON5 document (`undefined` means "no file": all defaults).
 * @param env - Environment for `${VAR}` references.
 * @returns The configuration with every default filled in, and the ignored keys.
 * @throws ConfigError whose message names the first bad key, e.g.
 *   `gateway.port: Invalid input: expected number, received string` or
 *   ``gateway.prot: Unrecognized key; did you mean `port`?``.
 * @example
 * parseConfigAndIgnoredKeys({ gateway: { controlUi: {} } }, process.env).ignoredKeys; // ['gateway.controlUi']
 */
export function parseConfigAndIgnoredKeys(value: unknown, env: NodeJS.ProcessEnv): ParsedConfig {
  const document = value ?? {};
  if (document === null || typeof document !== 'object' || Array.isArray(document)) {
    throw new ConfigError('configuration: Invalid input: expected object');
  }
  // Built here and dropped after the parse (see config-schema.ts).
  const schema = createGatewayConfigSchema();
  // Keys first: a `${VAR}` in a section clawgate ignores must not need the variable.
  const { value: kept, ignoredKeys } = checkConfigKeys(document, schema);
  const resolved = resolveEnvReferences(kept, env);
  // `jitless`: zod would otherwise generate and compile a parser per object schema, which only pays
  // back over many parses.
  const result = schema.safeParse(resolved, { jitless: true });
  if (result.success) return { config: result.data, ignoredKeys };
  const issue = result.error.issues[0];
  if (!issue) throw new ConfigError('configuration: invalid');
  const { key, message } = describeIssue(issue);
  throw new ConfigError(`${key}: ${message}`, { key, cause: result.error });
}

/**
 * Validates a parsed configuration value; {@link parseConfigAndIgnoredKeys} without the ignored keys.
 *
 * @example
 * parseConfig({ gateway: { port: 8080 } }, process.env).gateway.port; // 8080
 */
export function parseConfig(value: unknown, env: NodeJS.ProcessEnv): GatewayConfig {
  return parseConfigAndIgnoredKeys(value, env).config;
}

/** Turns a zod issue into `<dotted key>: <reason>`, pointing at the unknown key itself when there is one. */
function describeIssue(issue: z.core.$ZodIssue): { key: string; message: string } {
  const path = issue.path.map(String);
  if (issue.code === 'unrecognized_keys') {
    // zod reports the parent object; the operator needs the misspelt key.
    return { key: [...path, issue.keys[0] ?? ''].join('.'), message: 'Unrecognized key' };
  }
  if (issue.code === 'invalid_union' && 'note' in issue && issue.note === 'No matching discriminator') {
    const key = path.at(-1) === 'api' ? path : [...path, 'api'];
    return { key: key.join('.'), message: 'expected "openai-completions" or "offline"' };
  }
  return { key: path.join('.') || 'configuration', message: issue.message };
}
