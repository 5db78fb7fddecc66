/**
 * Reads one of the `openclaw.json` fixtures beside this file as the gateway would parse it (JSON5),
 * so a test can use it as is or change one key first.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import JSON5 from 'json5';

/** The fixtures: see each file's opening comment. */
export type OpenClawFixture = 'openclaw-minimal' | 'openclaw-channels' | 'openclaw-lan';

/** The absolute path of a fixture. */
export function openClawFixturePath(name: OpenClawFixture): string {
  return path.join(path.dirname(fileURLToPath(import.meta.url)), `${name}.json5`);
}

/** A fresh parsed copy of a fixture. */
export function readOpenClawFixture(name: OpenClawFixture): Record<string, unknown> {
  return JSON5.parse(readFileSync(openClawFixturePath(name), 'utf8')) as Record<string, unknown>;
}
