/**
 * A real Prometheus server scrapes the gateway with a bearer token, as an operator would set it up
 * (docs/observability.md#scraping), and the PromQL queries of the README answer through its HTTP API.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net, { type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { IN_PROCESS_GATEWAY_TOKEN, useInProcessGateways } from '../__fixtures__/in-process-gateway.js';
import { PROMETHEUS, prometheusToolAvailable } from './__fixtures__/prometheus-tools.js';

vi.setConfig({ testTimeout: 90_000 });

const start = useInProcessGateways();
const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Starts Prometheus scraping `target` every second; resolves with its API base URL once it is ready. */
async function startPrometheus(target: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'clawgate-prometheus-'));
  const configFile = path.join(dir, 'prometheus.yml');
  await writeFile(
    configFile,
    [
      'global:',
      '  scrape_interval: 1s',
      'scrape_configs:',
      '  - job_name: clawgate',
      '    authorization:',
      `      credentials: ${IN_PROCESS_GATEWAY_TOKEN}`,
      '    static_configs:',
      `      - targets: ['${target}']`,
      '',
    ].join('\n'),
  );
  const port = await freePort();
  const child: ChildProcess = spawn(
    PROMETHEUS,
    [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ],
    { stdio: 'ignore' },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  cleanups.push(async () => {
    child.kill('SIGTERM');
    await exited;
    await rm(dir, { recursive: true, force: true });
  });
  const api = `http://127.0.0.1:${port}`;
  await until(async () => (await fetch(`${api}/-/ready`).catch(() => undefined))?.status === 200, 'Prometheus ready');
  return api;
}

/** Polls `check` (bounded) until it holds. */
async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

interface QueryAnswer {
  status: string;
  data: { resultType: string; result: Array<{ metric: Record<string, string>; value: [number, string] }> };
}

async function query(api: string, promql: string): Promise<QueryAnswer> {
  const response = await fetch(`${api}/api/v1/query?query=${encodeURIComponent(promql)}`);
  return (await response.json()) as QueryAnswer;
}

describe.runIf(prometheusToolAvailable(PROMETHEUS))('a real Prometheus server', () => {
  it('scrapes the gateway with its token and answers the README queries', async () => {
    const gateway = await start({ gateway: { metrics: { enabled: true } } });
    const headers = { authorization: `Bearer ${IN_PROCESS_GATEWAY_TOKEN}`, 'content-type': 'application/json' };
    for (let turn = 0; turn < 3; turn += 1) {
      const response = await fetch(`${gateway.url}/v1/chat/completions`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ model: 'openclaw', stream: turn === 0, messages: [{ role: 'user', content: 'hi' }] }),
      });
      expect(response.status).toBe(200);
      await response.text();
    }

    const api = await startPrometheus(new URL(gateway.url).host);
    const answered = 'sum(clawgate_http_requests_total{route="/v1/chat/completions",status_class="2xx"})';
    await until(async () => (await query(api, answered)).data.result[0]?.value[1] === '3', 'the three turns counted');

    const up = await query(api, 'up{job="clawgate"}');
    expect(up.data.result.map((sample) => sample.value[1])).toEqual(['1']);
    const tokens = await query(api, 'sum by (agent, direction) (clawgate_tokens_total)');
    expect(tokens.status).toBe('success');
    expect(tokens.data.result.map((sample) => sample.metric.agent).sort()).toEqual(['main', 'main']);
    const streams = await query(api, 'clawgate_active_streams');
    expect(streams.data.result.map((sample) => sample.value[1])).toEqual(['0']);
    // The p99 overhead needs two scrapes for a rate (NaN while no request comes in; a series all the same).
    await until(async () => {
      const p99 = await query(
        api,
        'histogram_quantile(0.99, sum by (le) (rate(clawgate_gateway_overhead_seconds_bucket[1m])))',
      );
      return p99.status === 'success' && p99.data.result.length === 1;
    }, 'the p99 overhead query');
  });
});
