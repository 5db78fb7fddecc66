import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { modelListSchema, modelSchema, type ModelList } from './model.js';

describe('modelListSchema', () => {
  it('accepts the gateway list of docs/http-contract.md#7-models unchanged', () => {
    const list: ModelList = {
      object: 'list',
      data: ['openclaw', 'openclaw/default', 'openclaw/main'].map((id) => ({
        id,
        object: 'model',
        created: 0,
        owned_by: 'openclaw',
        permission: [],
      })),
    };
    expect(modelListSchema.parse(JSON.parse(JSON.stringify(list)))).toEqual(list);
  });

  it('accepts the real OpenAI list, which has no permission field', () => {
    const body: unknown = JSON.parse(
      readFileSync(new URL('./__fixtures__/openai-models.json', import.meta.url), 'utf8'),
    );
    expect(modelListSchema.parse(body).data.map((model) => model.id)).toEqual([
      'gpt-4o-mini',
      'gpt-4o',
      'text-embedding-3-small',
    ]);
  });

  it.each([
    [{ id: 'openclaw', object: 'model', created: 0 }, ['owned_by']],
    [{ id: 'openclaw', object: 'list', created: 0, owned_by: 'openclaw' }, ['object']],
    [{ id: 1, object: 'model', created: 0, owned_by: 'openclaw' }, ['id']],
    [{ id: 'openclaw', object: 'model', created: '0', owned_by: 'openclaw' }, ['created']],
  ])('rejects the model %j at the right path', (model, path) => {
    expect(modelSchema.safeParse(model).error?.issues[0]?.path).toEqual(path);
  });
});
