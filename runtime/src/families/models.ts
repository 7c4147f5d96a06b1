/**
 * The model families a `retrain` loop fits to samples, each as a weighted maximum-likelihood fit of
 * `X [B, N, d]` with weights `w [B, N]` (each row sums to 1, padding 0) and a sampler:
 *
 * - `gaussian_fit`: mean Σ wᵢxᵢ and covariance Σ wᵢ(xᵢ − μ)(xᵢ − μ)ᵀ (÷ (1 − Σ wᵢ²) when `unbiased`);
 *   samples μ + L z;
 * - `categorical_fit`: p_k = Σ wᵢ [xᵢ = k] over class indices; samples by inverse CDF;
 * - `kde(bandwidth: h)`: the weighted training points themselves; a sample picks a point by its weight
 *   and adds N(0, h² I);
 * - `linear_regression`: the last value of each sample is the response y, the others the covariates x;
 *   weighted least squares of y on (x, 1) gives slopes β (`.coef`), intercept b and noise
 *   σ² = Σ wᵢ(yᵢ − xᵢᵀβ − b)² (`.noise`); a sample picks x among the training covariates by weight and
 *   labels it y = xᵀβ + b + σ z: synthetic labels from the fitted model, as in model collapse in regression.
 */
import * as tf from '@tensorflow/tfjs';
import type { IrModel } from '@ouro/dsl';
import { RuntimeError } from '../errors.js';
import { cholesky, sampleGaussian, weightedFit } from '../linalg.js';
import type { Plan } from '../plan.js';
import type { ModelState } from '../state.js';
import { drawClasses } from './sources.js';

export interface Family {
  readonly model: IrModel;
  /** Values per sample. */
  readonly d: number;
  fit(X: tf.Tensor3D, w: tf.Tensor2D, prev: ModelState | undefined): ModelState;
  sample(s: ModelState, plan: Plan, n: number, t: number, site: string): tf.Tensor3D;
}

/** The model kinds a retrain loop can fit. */
export const RETRAINABLE = ['gaussian_fit', 'categorical_fit', 'kde', 'linear_regression'] as const;

function wrongState(model: IrModel, s: ModelState): RuntimeError {
  return new RuntimeError('invalid', model.id, `\`${model.name}\` has a ${s.kind} state, not a ${model.kind} one`);
}

/** Picks `n` of the `[B, N, d]` points per row with probabilities `w [B, N]`. */
function pick(plan: Plan, points: tf.Tensor3D, w: tf.Tensor2D, n: number, t: number, site: string): tf.Tensor3D {
  return tf.tidy(() => {
    const idx = drawClasses(plan, w, n, t, `${site}/pick`).cast('int32');
    return tf.gather(points, idx, 1, 1) as tf.Tensor3D;
  });
}

/** Solves the symmetric positive (semi-)definite systems G β = c, `[B][q × q]`, by Gaussian elimination. */
function solveRows(G: Float32Array, c: Float32Array, B: number, q: number): Float32Array {
  const out = new Float32Array(B * q);
  for (let b = 0; b < B; b++) {
    const A = Array.from({ length: q }, (_, i) =>
      Array.from({ length: q + 1 }, (_, j) => (j < q ? G[b * q * q + i * q + j]! : c[b * q + i]!)),
    );
    // A ridge of 1e-9 of the mean diagonal keeps a rank-deficient design (a constant covariate) solvable.
    let tr = 0;
    for (let i = 0; i < q; i++) tr += A[i]![i]!;
    for (let i = 0; i < q; i++) A[i]![i]! += (1e-9 * tr) / q + 1e-30;
    for (let k = 0; k < q; k++) {
      let piv = k;
      for (let i = k + 1; i < q; i++) if (Math.abs(A[i]![k]!) > Math.abs(A[piv]![k]!)) piv = i;
      [A[k], A[piv]] = [A[piv]!, A[k]!];
      for (let i = k + 1; i < q; i++) {
        const f = A[i]![k]! / A[k]![k]!;
        for (let j = k; j <= q; j++) A[i]![j]! -= f * A[k]![j]!;
      }
    }
    for (let i = q - 1; i >= 0; i--) {
      let s = A[i]![q]!;
      for (let j = i + 1; j < q; j++) s -= A[i]![j]! * out[b * q + j]!;
      out[b * q + i] = s / A[i]![i]!;
    }
  }
  return out;
}

export function familyOf(model: IrModel, d: number, classes: number | null): Family {
  switch (model.kind) {
    case 'gaussian_fit': {
      const unbiased = model.args['unbiased'] === true;
      return {
        model,
        d,
        fit: (X, w, prev) =>
          tf.tidy(() => {
            const f = weightedFit(X, w, unbiased);
            const mean0 = prev?.kind === 'gaussian_fit' ? prev.mean0 : f.mean.clone();
            return { kind: 'gaussian_fit' as const, d, ...f, chol: cholesky(f.cov, d) as tf.Tensor3D, mean0 };
          }),
        sample: (s, plan, n, t, site) => {
          if (s.kind !== 'gaussian_fit') throw wrongState(model, s);
          return tf.tidy(() => {
            const z = tf.tensor3d(plan.keys.normals(plan.rows, n * d, t, site), [plan.B, n, d]);
            return sampleGaussian(s.mean, s.chol, z);
          });
        },
      };
    }
    case 'categorical_fit': {
      const given = model.args['classes'];
      const K = typeof given === 'number' ? given : classes;
      if (K === null || d !== 1)
        throw new RuntimeError(
          'invalid',
          model.id,
          `\`${model.name}\` (categorical_fit) learns classes: give it a categorical or zipf source, or \`classes: K\``,
        );
      return {
        model,
        d: 1,
        fit: (X, w) =>
          tf.tidy(() => {
            const onehot = tf.oneHot(X.reshape([X.shape[0], X.shape[1]]).cast('int32'), K).cast('float32');
            const counts = tf.matMul(w.expandDims(1) as tf.Tensor3D, onehot as tf.Tensor3D).reshape([X.shape[0], K]);
            return {
              kind: 'categorical_fit' as const,
              K,
              probs: counts.div(counts.sum(1, true).maximum(1e-30)) as tf.Tensor2D,
            };
          }),
        sample: (s, plan, n, t, site) => {
          if (s.kind !== 'categorical_fit') throw wrongState(model, s);
          return tf.tidy(() => drawClasses(plan, s.probs, n, t, site).expandDims(2) as tf.Tensor3D);
        },
      };
    }
    case 'kde': {
      const h = model.args['bandwidth'] ?? 0.1;
      if (typeof h !== 'number' || !(h > 0))
        throw new RuntimeError('invalid', model.id, `the bandwidth of \`${model.name}\` must be a positive number`);
      return {
        model,
        d,
        fit: (X, w) => ({ kind: 'kde' as const, d, bandwidth: h, points: X.clone(), weights: w.clone() }),
        sample: (s, plan, n, t, site) => {
          if (s.kind !== 'kde') throw wrongState(model, s);
          return tf.tidy(() => {
            const x = pick(plan, s.points, s.weights, n, t, site);
            const z = tf.tensor3d(plan.keys.normals(plan.rows, n * d, t, site), [plan.B, n, d]);
            return x.add(z.mul(h)) as tf.Tensor3D;
          });
        },
      };
    }
    case 'linear_regression': {
      const p = d - 1;
      if (p < 1)
        throw new RuntimeError(
          'invalid',
          model.id,
          `\`${model.name}\` (linear_regression) needs samples of at least 2 values (covariates, then the response); its data has ${d}`,
        );
      const q = p + 1;
      return {
        model,
        d,
        fit: (X, w, prev) => {
          const [B, N] = X.shape;
          const [G, c] = tf.tidy(() => {
            const x = X.slice([0, 0, 0], [-1, -1, p]);
            const y = X.slice([0, 0, p], [-1, -1, 1]);
            const A = tf.concat([x, tf.ones([B, N, 1])], 2) as tf.Tensor3D;
            const Aw = A.mul(w.expandDims(2)) as tf.Tensor3D;
            return [tf.matMul(Aw, A, true, false), tf.matMul(Aw, y as tf.Tensor3D, true, false)];
          });
          const beta = solveRows(G.dataSync() as Float32Array, c.dataSync() as Float32Array, B, q);
          G.dispose();
          c.dispose();
          return tf.tidy(() => {
            const bt = tf.tensor2d(beta, [B, q]);
            const coef = bt.slice([0, 0], [-1, p]) as tf.Tensor2D;
            const intercept = bt.slice([0, p], [-1, 1]).reshape([B]) as tf.Tensor1D;
            const x = X.slice([0, 0, 0], [-1, -1, p]) as tf.Tensor3D;
            const y = X.slice([0, 0, p], [-1, -1, 1]).reshape([B, N]);
            const resid = y.sub(x.mul(coef.expandDims(1)).sum(2)).sub(intercept.expandDims(1));
            const noise = resid.square().mul(w).sum(1) as tf.Tensor1D;
            const coef0 = prev?.kind === 'linear_regression' ? prev.coef0 : coef.clone();
            return {
              kind: 'linear_regression' as const,
              p,
              coef,
              intercept,
              noise,
              covariates: x,
              weights: w.clone(),
              coef0,
            };
          });
        },
        sample: (s, plan, n, t, site) => {
          if (s.kind !== 'linear_regression') throw wrongState(model, s);
          return tf.tidy(() => {
            const x = pick(plan, s.covariates, s.weights, n, t, site);
            const z = tf.tensor2d(plan.keys.normals(plan.rows, n, t, site), [plan.B, n]);
            const y = x
              .mul(s.coef.expandDims(1))
              .sum(2)
              .add(s.intercept.expandDims(1))
              .add(z.mul(s.noise.sqrt().expandDims(1)));
            return tf.concat([x, y.expandDims(2)], 2) as tf.Tensor3D;
          });
        },
      };
    }
    default:
      throw new RuntimeError(
        'unsupported',
        model.id,
        `retraining a ${model.kind} model is not supported by this runtime yet (a retrain loop fits ${RETRAINABLE.join(', ')})`,
      );
  }
}
