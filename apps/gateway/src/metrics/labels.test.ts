/** The metrics' label rules (docs/observability.md#metrics): closed sets, whatever the request. */
import { describe, expect, it } from 'vitest';
import { classifyUpstreamFailure } from '../agent/run-observer.js';
import { GatewayError } from '../errors.js';
import { mapTransportError, mapUpstreamStatus } from '../providers/map-upstream-error.js';
import { createGatewayMetrics } from './gateway-metrics.js';
import { routeLabel } from './route-label.js';
import { parseScrape } from './__fixtures__/scrape.js';

describe('routeLabel', () => {
  it.each([
    ['/v1/chat/completions', '/v1/chat/completions'],
    ['/v1/models/openclaw%2Fmain', '/v1/models/{id}'],
    ['/metrics', '/metrics'],
    ['/', '/'],
    ['/webchat/assets/index-3f2a.js', '/webchat/assets/*'],
    ['/webchat/index.html', 'other'],
    ['/wp-admin/setup.php', 'other'],
    ['/v1/chat/completions/', 'other'],
    ['/V1/chat/completions', 'other'],
  ])('%s → %s', (path, label) => {
    expect(routeLabel(path)).toBe(label);
  });
});

describe('classifyUpstreamFailure', () => {
  const before = { outputStarted: false, aborted: false };
  it.each([
    [mapUpstreamStatus(500, {}), '5xx'],
    [mapUpstreamStatus(503, {}), '5xx'],
    [mapUpstreamStatus(429, {}), '4xx'],
    [mapUpstreamStatus(401, {}), '4xx'],
    [mapUpstreamStatus(400, {}), '4xx'],
    [mapUpstreamStatus(404, {}), '4xx'],
    [mapUpstreamStatus(504, {}), 'timeout'],
    [mapTransportError(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' })), 'connect_error'],
    [mapTransportError(Object.assign(new Error('reset'), { code: 'ECONNRESET' })), 'reset'],
    [new GatewayError('bad chunk', { status: 502, type: 'api_error' }), 'invalid_reply'],
    [new TypeError('boom'), 'invalid_reply'],
  ])('%s → %s before any output', (error, outcome) => {
    expect(classifyUpstreamFailure(error, before)).toBe(outcome);
  });

  it('calls any failure after output a cut, and an abort an abort', () => {
    const error = mapUpstreamStatus(500, {});
    expect(classifyUpstreamFailure(error, { outputStarted: true, aborted: false })).toBe('cut_mid_stream');
    expect(classifyUpstreamFailure(error, { outputStarted: true, aborted: true })).toBe('aborted');
  });
});

describe('createGatewayMetrics', () => {
  it('folds unusual methods into "other" and reports each store', async () => {
    let sessionsUp = true;
    const metrics = createGatewayMetrics({ processMetrics: false, storeHealth: () => ({ sessions: sessionsUp }) });
    const request = {
      route: 'other',
      status: 404,
      finished: true,
      agentId: undefined,
      startedAt: 0,
      endedAt: 1,
      stream: false,
      upstreamMs: undefined,
      firstPieceAt: undefined,
    };
    metrics.observeRequest({ ...request, method: 'PROPFIND' });
    metrics.observeRequest({ ...request, method: 'GET' });
    let scraped = parseScrape(await metrics.render());
    const count = (method: string) =>
      scraped.value('clawgate_http_requests_total', { route: 'other', method, status_class: '4xx', agent: '' });
    expect([count('other'), count('GET'), count('PROPFIND')]).toEqual([1, 1, undefined]);
    expect(scraped.value('clawgate_store_up', { store: 'sessions' })).toBe(1);
    sessionsUp = false;
    scraped = parseScrape(await metrics.render());
    expect(scraped.value('clawgate_store_up', { store: 'sessions' })).toBe(0);
    expect(scraped.value('process_cpu_user_seconds_total')).toBeUndefined();
  });
});
