/**
 * The `retrain` loop for the Gaussian family (gaussian_fit), all replicates and sweep points at once.
 *
 * Generation 0 fits each model on n₀ samples of its `on` data, else of its loop's first real source (else
 * first inject, else the spec's only gaussian data source); n₀ is the first real source's count (else the first source's, else the inject's count).
 * Generation t ≥ 1 refits each retrained model on the samples of the sources due at t — real ones from
 * the data, synthetic ones from the models' generation t − 1 states — and the injects due at t
 * (`inject N from DATA`: a dose of N fresh real samples). Every real (and injected) sample gets weight w_real / n_real
 * and every synthetic one w_syn / n_syn, where (w_real, w_syn) is the `weights` line (expressions of
 * sweep variables and `t` included), `optimal` = (w*(n/m), 1 − w*), `real_only` = (1, 0) or `pooled`
 * (every sample 1 / (n + m), the default). When one role has no samples in a generation the other gets
 * all the weight; a point with no weighted samples keeps its model unchanged. The fit is weighted
 * maximum likelihood (mean Σ ωᵢxᵢ, covariance Σ ωᵢ(xᵢ − μ)(xᵢ − μ)ᵀ; `unbiased: true` divides by 1 − Σ ωᵢ²).
 *
 * Sufficient statistics. Within a group (one source at one generation) every sample has the same weight
 * ω_g, so the fit depends on the k_g samples only through their mean x̄_g and scatter
 * S_g = Σ(xᵢ − x̄_g)(xᵢ − x̄_g)ᵀ: μ = Σ_g k_g ω_g x̄_g and Σ = Σ_g ω_g S_g + k_g ω_g (x̄_g − μ)(x̄_g − μ)ᵀ. The
 * loop exposes only the fitted states (no metric or view sees its training samples), and the samples are
 * iid N(m, LLᵀ) — from a gaussian source or from a model's previous fit — so x̄_g ~ N(m, LLᵀ/k) and
 * S_g ~ Wishart(k − 1, LLᵀ), independent, are drawn directly (KeySpace.normalStats, from the same
 * (row, generation, source) stream the samples would come from): the same distribution of every state,
 * with O(d²) draws per group instead of k·d. `OURO_RETRAIN_PATH=samples` in the environment forces the
 * sample-level path (drawing and weighting every sample), for the benchmark and the test that compare
 * the two; the result then differs draw by draw but not in distribution.
 */
import * as tf from '@tensorflow/tfjs';
import type { IrInject, IrLoop, IrModel, IrRetrain, IrValue } from '@ouro/dsl';
import { resolveData, type GaussianSource } from './data.js';
import { compileSampledRetrain, needsSampledRetrain } from './families/retrain-sampled.js';
import { generation0Data, roleWeights } from './families/weights.js';
import { RuntimeError, unsupported } from './errors.js';
import { describeEnv, evalCount, evalNumber, dependsOnT } from './expr.js';
import { cholesky, sampleGaussian, trace, weightedFit } from './linalg.js';
import { read, type LoopCtx, type LoopRunner } from './loop.js';
import { due, envAt, perRow, rowsOf, type Plan } from './plan.js';
import type { GaussianState, ModelState } from './state.js';

type RetrainLoop = IrLoop & { kind: 'retrain' };

/** The retrain loop's path: `sufficient` (the default) or `samples` (OURO_RETRAIN_PATH, for comparisons). */
function retrainPath(nodeId: string): 'sufficient' | 'samples' {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  const v = env?.['OURO_RETRAIN_PATH'];
  if (v === undefined || v === '' || v === 'sufficient') return 'sufficient';
  if (v === 'samples') return 'samples';
  throw new RuntimeError(
    'invalid',
    nodeId,
    `the environment variable OURO_RETRAIN_PATH is \`${v}\`; use \`sufficient\` (the default) or \`samples\`, or unset it`,
  );
}

/** Mean `[B, d]` and scatter `[B, d, d]` of one group's samples per row. */
interface Stats {
  readonly mean: tf.Tensor2D;
  readonly scatter: tf.Tensor3D;
}

/** Per-point values of a count (or amount), cached when it does not depend on `t`. */
class PerPoint {
  private cache: number[] | undefined;
  constructor(
    private readonly plan: Plan,
    private readonly value: IrValue,
    private readonly f: (v: IrValue, env: ReturnType<typeof envAt>) => number,
  ) {}
  at(t: number): number[] {
    if (this.cache) return this.cache;
    const out = this.plan.points.map((_, p) => this.f(this.value, envAt(this.plan, p, t)));
    if (!dependsOnT(this.value)) this.cache = out;
    return out;
  }
}

interface Group {
  readonly id: string;
  readonly role: 'real' | 'synthetic';
  readonly every: { readonly every: number } | null;
  /** Samples per point at generation t. */
  readonly counts: (t: number) => number[];
  readonly from: { readonly data: GaussianSource } | { readonly model: string };
}

interface CompiledLoop {
  readonly ir: IrRetrain;
  readonly model: IrModel;
  readonly d: number;
  readonly unbiased: boolean;
  readonly groups: readonly Group[];
}

function gaussianData(ctx: LoopCtx, v: IrValue, nodeId: string, d: number | null): GaussianSource {
  const ref = resolveData(ctx.ir, v, nodeId);
  if (ref.source.kind !== 'gaussian' || ref.part)
    throw unsupported(nodeId, `retraining a gaussian_fit on \`${ref.source.name}\` (a ${ref.source.kind} source)`);
  if (d !== null && ref.source.dim !== d)
    throw new RuntimeError(
      'invalid',
      nodeId,
      `\`${ref.source.name}\` is ${ref.source.dim}-dimensional, the model ${d}-dimensional`,
    );
  return ref.source;
}

/** In a cycle, `inject F`: F is the fresh fraction of the training set, so round(F·N/(1 − F)) samples join N. */
export function injectFraction(amount: number, base: number, nodeId: string, where: string): number {
  if (!(amount >= 0 && amount < 1))
    throw new RuntimeError(
      'invalid',
      nodeId,
      `the injected fraction is ${amount}${where}; it must be at least 0 and below 1 (the share of fresh pairs in the training data)`,
    );
  return Math.round((amount * base) / (1 - amount));
}

/** In a retrain loop, `inject N`: a dose of N fresh samples. */
function injectDose(amount: number, nodeId: string, where: string): number {
  if (!(amount >= 0) || !Number.isInteger(amount))
    throw new RuntimeError(
      'invalid',
      nodeId,
      `the injected dose is ${amount}${where}; it must be a whole number of samples (0 or more)`,
    );
  return amount;
}

export function compileRetrain(ctx: LoopCtx, loop: RetrainLoop): LoopRunner {
  // Families fitted to samples, and Gaussian fits on anything but a Gaussian source: families/.
  if (needsSampledRetrain(ctx, loop)) return compileSampledRetrain(ctx, loop);
  const { plan, states, models } = ctx;
  const exp = plan.exp;
  const modelOf = (name: string, nodeId: string): IrModel => {
    const m = models.get(name);
    if (!m) throw new RuntimeError('invalid', nodeId, `\`${name}\` is not a model of this experiment`);
    if (m.kind !== 'gaussian_fit') throw unsupported(m.id, `retraining a ${m.kind} model`);
    return m;
  };
  const dims = new Map<string, number>();
  const dimOf = (m: IrModel): number | null => dims.get(m.name) ?? m.dim;
  const count = (v: IrValue, nodeId: string, what: string): PerPoint =>
    new PerPoint(plan, v, (x, env) => evalCount(x, env, nodeId, what));

  // Models used by the loops and their generation-0 data.
  const compiled: CompiledLoop[] = loop.loops.map((r) => {
    const model = modelOf(r.model, r.id);
    const groups: Group[] = [];
    for (const s of r.sources) {
      if (s.role === 'real') {
        const data = gaussianData(ctx, s.from, s.id, dimOf(model));
        dims.set(model.name, data.dim);
        const c = count(s.count, s.id, 'the real sample count');
        groups.push({ id: s.id, role: 'real', every: s.every, counts: (t) => c.at(t), from: { data } });
      } else {
        const v = s.from;
        const src = v && typeof v === 'object' && !Array.isArray(v) && 'model' in v ? v.model : undefined;
        if (!src) throw new RuntimeError('invalid', s.id, 'synthetic samples come from a model');
        modelOf(src, s.id);
        const c = count(s.count, s.id, 'the synthetic sample count');
        groups.push({ id: s.id, role: 'synthetic', every: s.every, counts: (t) => c.at(t), from: { model: src } });
      }
    }
    for (const inj of r.injects) {
      if (inj.into !== null && inj.into !== r.model) continue;
      groups.push(injectGroup(ctx, inj, dimOf(model)));
    }
    const unbiased = model.args['unbiased'] === true;
    return { ir: r, model, d: 0, unbiased, groups };
  });

  // Every gaussian_fit model the loops touch gets an initial fit.
  const initial = new Map<string, { data: GaussianSource; n0: PerPoint }>();
  const needed = new Set<string>();
  for (const c of compiled) {
    needed.add(c.model.name);
    for (const g of c.groups) if ('model' in g.from) needed.add(g.from.model);
  }
  // Without `on` or a source, the spec's only Gaussian data source.
  const gaussians = Object.values(ctx.ir.data).filter((d) => d.kind === 'gaussian');
  const onlyGaussian = gaussians.length === 1 ? { data: gaussians[0]!.name } : undefined;
  for (const name of needed) {
    const model = modelOf(name, exp.id);
    const r = compiled.find((c) => c.model.name === name)?.ir;
    const { firstReal, firstInject, dataValue } = generation0Data(model, r, onlyGaussian);
    const data = gaussianData(ctx, dataValue, model.id, dimOf(model));
    dims.set(name, data.dim);
    // The real samples' count, else the inject's dose, else the first source's count; at t = 1 when it
    // depends on t (generation 0 has no t of its own).
    const countSource = firstReal ?? (firstInject ? undefined : r?.sources[0]);
    let n0: PerPoint;
    if (countSource)
      n0 = new PerPoint(plan, countSource.count, (x, env) =>
        evalCount(
          x,
          new Map([...env, ['t', Math.max(1, Number(env.get('t')))]]),
          countSource.id,
          `the generation-0 sample count of \`${name}\``,
        ),
      );
    else if (firstInject)
      n0 = new PerPoint(plan, firstInject.amount, (x, env) => {
        const a = evalNumber(x, env, firstInject.id, 'the injected amount');
        if (!Number.isInteger(a) || a < 2)
          throw new RuntimeError(
            'invalid',
            model.id,
            `\`${name}\` needs a sample count for its generation-0 fit: give it a \`real N from DATA\` source`,
          );
        return a;
      });
    else throw new RuntimeError('invalid', model.id, `\`${name}\` has no sample count for its generation-0 fit`);
    initial.set(name, { data, n0 });
  }
  const loops = compiled.map((c) => ({ ...c, d: dims.get(c.model.name)! }));
  const path = retrainPath(loop.loops[0]?.id ?? exp.id);
  /** Per-row sample counts, kept for the per-point arrays that do not change with t (PerPoint's cache). */
  const rowCountCache = new WeakMap<readonly number[], Float32Array>();
  const rowCounts = (perPoint: readonly number[]): Float32Array => {
    let c = rowCountCache.get(perPoint);
    if (!c) rowCountCache.set(perPoint, (c = perRow(plan, perPoint)));
    return c;
  };

  /**
   * Sufficient statistics of `counts[r]` samples per row of a gaussian source at generation t: the mean
   * m + σ z̄ and the scatter σ² W, computed here (the source's parameters are constants).
   */
  const dataStatsArrays = (
    src: GaussianSource,
    counts: ArrayLike<number>,
    t: number,
    site: string,
  ): { mean: Float32Array; scatter: Float32Array } => {
    const d = src.dim;
    const { mean, scatter } = plan.keys.normalStats(plan.rows, counts, d, t, site);
    for (let r = 0; r < plan.B; r++)
      for (let i = 0; i < d; i++) mean[r * d + i] = src.mean[i]! + src.std * mean[r * d + i]!;
    const v = src.std * src.std;
    for (let i = 0; i < scatter.length; i++) scatter[i] = v * scatter[i]!;
    return { mean, scatter };
  };

  /** Sufficient statistics of `counts[r]` samples per row of a group at generation t. */
  const groupStats = (g: Group, counts: ArrayLike<number>, t: number, d: number): Stats => {
    const { B } = plan;
    if ('data' in g.from) {
      const a = dataStatsArrays(g.from.data, counts, t, g.id);
      return { mean: tf.tensor2d(a.mean, [B, d]), scatter: tf.tensor3d(a.scatter, [B, d, d]) };
    }
    // From the previous fit N(m, LLᵀ): x̄ = m + L z̄, S = L W Lᵀ.
    const src = gauss(g.from.model);
    const z = plan.keys.normalStats(plan.rows, counts, d, t, g.id);
    if (d === 1) {
      const L = src.chol.reshape([B, 1]);
      return {
        mean: src.mean.add(L.mul(tf.tensor2d(z.mean, [B, 1]))) as tf.Tensor2D,
        scatter: src.chol.square().mul(tf.tensor3d(z.scatter, [B, 1, 1])) as tf.Tensor3D,
      };
    }
    const LW = tf.matMul(src.chol, tf.tensor3d(z.scatter, [B, d, d]));
    return {
      mean: src.mean.add(tf.matMul(src.chol, tf.tensor3d(z.mean, [B, d, 1])).reshape([B, d])) as tf.Tensor2D,
      scatter: tf.matMul(LW, src.chol, false, true) as tf.Tensor3D,
    };
  };

  /**
   * The weighted fit from the groups' statistics, with `total[g]` = k_g ω_g and `per[g]` = ω_g per point
   * (the same for every replicate of a point: `[P, 1, …]` tensors that broadcast over the replicates):
   * μ = Σ_g total_g x̄_g, Σ = Σ_g per_g S_g + total_g (x̄_g − μ)(x̄_g − μ)ᵀ; `denom` (per point) divides Σ.
   */
  function statsFit(
    stats: readonly Stats[],
    total: readonly Float32Array[],
    per: readonly Float32Array[],
    d: number,
    denom: Float32Array | null,
  ): { mean: tf.Tensor2D; cov: tf.Tensor3D } {
    const { P, R, B } = plan;
    const w3 = (x: Float32Array): tf.Tensor3D => tf.tensor3d(x, [P, 1, 1]);
    const w4 = (x: Float32Array): tf.Tensor4D => tf.tensor4d(x, [P, 1, 1, 1]);
    const sum = <T extends tf.Tensor>(xs: T[]): T => (xs.length === 1 ? xs[0]! : (tf.addN(xs) as T));
    const means = stats.map((s) => s.mean.reshape([P, R, d]));
    const mean = sum(means.map((m, g) => m.mul(w3(total[g]!))));
    let cov = sum(
      stats.map((s, g) => {
        const dev = means[g]!.sub(mean);
        const outer = d === 1 ? dev.square().expandDims(3) : dev.expandDims(3).mul(dev.expandDims(2));
        return s.scatter
          .reshape([P, R, d, d])
          .mul(w4(per[g]!))
          .add(outer.mul(w4(total[g]!)));
      }),
    );
    if (denom) cov = cov.div(w4(denom));
    return { mean: mean.reshape([B, d]) as tf.Tensor2D, cov: cov.reshape([B, d, d]) as tf.Tensor3D };
  }

  /** `[B, n, d]` samples of a gaussian source at generation t. */
  const drawData = (src: GaussianSource, n: number, t: number, site: string): tf.Tensor3D =>
    tf.tidy(() => {
      const z = tf.tensor3d(plan.keys.normals(plan.rows, n * src.dim, t, site), [plan.B, n, src.dim]);
      return z.mul(src.std).add(tf.tensor1d([...src.mean])) as tf.Tensor3D;
    });

  const gauss = (name: string): GaussianState => {
    const s = states.get(name);
    if (!s || s.kind !== 'gaussian_fit') throw new RuntimeError('invalid', exp.id, `\`${name}\` has no Gaussian state`);
    return s;
  };

  /**
   * The weighted fit of `weightedFit` for d = 1, on the groups' samples `[B, n_g, 1]` without joining them:
   * every replicate of a point shares the point's weights, so they stay `[P, 1, n_g]` rows that broadcast
   * over the replicates, and the sums are elementwise products reduced over the samples (no concat, no
   * `[B, N]` weight matrix, no batch of 1×1 matMuls). Same estimator; float32 sums in another order.
   */
  function weightedFit1(
    parts: readonly tf.Tensor3D[],
    w: Float32Array,
    widths: readonly number[],
    N: number,
    unbiased: boolean,
  ): { mean: tf.Tensor2D; cov: tf.Tensor3D } {
    const { P, R, B } = plan;
    let off = 0;
    const xs = parts.map((x, gi) => {
      const n = widths[gi]!;
      const wg = new Float32Array(P * n);
      for (let p = 0; p < P; p++) wg.set(w.subarray(p * N + off, p * N + off + n), p * n);
      off += n;
      return { x: x.reshape([P, R, n]), w: tf.tensor3d(wg, [P, 1, n]) };
    });
    const sum = (f: (g: (typeof xs)[number]) => tf.Tensor): tf.Tensor =>
      xs.length === 1 ? f(xs[0]!) : tf.addN(xs.map(f));
    const mean = sum((g) => g.x.mul(g.w).sum(2, true)); // [P, R, 1]
    let cov = sum((g) => g.x.sub(mean).square().mul(g.w).sum(2, true));
    if (unbiased) {
      // 1 − Σ ωᵢ² per point (the weights are the same for every replicate of a point).
      const denom = new Float32Array(P);
      for (let p = 0; p < P; p++) {
        let s2 = 0;
        for (let i = p * N; i < (p + 1) * N; i++) s2 += w[i]! * w[i]!;
        denom[p] = 1 - s2;
      }
      cov = cov.div(tf.tensor3d(denom, [P, 1, 1]));
    }
    return { mean: mean.reshape([B, 1]) as tf.Tensor2D, cov: cov.reshape([B, 1, 1]) as tf.Tensor3D };
  }

  /** Real-weight statistics of the last generation, for diagnosing a divergence. */
  const lastWeights = new Map<string, { min: number; max: number }>();

  function init(): void {
    for (const [name, { data, n0 }] of initial) {
      const counts = n0.at(0);
      const n = Math.max(...counts);
      const model = models.get(name)!;
      if (path === 'sufficient') {
        // mean x̄, covariance S/c (S/(c − 1) unbiased: 1 − Σ ωᵢ² = (c − 1)/c).
        const d = data.dim;
        const c = perRow(plan, counts);
        const a = dataStatsArrays(data, c, 0, `${model.id}/init`);
        const unbiased = model.args['unbiased'] === true;
        for (let r = 0; r < plan.B; r++) {
          const k = unbiased ? c[r]! - 1 : c[r]!;
          for (let i = 0; i < d * d; i++) a.scatter[r * d * d + i] = a.scatter[r * d * d + i]! / k;
        }
        const fit = tf.tidy(() => {
          const mean = tf.tensor2d(a.mean, [plan.B, d]);
          const cov = tf.tensor3d(a.scatter, [plan.B, d, d]);
          return { mean, cov, chol: cholesky(cov, d) as tf.Tensor3D, mean0: mean.clone() };
        });
        states.set(name, { kind: 'gaussian_fit', d, ...fit });
        continue;
      }
      const fit = tf.tidy(() => {
        const X = drawData(data, n, 0, `${model.id}/init`);
        const w = new Float32Array(plan.P * n);
        counts.forEach((c, p) => w.fill(1 / c, p * n, p * n + c));
        const f = weightedFit(X, rowsOf(plan, w, n), model.args['unbiased'] === true);
        return { ...f, chol: cholesky(f.cov, data.dim) as tf.Tensor3D, mean0: f.mean.clone() };
      });
      states.set(name, { kind: 'gaussian_fit', d: data.dim, ...fit });
    }
  }

  function weightsAt(c: (typeof loops)[number], p: number, t: number, nR: number, nS: number): [number, number] {
    return roleWeights(c.ir.weights, () => envAt(plan, p, t), c.ir.weights.id ?? c.ir.id, nR, nS);
  }

  function step(t: number): Map<string, ModelState> {
    const out = new Map<string, ModelState>();
    for (const c of loops) {
      // Counts per group and point.
      const active = c.groups.filter((g) => due(g.every, t));
      const counts = new Map<Group, number[]>(active.map((g) => [g, g.counts(t)]));
      const used = active.filter((g) => Math.max(...counts.get(g)!) > 0);
      const widths = used.map((g) => Math.max(...counts.get(g)!));
      const N = widths.reduce((a, b) => a + b, 0);
      let minW = Infinity;
      let maxW = -Infinity;
      const w = new Float32Array(plan.P * Math.max(N, 1));
      const update = new Float32Array(plan.P);
      /** The weight of each sample of group gi at point p, and the group's total weight there. */
      const perPoint = used.map(() => new Float32Array(plan.P));
      const totalPoint = used.map(() => new Float32Array(plan.P));
      for (let p = 0; p < plan.P; p++) {
        let nR = 0;
        let nS = 0;
        for (const g of used) {
          if (g.role === 'real') nR += counts.get(g)![p]!;
          else nS += counts.get(g)![p]!;
        }
        const [wr, ws] = weightsAt(c, p, t, nR, nS);
        minW = Math.min(minW, wr);
        maxW = Math.max(maxW, wr);
        update[p] = wr + ws > 0 ? 1 : 0;
        let off = 0;
        used.forEach((g, gi) => {
          const k = counts.get(g)![p]!;
          const per = g.role === 'real' ? (nR > 0 ? wr / nR : 0) : nS > 0 ? ws / nS : 0;
          perPoint[gi]![p] = per;
          totalPoint[gi]![p] = k * per;
          w.fill(per, p * N + off, p * N + off + k);
          off += widths[gi]!;
        });
      }
      lastWeights.set(c.model.name, { min: minW, max: maxW });
      const prev = gauss(c.model.name);
      if (N === 0) continue;
      const fitFromStats = (): { mean: tf.Tensor2D; cov: tf.Tensor3D } => {
        const stats = used.map((g) => groupStats(g, rowCounts(counts.get(g)!), t, c.d));
        let denom: Float32Array | null = null;
        if (c.unbiased) {
          // 1 − Σ ωᵢ² = 1 − Σ_g k_g ω_g² per point.
          denom = new Float32Array(plan.P);
          for (let p = 0; p < plan.P; p++) {
            let s2 = 0;
            used.forEach((_, gi) => (s2 += totalPoint[gi]![p]! * perPoint[gi]![p]!));
            denom[p] = 1 - s2;
          }
        }
        return statsFit(stats, totalPoint, perPoint, c.d, denom);
      };

      const fitFromSamples = (): { mean: tf.Tensor2D; cov: tf.Tensor3D } => {
        const parts = used.map((g, gi) => {
          const n = widths[gi]!;
          if ('data' in g.from) return drawData(g.from.data, n, t, g.id);
          const src = gauss(g.from.model);
          const z = tf.tensor3d(plan.keys.normals(plan.rows, n * c.d, t, g.id), [plan.B, n, c.d]);
          // In one dimension the Cholesky factor is the standard deviation: a broadcast multiply, not
          // a batch of B 1×1 matMuls (which wasm runs one by one).
          return c.d === 1
            ? (z.mul(src.chol).add(src.mean.expandDims(1)) as tf.Tensor3D)
            : sampleGaussian(src.mean, src.chol, z);
        });
        if (c.d === 1) return weightedFit1(parts, w, widths, N, c.unbiased);
        const X = parts.length === 1 ? parts[0]! : (tf.concat(parts, 1) as tf.Tensor3D);
        return weightedFit(X, rowsOf(plan, w, N), c.unbiased);
      };
      const next = tf.tidy(() => {
        let { mean, cov } = path === 'sufficient' ? fitFromStats() : fitFromSamples();
        if (update.some((u) => u === 0)) {
          const keep = tf.tensor1d(perRow(plan, update)).greater(0);
          mean = tf.where(keep.expandDims(1), mean, prev.mean) as tf.Tensor2D;
          cov = tf.where(keep.expandDims(1).expandDims(2), cov, prev.cov) as tf.Tensor3D;
        }
        return { mean, cov, chol: cholesky(cov, c.d) as tf.Tensor3D };
      });
      out.set(c.model.name, { kind: 'gaussian_fit', d: c.d, ...next, mean0: prev.mean0 });
    }
    return out;
  }

  async function diagnose(model: string, prev: ModelState | undefined, next: ModelState): Promise<string> {
    const wts = lastWeights.get(model);
    if (wts && (wts.min < 0 || wts.max > 1)) return `a weight outside [0, 1] (real weight ${wts.min} to ${wts.max})`;
    if (next.kind !== 'gaussian_fit') return 'a sample was NaN or infinite';
    // [finite mean?, finite covariance?, previous smallest and largest variance, previous largest |mean|]
    const stats = tf.tidy(() => {
      const finite = (x: tf.Tensor) => tf.isFinite(x).all().cast('float32');
      const parts = [finite(next.mean), finite(next.cov)];
      if (prev?.kind === 'gaussian_fit') {
        const tr = trace(prev.cov, prev.d);
        parts.push(tr.min(), tr.max(), prev.mean.abs().max());
      }
      return tf.stack(parts);
    });
    const [meanOk, covOk, lo, hi, absMean] = Array.from(await read(stats));
    stats.dispose();
    if (lo !== undefined && hi !== undefined && absMean !== undefined) {
      if (!Number.isFinite(lo) || !Number.isFinite(hi)) return 'its previous state was already non-finite';
      if (lo <= 1e-30)
        return 'its fitted variance had collapsed to 0 (model collapse: it trains on its own samples with too little fresh real data)';
      if (hi > 1e30 || absMean > 1e18)
        return `its mean or variance overflowed float32 (largest variance ${hi.toExponential(2)}): the mean random-walks without fresh real data, or the data's scale is too large`;
    }
    if (meanOk === 1 && covOk === 0)
      return "its covariance overflowed float32 (squares beyond 3.4e38): the data's scale is too large";
    return 'a sample or weight was NaN or infinite: check the data sources and weights';
  }

  return { kind: 'retrain', init, step, diagnose };
}

function injectGroup(ctx: LoopCtx, inj: IrInject, d: number | null): Group {
  const data = gaussianData(ctx, inj.from, inj.id, d);
  const amount = new PerPoint(ctx.plan, inj.amount, (x, env) => evalNumber(x, env, inj.id, 'the injected amount'));
  return {
    id: inj.id,
    role: 'real',
    every: inj.every,
    from: { data },
    counts: (t) => amount.at(t).map((a, p) => injectDose(a, inj.id, describeEnv(envAt(ctx.plan, p, t)))),
  };
}
