/**
 * Batched model states: every tensor's leading dimension is the batch (sweep points × replicates).
 * States are kept outside tf.tidy scopes and disposed when replaced or when the run ends.
 */
import * as tf from '@tensorflow/tfjs';
import type { IrModel } from '@ouro/dsl';
import type { KdeState, RegressionState } from './families/states.js';

export interface GaussianState {
  readonly kind: 'gaussian_fit';
  readonly d: number;
  /** [B, d] and [B, d, d]. */
  readonly mean: tf.Tensor2D;
  readonly cov: tf.Tensor3D;
  /** Cholesky factor of cov, [B, d, d]. */
  readonly chol: tf.Tensor3D;
  /** The generation-0 mean, for drift. */
  readonly mean0: tf.Tensor2D;
}

export interface CategoricalState {
  readonly kind: 'categorical_fit';
  readonly K: number;
  /** [B, K]. */
  readonly probs: tf.Tensor2D;
}

export interface ConditionalState {
  readonly kind: 'conditional_gaussian';
  readonly K: number;
  readonly d: number;
  /** The categorical model whose classes condition it. */
  readonly given: string;
  /** [B, K, d], [B, K, d, d], Cholesky factors [B, K, d, d], generation-0 means [B, K, d]. */
  readonly mean: tf.Tensor3D;
  readonly cov: tf.Tensor4D;
  readonly chol: tf.Tensor4D;
  readonly mean0: tf.Tensor3D;
}

export type ModelState = GaussianState | CategoricalState | ConditionalState | KdeState | RegressionState;

export function tensorsOf(s: ModelState): tf.Tensor[] {
  switch (s.kind) {
    case 'gaussian_fit':
      return [s.mean, s.cov, s.chol, s.mean0];
    case 'categorical_fit':
      return [s.probs];
    case 'conditional_gaussian':
      return [s.mean, s.cov, s.chol, s.mean0];
    case 'kde':
      return [s.points, s.weights];
    case 'linear_regression':
      return [s.coef, s.intercept, s.noise, s.covariates, s.weights, s.coef0];
  }
}

/** The models of one run by name, with their IR nodes. */
export class States {
  private readonly states = new Map<string, ModelState>();
  constructor(readonly models: ReadonlyMap<string, IrModel>) {}

  get(name: string): ModelState | undefined {
    return this.states.get(name);
  }

  has(name: string): boolean {
    return this.states.has(name);
  }

  names(): string[] {
    return [...this.states.keys()];
  }

  /** Keeps the new state's tensors and disposes those of the old one it does not share. */
  set(name: string, next: ModelState): void {
    const keep = new Set(tensorsOf(next));
    for (const t of keep) tf.keep(t);
    const old = this.states.get(name);
    if (old) for (const t of tensorsOf(old)) if (!keep.has(t)) t.dispose();
    this.states.set(name, next);
  }

  /** A scalar per model whose finiteness tells whether the state is finite: the sum of all its entries. */
  disposeAll(): void {
    const seen = new Set<tf.Tensor>();
    for (const s of this.states.values())
      for (const t of tensorsOf(s)) {
        if (seen.has(t)) continue;
        seen.add(t);
        t.dispose();
      }
    this.states.clear();
  }
}
