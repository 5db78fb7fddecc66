import fc from 'fast-check';

/**
 * Any UTF-16 code unit, lone surrogates and control characters included. Used instead of
 * fast-check's `unit: 'binary'`, whose first use builds a table that takes seconds to create.
 */
const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code));

/** Strings of arbitrary code units, as a hostile client could put in a header. */
export function hostileString(constraints: { maxLength?: number } = {}): fc.Arbitrary<string> {
  return fc.string({ unit: codeUnit, ...constraints });
}
