import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { anyString } from './__fixtures__/arbitraries.js';
import { isValidAgentId } from './normalize-agent-id.js';
import { parseModelAgent } from './parse-model-agent.js';

describe('parseModelAgent', () => {
  it.each([[undefined], [''], ['openclaw'], ['OpenClaw'], ['OPENCLAW'], ['openclaw/default'], ['OpenClaw/Default']])(
    'treats %j as the default agent',
    (model) => {
      expect(parseModelAgent(model)).toEqual({ kind: 'default' });
    },
  );

  it.each([
    ['openclaw:ops', 'ops'],
    ['openclaw/ops', 'ops'],
    ['agent:ops', 'ops'],
    ['OpenClaw:Ops', 'ops'],
    ['OPENCLAW/OPS-TEAM', 'ops-team'],
    ['Agent:Research_2', 'research_2'],
    ['openclaw:main', 'main'],
    ['openclaw:default', 'default'],
    ['agent:default', 'default'],
    ['openclaw:0', '0'],
    ['openclaw:ops-', 'ops'],
    ['openclaw/ops_', 'ops_'],
    [`openclaw:${'a'.repeat(64)}`, 'a'.repeat(64)],
  ])('reads %j as agent %j', (model, agentId) => {
    expect(parseModelAgent(model)).toEqual({ kind: 'agent', agentId });
  });

  it.each([
    ['gpt-4o'],
    ['openai/gpt-4o'],
    ['openclaw:'],
    ['openclaw/'],
    ['agent:'],
    ['openclawops'],
    ['openclaw-ops'],
    ['openclaw/a/b'],
    ['openclaw/default/x'],
    ['openclaw//ops'],
    ['openclaw::ops'],
    ['openclaw:a:b'],
    ['agent:main:x'],
    [' openclaw'],
    ['openclaw '],
    ['openclaw: ops'],
    ['openclaw:ops '],
    ['openclaw:my agent'],
    ['   '],
    ['openclaw:-ops'],
    ['openclaw:_ops'],
    ['openclaw:é'],
    ['openclaw:ops!'],
    [`openclaw:${'a'.repeat(65)}`],
    ['default'],
    ['agent/ops'],
    ['main'],
  ])('rejects %j', (model) => {
    expect(parseModelAgent(model)).toEqual({ kind: 'invalid' });
  });

  it('never throws and only returns valid ids (property)', () => {
    fc.assert(
      fc.property(anyString, (model) => {
        const parsed = parseModelAgent(model);
        if (parsed.kind === 'agent') expect(isValidAgentId(parsed.agentId)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('accepts every valid id after each prefix in any case (property)', () => {
    const prefix = fc.constantFrom('openclaw:', 'openclaw/', 'agent:', 'OPENCLAW:', 'OpenClaw/', 'AGENT:');
    const id = fc.stringMatching(/^[a-z0-9][a-z0-9_]{0,63}$/).filter((value) => value !== 'default');
    fc.assert(
      fc.property(prefix, id, fc.boolean(), (head, agentId, upper) => {
        const model = `${head}${upper ? agentId.toUpperCase() : agentId}`;
        expect(parseModelAgent(model)).toEqual({ kind: 'agent', agentId });
      }),
    );
  });
});
