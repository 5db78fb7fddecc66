/**
 * Builds the app over the REAL runner, provider registry and a memory session store, exactly as
 * `server.ts` wires them, for the streaming, provider and session tests.
 */
import { createAgentRunner } from '../agent/create-agent-runner.js';
import type { GatewayConfig } from '../config/config-schema.js';
import { createProviderRegistry } from '../providers/provider-registry.js';
import { createMemorySessionStore } from '../sessions/memory-session-store.js';
import { buildTestApp } from './build-test-app.js';

export function buildRunnerApp(options: { config: GatewayConfig; now?: () => number; randomUUID?: () => string }) {
  const sessionStore = createMemorySessionStore();
  const providers = createProviderRegistry({ config: options.config });
  const runner = createAgentRunner({ config: options.config, sessionStore, providers });
  const { app } = buildTestApp({ config: options.config, runner, now: options.now, randomUUID: options.randomUUID });
  return {
    app,
    sessionStore,
    async close() {
      await providers.close();
      await sessionStore.close();
    },
  };
}

/** Splits an SSE body into its frames (`data: ...` payloads and `: comment` lines). */
export function parseSseFrames(text: string): string[] {
  return text
    .split('\n\n')
    .filter((frame) => frame !== '')
    .map((frame) => frame.trim());
}

/** The JSON payloads of the `data:` frames, `[DONE]` kept as the string. */
export function sseDataPayloads(text: string): unknown[] {
  return parseSseFrames(text)
    .filter((frame) => frame.startsWith('data: '))
    .map((frame) => frame.slice('data: '.length))
    .map((data) => (data === '[DONE]' ? data : (JSON.parse(data) as unknown)));
}
