import type { z } from 'zod';
import { ConfigError } from './config-error.js';
import { createGatewayConfigSchema, type GatewayConfig } from './config-schema.js';
import { resolveEnvReferences } from './resolve-env-references.js';

/**
 * Validates a parsed configuration value: resolves `${VAR}` references, then applies the schema.
 *
 * @param value - The parsed JSON5 document (`undefined` means "no file": all defaults).
 * @param env - Environment for `${VAR}` references.
 * @returns The configuration with every default filled in.
 * @throws ConfigError whose message names the first bad key, e.g.
 *   `gateway.port: Invalid input: expected number, received string`.
 * @example
 * parseConfig({ gateway: { port: 8080 } }, process.env).gateway.port; // 8080
 */
export function parseConfig(value: unknown, env: NodeJS.ProcessEnv): GatewayConfig {
  const resolved = resolveEnvReferences(value ?? {}, env);
  if (resolved === null || typeof resolved !== 'object' || Array.isArray(resolved)) {
    throw new ConfigError('configuration: Invalid input: expected object');
  }
  // Built here and dropped after the parse (see config-schema.ts). `jitless`: zod would otherwise
  // generate and compile a parser per object schema, which only pays back over many parses.
  const result = createGatewayConfigSchema().safeParse(resolved, { jitless: true });
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  if (!issue) throw new ConfigError('configuration: invalid');
  const { key, message } = describeIssue(issue);
  throw new ConfigError(`${key}: ${message}`, { key, cause: result.error });
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
