/**
 * What a zod schema accepts one level down, read from the schema itself so the key check of
 * `check-config-keys.ts` can never drift from what `config-schema.ts` parses.
 */
import { z } from 'zod';

/** The children of one place in the configuration, merged over every union option. */
export interface SchemaChildren {
  /** Keys of the object(s) accepted here, each with the schemas of its value. */
  keys: Map<string, z.ZodType[]>;
  /** An object here accepts keys beyond `keys` (a loose object): they are not checked. */
  openKeys: boolean;
  /** Value schemas of a map (`z.record`) accepted here: any key, checked values. */
  mapValues: z.ZodType[];
  /** Element schemas of an array accepted here. */
  elements: z.ZodType[];
}

/**
 * Looks through wrappers (optional, defaults, pipes, transforms, unions) to the objects, maps and
 * arrays a schema accepts.
 *
 * @example
 * schemaChildren(z.strictObject({ port: z.number() }).prefault({})).keys.has('port'); // true
 */
export function schemaChildren(schemas: readonly z.ZodType[]): SchemaChildren {
  const children: SchemaChildren = { keys: new Map(), openKeys: false, mapValues: [], elements: [] };
  const visit = (schema: z.ZodType): void => {
    if (schema instanceof z.ZodObject) {
      for (const [key, value] of Object.entries(schema.shape as Record<string, z.ZodType>)) {
        children.keys.set(key, [...(children.keys.get(key) ?? []), value]);
      }
      // A strict object's catch-all is `never`; a loose one takes any key.
      const catchall = schema.def.catchall;
      if (catchall !== undefined && !(catchall instanceof z.ZodNever)) children.openKeys = true;
    } else if (schema instanceof z.ZodRecord) {
      children.mapValues.push(schema.valueType as z.ZodType);
    } else if (schema instanceof z.ZodArray) {
      children.elements.push(schema.element as z.ZodType);
    } else if (schema instanceof z.ZodUnion) {
      for (const option of schema.options as readonly z.ZodType[]) visit(option);
    } else if (schema instanceof z.ZodPipe) {
      // `z.preprocess` is a pipe from a transform: the shape is what comes out of it.
      visit((schema.in instanceof z.ZodTransform ? schema.out : schema.in) as z.ZodType);
    } else if (
      schema instanceof z.ZodOptional ||
      schema instanceof z.ZodNullable ||
      schema instanceof z.ZodDefault ||
      schema instanceof z.ZodPrefault
    ) {
      visit(schema.unwrap() as z.ZodType);
    }
  };
  for (const schema of schemas) visit(schema);
  return children;
}
