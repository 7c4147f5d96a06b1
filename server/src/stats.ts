// Summary statistics over replicates, shared by `ouro run`'s table and the language server's run previews, and
// the counted nouns ("1 replicate", "3 steps") of the command line's messages.

/** Mean and sample standard deviation (n - 1; NaN for a single value, which has no spread to measure). */
export function meanSd(xs: readonly number[]): { mean: number; sd: number } {
  const n = xs.length;
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  const sd = n > 1 ? Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)) : NaN;
  return { mean, sd };
}

/** Pluralises a unit: `count(1, 'generation')` is "1 generation", `count(3, 'step')` "3 steps". */
export function count(n: number, unit: string): string {
  return `${n} ${unit}${n === 1 ? '' : 's'}`;
}
