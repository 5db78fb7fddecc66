/**
 * "Did you mean" for a misspelt configuration key: the closest valid key at the same place, by edit
 * distance with adjacent transpositions counted as one edit (`prot` → `port`, `defualts` →
 * `defaults`), compared case-insensitively.
 */

/**
 * The candidate closest to `key`, when it is close enough to be a plausible typo: at most one edit
 * for keys up to 4 characters, two up to 8, three beyond. Ties go to the earlier candidate.
 *
 * @example
 * suggestKey('prot', ['port', 'bind', 'auth']); // 'port'
 * suggestKey('colour', ['port', 'bind']); // undefined
 */
export function suggestKey(key: string, candidates: Iterable<string>): string | undefined {
  const wanted = key.toLowerCase();
  const limit = wanted.length <= 4 ? 1 : wanted.length <= 8 ? 2 : 3;
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const candidate of candidates) {
    const distance = editDistance(wanted, candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps. */
function editDistance(a: string, b: string): number {
  // rows[i][j] = distance between the first i characters of a and the first j of b.
  const rows: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  const at = (i: number, j: number): number => rows[i]?.[j] ?? Number.POSITIVE_INFINITY;
  for (let i = 1; i <= a.length; i++) {
    const row = rows[i] as number[];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let distance = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        distance = Math.min(distance, at(i - 2, j - 2) + 1);
      }
      row[j] = distance;
    }
  }
  return at(a.length, b.length);
}
