/**
 * A paper's finding as measured by one of Ouro's example specs. Each module in this folder exports
 * `reproduce(budget)`: `ci` is the budget `npm test` runs (tolerances from the Monte-Carlo error at that
 * budget), `full` the one `npm run reproduce` runs and the README quotes.
 */
export type ReproduceBudget = 'ci' | 'full';

export interface Finding {
  /** The paper's file in shared/papers/, e.g. `golden-ratio`. */
  readonly paper: string;
  /** The claim in one line, e.g. `optimal real-data weight at n = m = 100 is 1/φ ≈ 0.618`. */
  readonly claim: string;
  /** What was measured, with its uncertainty, e.g. `w* = 0.615 ± 0.011`. */
  readonly measured: string;
  /** What the theory or the paper says, with the tolerance, e.g. `0.618 ± 0.03`. */
  readonly expected: string;
  readonly pass: boolean;
}

export type Reproduce = (budget: ReproduceBudget) => Promise<readonly Finding[]>;
