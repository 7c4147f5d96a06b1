/**
 * The `select` loop (mixture-ucb.md; reference-notes.md §3): each round one sample is drawn from the
 * generator a method chooses. The methods are the loop's algorithm and its `compare` list:
 *
 * - `mixture_ucb_cab`: after 5 round-robin rounds per generator, solve the optimistic problem
 *   α_t = argmin_{α ∈ simplex} L̂(α) − Σᵢ αᵢ·Δ·√(ln t / nᵢ) (exactly up to 6 generators, kernels.ts) and sample the generator
 *   whose count lags α_t·t the most;
 * - `mixture_ucb_ogd`: the same start, then a projected gradient step of size `lr` on the optimistic loss
 *   at the current weights, and a draw from the weights;
 * - `vanilla_ucb`: the same start, then the generator with the lowest optimistic single-generator loss
 *   L̂(eᵢ) − Δ·√(ln t / (2nᵢ)) (it converges to the best single generator);
 * - `oracle_best_single`: always the generator with the best exact score;
 * - `oracle_mixture`: i.i.d. draws from the exact optimal mixture weights.
 *
 * The loss is quadratic in the mixture weights: for `rke`, L(α) = αᵀKα with K_ij = E k(Xᵢ, Xⱼ)² (RKE = 1/L);
 * for `kid`, L(α) = αᵀAα − 2αᵀb + c (squared MMD to the reference, A_ij = E k(Xᵢ, Xⱼ), bᵢ = E k(Xᵢ, Y),
 * c = E k(Y, Y′)). The online methods estimate K (or A) by V-statistics over the samples drawn so far —
 * per-generator-pair sums of k (and k²) updated in O(t) per round — and bᵢ exactly (the reference is a
 * known ring or grid). The oracles and `regret` use the exact values: the generators are mixtures of
 * isotropic Gaussian modes, so every expectation has a closed form, for the Gaussian kernel and for the
 * polynomial one (by Gaussian moments; kid only, as RKE needs k(x, x) = 1). Kernels default to
 * gaussian_kernel(bandwidth: 0.6), as in the catalog, for the score and for each metric separately.
 * Δ is the algorithm's `bonus` (default 1) and applies to every UCB method run; `lr` likewise.
 *
 * Batch layout: rows are methods × sweep points × replicates, advanced round by round together. The
 * work is sequential per row and data-dependent (a small QP per round), so it runs on typed arrays in
 * plain JavaScript rather than as per-round tensor ops (whose dispatch would cost more than the
 * arithmetic); no tensors are created. Randomness (random.ts): generator i's samples come from the
 * stream of (row, `LOOP/generator:i`), shared by all methods of a replicate (common random numbers: the
 * j-th sample of a generator is the same whichever method asks for it); a method's own draws from
 * (row, `LOOP/METHOD`); reference samples for precision and density from (row, `LOOP/reference:i`).
 *
 * Metrics of `selected` (all samples drawn so far by a method), recorded every N rounds (from round N):
 * `rke` = t² / Σ_ab k(x_a, x_b)²; `kid` = Σ k(x_a, x_b)/t² − 2 Σ_a E k(x_a, Y)/t + E k(Y, Y′);
 * `precision` and `density` against 1,000 reference samples per replicate with k-NN balls (`k`, default 5);
 * `regret` = Σ_{s ≤ t} (L(n_s/s) − L(α*)), the cumulative excess exact loss of the empirical mixture
 * over the optimal one. The share of each generator among the samples so far is recorded as the series
 * `proportion:i` (metric `proportion`, `generator: i`) every ⌈rounds/200⌉ rounds and at the last.
 */
import * as tf from '@tensorflow/tfjs';
import type { IrExperiment, IrLoop, IrMetric, IrProgram, IrValue } from '@ouro/dsl';
import { callOf, resolveData, type MixtureSource } from './data.js';
import { RuntimeError, unsupported } from './errors.js';
import { evalNumber, type Env } from './expr.js';
import {
  gaussianExpectation,
  kernelValue,
  normalMoments,
  polynomialExpectation,
  projectSimplex,
  quadratic,
  simplexQp,
  type Kernel,
} from './kernels.js';
import { metricTimes } from './metrics.js';
import type { LoopJob } from './loop.js';
import { envAt, makePlan, type Plan } from './plan.js';
import { hashString, mixKeys, Stream } from './random.js';
import type { AbortSignalLike, ExperimentResult, MetricSeries, SelectionInfo } from './types.js';

type SelectLoop = IrLoop & { kind: 'select' };

export const selectMethods = [
  'mixture_ucb_cab',
  'mixture_ucb_ogd',
  'vanilla_ucb',
  'oracle_best_single',
  'oracle_mixture',
] as const;
export type SelectMethod = (typeof selectMethods)[number];

/** Round-robin samples per generator before the UCB methods start choosing (reference-notes.md §3). */
const INITIAL_PER_ARM = 5;
/** Reference samples per replicate for precision and density. */
const REFERENCE_SAMPLES = 1000;
/** Proportions are recorded about this many times. */
const PROPORTION_POINTS = 200;
const DEFAULT_BANDWIDTH = 0.6;

interface Arm {
  /** As written in the generator list (`subset(modes, [0, 1, 2])`), or `g[i]`. */
  readonly label: string;
  readonly source: MixtureSource;
  readonly modes: readonly number[];
}

type Args = Readonly<Record<string, IrValue>>;

function isSelected(v: IrValue | undefined): boolean {
  return v === undefined || v === null || (typeof v === 'object' && !Array.isArray(v) && 'selected' in v);
}

function mixtureOf(ir: IrProgram, v: IrValue, nodeId: string): MixtureSource {
  const ref = resolveData(ir, v, nodeId);
  if (ref.source.kind !== 'mixture' || ref.part)
    throw unsupported(nodeId, `\`${ref.source.name}\` (a ${ref.source.kind} source) as generator or reference data`);
  return ref.source;
}

/** A kernel slot: the IR value of a kernel, evaluated per sweep point. */
function kernelOf(v: IrValue | undefined, env: Env, nodeId: string): Kernel {
  if (v === undefined || v === null) return { kind: 'gaussian', bandwidth: DEFAULT_BANDWIDTH };
  const c = callOf(v);
  if (!c) throw new RuntimeError('invalid', nodeId, `expected a kernel here, got ${JSON.stringify(v)}`);
  if (c.call === 'polynomial_kernel') {
    const deg = c.args['degree'] === undefined ? 3 : evalNumber(c.args['degree'], env, nodeId, 'the kernel degree');
    if (!Number.isInteger(deg) || deg < 1 || deg > 12)
      throw new RuntimeError('invalid', nodeId, `the kernel degree is ${deg}; it must be a whole number from 1 to 12`);
    return { kind: 'polynomial', degree: deg };
  }
  if (c.call !== 'gaussian_kernel') throw unsupported(nodeId, `the kernel \`${c.call}\` in a select loop`);
  const h =
    c.args['bandwidth'] === undefined
      ? DEFAULT_BANDWIDTH
      : evalNumber(c.args['bandwidth'], env, nodeId, 'the kernel bandwidth');
  if (!(h > 0 && Number.isFinite(h)))
    throw new RuntimeError('invalid', nodeId, `the kernel bandwidth is ${h}; it must be positive`);
  return { kind: 'gaussian', bandwidth: h };
}

/** RKE assumes a normalised kernel, k(x, x) = 1. */
function normalisedKernel(v: IrValue | undefined, nodeId: string): void {
  if (callOf(v)?.call === 'polynomial_kernel')
    throw new RuntimeError(
      'invalid',
      nodeId,
      '`rke` needs a normalised kernel (k(x, x) = 1) such as gaussian_kernel; polynomial_kernel is for `kid`',
    );
}

type MetricKind = 'rke' | 'kid' | 'precision' | 'density' | 'regret';

interface SelMetric {
  readonly ir: IrMetric;
  readonly kind: MetricKind;
  readonly times: readonly number[];
  /** Kernel slot (rke, kid), reference-expectation slot (kid), k-NN slot (precision, density). */
  readonly kernel: number;
  readonly bsum: number;
  readonly knn: number;
}

/** Per sweep point: the evaluated settings and the exact loss model of the score. */
interface PointModel {
  readonly kernels: readonly Kernel[];
  /** Per reference-expectation slot with a polynomial kernel: the reference modes' coordinate moments. */
  readonly refMoments: readonly (readonly number[][][] | null)[];
  /** Per method: its confidence bonus Δ and OGD step size. */
  readonly settings: readonly { readonly bonus: number; readonly lr: number }[];
  /** Exact loss L(α) = αᵀQα − lᵀα + c of the score. */
  readonly Q: Float64Array;
  readonly l: Float64Array;
  readonly c: number;
  readonly oracle: Float64Array;
  readonly best: number;
  readonly lossStar: number;
  /** E k(Y, Y′) per reference-expectation slot (for kid metrics). */
  readonly refSelf: readonly number[];
}

/** A method run: the algorithm or a compared one, with its own settings (the score and rounds are shared). */
interface Method {
  readonly name: SelectMethod;
  /** The `method` of its series: its name, or as written (`mixture_ucb_ogd(lr: 0.05)`) where names repeat. */
  readonly label: string;
  readonly args: Args;
  /** Node id its setting errors point at. */
  readonly id: string;
}

const ownSettings = (args: Args): Args =>
  Object.fromEntries(Object.entries(args).filter(([k]) => k !== 'score' && k !== 'rounds'));

/** The loop's algorithm, then its compared methods; a method repeated with the same settings runs once. */
function methodsOf(loop: SelectLoop, alg: { call: string; args: Args }): Method[] {
  const all = [
    { call: alg.call, args: ownSettings(alg.args), label: alg.call, id: loop.id },
    ...loop.compare.map((c) => ({ ...c, args: ownSettings(c.args) })),
  ];
  const methods: Method[] = [];
  for (const c of all) {
    if (!(selectMethods as readonly string[]).includes(c.call))
      throw unsupported(c.id, `the selection method \`${c.call}\``);
    const same = (m: Method): boolean => m.name === c.call && JSON.stringify(m.args) === JSON.stringify(c.args);
    if (methods.some(same)) continue;
    methods.push({ name: c.call as SelectMethod, label: c.label, args: c.args, id: c.id });
  }
  // Labels tell the methods apart: where two share one, both show their settings.
  return methods.map((m) =>
    methods.some((o) => o !== m && o.label === m.label) ? { ...m, label: `${m.name}(${settingsText(m.args)})` } : m,
  );
}

function settingsText(args: Args): string {
  return Object.entries(args)
    .map(([k, v]) => `${k}: ${typeof v === 'number' || typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(', ');
}

/** Compiles a select experiment: validated here, before anything runs. */
export function compileSelect(
  ir: IrProgram,
  exp: IrExperiment,
  opts: { preview: boolean; seed: number | undefined },
): LoopJob<'round'> {
  const loop = exp.loop as SelectLoop;
  const alg = callOf(loop.algorithm);
  if (!alg) throw new RuntimeError('invalid', loop.id, 'the select loop names no algorithm');
  const methods = methodsOf(loop, alg);
  const pv = opts.preview ? exp.preview : {};
  const rounds = pv['rounds'] ?? (loop.rounds > 0 ? loop.rounds : 2000);
  if (!Number.isInteger(rounds) || rounds < 1)
    throw new RuntimeError('invalid', loop.id, `the loop runs ${rounds} rounds; it must run at least 1`);
  const base = makePlan(
    {
      ...exp,
      loop: { kind: 'retrain', generations: rounds, loops: [] },
      preview: { ...exp.preview, generations: rounds },
    },
    { preview: opts.preview, seed: opts.seed },
  );
  const plan: Plan = { ...base, exp };

  // Generators.
  if (loop.generators.length === 0) throw new RuntimeError('invalid', loop.id, 'the select loop has no generators');
  const arms: Arm[] = loop.generators.map((g, i) => {
    const c = callOf(g);
    if (!c || c.call !== 'subset')
      throw unsupported(loop.id, `generator ${i} (${c ? `\`${c.call}\`` : JSON.stringify(g)}); only subset(...) is`);
    const source = mixtureOf(ir, c.args['source'] ?? null, loop.id);
    const modes = c.args['modes'];
    const K = source.centres.length;
    if (
      !Array.isArray(modes) ||
      modes.length === 0 ||
      modes.some((x) => typeof x !== 'number' || !Number.isInteger(x) || x < 0 || x >= K)
    )
      throw new RuntimeError(
        'invalid',
        loop.id,
        `generator ${i}: \`modes\` must list mode indices from 0 to ${K - 1}, got ${JSON.stringify(modes)}`,
      );
    return { label: loop.generatorLabels[i] ?? `generator ${i}`, source, modes: modes as number[] };
  });
  const m = arms.length;
  const d = arms[0]!.source.dim;
  if (arms.some((a) => a.source.dim !== d))
    throw new RuntimeError('invalid', loop.id, 'the generators have different dimensions');

  // The score: rke or kid, with its kernel and (kid) reference.
  const scoreCall = callOf(alg.args['score']) ?? { call: 'rke', args: {} };
  if (scoreCall.call !== 'rke' && scoreCall.call !== 'kid')
    throw unsupported(loop.id, `the score \`${scoreCall.call}\``);
  const scoreKind = scoreCall.call;
  if (scoreKind === 'rke') normalisedKernel(scoreCall.args['kernel'], loop.id);

  // Kernel slots (by the IR text of the kernel) and reference slots.
  const kernelValues: (IrValue | undefined)[] = [];
  const kernelSlot = (v: IrValue | undefined): number => {
    const key = JSON.stringify(v ?? null);
    const i = kernelValues.findIndex((x) => JSON.stringify(x ?? null) === key);
    if (i >= 0) return i;
    kernelValues.push(v);
    return kernelValues.length - 1;
  };
  const refs: MixtureSource[] = [];
  const refSlot = (v: IrValue | undefined, nodeId: string): number => {
    const src = v === undefined || v === null ? arms[0]!.source : mixtureOf(ir, v, nodeId);
    if (src.dim !== d)
      throw new RuntimeError(
        'invalid',
        nodeId,
        `the reference \`${src.name}\` is ${src.dim}-dimensional, the generators ${d}-dimensional`,
      );
    // The same distribution under another name (an inline ring and a named one) shares the slot.
    const key = (r: MixtureSource): string => JSON.stringify([r.centres, r.std]);
    const i = refs.findIndex((r) => key(r) === key(src));
    if (i >= 0) return i;
    refs.push(src);
    return refs.length - 1;
  };
  const bsums: { kernel: number; ref: number }[] = [];
  const bsumSlot = (kernel: number, ref: number): number => {
    const i = bsums.findIndex((b) => b.kernel === kernel && b.ref === ref);
    if (i >= 0) return i;
    bsums.push({ kernel, ref });
    return bsums.length - 1;
  };
  const knns: { ref: number; k: number; site: string }[] = [];

  const scoreKernel = kernelSlot(scoreCall.args['kernel']);
  const scoreBsum = scoreKind === 'kid' ? bsumSlot(scoreKernel, refSlot(scoreCall.args['reference'], loop.id)) : -1;

  const metrics: SelMetric[] = exp.metrics.map((mi) => {
    if (!isSelected(mi.args['of']))
      throw unsupported(mi.id, `\`${mi.metric}\` of anything but \`selected\` in a select loop`);
    const times = metricTimes(mi, rounds).filter((t) => t >= 1);
    const none = { kernel: -1, bsum: -1, knn: -1 };
    switch (mi.metric) {
      case 'rke':
        normalisedKernel(mi.args['kernel'], mi.id);
        return { ir: mi, kind: 'rke', times, ...none, kernel: kernelSlot(mi.args['kernel']) };
      case 'kid': {
        const kernel = kernelSlot(mi.args['kernel']);
        return {
          ir: mi,
          kind: 'kid',
          times,
          ...none,
          kernel,
          bsum: bsumSlot(kernel, refSlot(mi.args['reference'], mi.id)),
        };
      }
      case 'precision':
      case 'density': {
        const k = mi.args['k'] === undefined ? 5 : mi.args['k'];
        if (typeof k !== 'number' || !Number.isInteger(k) || k < 1 || k >= REFERENCE_SAMPLES)
          throw new RuntimeError('invalid', mi.id, `\`k\` must be a whole number from 1 to ${REFERENCE_SAMPLES - 1}`);
        const ref = refSlot(mi.args['reference'], mi.id);
        let knn = knns.findIndex((x) => x.ref === ref && x.k === k);
        if (knn < 0) {
          knns.push({ ref, k, site: `${loop.id}/reference:${ref}` });
          knn = knns.length - 1;
        }
        return { ir: mi, kind: mi.metric, times, ...none, knn };
      }
      case 'regret':
        return { ir: mi, kind: 'regret', times, ...none };
      default:
        throw unsupported(mi.id, `the metric \`${mi.metric}\` in a select loop`);
    }
  });

  // Per sweep point: bandwidths, bonus, lr and the exact loss model.
  const models: PointModel[] = plan.points.map((_, p) => {
    const env = envAt(plan, p, 0);
    const kernels = kernelValues.map((v) => kernelOf(v, env, loop.id));
    const num = (method: Method, key: string, fallback: number, what: string): number => {
      const v = method.args[key];
      if (v === undefined || v === null) return fallback;
      const x = evalNumber(v, env, method.id, what);
      if (!(x >= 0) || !Number.isFinite(x))
        throw new RuntimeError(
          'invalid',
          method.id,
          `${what} of \`${method.label}\` is ${x}; it must be a non-negative number`,
        );
      return x;
    };
    const settings = methods.map((mt) => ({
      bonus: num(mt, 'bonus', 1, 'the confidence bonus'),
      lr: num(mt, 'lr', 0.1, 'the step size `lr`'),
    }));
    const h = kernels[scoreKernel]!;
    const p2 = scoreKind === 'rke' ? 2 : 1;
    const Q = new Float64Array(m * m);
    const l = new Float64Array(m);
    for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) Q[i * m + j] = armPair(arms[i]!, arms[j]!, h, p2);
    let c = 0;
    if (scoreKind === 'kid') {
      const ref = refs[bsums[scoreBsum]!.ref]!;
      for (let i = 0; i < m; i++) l[i] = 2 * armRef(arms[i]!, ref, h);
      c = refRef(ref, h);
    }
    const oracle = simplexQp(Q, l, m);
    const single = arms.map((_, i) => Q[i * m + i]! - l[i]!);
    const lo = Math.min(...single);
    const best = single.findIndex((x) => x <= lo + 1e-12 * Math.max(1, Math.abs(lo)));
    const refSelf = bsums.map((b) => refRef(refs[b.ref]!, kernels[b.kernel]!));
    const refMoments = bsums.map((b) => {
      const k = kernels[b.kernel]!;
      return k.kind === 'polynomial' ? modeMoments(refs[b.ref]!, k.degree) : null;
    });
    return {
      kernels,
      refMoments,
      settings,
      Q,
      l,
      c,
      oracle,
      best,
      lossStar: quadratic(Q, l, oracle, m) + c,
      refSelf,
    };
  });

  const cost = opts.preview && exp.previewCost ? exp.previewCost : exp.cost;
  const weight = Math.max(1, cost.samples);
  const run = (progress: (t: number) => void, signal: AbortSignalLike | undefined): Promise<ExperimentResult> =>
    runSelect(
      {
        ir,
        exp,
        loop,
        plan,
        rounds,
        methods,
        arms,
        d,
        metrics,
        models,
        scoreKind,
        scoreKernel,
        scoreBsum,
        bsums,
        refs,
        knns,
        kernelCount: kernelValues.length,
      },
      progress,
      signal,
    );
  return { plan, weight, unit: 'round', run };
}

/** Per mode of a source: per coordinate, the raw moments of orders 0..n. */
function modeMoments(src: MixtureSource, n: number, modes?: readonly number[]): number[][][] {
  return (modes ?? src.centres.map((_, i) => i)).map((i) => src.centres[i]!.map((c) => normalMoments(c, src.std, n)));
}

/** E k^p(X, Y) for X uniform over modes `am` of `a`, Y over modes `bm` of `b`, in closed form. */
function expectation(
  k: Kernel,
  p: number,
  a: MixtureSource,
  am: readonly number[],
  b: MixtureSource,
  bm: readonly number[],
): number {
  let s = 0;
  if (k.kind === 'gaussian') {
    for (const i of am)
      for (const j of bm) s += gaussianExpectation(k.bandwidth, p, a.centres[i]!, a.std, b.centres[j]!, b.std);
  } else {
    const n = k.degree * p;
    const ma = modeMoments(a, n, am);
    const mb = modeMoments(b, n, bm);
    for (const x of ma) for (const y of mb) s += polynomialExpectation(n, x, y);
  }
  return s / (am.length * bm.length);
}

const allModes = (src: MixtureSource): number[] => src.centres.map((_, i) => i);

/** E k^p between generator i's and j's samples (uniform over their modes). */
function armPair(a: Arm, b: Arm, k: Kernel, p: number): number {
  return expectation(k, p, a.source, a.modes, b.source, b.modes);
}

function armRef(a: Arm, ref: MixtureSource, k: Kernel): number {
  return expectation(k, 1, a.source, a.modes, ref, allModes(ref));
}

function refRef(ref: MixtureSource, k: Kernel): number {
  return expectation(k, 1, ref, allModes(ref), ref, allModes(ref));
}

interface RunCtx {
  readonly ir: IrProgram;
  readonly exp: IrExperiment;
  readonly loop: SelectLoop;
  readonly plan: Plan;
  readonly rounds: number;
  readonly methods: readonly Method[];
  readonly arms: readonly Arm[];
  readonly d: number;
  readonly metrics: readonly SelMetric[];
  readonly models: readonly PointModel[];
  readonly scoreKind: 'rke' | 'kid';
  readonly scoreKernel: number;
  readonly scoreBsum: number;
  readonly bsums: readonly { kernel: number; ref: number }[];
  readonly refs: readonly MixtureSource[];
  readonly knns: readonly { ref: number; k: number; site: string }[];
  readonly kernelCount: number;
}

/** One row: a method at a sweep point and replicate. */
interface Row {
  readonly method: SelectMethod;
  /** Index of the method in the run's list (its settings). */
  readonly mi: number;
  readonly point: number;
  /** Batch row of the plan (point · R + replicate). */
  readonly b: number;
  /** Per generator: the samples drawn from it so far, `[n_i, d]` row-major. */
  readonly X: Float64Array[];
  readonly n: Float64Array;
  /** Per kernel slot: Σ k and Σ k² over ordered sample pairs (self pairs included), per generator pair. */
  readonly S1: Float64Array[];
  readonly S2: Float64Array[];
  /** Per reference-expectation slot: Σ_x E k(x, Y) per generator. */
  readonly B: Float64Array[];
  /** Per k-NN slot: samples inside some reference ball, and the summed count of balls containing them. */
  readonly hits: Float64Array;
  readonly balls: Float64Array;
  readonly armStreams: Stream[];
  readonly own: Stream;
  /** OGD weights, CAB's last solution. */
  w: Float64Array;
  regret: number;
}

/** A reference sample `[N, d]` and its points' k-NN radii (squared). */
interface Reference {
  readonly Y: Float64Array;
  readonly r2: Float64Array;
}

function drawFrom(source: MixtureSource, modes: readonly number[], s: Stream, out: Float64Array, o: number): void {
  const k = modes[Math.min(modes.length - 1, Math.floor(s.uniform() * modes.length))]!;
  const c = source.centres[k]!;
  for (let i = 0; i < c.length; i++) out[o + i] = c[i]! + source.std * s.normal();
}

function referenceSample(src: MixtureSource, k: number, s: Stream, N: number): Reference {
  const d = src.dim;
  const Y = new Float64Array(N * d);
  const all = src.centres.map((_, i) => i);
  for (let i = 0; i < N; i++) drawFrom(src, all, s, Y, i * d);
  // Squared distance to the k-th nearest other point, by a k-element insertion list.
  const r2 = new Float64Array(N);
  const best = new Float64Array(k);
  for (let i = 0; i < N; i++) {
    best.fill(Infinity);
    for (let j = 0; j < N; j++) {
      if (j === i) continue;
      let d2 = 0;
      for (let q = 0; q < d; q++) d2 += (Y[i * d + q]! - Y[j * d + q]!) ** 2;
      if (d2 >= best[k - 1]!) continue;
      let p = k - 1;
      while (p > 0 && best[p - 1]! > d2) {
        best[p] = best[p - 1]!;
        p--;
      }
      best[p] = d2;
    }
    r2[i] = best[k - 1]!;
  }
  return { Y, r2 };
}

async function runSelect(
  c: RunCtx,
  progress: (t: number) => void,
  signal: AbortSignalLike | undefined,
): Promise<ExperimentResult> {
  const started = Date.now();
  const { plan, rounds: T, methods, arms, d, metrics, models, loop } = c;
  const m = arms.length;
  const { B, P, R } = plan;
  const M = methods.length;
  const site = (s: string): number => hashString(s);
  const rowKeys = plan.rows.map((r) => plan.keys.rowKey(r));
  const armSites = arms.map((_, i) => site(`${loop.id}/generator:${i}`));

  // Reference samples, shared by the methods of a replicate.
  const references: Reference[][] = plan.rows.map((_, b) =>
    c.knns.map((k) =>
      referenceSample(c.refs[k.ref]!, k.k, new Stream(mixKeys(rowKeys[b]!, 0, site(k.site))), REFERENCE_SAMPLES),
    ),
  );

  const rows: Row[] = [];
  methods.forEach(({ name: method }, mi) => {
    for (let b = 0; b < B; b++) {
      const point = Math.floor(b / R);
      rows.push({
        method,
        mi,
        point,
        b,
        X: arms.map(() => new Float64Array(T * d)),
        n: new Float64Array(m),
        S1: Array.from({ length: c.kernelCount }, () => new Float64Array(m * m)),
        S2: Array.from({ length: c.kernelCount }, () => new Float64Array(m * m)),
        B: c.bsums.map(() => new Float64Array(m)),
        hits: new Float64Array(c.knns.length),
        balls: new Float64Array(c.knns.length),
        armStreams: armSites.map((s) => new Stream(mixKeys(rowKeys[b]!, 0, s))),
        own: new Stream(mixKeys(rowKeys[b]!, 0, site(`${loop.id}/${method}`))),
        w: new Float64Array(m).fill(1 / m),
        regret: 0,
      });
    }
  });

  // Recording: metric values [metric][method][b][ti]; proportions [method][b][ti][i].
  const every = Math.max(1, Math.ceil(T / PROPORTION_POINTS));
  const propTimes: number[] = [];
  for (let t = every; t <= T; t += every) propTimes.push(t);
  if (propTimes[propTimes.length - 1] !== T) propTimes.push(T);
  const propIndex = new Map(propTimes.map((t, i) => [t, i]));
  const props = new Float64Array(M * B * propTimes.length * m);
  const store = metrics.map((mt) => ({
    mt,
    index: new Map(mt.times.map((t, i) => [t, i])),
    data: new Float64Array(M * B * mt.times.length),
  }));

  const acc1 = new Float64Array(m);
  const acc2 = new Float64Array(m);
  const Qh = new Float64Array(m * m);
  const lh = new Float64Array(m);
  const x = new Float64Array(d);

  /** The estimated loss model of the score from a row's sums (Q̂, and l̂ without bonus). */
  const estimate = (row: Row): void => {
    const S = c.scoreKind === 'rke' ? row.S2[c.scoreKernel]! : row.S1[c.scoreKernel]!;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < m; j++) Qh[i * m + j] = S[i * m + j]! / (row.n[i]! * row.n[j]!);
      lh[i] = c.scoreKind === 'kid' ? (2 * row.B[c.scoreBsum]![i]!) / row.n[i]! : 0;
    }
  };

  const sampleFrom = (w: Float64Array, s: Stream): number => {
    let u = s.uniform();
    for (let i = 0; i < m - 1; i++) {
      u -= w[i]!;
      if (u < 0) return i;
    }
    return m - 1;
  };

  const choose = (row: Row, t: number): number => {
    const model = models[row.point]!;
    switch (row.method) {
      case 'oracle_best_single':
        return model.best;
      case 'oracle_mixture':
        return sampleFrom(model.oracle, row.own);
      default:
        break;
    }
    if (t <= INITIAL_PER_ARM * m) return (t - 1) % m;
    const { bonus, lr } = model.settings[row.mi]!;
    estimate(row);
    const lt = Math.log(t);
    if (row.method === 'vanilla_ucb') {
      let best = 0;
      let bestV = Infinity;
      for (let i = 0; i < m; i++) {
        const v = Qh[i * m + i]! - lh[i]! - bonus * Math.sqrt(lt / (2 * row.n[i]!));
        if (v < bestV) {
          bestV = v;
          best = i;
        }
      }
      return best;
    }
    for (let i = 0; i < m; i++) lh[i] = lh[i]! + bonus * Math.sqrt(lt / row.n[i]!);
    if (row.method === 'mixture_ucb_cab') {
      row.w = simplexQp(Qh, lh, m, row.w);
      let best = 0;
      let bestLag = -Infinity;
      for (let i = 0; i < m; i++) {
        const lag = row.w[i]! * t - row.n[i]!;
        if (lag > bestLag + 1e-12) {
          bestLag = lag;
          best = i;
        }
      }
      return best;
    }
    // mixture_ucb_ogd: a projected gradient step on the optimistic loss at the current weights.
    const w = row.w;
    const g = acc1;
    for (let i = 0; i < m; i++) {
      let qi = 0;
      for (let j = 0; j < m; j++) qi += Qh[i * m + j]! * w[j]!;
      g[i] = 2 * qi - lh[i]!;
    }
    for (let i = 0; i < m; i++) w[i] = w[i]! - lr * g[i]!;
    projectSimplex(w);
    return sampleFrom(w, row.own);
  };

  const add = (row: Row, t: number, a: number): void => {
    const model = models[row.point]!;
    drawFrom(arms[a]!.source, arms[a]!.modes, row.armStreams[a]!, x, 0);
    for (let k = 0; k < c.kernelCount; k++) {
      const kernel = model.kernels[k]!;
      // Σ k and Σ k² against each generator's earlier samples (kept per generator: the sums stay in locals).
      for (let j = 0; j < m; j++) {
        const Xj = row.X[j]!;
        const nj = row.n[j]!;
        let s1 = 0;
        let s2 = 0;
        if (kernel.kind === 'gaussian' && d === 2) {
          const inv = 1 / (2 * kernel.bandwidth * kernel.bandwidth);
          const x0 = x[0]!;
          const x1 = x[1]!;
          for (let s = 0; s < nj; s++) {
            const dx = x0 - Xj[2 * s]!;
            const dy = x1 - Xj[2 * s + 1]!;
            const v = Math.exp(-(dx * dx + dy * dy) * inv);
            s1 += v;
            s2 += v * v;
          }
        } else
          for (let s = 0; s < nj; s++) {
            const v = kernelValue(kernel, x, 0, Xj, s * d, d);
            s1 += v;
            s2 += v * v;
          }
        acc1[j] = s1;
        acc2[j] = s2;
      }
      const S1 = row.S1[k]!;
      const S2 = row.S2[k]!;
      for (let j = 0; j < m; j++) {
        S1[a * m + j] = S1[a * m + j]! + acc1[j]!;
        S1[j * m + a] = S1[j * m + a]! + acc1[j]!;
        S2[a * m + j] = S2[a * m + j]! + acc2[j]!;
        S2[j * m + a] = S2[j * m + a]! + acc2[j]!;
      }
      const self = kernelValue(kernel, x, 0, x, 0, d); // 1 for the Gaussian kernel
      S1[a * m + a] = S1[a * m + a]! + self;
      S2[a * m + a] = S2[a * m + a]! + self * self;
    }
    c.bsums.forEach((bs, i) => {
      const ref = c.refs[bs.ref]!;
      const kernel = model.kernels[bs.kernel]!;
      let e = 0;
      if (kernel.kind === 'gaussian') {
        // E k(x, Y) = (h²/v)^{d/2} · mean over modes of exp(−‖x − c‖²/(2v)), v = h² + s².
        const h2 = kernel.bandwidth ** 2;
        const v = h2 + ref.std * ref.std;
        let s = 0;
        for (const cc of ref.centres) {
          let d2 = 0;
          for (let q = 0; q < d; q++) d2 += (x[q]! - cc[q]!) ** 2;
          s += Math.exp(-d2 / (2 * v));
        }
        e = ((h2 / v) ** (d / 2) * s) / ref.centres.length;
      } else {
        const px = Array.from(x, (xq) => Array.from({ length: kernel.degree + 1 }, (_, a2) => xq ** a2));
        for (const my of model.refMoments[i]!) e += polynomialExpectation(kernel.degree, px, my);
        e /= ref.centres.length;
      }
      row.B[i]![a] = row.B[i]![a]! + e;
    });
    c.knns.forEach((_, i) => {
      const { Y, r2 } = references[row.b]![i]!;
      let inside = 0;
      for (let j = 0; j < r2.length; j++) {
        let d2 = 0;
        for (let q = 0; q < d; q++) d2 += (x[q]! - Y[j * d + q]!) ** 2;
        if (d2 <= r2[j]!) inside++;
      }
      row.hits[i] = row.hits[i]! + (inside > 0 ? 1 : 0);
      row.balls[i] = row.balls[i]! + inside;
    });
    row.X[a]!.set(x, row.n[a]! * d);
    row.n[a] = row.n[a]! + 1;
    // Regret: exact excess loss of the empirical mixture.
    const share = acc2;
    for (let i = 0; i < m; i++) share[i] = row.n[i]! / t;
    row.regret += quadratic(model.Q, model.l, share, m) + model.c - model.lossStar;
  };

  const value = (row: Row, mt: SelMetric, t: number): number => {
    const model = models[row.point]!;
    switch (mt.kind) {
      case 'rke':
        return (t * t) / row.S2[mt.kernel]!.reduce((a, b) => a + b, 0);
      case 'kid': {
        const bs = row.B[mt.bsum]!.reduce((a, b) => a + b, 0);
        return row.S1[mt.kernel]!.reduce((a, b) => a + b, 0) / (t * t) - (2 * bs) / t + model.refSelf[mt.bsum]!;
      }
      case 'precision':
        return row.hits[mt.knn]! / t;
      case 'density':
        return row.balls[mt.knn]! / (c.knns[mt.knn]!.k * t);
      case 'regret':
        return row.regret;
    }
  };

  progress(0);
  for (let t = 1; t <= T; t++) {
    if (signal?.aborted)
      throw new RuntimeError('aborted', plan.exp.id, `the run of \`${plan.exp.name}\` was cancelled`);
    rows.forEach((row, r) => {
      add(row, t, choose(row, t));
      for (const s of store) {
        const ti = s.index.get(t);
        if (ti !== undefined) s.data[r * s.mt.times.length + ti] = value(row, s.mt, t);
      }
      const pi = propIndex.get(t);
      if (pi !== undefined) for (let i = 0; i < m; i++) props[(r * propTimes.length + pi) * m + i] = row.n[i]! / t;
    });
    progress(t);
    // Give the event loop a turn now and then (progress output, cancellation).
    if (t % 50 === 0) await tf.nextFrame();
  }

  const round9 = (v: number): number => (Number.isFinite(v) ? Number(v.toPrecision(9)) : v);
  const series: MetricSeries[] = [];
  for (const s of store)
    methods.forEach(({ label: method }, mi) => {
      const nT = s.mt.times.length;
      const values: number[][][] = [];
      for (let p = 0; p < P; p++) {
        const reps: number[][] = [];
        for (let r = 0; r < R; r++) {
          const o = (mi * B + p * R + r) * nT;
          reps.push(Array.from(s.data.subarray(o, o + nT), round9));
        }
        values.push(reps);
      }
      series.push({ id: s.mt.ir.id, name: s.mt.ir.name, metric: s.mt.ir.metric, method, t: [...s.mt.times], values });
    });
  methods.forEach(({ label: method }, mi) => {
    for (let i = 0; i < m; i++) {
      const values: number[][][] = [];
      for (let p = 0; p < P; p++) {
        const reps: number[][] = [];
        for (let r = 0; r < R; r++) {
          const row = mi * B + p * R + r;
          reps.push(propTimes.map((_, ti) => round9(props[(row * propTimes.length + ti) * m + i]!)));
        }
        values.push(reps);
      }
      series.push({
        id: `${loop.id}/proportion:${i}`,
        name: `proportion:${i}`,
        metric: 'proportion',
        method,
        generator: i,
        label: arms[i]!.label,
        t: [...propTimes],
        values,
      });
    }
  });
  const selection: SelectionInfo = {
    methods: methods.map((mt) => mt.label),
    generators: arms.map((a) => ({ label: a.label, source: a.source.name, modes: [...a.modes] })),
    score: c.scoreKind,
    oracleWeights: models.map((mo) => Array.from(mo.oracle, round9)),
    bestSingle: models.map((mo) => mo.best),
    exactLoss: models.map((mo) => ({
      single: arms.map((_, i) => round9(mo.Q[i * m + i]! - mo.l[i]! + mo.c)),
      oracle: round9(mo.lossStar),
    })),
  };
  return {
    id: plan.exp.id,
    name: plan.exp.name,
    seed: plan.seed,
    preview: plan.preview,
    loop: 'select',
    replicates: R,
    generations: T,
    sweeps: plan.sweeps,
    points: plan.points,
    metrics: series,
    selection,
    wallMs: Date.now() - started,
  };
}
