import { ConfigError } from './config-error.js';

// `$${NAME}` is an escape for a literal `${NAME}`; `${NAME}` is a reference. One regex handles both
// so an escaped reference is never resolved afterwards.
const REFERENCE = /\$(\$?)\{([^}]*)\}/g;
const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Replaces `${VAR}` in every string value of a parsed JSON5 tree with `env.VAR` (keys are left
 * alone). `$${VAR}` yields the literal text `${VAR}`.
 *
 * @param value - The raw parsed configuration.
 * @param env - Where variables are looked up.
 * @returns A new tree; the input is not modified.
 * @throws ConfigError naming the key and the variable when a variable is unset or empty (an empty
 *   API key would only fail later and far less clearly), or when the reference is not a valid name.
 */
export function resolveEnvReferences(value: unknown, env: NodeJS.ProcessEnv): unknown {
  return walk(value, [], env);
}

function walk(value: unknown, path: string[], env: NodeJS.ProcessEnv): unknown {
  if (typeof value === 'string') return resolveString(value, path, env);
  if (Array.isArray(value)) return value.map((item, index) => walk(item, [...path, String(index)], env));
  if (value !== null && typeof value === 'object') {
    const result: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(value)) {
      // defineProperty, not assignment: a JSON5 `__proto__` key must stay an own (and so
      // rejected-as-unknown) key instead of silently becoming the object's prototype.
      Object.defineProperty(result, key, {
        value: walk(child, [...path, key], env),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return result;
  }
  return value;
}

function resolveString(text: string, path: string[], env: NodeJS.ProcessEnv): string {
  return text.replace(REFERENCE, (_match, escaped: string, name: string) => {
    if (escaped) return `\${${name}}`;
    const key = path.join('.') || '(root)';
    if (!VARIABLE_NAME.test(name)) {
      throw new ConfigError(`${key}: invalid environment variable reference \${${name}}`, { key });
    }
    const resolved = env[name];
    if (resolved === undefined || resolved === '') {
      throw new ConfigError(`${key}: environment variable ${name} is not set`, { key });
    }
    return resolved;
  });
}
