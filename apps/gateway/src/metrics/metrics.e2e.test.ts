/**
 * `GET /metrics` end to end (docs/observability.md#metrics): an in-process gateway in front of a
 * loopback upstream gets a known sequence of requests, then a scrape, parsed by a real Prometheus
 * text-format parser, must hold the exact counts.
 */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  type FakeUpstream,
  startFakeUpstream,
  upstreamChunk,
  writeUpstreamAnswer,
} from '../__fixtures__/fake-upstream.js';
import { IN_PROCESS_GATEWAY_TOKEN, useInProcessGateways } from '../__fixtures__/in-process-gateway.js';
import { PROMTOOL, prometheusToolAvailable, promtoolCheckMetrics } from './__fixtures__/prometheus-tools.js';
import { type Scrape, scrape } from './__fixtures__/scrape.js';

vi.setConfig({ testTimeout: 30_000 });

const start = useInProcessGateways();
let upstream: FakeUpstream;
/** Streams of the `hold` prompt wait here until the test lets them finish. */
const held: http.ServerResponse[] = [];

beforeAll(async () => {
  upstream = await startFakeUpstream((record, response) => {
    const messages = record.body.messages as Array<{ content: string }>;
    const prompt = messages[messages.length - 1]?.content;
    if (prompt === 'fail') {
      response.writeHead(500, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: { message: 'boom' } }));
      return;
    }
    if (prompt === 'hold') {
      // One piece, then nothing until the client leaves (or the test ends it).
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write(upstreamChunk({ role: 'assistant', content: 'first ' }));
      held.push(response);
      return;
    }
    writeUpstreamAnswer(response, 'hello there', record.body.stream === true);
  });
});

afterAll(async () => {
  for (const response of held) response.destroy();
  await upstream.close();
});

function config(metrics: Record<string, unknown>): Record<string, unknown> {
  return {
    gateway: {
      metrics,
      // Wrong secrets come "from" 203.0.113.7 (a documentation address) through a trusted loopback
      // proxy, so the lockout they cause never locks the test's own requests.
      trustedProxies: ['127.0.0.1'],
      auth: { rateLimit: { maxAttempts: 2, exemptLoopback: false } },
    },
    models: { providers: { up: { baseUrl: upstream.baseUrl } } },
    agents: { defaults: { model: 'up/m1' } },
  };
}

const AUTH = { authorization: `Bearer ${IN_PROCESS_GATEWAY_TOKEN}`, 'content-type': 'application/json' };

function chat(url: string, prompt: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}) {
  return fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { ...AUTH, ...headers },
    body: JSON.stringify({ model: 'openclaw', messages: [{ role: 'user', content: prompt }], ...extra }),
  });
}

/** Scrapes until `ready` holds (the last request's line is counted when its socket closes). */
async function scrapeUntil(url: string, ready: (scraped: Scrape) => boolean): Promise<Scrape> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const scraped = await scrape(`${url}/metrics`, AUTH);
    if (ready(scraped) || Date.now() > deadline) return scraped;
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe('GET /metrics after a known sequence of requests', () => {
  it('counts requests, refusals, upstream outcomes, tokens and streams exactly', async () => {
    const { url } = await start(config({ enabled: true }));
    const route = '/v1/chat/completions';

    // 1. A whole answer (200).
    const whole = await chat(url, 'hi');
    expect(whole.status).toBe(200);
    await whole.json();
    // 2. A stream (200), read to its end.
    const streamed = await chat(url, 'hi', { stream: true });
    expect(streamed.status).toBe(200);
    expect(await streamed.text()).toContain('data: [DONE]');
    // 3. Two wrong secrets (401, the second one locks the client), then a locked client (429).
    const wrong = { authorization: 'Bearer wrong-secret', 'x-forwarded-for': '203.0.113.7' };
    expect((await chat(url, 'hi', {}, wrong)).status).toBe(401);
    expect((await chat(url, 'hi', {}, wrong)).status).toBe(401);
    expect((await chat(url, 'hi', {}, wrong)).status).toBe(429);
    // 4. An upstream 500 (502 to the client).
    const failed = await chat(url, 'fail');
    expect(failed.status).toBe(502);
    await failed.json();
    // 5. A client that leaves in the middle of a stream.
    const cut = await chat(url, 'hold', { stream: true }, {});
    const reader = (cut.body as ReadableStream<Uint8Array>).getReader();
    let seen = '';
    while (!seen.includes('first')) seen += new TextDecoder().decode((await reader.read()).value);
    await reader.cancel();

    const scraped = await scrapeUntil(
      url,
      (metrics) =>
        metrics.value('clawgate_http_requests_total', {
          route,
          method: 'POST',
          status_class: 'aborted',
          agent: 'main',
        }) === 1 && metrics.value('clawgate_active_runs') === 0,
    );
    const requests = (status_class: string, agent: string) =>
      scraped.value('clawgate_http_requests_total', { route, method: 'POST', status_class, agent });
    expect(requests('2xx', 'main')).toBe(2);
    expect(requests('4xx', '')).toBe(3);
    expect(requests('5xx', 'main')).toBe(1);
    expect(requests('aborted', 'main')).toBe(1);

    expect(scraped.value('clawgate_auth_failures_total', { outcome: 'unauthorized' })).toBe(2);
    expect(scraped.value('clawgate_auth_failures_total', { outcome: 'locked_out' })).toBe(1);

    expect(scraped.value('clawgate_upstream_responses_total', { provider: 'up', outcome: 'ok' })).toBe(2);
    expect(scraped.value('clawgate_upstream_responses_total', { provider: 'up', outcome: '5xx' })).toBe(1);
    expect(scraped.value('clawgate_upstream_responses_total', { provider: 'up', outcome: 'aborted' })).toBe(1);
    expect(scraped.histogram('clawgate_upstream_duration_seconds', { provider: 'up' })?.count).toBe(4);

    expect(scraped.value('clawgate_tokens_total', { agent: 'main', model: 'up/m1', direction: 'input' })).toBe(22);
    expect(scraped.value('clawgate_tokens_total', { agent: 'main', model: 'up/m1', direction: 'output' })).toBe(14);

    // Seven requests on the route; three reached the upstream and were answered (overhead; the one the
    // client left is not); two streams sent a first piece.
    const duration = scraped.histogram('clawgate_http_request_duration_seconds', { route });
    expect(duration?.count).toBe(7);
    expect(duration?.sum).toBeGreaterThan(0);
    const overhead = scraped.histogram('clawgate_gateway_overhead_seconds', { route });
    expect(overhead?.count).toBe(3);
    expect(overhead?.sum).toBeGreaterThan(0);
    expect(overhead?.sum).toBeLessThan(duration?.sum ?? 0);
    expect(scraped.histogram('clawgate_time_to_first_chunk_seconds', { route })?.count).toBe(2);

    expect(scraped.value('clawgate_active_runs')).toBe(0);
    expect(scraped.value('clawgate_active_streams')).toBe(0);
    expect(scraped.value('clawgate_store_up', { store: 'sessions' })).toBe(1);
    expect(scraped.value('clawgate_build_info', { version: '0.0.0' })).toBe(1);
    // prom-client's process metrics, under their usual names.
    expect(scraped.value('process_cpu_user_seconds_total')).toBeGreaterThan(0);
    // Nothing secret or personal became a label.
    expect(scraped.text).not.toContain(IN_PROCESS_GATEWAY_TOKEN);
    expect(scraped.text).not.toContain('wrong-secret');
    expect(scraped.text).not.toContain('203.0.113.7');

    // Prometheus' own parser reads it; its linter finds nothing in clawgate's metrics (prom-client
    // names three of its process gauges `*_total`, which the linter dislikes).
    if (prometheusToolAvailable(PROMTOOL)) {
      const checked = await promtoolCheckMetrics(scraped.text);
      const problems = checked.output.split('\n').filter((line) => line !== '');
      expect(problems.filter((line) => !/^nodejs_active_\w+_total non-counter metrics/.test(line))).toEqual([]);
      expect(checked.code === 0 || problems.length > 0).toBe(true);
    }
  });

  it('counts a run in progress as an active run and stream, and a busy session as refused', async () => {
    const { url } = await start({ ...config({ enabled: true }), sessions: { store: 'memory', maxQueuedTurns: 0 } });
    const session = { 'x-openclaw-session-key': 'agent:main:metrics-busy' };
    const first = await chat(url, 'hold', { stream: true }, session);
    const reader = (first.body as ReadableStream<Uint8Array>).getReader();
    let seen = '';
    while (!seen.includes('first')) seen += new TextDecoder().decode((await reader.read()).value);

    const running = await scrape(`${url}/metrics`, AUTH);
    expect(running.value('clawgate_active_runs')).toBe(1);
    expect(running.value('clawgate_active_streams')).toBe(1);
    expect(running.histogram('clawgate_session_wait_seconds')?.count).toBe(1);

    const busy = await chat(url, 'hi', {}, session);
    expect(busy.status).toBe(429);
    expect(((await busy.json()) as { error: { code: string } }).error.code).toBe('session_busy');
    await reader.cancel();

    const after = await scrapeUntil(url, (metrics) => metrics.value('clawgate_active_runs') === 0);
    expect(after.value('clawgate_session_busy_total')).toBe(1);
    expect(after.value('clawgate_active_streams')).toBe(0);
    expect(after.text).not.toContain('metrics-busy');
  });
});

describe('who may scrape, and where', () => {
  it('needs a credential with operator.read unless gateway.metrics.auth is "none"', async () => {
    const guarded = await start(config({ enabled: true }));
    const anonymous = await fetch(`${guarded.url}/metrics`);
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toEqual({ error: { message: 'Unauthorized', type: 'unauthorized' } });
    expect((await fetch(`${guarded.url}/metrics`, { method: 'POST', headers: AUTH })).status).toBe(405);

    const open = await start(config({ enabled: true, auth: 'none' }));
    const scraped = await scrape(`${open.url}/metrics`);
    expect(scraped.value('clawgate_active_runs')).toBe(0);
  });

  it('is a 404 like any unknown path when off', async () => {
    const { url } = await start(config({ enabled: false }));
    const response = await fetch(`${url}/metrics`, { headers: AUTH });
    expect(response.status).toBe(404);
    expect(await response.text()).toBe('Not Found');
  });

  it('moves to gateway.metrics.port, which serves nothing else, while the public port counts on', async () => {
    const { url, gateway } = await start(config({ enabled: true, port: 0, auth: 'none' }));
    expect(gateway.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    const metricsUrl = gateway.metricsUrl as string;
    expect(new URL(metricsUrl).port).not.toBe(new URL(url).port);
    expect((await fetch(`${url}/metrics`, { headers: AUTH })).status).toBe(404);

    expect((await chat(url, 'hi')).status).toBe(200);
    const scraped = await scrapeUntil(
      metricsUrl.slice(0, -'/metrics'.length),
      (metrics) =>
        metrics.value('clawgate_http_requests_total', {
          route: '/v1/chat/completions',
          method: 'POST',
          status_class: '2xx',
          agent: 'main',
        }) === 1,
    );
    const refused = { route: '/metrics', method: 'GET', status_class: '4xx', agent: '' };
    expect(scraped.value('clawgate_http_requests_total', refused)).toBe(1);
    const elsewhere = await fetch(new URL('/v1/models', metricsUrl), { headers: AUTH });
    expect(elsewhere.status).toBe(404);

    const port = Number(new URL(metricsUrl).port);
    await gateway.close();
    // Closed with the gateway.
    await expect(
      new Promise((resolve, reject) => {
        const request = http.get({ host: '127.0.0.1', port, path: '/metrics' }, resolve);
        request.on('error', reject);
      }),
    ).rejects.toThrow(/ECONNREFUSED/);
  });
});
