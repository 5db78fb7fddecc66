/**
 * Bounds the shape of a JSON body while it arrives, before `JSON.parse` sees it. Parsing costs time
 * and memory per value, not per byte: 20 MB of `{},{},…` is 6.5 million objects, seconds of a blocked
 * event loop and gigabytes of heap, and a value nested 100,000 deep later overflows the stack of
 * every recursive walk (`JSON.stringify` on the way upstream). Counting brackets and commas per
 * chunk costs about a nanosecond a byte outside strings and a native `indexOf` inside them, spread
 * over the chunks as they come, so such a body is refused without ever being parsed.
 */

/** Limits of {@link createJsonShapeLimit}. */
export interface JsonShapeLimits {
  /** Deepest nesting of arrays and objects. */
  maxDepth: number;
  /** Most array elements plus object members (counted as openings plus commas), across the body. */
  maxValues: number;
}

/** The exact refusals; documented in the README. */
export const JSON_SHAPE_ERROR_MESSAGES = {
  tooDeep: (maxDepth: number) => `Request body nests arrays and objects deeper than the limit of ${maxDepth} levels.`,
  tooManyValues: (maxValues: number) => `Request body holds more than the limit of ${maxValues} JSON values.`,
} as const;

/** A running check over one body's chunks. */
export interface JsonShapeLimit {
  /**
   * Scans the next chunk.
   * @returns The refusal message once a limit is passed (and for every later chunk), else `undefined`.
   */
  push(chunk: Uint8Array): string | undefined;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;

/**
 * Creates the check for one body. It reads JSON's structure only (strings, brackets, commas) and
 * does not validate: whatever it lets through still goes to `JSON.parse`.
 *
 * @param limits - See {@link JsonShapeLimits}.
 * @example
 * const shape = createJsonShapeLimit({ maxDepth: 2, maxValues: 100 });
 * shape.push(Buffer.from('[[[1]]]')); // 'Request body nests arrays and objects deeper than the limit of 2 levels.'
 */
export function createJsonShapeLimit(limits: JsonShapeLimits): JsonShapeLimit {
  const { maxDepth, maxValues } = limits;
  let depth = 0;
  let values = 0;
  let inString = false;
  // A string's last byte in the previous chunk was an unpaired backslash: the next byte is escaped.
  let escapeNext = false;
  let refusal: string | undefined;
  /** Remembers the first refusal: every later chunk gets the same answer. */
  const refuse = (message: string): string => {
    refusal = message;
    return message;
  };

  /** Index just past the closing quote of the open string, or -1 when it runs past this chunk. */
  function endOfString(chunk: Uint8Array, from: number): number {
    let index = from;
    if (escapeNext) {
      escapeNext = false;
      index += 1;
    }
    for (;;) {
      const quote = chunk.indexOf(QUOTE, index);
      const searchEnd = quote === -1 ? chunk.length : quote;
      // A quote preceded by an odd run of backslashes is escaped.
      let run = 0;
      while (searchEnd - run - 1 >= index && chunk[searchEnd - run - 1] === BACKSLASH) run += 1;
      if (quote === -1) {
        escapeNext = run % 2 === 1;
        return -1;
      }
      if (run % 2 === 0) return quote + 1;
      index = quote + 1;
    }
  }

  return {
    push(chunk) {
      if (refusal !== undefined) return refusal;
      let index = 0;
      const length = chunk.length;
      while (index < length) {
        if (inString) {
          const end = endOfString(chunk, index);
          if (end === -1) return undefined;
          inString = false;
          index = end;
          continue;
        }
        const byte = chunk[index];
        index += 1;
        if (byte === QUOTE) {
          inString = true;
        } else if (byte === COMMA) {
          values += 1;
          if (values > maxValues) return refuse(JSON_SHAPE_ERROR_MESSAGES.tooManyValues(maxValues));
        } else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
          depth += 1;
          values += 1;
          if (depth > maxDepth) return refuse(JSON_SHAPE_ERROR_MESSAGES.tooDeep(maxDepth));
          if (values > maxValues) return refuse(JSON_SHAPE_ERROR_MESSAGES.tooManyValues(maxValues));
        } else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) {
          depth -= 1;
        }
      }
      return undefined;
    },
  };
}
