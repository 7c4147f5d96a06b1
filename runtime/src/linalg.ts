/**
 * Batched small-matrix algebra for the Gaussian families. Every function works on whole batches
 * (replicates × sweep points × classes) at once; the loops below run over the matrix dimension d, which
 * is small (the data dimension), never over the batch.
 */
import * as tf from '@tensorflow/tfjs';

/**
 * Cholesky factors of a batch of symmetric positive semi-definite matrices `[..., d, d]`, unrolled over
 * d. A pivot that rounding makes negative is clamped to 0 (and the column below it to 0), so a collapsed
 * covariance gives a zero factor rather than NaN.
 */
export function cholesky(S: tf.Tensor, d: number): tf.Tensor {
  return tf.tidy(() => {
    if (d === 1) return tf.sqrt(tf.relu(S));
    const batch = S.shape.slice(0, -2);
    const M = batch.reduce((a, b) => a * b, 1);
    const e = tf.unstack(S.reshape([M, d * d]), 1);
    const L: tf.Tensor[] = new Array<tf.Tensor>(d * d);
    const zero = tf.zeros([M]);
    for (let j = 0; j < d; j++) {
      let s = e[j * d + j]!;
      for (let k = 0; k < j; k++) s = s.sub(L[j * d + k]!.square());
      const ljj = tf.sqrt(tf.relu(s));
      L[j * d + j] = ljj;
      for (let i = j + 1; i < d; i++) {
        let v = e[i * d + j]!;
        for (let k = 0; k < j; k++) v = v.sub(L[i * d + k]!.mul(L[j * d + k]!));
        L[i * d + j] = tf.divNoNan(v, ljj);
      }
      for (let i = 0; i < j; i++) L[i * d + j] = zero;
    }
    return tf.stack(L, 1).reshape([...batch, d, d]);
  });
}

/** Adds `rel · tr(S)/d + abs` to the diagonal: keeps a collapsed covariance invertible for densities. */
export function jitter(S: tf.Tensor, d: number, rel = 1e-6, abs = 1e-20): tf.Tensor {
  return tf.tidy(() => {
    const eye = tf.eye(d);
    const tr = tf.sum(S.mul(eye), [-2, -1], true);
    return S.add(eye.mul(tr.mul(rel / d).add(abs)));
  });
}

/** Traces of `[..., d, d]` → `[...]`. */
export function trace(S: tf.Tensor, d: number): tf.Tensor {
  return tf.tidy(() => tf.sum(S.mul(tf.eye(d)), [-2, -1]));
}

/**
 * Weighted maximum-likelihood Gaussian fit of `X [B, N, d]` with per-sample weights `w [B, N]` that sum to
 * 1 in each row (0 for padding): mean Σ wᵢxᵢ, covariance Σ wᵢ(xᵢ − μ)(xᵢ − μ)ᵀ; `unbiased` divides the
 * covariance by 1 − Σ wᵢ² (n − 1 over n for equal weights).
 */
export function weightedFit(
  X: tf.Tensor3D,
  w: tf.Tensor2D,
  unbiased: boolean,
): { mean: tf.Tensor2D; cov: tf.Tensor3D } {
  return tf.tidy(() => {
    const [B, , d] = X.shape;
    const mean = tf.matMul(w.expandDims(1) as tf.Tensor3D, X).reshape([B, d]) as tf.Tensor2D;
    const C = X.sub(mean.expandDims(1)) as tf.Tensor3D;
    let cov = tf.matMul(C.mul(w.expandDims(2)) as tf.Tensor3D, C, true, false);
    if (unbiased) cov = cov.div(tf.scalar(1).sub(w.square().sum(1)).reshape([B, 1, 1]));
    return { mean, cov: cov as tf.Tensor3D };
  });
}

/** Samples `mean + L z` for `mean [B, d]`, Cholesky factors `L [B, d, d]` and normals `z [B, n, d]`. */
export function sampleGaussian(mean: tf.Tensor2D, L: tf.Tensor3D, z: tf.Tensor3D): tf.Tensor3D {
  return tf.tidy(() => tf.matMul(z, L, false, true).add(mean.expandDims(1)) as tf.Tensor3D);
}

/**
 * Class-wise maximum-likelihood fit: `X [B, N, d]`, one-hot classes `C [B, N, K]` (rows of padding are
 * all zero). A class with fewer than `minCount` samples keeps its previous mean and covariance.
 */
export function classwiseFit(
  X: tf.Tensor3D,
  C: tf.Tensor3D,
  prevMean: tf.Tensor3D,
  prevCov: tf.Tensor4D,
  minCount: number,
): { mean: tf.Tensor3D; cov: tf.Tensor4D } {
  return tf.tidy(() => {
    const [B, N, d] = X.shape;
    const K = C.shape[2];
    const n = C.sum(1); // [B, K]
    const safe = tf.maximum(n, 1).expandDims(2); // [B, K, 1]
    const mean = tf.matMul(C, X, true, false).div(safe) as tf.Tensor3D; // [B, K, d]
    const R = X.sub(tf.matMul(C, mean)); // centred on the sample's class mean
    const outer = R.expandDims(3)
      .mul(R.expandDims(2))
      .reshape([B, N, d * d]) as tf.Tensor3D;
    const cov = tf.matMul(C, outer, true, false).div(safe).reshape([B, K, d, d]) as tf.Tensor4D;
    const ok = tf.greaterEqual(n, minCount); // [B, K]
    return {
      mean: tf.where(ok.expandDims(2), mean, prevMean) as tf.Tensor3D,
      cov: tf.where(ok.expandDims(2).expandDims(3), cov, prevCov) as tf.Tensor4D,
    };
  });
}

/** Inverses of lower-triangular factors `[..., d, d]` (zero pivots give infinities), unrolled over d. */
export function lowerInverse(L: tf.Tensor, d: number): tf.Tensor {
  return tf.tidy(() => {
    if (d === 1) return tf.reciprocal(L);
    const batch = L.shape.slice(0, -2);
    const M = batch.reduce((a, b) => a * b, 1);
    const e = tf.unstack(L.reshape([M, d * d]), 1);
    const inv: tf.Tensor[] = new Array<tf.Tensor>(d * d);
    const zero = tf.zeros([M]);
    for (let i = 0; i < d; i++) {
      const rii = tf.reciprocal(e[i * d + i]!);
      inv[i * d + i] = rii;
      for (let j = 0; j < i; j++) {
        let s: tf.Tensor = zero;
        for (let k = j; k < i; k++) s = s.add(e[i * d + k]!.mul(inv[k * d + j]!));
        inv[i * d + j] = s.mul(rii).neg();
      }
      for (let j = i + 1; j < d; j++) inv[i * d + j] = zero;
    }
    return tf.stack(inv, 1).reshape([...batch, d, d]);
  });
}

/**
 * Log densities up to the constant −(d/2) log 2π of `x [B, N, d]` under each class k of
 * `N(mean [B, K, d], L Lᵀ)`, with Cholesky factors `L [B, K, d, d]` → `[B, K, N]` (class-major, so the
 * whitening is one batched matMul and no large tensor is transposed or unstacked).
 */
export function classLogDensity(x: tf.Tensor3D, mean: tf.Tensor3D, L: tf.Tensor4D): tf.Tensor3D {
  return tf.tidy(() => {
    const d = x.shape[2];
    const diff = x.expandDims(1).sub(mean.expandDims(2)) as tf.Tensor4D; // [B, K, N, d]
    const y = tf.matMul(diff, lowerInverse(L, d) as tf.Tensor4D, false, true); // whitened
    const mahal = y.square().sum(3); // [B, K, N]
    const diag = tf.sum(L.mul(tf.eye(d)), 3); // [B, K, d]
    const halfLogDet = tf.log(diag).sum(2); // [B, K]
    return mahal.mul(-0.5).sub(halfLogDet.expandDims(2)) as tf.Tensor3D;
  });
}
