/** Batched states of the sample-fitted families (leading dimension: the batch of sweep points × replicates). */
import type * as tf from '@tensorflow/tfjs';

/** A Gaussian kernel density estimate: its weighted training points. */
export interface KdeState {
  readonly kind: 'kde';
  readonly d: number;
  readonly bandwidth: number;
  /** `[B, N, d]` training points and their weights `[B, N]` (each row sums to 1; 0 for padding). */
  readonly points: tf.Tensor3D;
  readonly weights: tf.Tensor2D;
}

/** Weighted least squares y = xᵀβ + b + ε, ε ~ N(0, σ²), with the covariates it was fitted on. */
export interface RegressionState {
  readonly kind: 'linear_regression';
  /** Covariates per sample (the data's dimension minus one: the last value is y). */
  readonly p: number;
  /** `[B, p]` slopes, `[B]` intercepts, `[B]` noise variances σ². */
  readonly coef: tf.Tensor2D;
  readonly intercept: tf.Tensor1D;
  readonly noise: tf.Tensor1D;
  /** `[B, N, p]` training covariates and their weights `[B, N]`: synthetic x are drawn from them. */
  readonly covariates: tf.Tensor3D;
  readonly weights: tf.Tensor2D;
  /** The generation-0 slopes, for drift. */
  readonly coef0: tf.Tensor2D;
}
