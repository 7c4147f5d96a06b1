/** Edit distance, for "did you mean" suggestions. */
export function editDistance(a: string, b: string): number {
  const m = a.length;
  const n = b.length;
  let prev = Array.from({ length: n + 1 }, (_, j) => j);
  let prevPrev: number[] = prev;
  for (let i = 1; i <= m; i++) {
    const cur = [i];
    for (let j = 1; j <= n; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      let v = Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost);
      // A swap of two neighbouring letters counts as one edit (optimal string alignment).
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, (prevPrev[j - 2] ?? 0) + 1);
      cur.push(v);
    }
    prevPrev = prev;
    prev = cur;
  }
  return prev[n] ?? 0;
}

/** Candidates close enough to `name` to suggest, best first (at most 3). */
export function closest(name: string, candidates: Iterable<string>): string[] {
  // One edit for names of 3 to 5 letters, two from 6; very short names get no guesses.
  const limit = name.length < 3 ? 0 : Math.max(1, Math.floor(name.length / 3));
  const scored: [string, number][] = [];
  for (const c of new Set(candidates)) {
    if (c === name) continue;
    const d = editDistance(name.toLowerCase(), c.toLowerCase());
    if (d <= limit || (c.startsWith(name) && name.length >= 3)) scored.push([c, d]);
  }
  return scored
    .sort((a, b) => a[1] - b[1] || a[0].localeCompare(b[0]))
    .slice(0, 3)
    .map((s) => s[0]);
}

export function didYouMean(options: readonly string[]): string {
  if (options.length === 0) return '';
  return `; did you mean ${options.map((o) => `\`${o}\``).join(' or ')}?`;
}

/** "a", "a and b", "a, b and c" (or `or`): a list of words in a message. */
export function listWords(xs: readonly string[], conjunction: 'and' | 'or' = 'and'): string {
  return xs.length < 2 ? (xs[0] ?? '') : `${xs.slice(0, -1).join(', ')} ${conjunction} ${xs.at(-1)!}`;
}
