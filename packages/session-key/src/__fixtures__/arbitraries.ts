import fc from 'fast-check';

// Strings that stress normalisation: every Unicode code point, lone surrogates, separators the
// id alphabet cares about, and prefixes of the reserved/agent namespaces.
const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((code) => String.fromCharCode(code));
const interestingPiece = fc.constantFrom(
  '-',
  '_',
  ':',
  '/',
  ' ',
  '\t',
  '\n',
  'A',
  'z',
  '0',
  'İ',
  'ß',
  'K',
  '😀',
  'agent:',
  'openclaw',
  'cron:',
  'ACP:',
  'subagent:',
);

/** Any string, full Unicode, lone surrogates and namespace-like fragments included. */
export const anyString: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 80 }),
  fc.string({
    unit: fc.oneof(interestingPiece, loneSurrogate, fc.string({ unit: 'binary', maxLength: 1 })),
    maxLength: 40,
  }),
  fc.string({ unit: 'binary', minLength: 60, maxLength: 300 }),
);
