import { describe, expect, it } from 'vitest';
import { parseConfig } from './parse-config.js';
import { redactConfig } from './redact-config.js';

const SECRETS = [
  'tok-123456',
  'pw-123456',
  'sk-live-123456',
  'redispass1',
  'hdr-secret-1',
  'ratepass2',
  'cookie-val',
  'urlpass3',
  'trace-team-key',
];

describe('redactConfig', () => {
  const config = parseConfig(
    {
      gateway: {
        auth: {
          token: 'tok-123456',
          password: 'pw-123456',
          rateLimit: { store: { redis: 'redis://:ratepass2@10.0.0.1:6379' } },
        },
      },
      models: {
        providers: {
          up: {
            baseUrl: 'https://user:urlpass3@api.example.com/v1',
            apiKey: 'sk-live-123456',
            headers: {
              Authorization: 'Bearer hdr-secret-1',
              'X-Api-Key': 'hdr-secret-1',
              Cookie: 'cookie-val',
              'HTTP-Referer': 'https://me.example',
            },
          },
        },
      },
      sessions: { store: { redis: 'redis://default:redispass1@cache:6379/0' } },
      telemetry: { otlp: { endpoint: 'https://api.honeycomb.io', headers: { 'x-honeycomb-team': 'trace-team-key' } } },
    },
    {},
  );
  const redacted = redactConfig(config) as typeof config;

  it('replaces every secret with ***', () => {
    expect(redacted.gateway.auth.token).toBe('***');
    expect(redacted.gateway.auth.password).toBe('***');
    expect(redacted.gateway.auth.rateLimit.store).toEqual({ redis: 'redis://***:***@10.0.0.1:6379' });
    expect(redacted.sessions.store).toEqual({ redis: 'redis://***:***@cache:6379/0' });
    expect(redacted.models.providers.up).toEqual({
      api: 'openai-completions',
      baseUrl: 'https://***:***@api.example.com/v1',
      apiKey: '***',
      timeoutMs: 120000,
      headers: { Authorization: '***', 'X-Api-Key': '***', Cookie: '***', 'HTTP-Referer': 'https://me.example' },
    });
    // A trace back-end's headers are all credentials, whatever their names.
    expect(redacted.telemetry.otlp).toEqual({
      endpoint: 'https://api.honeycomb.io',
      headers: { 'x-honeycomb-team': '***' },
    });
  });

  it('never leaks a secret anywhere in the printed form', () => {
    const printed = JSON.stringify(redacted);
    for (const secret of SECRETS) expect(printed).not.toContain(secret);
  });

  it('leaves the input untouched and keeps non-secret values', () => {
    expect(config.gateway.auth.token).toBe('tok-123456');
    expect(redacted.gateway.port).toBe(18789);
    expect(redactConfig({ url: 'redis://cache:6379' })).toEqual({ url: 'redis://cache:6379' });
  });
});
