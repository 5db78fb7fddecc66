import { describe, expect, it } from 'vitest';
import { resolveAgentId } from './resolve-agent-id.js';

describe('resolveAgentId', () => {
  it('uses the header over the model', () => {
    expect(resolveAgentId({ headerAgentId: 'ops', model: 'openclaw:research' })).toEqual({
      ok: true,
      agentId: 'ops',
      source: 'header',
    });
  });

  it('normalises the header value', () => {
    expect(resolveAgentId({ headerAgentId: '  Ops Team  ' })).toEqual({
      ok: true,
      agentId: 'ops-team',
      source: 'header',
    });
  });

  it('maps a header that normalises to nothing to main', () => {
    expect(resolveAgentId({ headerAgentId: '!!!', defaultAgentId: 'ops' })).toEqual({
      ok: true,
      agentId: 'main',
      source: 'header',
    });
  });

  it.each([[''], ['   '], ['\t\n']])('treats the blank header %j as absent', (headerAgentId) => {
    expect(resolveAgentId({ headerAgentId, model: 'agent:research' })).toEqual({
      ok: true,
      agentId: 'research',
      source: 'model',
    });
  });

  it('refuses an invalid model even when a header is present', () => {
    expect(resolveAgentId({ headerAgentId: 'ops', model: 'gpt-4o' })).toEqual({ ok: false, reason: 'invalid-model' });
  });

  it('uses the model agent when there is no header', () => {
    expect(resolveAgentId({ model: 'OpenClaw/Research' })).toEqual({ ok: true, agentId: 'research', source: 'model' });
  });

  it.each([[undefined], [''], ['openclaw'], ['openclaw/default']])(
    'uses the configured default for model %j',
    (model) => {
      expect(resolveAgentId({ model, defaultAgentId: 'ops' })).toEqual({ ok: true, agentId: 'ops', source: 'default' });
    },
  );

  it('defaults to main without a configured default', () => {
    expect(resolveAgentId({})).toEqual({ ok: true, agentId: 'main', source: 'default' });
    expect(resolveAgentId()).toEqual({ ok: true, agentId: 'main', source: 'default' });
  });

  it('normalises the configured default', () => {
    expect(resolveAgentId({ defaultAgentId: ' Support Desk ' })).toEqual({
      ok: true,
      agentId: 'support-desk',
      source: 'default',
    });
  });

  it('refuses an invalid model without a header', () => {
    expect(resolveAgentId({ model: 'openclaw:' })).toEqual({ ok: false, reason: 'invalid-model' });
  });
});
