import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { AUTH_HEADER, buildTestApp, testConfig } from '../__fixtures__/build-test-app.js';
import { createRecordingRunner } from '../__fixtures__/recording-runner.js';

function model(id: string) {
  return { id, object: 'model', created: 0, owned_by: 'openclaw', permission: [] };
}

describe('models (docs/http-contract.md#7-models)', () => {
  const { app } = buildTestApp({ config: testConfig(), runner: createRecordingRunner() });

  it('lists openclaw, openclaw/default, then one entry per configured agent', async () => {
    const response = await request(app).get('/v1/models').set(AUTH_HEADER);
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(response.body).toEqual({
      object: 'list',
      data: [model('openclaw'), model('openclaw/default'), model('openclaw/main'), model('openclaw/beta')],
    });
  });

  it('retrieves a model by its url-encoded id (and tolerates an unencoded slash)', async () => {
    for (const [path, id] of [
      ['/v1/models/openclaw', 'openclaw'],
      ['/v1/models/openclaw%2Fdefault', 'openclaw/default'],
      ['/v1/models/openclaw%2fbeta', 'openclaw/beta'],
      ['/v1/models/openclaw/main', 'openclaw/main'],
      ['/v1/models/openclaw%2Fmain?x=1', 'openclaw/main'],
    ]) {
      const response = await request(app).get(path!).set(AUTH_HEADER);
      expect(response.status, path).toBe(200);
      expect(response.body).toEqual(model(id!));
    }
  });

  it.each([
    ['/v1/models/', 400, 'Missing model id.'],
    ['/v1/models/%E0%A4%A', 400, 'Invalid model id encoding.'],
    ['/v1/models/%zz', 400, 'Invalid model id encoding.'],
    ['/v1/models/gpt-4o', 400, 'Invalid model id.'],
    ['/v1/models/openclaw%2FBad%20Id', 400, 'Invalid model id.'],
    ['/v1/models/openclaw%2F', 400, 'Invalid model id.'],
    ['/v1/models/openclaw%2Fgamma', 404, "Model 'openclaw/gamma' not found."],
  ] as const)('%s → %i %s', async (path, status, message) => {
    const response = await request(app).get(path).set(AUTH_HEADER);
    expect(response.status).toBe(status);
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(response.body).toEqual({ error: { message, type: 'invalid_request_error' } });
  });

  it("adds upstream_model, from the provider catalogue, to the entries whose agent's model it describes", async () => {
    const catalogued = buildTestApp({
      config: testConfig({
        models: {
          providers: {
            local: {
              baseUrl: 'http://127.0.0.1:9/v1',
              models: [
                { id: 'qwen3', name: 'Qwen3', contextWindow: 32768, reasoning: true, maxTokens: 8192 },
                { id: 'bare' },
              ],
            },
          },
        },
        agents: {
          defaults: { model: { primary: 'local/qwen3', fallbacks: ['local/bare'] } },
          list: [
            { id: 'main', default: true },
            { id: 'beta', model: 'local/bare' },
            { id: 'gamma', model: 'local/other' },
          ],
        },
      }),
      runner: createRecordingRunner(),
    }).app;
    const qwen = {
      ...model('openclaw/main'),
      upstream_model: { id: 'local/qwen3', name: 'Qwen3', context_window: 32768, reasoning: true },
    };
    const response = await request(catalogued).get('/v1/models').set(AUTH_HEADER);
    expect(response.body).toEqual({
      object: 'list',
      data: [
        { ...qwen, id: 'openclaw' },
        { ...qwen, id: 'openclaw/default' },
        qwen,
        // A catalogue entry with only an id says only that; a model the catalogue lacks adds nothing.
        { ...model('openclaw/beta'), upstream_model: { id: 'local/bare' } },
        model('openclaw/gamma'),
      ],
    });
    // Keys stay in OpenAI's order, the extra one last.
    expect(Object.keys(response.body.data[0])).toEqual([
      'id',
      'object',
      'created',
      'owned_by',
      'permission',
      'upstream_model',
    ]);
    const retrieved = await request(catalogued).get('/v1/models/openclaw%2Fmain').set(AUTH_HEADER);
    expect(retrieved.body).toEqual(qwen);
  });

  it('answers other methods with 405 Allow: GET before auth', async () => {
    for (const path of ['/v1/models', '/v1/models/openclaw']) {
      for (const method of ['post', 'put', 'delete', 'patch'] as const) {
        const response = await request(app)[method](path);
        expect(response.status).toBe(405);
        expect(response.headers.allow).toBe('GET');
        expect(response.text).toBe('Method Not Allowed');
      }
    }
  });

  it('needs authentication', async () => {
    const response = await request(app).get('/v1/models');
    expect(response.status).toBe(401);
    expect(response.body).toEqual({ error: { message: 'Unauthorized', type: 'unauthorized' } });
  });
});
