/** `health {}` (docs/ws-protocol.md#methods): the gateway's agents and session count. */
import { z } from 'zod';
import { defineMethod } from '../define-method.js';
import { buildHealthSnapshot } from '../health-snapshot.js';

export const healthMethod = defineMethod({
  name: 'health',
  scope: 'operator.read',
  params: () => z.strictObject({}),
  handle: ({ door }) => buildHealthSnapshot(door),
});
