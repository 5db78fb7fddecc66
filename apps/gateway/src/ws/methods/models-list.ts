/** `models.list {}` (docs/ws-protocol.md#methods): the models of the providers' catalogues. */
import { z } from 'zod';
import { listCatalogueModels } from '../model-catalogue.js';
import { defineMethod } from '../define-method.js';

export const modelsListMethod = defineMethod({
  name: 'models.list',
  scope: 'operator.read',
  params: () => z.strictObject({}),
  handle: ({ door }) => ({ models: listCatalogueModels(door.config) }),
});
