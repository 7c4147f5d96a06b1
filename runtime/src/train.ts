/**
 * The `train` loop: a GAN of an `mlp` generator G(z) and an `mlp` discriminator f(x) on a 2-D mixture
 * (ring, grid) or a gaussian source, in phases (coopinit.md, reference-notes.md §4).
 *
 * - **Step axis.** The phases lie end to end as written; `t` counts steps from 0 (the initial networks) to
 *   T = the sum of the phases' steps. A phase whose `when` is false at a sweep point is skipped there:
 *   the networks do not change during its span (so that point runs fewer steps in all, and every point's
 *   later phases line up on the same steps). At preview, `preview { steps: N }` scales every phase by
 *   N / T (largest remainders, at least one step each), as the cost estimate does.
 * - **Cooperative phase** (CoopNets' update, started at G's samples): z ~ N(0, I), x̂ = G(z); L Langevin
 *   steps on the EBM p ∝ exp(f): x ← x + (s²/2)(∇ₓf(x) − x/ref²) + s·ε (the reference term only with
 *   `reference`); f descends mean f(x̃) − mean_data f (ascends mean_data f − mean_revised f); G regresses
 *   onto the revised samples, ½‖x̃ − G(z)‖² for the same z.
 * - **Adversarial phase**: f is the discriminator's logit. Losses: `nonsaturating` (D: softplus(−f(x)) +
 *   softplus(f(G(z))); G: softplus(−f(G(z)))), `minimax` (G: −softplus(f(G(z))), i.e. log(1 − D)), `hinge`
 *   (D: relu(1 − f(x)) + relu(1 + f(G(z))); G: −f(G(z))), `wgan` (D: f(G(z)) − f(x) with weights clipped to
 *   ±0.01; G: −f(G(z))). One D step, then one G step on the same z.
 * - **Optimiser.** Adam (β₁ 0.5, β₂ 0.999) per network with the phase's `lr`; its moments are reset when
 *   a phase starts unless the previous phase ran with `reset_optimizer: false`.
 * - **Networks.** Each (sweep point, replicate) trains its own pair, one after the other; initial weights
 *   and every draw (latents, data, Langevin noise, metric latents) come from random.ts streams keyed by
 *   (seed, experiment, point, replicate, step, site), so a replicate's run does not depend on what runs
 *   beside it. Metrics are measured on fixed latents per metric (common random numbers over steps).
 * - **Metrics** of the generator: mode_coverage and high_quality_fraction on `samples` (2,500) fixed latents;
 *   rke, kid, fid, precision and density on 500 fixed latents against 500 fixed draws of the reference (the
 *   GAN's data unless given), by families/sample-metrics.ts's formulas.
 * - **Divergence.** A non-finite loss or weight stops the run with a DivergenceError naming the network,
 *   the step and the likely cause.
 */
import * as tf from '@tensorflow/tfjs';
import type { IrExperiment, IrModel, IrProgram, IrValue } from '@ouro/dsl';
import { callOf, resolveData } from './data.js';
import { DivergenceError, RuntimeError, unsupported } from './errors.js';
import { describeEnv, evalCount, evalNumber, evalScalar, type Env } from './expr.js';
import { modeScores } from './metrics.js';
import { metricCount, sampleKernel, scoreSamples, type Kernel } from './families/sample-metrics.js';
import { Adam, Mlp, mlpSpec, paramCount, type MlpSpec } from './mlp.js';
import type { LoopJob } from './loop.js';
import { envAt, makePlan, type Plan } from './plan.js';
import type { RowKey } from './random.js';
import type { AbortSignalLike, ExperimentResult, MetricSeries, SampleSet } from './types.js';
import type { BackendOptions } from './backend.js';
import { runInWorkers, workerCount } from './train-pool.js';

type TrainLoop = IrExperiment['loop'] & { kind: 'train' };
type Loss = 'nonsaturating' | 'minimax' | 'hinge' | 'wgan';
const losses: readonly Loss[] = ['nonsaturating', 'minimax', 'hinge', 'wgan'];

/** Samples recorded per `view samples` (generator, replicate 0, each sweep point). */
export const SAMPLES_RECORDED = 1000;

interface Mixture {
  readonly name: string;
  readonly centres: readonly (readonly number[])[];
  readonly std: number;
  readonly dim: number;
}

interface PhasePlan {
  readonly id: string;
  readonly kind: 'cooperative' | 'adversarial';
  readonly start: number;
  readonly steps: number;
  /** Per sweep point. */
  readonly active: readonly boolean[];
  readonly lr: readonly number[];
  readonly batch: readonly number[];
  readonly loss: Loss;
  /** Per sweep point. */
  readonly langevin: readonly { readonly steps: number; readonly step: number; readonly reference: number | null }[];
  readonly resetAfter: boolean;
}

interface ModeMetric {
  readonly kind: 'mode';
  readonly id: string;
  readonly name: string;
  readonly metric: 'mode_coverage' | 'high_quality_fraction';
  readonly target: Mixture;
  readonly samples: readonly number[];
  readonly minCount: readonly number[];
  readonly times: readonly number[];
}

/** rke, kid, fid, precision, density of the generator: 500 samples of fixed latents against 500 fixed reference draws. */
interface SampleMetric {
  readonly kind: 'sample';
  readonly id: string;
  readonly name: string;
  readonly metric: 'rke' | 'kid' | 'fid' | 'precision' | 'density';
  /** Null for rke, which measures the samples alone. */
  readonly reference: Mixture | null;
  readonly kernel: Kernel;
  readonly k: number;
  readonly times: readonly number[];
}

type TrainMetric = ModeMetric | SampleMetric;
const SAMPLE_SCORES: readonly SampleMetric['metric'][] = ['rke', 'kid', 'fid', 'precision', 'density'];
/** Generator and reference samples per rke, kid, fid, precision or density value (as in retrain loops). */
const SCORE_SAMPLES = 500;

export interface TrainJob extends LoopJob<'step'> {
  /** Run b alone (sweep point b ÷ R, replicate b mod R): what a worker thread does. */
  runOne(b: number, progress: (t: number) => void, signal: AbortSignalLike | undefined): Promise<RunOutput>;
}

export interface TrainRunOptions {
  /**
   * Worker threads that train runs side by side (each run is independent, so results do not depend on
   * it). Default: one per core when the backend is wasm or cpu and the work is large enough to repay a
   * worker's start (about half a second); 1 trains in this thread.
   */
  readonly workers?: number;
  readonly backendOptions?: BackendOptions;
}

function mixtureOf(ir: IrProgram, v: IrValue, nodeId: string): Mixture {
  const { source: s, part } = resolveData(ir, v, nodeId);
  if (part === null && s.kind === 'mixture') return s;
  if (part === null && s.kind === 'gaussian') return { name: s.name, centres: [s.mean], std: s.std, dim: s.dim };
  throw unsupported(nodeId, `training a GAN on \`${s.name}\` (a ${s.kind} source)`);
}

/** Splits `total` steps over phases in proportion to `steps` (largest remainders, each at least 1). */
export function scaleSteps(steps: readonly number[], total: number): number[] {
  const sum = steps.reduce((a, b) => a + b, 0);
  if (total >= sum || steps.length === 0) return [...steps];
  const raw = steps.map((s) => (s * total) / sum);
  const out = raw.map((x) => Math.max(1, Math.floor(x)));
  let left = total - out.reduce((a, b) => a + b, 0);
  const order = raw.map((x, i) => [x - Math.floor(x), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (let k = 0; left > 0 && k < order.length; k++, left--) out[order[k]![1]]!++;
  return out;
}

export function compileTrain(
  ir: IrProgram,
  exp: IrExperiment,
  preview: boolean,
  seed: number | undefined,
  opts: TrainRunOptions = {},
): TrainJob {
  const loop = exp.loop as TrainLoop;
  const models = new Map<string, IrModel>(exp.models.map((m) => [m.name, m]));
  const modelOf = (name: string, role: string): IrModel => {
    const m = models.get(name);
    if (!m) throw new RuntimeError('invalid', loop.id, `the ${role} \`${name}\` is not a model of this experiment`);
    return m;
  };
  const gModel = modelOf(loop.generator, 'generator');
  const dModel = modelOf(loop.discriminator, 'discriminator');
  const gSpec = mlpSpec(gModel);
  const dSpec = mlpSpec(dModel);
  if (gSpec.role !== 'generator')
    throw new RuntimeError('invalid', gModel.id, `the generator \`${gSpec.name}\` needs \`latent\` (an mlp G(z))`);
  if (dSpec.role !== 'discriminator' || dSpec.out !== 1)
    throw new RuntimeError(
      'invalid',
      dModel.id,
      `the discriminator \`${dSpec.name}\` needs \`in\` and \`out: 1\` (a scalar f(x))`,
    );
  const data = mixtureOf(ir, loop.data, loop.id);
  if (gSpec.out !== data.dim || dSpec.input !== data.dim)
    throw new RuntimeError(
      'invalid',
      loop.id,
      `\`${data.name}\` is ${data.dim}-dimensional: the generator's \`out\` (${gSpec.out}) and the discriminator's \`in\` (${dSpec.input}) must match it`,
    );
  if (loop.phases.length === 0) throw new RuntimeError('invalid', loop.id, 'the `train` loop has no phases');

  const specSteps = loop.phases.map((p) => p.steps);
  if (specSteps.some((s) => !Number.isInteger(s) || s < 1))
    throw new RuntimeError('invalid', loop.id, 'every phase runs a whole number of steps, at least 1');
  const pvSteps = preview ? exp.preview['steps'] : undefined;
  const steps = pvSteps === undefined ? specSteps : scaleSteps(specSteps, pvSteps);
  const T = steps.reduce((a, b) => a + b, 0);
  const base = makePlan(
    { ...exp, preview: { ...(preview ? exp.preview : {}), generations: T } },
    { preview: true, seed },
  );
  const plan: Plan = { ...base, exp, preview };
  const envs: Env[] = plan.points.map((_, p) => envAt(plan, p, 0));

  let start = 0;
  const phases: PhasePlan[] = loop.phases.map((ph, k) => {
    const o = ph.options;
    const active = envs.map((env) => {
      if (ph.when === null) return true;
      const v = evalScalar(ph.when, env, ph.id);
      if (typeof v !== 'boolean')
        throw new RuntimeError(
          'invalid',
          ph.id,
          `\`when\` is ${JSON.stringify(v)}${describeEnv(env)}; expected true or false`,
        );
      return v;
    });
    const lr = envs.map((env) => {
      const x = evalNumber(o['lr'] ?? 1e-3, env, ph.id, 'the learning rate');
      if (!(x > 0))
        throw new RuntimeError('invalid', ph.id, `the learning rate is ${x}${describeEnv(env)}; it must be positive`);
      return x;
    });
    const batch = envs.map((env) => evalCount(o['batch'] ?? 64, env, ph.id, 'the batch size'));
    const loss = (o['loss'] ?? 'nonsaturating') as Loss;
    if (!losses.includes(loss)) throw unsupported(ph.id, `the GAN loss ${JSON.stringify(loss)}`);
    const lv = callOf(o['langevin'])?.args ?? {};
    const langevin = envs.map((env) => {
      const reference = lv['reference'];
      const ref =
        reference === undefined || reference === null
          ? null
          : evalNumber(reference, env, ph.id, 'the Langevin reference std');
      const step = evalNumber(lv['step'] ?? 0.05, env, ph.id, 'the Langevin step size');
      if (!(step > 0) || (ref !== null && !(ref > 0)))
        throw new RuntimeError(
          'invalid',
          ph.id,
          `the Langevin step size and reference std must be positive${describeEnv(env)}`,
        );
      return { steps: evalCount(lv['steps'] ?? 30, env, ph.id, 'the Langevin steps'), step, reference: ref };
    });
    const p: PhasePlan = {
      id: ph.id,
      kind: ph.kind,
      start,
      steps: steps[k]!,
      active,
      lr,
      batch,
      loss,
      langevin,
      resetAfter: o['reset_optimizer'] !== false,
    };
    start += steps[k]!;
    return p;
  });

  const metrics: TrainMetric[] = exp.metrics.map((m): TrainMetric => {
    const isScore = (SAMPLE_SCORES as readonly string[]).includes(m.metric);
    if (m.metric !== 'mode_coverage' && m.metric !== 'high_quality_fraction' && !isScore)
      throw unsupported(m.id, `the metric \`${m.metric}\` in a \`train\` experiment`);
    // The samples measured: the generator (the one sampler of a train experiment, also when left out).
    const mv = m.args[isScore ? 'of' : 'model'] ?? (isScore ? { model: gSpec.name } : undefined);
    const name = mv && typeof mv === 'object' && !Array.isArray(mv) && 'model' in mv ? mv.model : undefined;
    if (name !== gSpec.name) throw unsupported(m.id, `\`${m.metric}\` of anything but the generator \`${gSpec.name}\``);
    const times = new Set<number>();
    if (m.schedule === 'final') times.add(T);
    else for (let t = 0; t <= T; t += Math.max(1, m.schedule.every)) times.add(t);
    times.add(T);
    const sorted = [...times].sort((a, b) => a - b);
    const reference = (key: string): Mixture => {
      const target = mixtureOf(ir, m.args[key] ?? loop.data, m.id);
      if (target.dim !== data.dim)
        throw new RuntimeError('invalid', m.id, `the ${key} \`${target.name}\` is not ${data.dim}-dimensional`);
      return target;
    };
    if (isScore) {
      const k = metricCount(m, 'k', 5);
      if (k >= SCORE_SAMPLES) throw new RuntimeError('invalid', m.id, `\`k\` must be below ${SCORE_SAMPLES}`);
      return {
        ...{ kind: 'sample', id: m.id, name: m.name, metric: m.metric as SampleMetric['metric'] },
        ...{ reference: m.metric === 'rke' ? null : reference('reference'), kernel: sampleKernel(m, plan), k },
        times: sorted,
      };
    }
    return {
      kind: 'mode',
      id: m.id,
      name: m.name,
      metric: m.metric as ModeMetric['metric'],
      target: reference('target'),
      samples: envs.map((env) => evalCount(m.args['samples'] ?? 2500, env, m.id, 'the metric sample count')),
      minCount: envs.map((env) => evalCount(m.args['min_count'] ?? 31, env, m.id, 'min_count')),
      times: sorted,
    };
  });
  const sampleViews = exp.views.filter((v) => v.kind === 'samples' && v.model === gSpec.name);

  const cost = preview && exp.previewCost ? exp.previewCost : exp.cost;
  const ctx: Ctx = {
    ...{ ir, seed, flops: cost.flops },
    ...{ plan, loop, gModel, dModel, gSpec, dSpec, data, phases, metrics, sampleViews, T },
  };
  return {
    plan,
    weight: Math.max(1, cost.samples),
    unit: 'step',
    run: (progress, signal) => runTrain(ctx, progress, signal, opts),
    runOne: (b, progress, signal) => trainOne(ctx, b, progress, signal),
  };
}

export interface Ctx {
  /** What a worker needs to compile the same job: the program, the seed override, the estimated work. */
  readonly ir: IrProgram;
  readonly seed: number | undefined;
  readonly flops: number;
  readonly plan: Plan;
  readonly loop: TrainLoop;
  readonly gModel: IrModel;
  readonly dModel: IrModel;
  readonly gSpec: MlpSpec;
  readonly dSpec: MlpSpec;
  readonly data: Mixture;
  readonly phases: readonly PhasePlan[];
  readonly metrics: readonly TrainMetric[];
  readonly sampleViews: IrExperiment['views'];
  readonly T: number;
}

/** `[n, d]` draws from a mixture: equal mode weights, then isotropic noise. */
function drawMixture(plan: Plan, row: RowKey, m: Mixture, n: number, t: number, site: string): tf.Tensor2D {
  const u = plan.keys.uniforms([row], n, t, `${site}/mode`);
  const e = plan.keys.normals([row], n * m.dim, t, `${site}/noise`);
  const K = m.centres.length;
  const out = new Float32Array(n * m.dim);
  for (let i = 0; i < n; i++) {
    const c = m.centres[Math.min(K - 1, Math.floor(u[i]! * K))]!;
    for (let j = 0; j < m.dim; j++) out[i * m.dim + j] = c[j]! + m.std * e[i * m.dim + j]!;
  }
  return tf.tensor2d(out, [n, m.dim]);
}

const round = (x: number, digits: number): number => Number(x.toPrecision(digits));

/** One run's results: each metric's values at its times, and its generator samples. */
export interface RunOutput {
  readonly values: Float64Array[];
  readonly samples: SampleSet[];
}

async function runTrain(
  c: Ctx,
  progress: (t: number) => void,
  signal: AbortSignalLike | undefined,
  opts: TrainRunOptions,
): Promise<ExperimentResult> {
  const started = Date.now();
  const { plan, T } = c;
  const { P, R } = plan;
  const runs = P * R;
  // Progress: the mean over runs of each run's step.
  const at = new Float64Array(runs);
  let sum = 0;
  const step = (b: number, t: number): void => {
    sum += t - at[b]!;
    at[b] = t;
    progress(Math.floor(sum / runs));
  };
  const workers = workerCount(c, opts, runs);
  const outs =
    workers > 1
      ? await runInWorkers(c, workers, opts, step, signal, () => runInProcess(c, runs, step, signal))
      : await runInProcess(c, runs, step, signal);
  progress(T);
  const series: MetricSeries[] = c.metrics.map((m, k) => {
    const values: number[][][] = [];
    for (let p = 0; p < P; p++) {
      const reps: number[][] = [];
      for (let r = 0; r < R; r++) reps.push(Array.from(outs[p * R + r]!.values[k]!, (x) => round(x, 9)));
      values.push(reps);
    }
    return { id: m.id, name: m.name, metric: m.metric, method: 'train', t: [...m.times], values };
  });
  return {
    id: plan.exp.id,
    name: plan.exp.name,
    seed: plan.seed,
    preview: plan.preview,
    loop: 'train',
    replicates: R,
    generations: T,
    sweeps: plan.sweeps,
    points: plan.points,
    metrics: series,
    samples: outs.flatMap((o) => o.samples),
    wallMs: Date.now() - started,
  };
}

async function runInProcess(
  c: Ctx,
  runs: number,
  step: (b: number, t: number) => void,
  signal: AbortSignalLike | undefined,
): Promise<RunOutput[]> {
  const outs: RunOutput[] = [];
  for (let b = 0; b < runs; b++) outs.push(await trainOne(c, b, (t) => step(b, t), signal));
  return outs;
}

/**
 * Trains run `b` (sweep point b ÷ R, replicate b mod R) from its seeded initial weights and returns its
 * metrics and samples. A run depends only on the seed and b, never on what runs beside it or where.
 */
export async function trainOne(
  c: Ctx,
  b: number,
  progress: (t: number) => void,
  signal: AbortSignalLike | undefined,
): Promise<RunOutput> {
  const { plan, gSpec, dSpec, data } = c;
  const p = Math.floor(b / plan.R);
  const r = b % plan.R;
  const store = c.metrics.map((m) => ({ index: new Map(m.times.map((t, i) => [t, i])), m }));
  const out: RunOutput = { values: c.metrics.map((m) => new Float64Array(m.times.length)), samples: [] };
  const samples = out.samples;
  const row = plan.rows[b]!;
  const keys = plan.keys;
  const G = new Mlp(gSpec, keys.normals([row], paramCount(gSpec), 0, `${gSpec.id}/init`));
  const D = new Mlp(dSpec, keys.normals([row], paramCount(dSpec), 0, `${dSpec.id}/init`));
  let gOpt: Adam | undefined;
  let dOpt: Adam | undefined;
  const metricZ = new Map<string, tf.Tensor2D>();
  const latent = (n: number, t: number, site: string): tf.Tensor2D =>
    tf.tensor2d(keys.normals([row], n * gSpec.input, t, site), [n, gSpec.input]);
  // Each score metric's reference draws, fixed over steps (common random numbers, as its latents).
  const refY = new Map<string, tf.Tensor3D>();
  const score = (m: SampleMetric, x: tf.Tensor2D): tf.Tensor1D => {
    let Y = refY.get(m.id) ?? null;
    if (!Y && m.reference) {
      const y = drawMixture(plan, row, m.reference, SCORE_SAMPLES, 0, `${m.id}/reference`);
      Y = tf.keep(y.expandDims(0) as tf.Tensor3D);
      refY.set(m.id, Y);
    }
    const bandwidths = m.kernel.kind === 'gaussian' ? [m.kernel.h[p]!] : null;
    return scoreSamples(m.metric, x.expandDims(0), Y, {
      kernel: m.kernel,
      bandwidths,
      k: m.k,
      minCount: 1,
      mixture: null,
    });
  };
  const last = new Map<string, number>();
  let dirty = true;
  const record = async (t: number): Promise<void> => {
    const due = store.filter((s) => s.index.has(t));
    if (due.length === 0) return;
    if (dirty) {
      const out = tf.tidy(() =>
        tf.stack(
          due.map(({ m }) => {
            let z = metricZ.get(m.id);
            if (!z) {
              z = tf.keep(latent(m.kind === 'mode' ? m.samples[p]! : SCORE_SAMPLES, 0, `${m.id}/z`));
              metricZ.set(m.id, z);
            }
            if (m.kind === 'sample') return score(m, G.apply(z));
            const s = modeScores(G.apply(z), m.target.centres, m.target.std, m.minCount[p]!);
            return m.metric === 'mode_coverage' ? s.slice(0, 1) : s.slice(1, 1);
          }),
        ),
      );
      const v = await out.data();
      out.dispose();
      last.clear();
      due.forEach(({ m }, k) => last.set(m.id, v[k]!));
      dirty = false;
    }
    for (const s of due) out.values[c.metrics.indexOf(s.m)]![s.index.get(t)!] = last.get(s.m.id) ?? NaN;
  };
  // Values of unchanged networks at times no `due` metric computed yet: compute them (dirty stays false).
  const recordAll = async (t: number): Promise<void> => {
    const missing = store.some((s) => s.index.has(t) && !last.has(s.m.id));
    if (missing) dirty = true;
    await record(t);
  };

  const where = (): string => {
    const values = Object.entries(plan.points[p]!.values).map(([k, v]) => `, ${k} = ${String(v)}`);
    return ` (replicate ${r}${values.join('')})`;
  };
  const fail = (model: IrModel, t: number, cause: string): DivergenceError => {
    const e = new DivergenceError(model.id, model.name, t, `${cause}${where()}`, plan.exp.name);
    e.message = e.message.replace(/ at generation /, ' at step ');
    return e;
  };

  try {
    await recordAll(0);
    let t = 0;
    let resetNext = true;
    for (const ph of c.phases) {
      if (!ph.active[p]) {
        for (let s = 1; s <= ph.steps; s++) await recordAll(ph.start + s);
        t = ph.start + ph.steps;
        continue;
      }
      const lr = ph.lr[p]!;
      if (resetNext || !gOpt || !dOpt) {
        gOpt?.dispose();
        dOpt?.dispose();
        gOpt = new Adam(G, lr);
        dOpt = new Adam(D, lr);
      } else {
        gOpt.lr = lr;
        dOpt.lr = lr;
      }
      resetNext = ph.resetAfter;
      const n = ph.batch[p]!;
      for (let s = 1; s <= ph.steps; s++) {
        t = ph.start + s;
        if (signal?.aborted)
          throw new RuntimeError('aborted', plan.exp.id, `the run of \`${plan.exp.name}\` was cancelled`);
        const check =
          ph.kind === 'cooperative'
            ? cooperativeStep(c, row, t, ph.id, ph.langevin[p]!, n, G, D, gOpt, dOpt)
            : adversarialStep(c, row, t, ph, n, G, D, gOpt, dOpt);
        const [dLoss, gLoss, dSum, gSum] = Array.from(await check.data());
        check.dispose();
        dirty = true;
        if (!Number.isFinite(dLoss!) || !Number.isFinite(dSum!))
          throw fail(
            c.dModel,
            t,
            ph.kind === 'cooperative'
              ? `its energy ran away in the cooperative phase (EBM loss ${dLoss}); the learning rate ${lr} or the Langevin step ${ph.langevin[p]!.step} is likely too high`
              : `its ${ph.loss} loss became ${dLoss} in the adversarial phase; the learning rate ${lr} is likely too high`,
          );
        if (!Number.isFinite(gLoss!) || !Number.isFinite(gSum!))
          throw fail(
            c.gModel,
            t,
            `its ${ph.kind === 'cooperative' ? 'regression' : ph.loss} loss became ${gLoss} in the ${ph.kind} phase; the learning rate ${lr} is likely too high`,
          );
        await record(t);
        if (s % 10 === 0 || s === ph.steps) progress(t);
      }
    }
    if (r === 0)
      for (const v of c.sampleViews) {
        const xs = tf.tidy(() => G.apply(latent(SAMPLES_RECORDED, c.T, `${v.id}/z`)));
        const flat = await xs.data();
        xs.dispose();
        const pts: number[][] = [];
        for (let i = 0; i < SAMPLES_RECORDED; i++)
          pts.push(Array.from(flat.subarray(i * data.dim, (i + 1) * data.dim), (x) => round(x, 6)));
        samples.push({
          view: v.id,
          model: gSpec.name,
          point: p,
          replicate: 0,
          t: c.T,
          values: pts,
          truth: { source: data.name, centres: data.centres, std: data.std },
        });
      }
  } finally {
    G.dispose();
    D.dispose();
    gOpt?.dispose();
    dOpt?.dispose();
    for (const z of metricZ.values()) z.dispose();
    for (const y of refY.values()) y.dispose();
  }
  return out;
}

/** ∂/∂f of mean softplus(±f) over n rows: ±sigmoid(±f)/n. */
const dSoftplus = (f: tf.Tensor2D, sign: 1 | -1, n: number): tf.Tensor2D =>
  (sign === 1 ? tf.sigmoid(f) : tf.sigmoid(f.neg()).neg()).div(n) as tf.Tensor2D;

/**
 * The discriminator's loss over its logits on real (`fr`) and generated (`ff`) samples, and its gradient
 * with respect to the logits `[fr; ff]` (2n × 1).
 */
function discriminatorLoss(loss: Loss, fr: tf.Tensor2D, ff: tf.Tensor2D, n: number): [tf.Scalar, tf.Tensor2D] {
  switch (loss) {
    case 'nonsaturating':
    case 'minimax':
      return [
        tf.softplus(fr.neg()).mean().add(tf.softplus(ff).mean()) as tf.Scalar,
        tf.concat([dSoftplus(fr, -1, n), dSoftplus(ff, 1, n)]),
      ];
    case 'hinge':
      return [
        tf
          .relu(tf.scalar(1).sub(fr))
          .mean()
          .add(tf.relu(ff.add(1)).mean()) as tf.Scalar,
        tf.concat([tf.step(tf.scalar(1).sub(fr)).div(-n), tf.step(ff.add(1)).div(n)]) as tf.Tensor2D,
      ];
    case 'wgan':
      return [ff.mean().sub(fr.mean()) as tf.Scalar, tf.concat([tf.fill(fr.shape, -1 / n), tf.fill(ff.shape, 1 / n)])];
  }
}

/** The generator's loss over the discriminator's logits on its samples, and its gradient (n × 1). */
function generatorLoss(loss: Loss, ff: tf.Tensor2D, n: number): [tf.Scalar, tf.Tensor2D] {
  switch (loss) {
    case 'nonsaturating':
      return [tf.softplus(ff.neg()).mean() as tf.Scalar, dSoftplus(ff, -1, n)];
    case 'minimax':
      return [tf.softplus(ff).mean().neg() as tf.Scalar, dSoftplus(ff, 1, n).neg()];
    case 'hinge':
    case 'wgan':
      return [ff.mean().neg() as tf.Scalar, tf.fill(ff.shape, -1 / n)];
  }
}

/** One adversarial step; returns `[D loss, G loss, D checksum, G checksum]`. */
function adversarialStep(
  c: Ctx,
  row: RowKey,
  t: number,
  ph: PhasePlan,
  n: number,
  G: Mlp,
  D: Mlp,
  gOpt: Adam,
  dOpt: Adam,
): tf.Tensor1D {
  return tf.tidy(() => {
    const z = tf.tensor2d(c.plan.keys.normals([row], n * c.gSpec.input, t, `${c.loop.id}/z`), [n, c.gSpec.input]);
    const real = drawMixture(c.plan, row, c.data, n, t, `${c.loop.id}/data`);
    const gPass = G.forward(z);
    const fake = gPass.out;
    // D step: one pass over real and generated samples together (fewer kernel launches than two).
    const dPass = D.forward(tf.concat([real, fake], 0));
    const f = dPass.out;
    const [dLoss, dF] = discriminatorLoss(ph.loss, f.slice([0, 0], [n, 1]), f.slice([n, 0], [n, 1]), n);
    dOpt.step(D.backward(dPass, dF, { params: true, input: false }).grad!);
    if (ph.loss === 'wgan') D.clip(0.01);
    // G step against the updated D, on the same z (G has not changed since `fake`).
    const fPass = D.forward(fake);
    const [gLoss, gF] = generatorLoss(ph.loss, fPass.out, n);
    const dFake = D.backward(fPass, gF, { params: false, input: true }).dInput!;
    gOpt.step(G.backward(gPass, dFake, { params: true, input: false }).grad!);
    return tf.stack([dLoss, gLoss, D.checksum(), G.checksum()]) as tf.Tensor1D;
  });
}

/** One cooperative step (Langevin revision, EBM update, generator regression); as adversarialStep. */
function cooperativeStep(
  c: Ctx,
  row: RowKey,
  t: number,
  phaseId: string,
  langevin: PhasePlan['langevin'][number],
  n: number,
  G: Mlp,
  D: Mlp,
  gOpt: Adam,
  dOpt: Adam,
): tf.Tensor1D {
  return tf.tidy(() => {
    const dim = c.data.dim;
    const { steps: L, step: s, reference } = langevin;
    const z = tf.tensor2d(c.plan.keys.normals([row], n * c.gSpec.input, t, `${c.loop.id}/z`), [n, c.gSpec.input]);
    const noise = c.plan.keys.normals([row], L * n * dim, t, `${phaseId}/langevin`);
    const gPass = G.forward(z);
    const dWeights = D.weightsForBackward();
    const ones = tf.fill([n, 1], 1) as tf.Tensor2D;
    let x = gPass.out;
    for (let l = 0; l < L; l++) {
      const prev = x;
      x = tf.tidy(() => {
        // ∇ₓ Σ f(x): f's rows are independent, so this is each sample's own gradient.
        let drift = D.backward(D.forward(prev, dWeights), ones, { params: false, input: true }).dInput!;
        if (reference !== null) drift = drift.sub(prev.div(reference * reference));
        const eps = tf.tensor2d(noise.subarray(l * n * dim, (l + 1) * n * dim), [n, dim]);
        return prev.add(drift.mul((s * s) / 2)).add(eps.mul(s)) as tf.Tensor2D;
      });
      if (prev !== gPass.out) prev.dispose();
    }
    const revised = x;
    const real = drawMixture(c.plan, row, c.data, n, t, `${c.loop.id}/data`);
    // EBM: descend mean f(x̃) − mean_data f.
    const dPass = D.forward(tf.concat([revised, real], 0), dWeights);
    const f = dPass.out;
    const dLoss = f
      .slice([0, 0], [n, 1])
      .mean()
      .sub(f.slice([n, 0], [n, 1]).mean());
    const dF = tf.concat([tf.fill([n, 1], 1 / n), tf.fill([n, 1], -1 / n)]) as tf.Tensor2D;
    dOpt.step(D.backward(dPass, dF, { params: true, input: false }).grad!);
    // G: regress onto the revised samples, ½ mean ‖G(z) − x̃‖².
    const diff = gPass.out.sub(revised) as tf.Tensor2D;
    const gLoss = diff.square().sum(1).mean().mul(0.5);
    gOpt.step(G.backward(gPass, diff.div(n), { params: true, input: false }).grad!);
    return tf.stack([dLoss, gLoss, D.checksum(), G.checksum()]) as tf.Tensor1D;
  });
}
