/**
 * Metrics of a model's samples in `retrain` and `cycle` experiments: each time the metric is due, the
 * model (gaussian_fit, kde, linear_regression, categorical_fit, conditional_gaussian) draws fresh samples
 * from its current state, and so does the reference data, from the streams of (row, generation, metric):
 *
 * - `rke(m, kernel)` = 1 / (1/n² Σ_ab k(x_a, x_b)²) over n = 500 samples (k equal well-separated modes give k);
 * - `kid(m, reference, kernel)`: the unbiased squared MMD between 500 samples and 500 reference samples;
 * - `fid(m, reference)` = ‖μ₁ − μ₂‖² + tr(Σ₁ + Σ₂ − 2(Σ₁^½ Σ₂ Σ₁^½)^½) of Gaussians fitted to 500 of each;
 * - `precision` / `density` (k-NN balls of 500 reference samples, Naeem et al. 2020) of 500 samples;
 * - `mode_coverage` / `high_quality_fraction` of `samples` samples against a ring or grid (as in train).
 *
 * Kernels: gaussian_kernel(bandwidth: h) = exp(−‖x − y‖²/(2h²)) (default h = 0.6), polynomial_kernel(degree)
 * = (xᵀy/d + 1)^degree. The reference defaults to the model's `on` data, else its loop's first real source.
 */
import * as tf from '@tensorflow/tfjs';
import type { IrExperiment, IrMetric, IrModel, IrProgram, IrValue } from '@ouro/dsl';
import { resolveData } from '../data.js';
import { RuntimeError } from '../errors.js';
import { evalNumber } from '../expr.js';
import type { LoopCtx } from '../loop.js';
import { metricTimes, type CompiledMetric } from '../metrics.js';
import { envAt, type Plan } from '../plan.js';
import type { ModelState, States } from '../state.js';
import { familyOf } from './models.js';
import { drawClasses, sampleSource, type SampleSource } from './sources.js';

export const SAMPLE_METRICS = [
  'rke',
  'kid',
  'fid',
  'precision',
  'density',
  'mode_coverage',
  'high_quality_fraction',
] as const;

const SAMPLES = 500;

/** A metric's kernel; a Gaussian's bandwidth per sweep point. */
export type Kernel = { kind: 'gaussian'; h: number[] } | { kind: 'polynomial'; degree: number };

function callOf(v: IrValue | undefined): { call: string; args: Readonly<Record<string, IrValue>> } | undefined {
  return v && typeof v === 'object' && !Array.isArray(v) && 'call' in v ? v : undefined;
}

function modelName(v: IrValue | undefined): string | undefined {
  return v && typeof v === 'object' && !Array.isArray(v) && 'model' in v ? v.model : undefined;
}

/** The data a model learns: its `on` data, else its retrain loop's first real source, else the program's only data. */
export function modelData(ir: IrProgram, exp: IrExperiment, model: IrModel): IrValue | undefined {
  return (
    model.on ??
    (exp.loop.kind === 'retrain'
      ? exp.loop.loops.find((r) => r.model === model.name)?.sources.find((s) => s.role === 'real')?.from
      : undefined) ??
    (Object.keys(ir.data).length === 1 ? { data: Object.keys(ir.data)[0]! } : undefined)
  );
}

/** `[B, n, d]` samples of a model's current state. */
export function sampleModel(
  plan: Plan,
  states: States,
  model: IrModel,
  n: number,
  t: number,
  site: string,
): tf.Tensor3D {
  const s = states.get(model.name);
  if (!s) throw new RuntimeError('invalid', model.id, `the model \`${model.name}\` has no state in this run`);
  if (s.kind === 'conditional_gaussian') {
    const given = states.get(s.given);
    if (given?.kind !== 'categorical_fit')
      throw new RuntimeError(
        'invalid',
        model.id,
        `\`${model.name}\` is conditioned on \`${s.given}\`, which has no classes`,
      );
    return tf.tidy(() => {
      const c = drawClasses(plan, given.probs, n, t, `${site}/class`).cast('int32');
      const mu = tf.gather(s.mean, c, 1, 1); // [B, n, d]
      const L = tf.gather(s.chol, c, 1, 1); // [B, n, d, d]
      const z = tf.tensor4d(plan.keys.normals(plan.rows, n * s.d, t, site), [plan.B, n, s.d, 1]);
      return mu.add(
        tf.matMul(L.reshape([-1, s.d, s.d]), z.reshape([-1, s.d, 1])).reshape([plan.B, n, s.d]),
      ) as tf.Tensor3D;
    });
  }
  const d = dimOf(s);
  return familyOf(model, d, s.kind === 'categorical_fit' ? s.K : null).sample(s, plan, n, t, site);
}

function dimOf(s: ModelState): number {
  switch (s.kind) {
    case 'gaussian_fit':
    case 'kde':
    case 'conditional_gaussian':
      return s.d;
    case 'categorical_fit':
      return 1;
    case 'linear_regression':
      return s.p + 1;
  }
}

/** Kernel matrices `[B, n, m]`. */
function gram(k: Kernel, X: tf.Tensor3D, Y: tf.Tensor3D, h: tf.Tensor | null): tf.Tensor3D {
  return tf.tidy(() => {
    const d = X.shape[2];
    const dot = tf.matMul(X, Y, false, true);
    if (k.kind === 'polynomial') return dot.div(d).add(1).pow(k.degree) as tf.Tensor3D;
    const d2 = X.square().sum(2).expandDims(2).add(Y.square().sum(2).expandDims(1)).sub(dot.mul(2)).relu();
    return d2.div(h!.square().mul(-2)).exp() as tf.Tensor3D;
  });
}

/** Squared distances `[B, n, m]`. */
function dist2(X: tf.Tensor3D, Y: tf.Tensor3D): tf.Tensor3D {
  return tf.tidy(() => X.expandDims(2).sub(Y.expandDims(1)).square().sum(3) as tf.Tensor3D);
}

/** Eigenvalues of a symmetric matrix (cyclic Jacobi). */
function symEig(A: number[][]): { values: number[]; vectors: number[][] } {
  const n = A.length;
  const a = A.map((r) => [...r]);
  const v: number[][] = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));
  for (let sweep = 0; sweep < 50; sweep++) {
    let off = 0;
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) off += a[i]![j]! ** 2;
    if (off < 1e-22) break;
    for (let p = 0; p < n; p++)
      for (let q = p + 1; q < n; q++) {
        if (Math.abs(a[p]![q]!) < 1e-300) continue;
        const theta = (a[q]![q]! - a[p]![p]!) / (2 * a[p]![q]!);
        const tt = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(tt * tt + 1);
        const s = tt * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k]![p]!;
          const akq = a[k]![q]!;
          a[k]![p] = c * akp - s * akq;
          a[k]![q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p]![k]!;
          const aqk = a[q]![k]!;
          a[p]![k] = c * apk - s * aqk;
          a[q]![k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k]![p]!;
          const vkq = v[k]![q]!;
          v[k]![p] = c * vkp - s * vkq;
          v[k]![q] = s * vkp + c * vkq;
        }
      }
  }
  return { values: a.map((r, i) => r[i]!), vectors: v };
}

/** Fréchet distance between N(m1, S1) and N(m2, S2) (d × d arrays). */
export function frechet(m1: number[], S1: number[][], m2: number[], S2: number[][]): number {
  const d = m1.length;
  const e = symEig(S1);
  const sq = e.values.map((x) => Math.sqrt(Math.max(0, x)));
  // S1^½ = V diag(√λ) Vᵀ, then M = S1^½ S2 S1^½ (symmetric positive semi-definite).
  const half = Array.from({ length: d }, (_, i) =>
    Array.from({ length: d }, (_, j) => e.vectors[i]!.reduce((s, vik, k) => s + vik * sq[k]! * e.vectors[j]![k]!, 0)),
  );
  const mul = (A: number[][], B: number[][]): number[][] =>
    A.map((r) => B[0]!.map((_, j) => r.reduce((s, x, k) => s + x * B[k]![j]!, 0)));
  const M = mul(mul(half, S2), half);
  const trSqrt = symEig(M).values.reduce((s, x) => s + Math.sqrt(Math.max(0, x)), 0);
  let out = 0;
  for (let i = 0; i < d; i++) out += (m1[i]! - m2[i]!) ** 2 + S1[i]![i]! + S2[i]![i]!;
  return out - 2 * trSqrt;
}

/** A metric's kernel (`kernel: ...`, default gaussian_kernel(bandwidth: 0.6)), its bandwidth per sweep point. */
export function sampleKernel(m: IrMetric, plan: Plan): Kernel {
  const kernelCall = callOf(m.args['kernel']);
  let kernel: Kernel = { kind: 'gaussian', h: plan.points.map(() => 0.6) };
  if (kernelCall?.call === 'polynomial_kernel') {
    const deg = kernelCall.args['degree'] ?? 3;
    if (typeof deg !== 'number' || !Number.isInteger(deg) || deg < 1)
      throw new RuntimeError('invalid', m.id, 'the kernel degree must be a whole number of at least 1');
    kernel = { kind: 'polynomial', degree: deg };
  } else if (kernelCall) {
    const bw = kernelCall.args['bandwidth'];
    if (bw !== undefined)
      kernel = {
        kind: 'gaussian',
        h: plan.points.map((_, p) => {
          const h = evalNumber(bw, envAt(plan, p, 0), m.id, 'the kernel bandwidth');
          if (!(h > 0)) throw new RuntimeError('invalid', m.id, `the kernel bandwidth is ${h}; it must be positive`);
          return h;
        }),
      };
  }
  if (m.metric === 'rke' && kernel.kind === 'polynomial')
    throw new RuntimeError('invalid', m.id, '`rke` needs a normalised kernel (k(x, x) = 1) such as gaussian_kernel');
  return kernel;
}

/** A whole-number argument of a metric (k, samples, min_count), at least 1. */
export function metricCount(m: IrMetric, key: string, fallback: number): number {
  const v = m.args[key];
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1)
    throw new RuntimeError('invalid', m.id, `\`${key}\` must be a whole number of at least 1`);
  return v;
}

/** The metrics of samples that `scoreSamples` computes. */
export type SampleMetricName = (typeof SAMPLE_METRICS)[number];

/** What a sample metric needs beside the samples: its kernel, k, a mixture. */
export interface ScoreOptions {
  readonly kernel: Kernel;
  /** A Gaussian kernel's bandwidth for each row of samples. */
  readonly bandwidths: ArrayLike<number> | null;
  /** Neighbours of precision and density. */
  readonly k: number;
  /** Samples near a mode for mode_coverage to count it. */
  readonly minCount: number;
  /** The ring or grid of mode_coverage and high_quality_fraction. */
  readonly mixture: { readonly centres: readonly (readonly number[])[]; readonly std: number } | null;
}

/**
 * One value per row of samples `X` `[B, n, d]` against reference samples `Y` `[B, m, d]` (null for rke and the
 * mode metrics): the formulas of this file's header. Shared by retrain and cycle (here) and train loops.
 */
export function scoreSamples(
  metric: SampleMetricName,
  X: tf.Tensor3D,
  Y: tf.Tensor3D | null,
  o: ScoreOptions,
): tf.Tensor1D {
  return tf.tidy(() => {
    const h = o.bandwidths ? tf.tensor3d(Float32Array.from(o.bandwidths), [X.shape[0], 1, 1]) : null;
    switch (metric) {
      case 'rke':
        return tf.scalar(1).div(gram(o.kernel, X, X, h).square().mean([1, 2])) as tf.Tensor1D;
      case 'kid': {
        const nx = X.shape[1];
        const ny = Y!.shape[1];
        // Unbiased: the diagonals k(x, x) left out of the within-set means.
        const off = (K: tf.Tensor3D, n: number): tf.Tensor1D =>
          K.sum([1, 2])
            .sub(tf.linalg.bandPart(K, 0, 0).sum([1, 2]))
            .div(n * (n - 1)) as tf.Tensor1D;
        return off(gram(o.kernel, X, X, h), nx)
          .add(off(gram(o.kernel, Y!, Y!, h), ny))
          .sub(gram(o.kernel, X, Y!, h).mean([1, 2]).mul(2)) as tf.Tensor1D;
      }
      case 'fid': {
        const moments = (Z: tf.Tensor3D): [Float32Array, Float32Array] => {
          const mu = Z.mean(1);
          const C = Z.sub(mu.expandDims(1));
          const S = tf.matMul(C, C, true, false).div(Z.shape[1] - 1);
          return [mu.dataSync() as Float32Array, S.dataSync() as Float32Array];
        };
        const d = X.shape[2];
        const [m1, s1] = moments(X);
        const [m2, s2] = moments(Y!);
        const rows = (a: Float32Array, b: number): number[] => Array.from(a.subarray(b * d, (b + 1) * d));
        const mat = (a: Float32Array, b: number): number[][] =>
          Array.from({ length: d }, (_, i) => Array.from(a.subarray(b * d * d + i * d, b * d * d + (i + 1) * d)));
        const B = X.shape[0];
        const out = new Float32Array(B);
        for (let b = 0; b < B; b++) out[b] = frechet(rows(m1, b), mat(s1, b), rows(m2, b), mat(s2, b));
        return tf.tensor1d(out);
      }
      case 'precision':
      case 'density': {
        // Radius² of each reference sample's k-th nearest other reference sample.
        const r2 = tf
          .topk(dist2(Y!, Y!).neg(), o.k + 1)
          .values.slice([0, 0, o.k], [-1, -1, 1])
          .neg()
          .reshape([X.shape[0], 1, -1]);
        const inside = dist2(X, Y!).lessEqual(r2).cast('float32'); // [B, n, m]
        if (metric === 'precision') return inside.max(2).mean(1) as tf.Tensor1D;
        return inside.sum(2).mean(1).div(o.k) as tf.Tensor1D;
      }
      default: {
        const C = tf.tensor2d(o.mixture!.centres.map((c) => [...c]));
        const d2 = X.expandDims(2).sub(C.expandDims(0).expandDims(0)).square().sum(3); // [B, n, K]
        const near = d2.lessEqual(9 * o.mixture!.std ** 2).cast('float32');
        if (metric === 'high_quality_fraction') return near.max(2).mean(1) as tf.Tensor1D;
        return near.sum(1).greaterEqual(o.minCount).cast('float32').sum(1) as tf.Tensor1D;
      }
    }
  });
}

/** Compiles a sample metric, or returns undefined for a metric of another kind. */
export function compileSampleMetric(ctx: LoopCtx, m: IrMetric, generations: number): CompiledMetric | undefined {
  if (!(SAMPLE_METRICS as readonly string[]).includes(m.metric)) return undefined;
  const { plan, ir, models } = ctx;
  const exp = plan.exp;
  const first = m.args['of'] ?? m.args['model'];
  const name = modelName(first);
  const model = name ? models.get(name) : undefined;
  if (!model)
    throw new RuntimeError('invalid', m.id, `\`${m.metric}\` here measures a model of this experiment: name one`);
  // The reference: the metric's, else the model's training data.
  const refValue = m.args['reference'] ?? m.args['target'] ?? modelData(ir, exp, model);
  if (refValue === undefined || refValue === null)
    throw new RuntimeError('invalid', m.id, `\`${m.metric}\` needs reference data: give \`reference: DATA\``);
  const resolved = resolveData(ir, refValue, m.id);
  // Paired data: the images, unless the model learns the texts.
  const ref =
    resolved.source.kind === 'paired' && resolved.part === null && model.kind !== 'categorical_fit'
      ? { ...resolved, part: 'image' as const }
      : resolved;
  const refSrc: SampleSource = sampleSource(ref, ctx.tables ?? {}, m.id, ref.split ?? null);
  const kernel = sampleKernel(m, plan);
  const num = (key: string, fallback: number): number => metricCount(m, key, fallback);
  const k = num('k', 5);
  const n = m.metric === 'mode_coverage' || m.metric === 'high_quality_fraction' ? num('samples', 2500) : SAMPLES;
  const minCount = num('min_count', 31);
  if ((m.metric === 'precision' || m.metric === 'density') && k >= SAMPLES)
    throw new RuntimeError('invalid', m.id, `\`k\` must be below ${SAMPLES}`);
  const mixture = refSrc.mixture;
  if ((m.metric === 'mode_coverage' || m.metric === 'high_quality_fraction') && !mixture)
    throw new RuntimeError(
      'invalid',
      m.id,
      `\`${m.metric}\` measures against a ring or grid; \`${refSrc.name}\` is not one`,
    );
  const hRows =
    kernel.kind === 'gaussian' ? Float32Array.from(plan.rows, (_, b) => kernel.h[Math.floor(b / plan.R)]!) : null;
  const compute = (states: States, t = 0): tf.Tensor1D => {
    const X = sampleModel(plan, states, model, n, t, `${m.id}/samples`);
    try {
      const needsRef = m.metric !== 'rke' && m.metric !== 'mode_coverage' && m.metric !== 'high_quality_fraction';
      if (X.shape[2] !== refSrc.dim && (needsRef || refSrc.mixture))
        throw new RuntimeError(
          'invalid',
          m.id,
          `\`${model.name}\` draws ${X.shape[2]}-value samples, the reference \`${refSrc.name}\` ${refSrc.dim}-value ones`,
        );
      const Y = needsRef ? refSrc.draw(plan, SAMPLES, t, `${m.id}/reference`) : null;
      try {
        const o = { kernel, bandwidths: hRows, k, minCount, mixture: mixture ?? null };
        return scoreSamples(m.metric as SampleMetricName, X, Y, o);
      } finally {
        Y?.dispose();
      }
    } finally {
      X.dispose();
    }
  };
  return { ir: m, times: metricTimes(m, generations), compute };
}
