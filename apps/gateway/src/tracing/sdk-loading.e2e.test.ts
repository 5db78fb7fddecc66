/**
 * The BUILT gateway loads OpenTelemetry only when tracing is configured (docs/observability.md#traces):
 * a child process starts it, answers one chat completion, shuts down and lists the OpenTelemetry
 * modules Node loaded. The SDK packages are CommonJS, so they show in `require.cache` once loaded.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuiltGateway, INDEX_PATH } from '../__fixtures__/ensure-built-gateway.js';
import { type OtlpReceiver, startOtlpReceiver } from '../__fixtures__/otlp-receiver.js';
import { OTLP_ENDPOINT_VARIABLE } from './start-tracing.js';

const TOKEN = 'sdk-loading-test-token-0123456789';

/** Runs in the child: one turn on the offline model, a shutdown, then the loaded OpenTelemetry files. */
const CHILD_SCRIPT = `
import { createRequire } from 'node:module';
const { startGateway } = await import(process.env.GATEWAY_INDEX);
const gateway = await startGateway({
  configPath: process.env.GATEWAY_CONFIG,
  stateDir: process.env.GATEWAY_STATE,
  port: 0,
  env: JSON.parse(process.env.GATEWAY_ENV),
  print: () => undefined,
  logger: { error() {}, warn() {}, info() {}, debug() {} },
});
const response = await fetch(gateway.url + '/v1/chat/completions', {
  method: 'POST',
  headers: { authorization: 'Bearer ${TOKEN}', 'content-type': 'application/json' },
  body: JSON.stringify({ model: 'openclaw', messages: [{ role: 'user', content: 'hi' }] }),
});
await response.text();
await gateway.close();
const cache = createRequire(process.cwd() + '/').cache;
const loaded = Object.keys(cache).filter((file) => file.includes('@opentelemetry'));
process.stdout.write(JSON.stringify({ status: response.status, loaded }));
`;

let dir: string;
let receiver: OtlpReceiver;

beforeAll(async () => {
  ensureBuiltGateway();
  dir = await mkdtemp(path.join(os.tmpdir(), 'clawgate-sdk-loading-'));
  receiver = await startOtlpReceiver();
  await writeFile(
    path.join(dir, 'clawgate.json5'),
    JSON.stringify({
      gateway: {
        auth: { mode: 'token', token: TOKEN },
        http: { endpoints: { chatCompletions: { enabled: true } } },
      },
      sessions: { store: 'memory' },
    }),
  );
}, 120_000);
afterAll(async () => {
  await receiver.close();
  await rm(dir, { recursive: true, force: true });
});

/** Runs the child with the gateway environment `gatewayEnv`; resolves with what it printed. */
function runChild(gatewayEnv: Record<string, string>): Promise<{ status: number; loaded: string[] }> {
  const child = spawn(process.execPath, ['--input-type=module', '-e', CHILD_SCRIPT], {
    env: {
      PATH: process.env.PATH,
      GATEWAY_INDEX: INDEX_PATH,
      GATEWAY_CONFIG: path.join(dir, 'clawgate.json5'),
      GATEWAY_STATE: dir,
      GATEWAY_ENV: JSON.stringify(gatewayEnv),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (piece: string) => (stdout += piece));
  child.stderr.setEncoding('utf8').on('data', (piece: string) => (stderr += piece));
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => {
      if (code === 0) resolve(JSON.parse(stdout) as { status: number; loaded: string[] });
      else reject(new Error(`child exited with ${code}:\n${stdout}\n${stderr}`));
    });
  });
}

describe('the OpenTelemetry SDK', () => {
  it('is never loaded by a gateway without an OTLP endpoint', async () => {
    const result = await runChild({});
    expect(result.status).toBe(200);
    // Only the API package may be there: prom-client requires it when it loads (the API alone is a no-op).
    expect(result.loaded.filter((file) => !file.includes('/@opentelemetry/api/'))).toEqual([]);
  }, 30_000);

  it('is loaded, and exports the turn, when $OTEL_EXPORTER_OTLP_ENDPOINT is set', async () => {
    const result = await runChild({ [OTLP_ENDPOINT_VARIABLE]: receiver.endpoint });
    expect(result.status).toBe(200);
    expect(result.loaded.some((file) => file.includes('/@opentelemetry/sdk-trace-base/'))).toBe(true);
    expect(result.loaded.some((file) => file.includes('/@opentelemetry/exporter-trace-otlp-http/'))).toBe(true);
    // The env variable alone turned tracing on: the request and its upstream call were exported.
    expect(receiver.spans.map((span) => span.name).sort()).toEqual([
      'POST /v1/chat/completions',
      'auth',
      'chat clawgate-offline',
    ]);
    expect(new Set(receiver.spans.map((span) => span.serviceName))).toEqual(new Set(['clawgate']));
  }, 30_000);
});
