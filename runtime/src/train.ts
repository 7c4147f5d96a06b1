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
 * - **Divergence.** A non-finite loss or weight stops the run with a DivergenceError naming the network,
 *   the step and the likely cause.
 */
import * as tf from '@tensorflow/tfjs';
import type { IrExperiment, IrModel, IrProgram, IrValue } from '@ouro/dsl';
import { resolveData } from './data.js';
import { DivergenceError, RuntimeError, unsupported } from './errors.js';
import { describeEnv, evalCount, evalNumber, evalScalar, type Env } from './expr.js';
import { modeScores } from './metrics.js';
import { Adam, Mlp, mlpSpec, paramCount, type MlpSpec } from './mlp.js';
import { envAt, makePlan, type Plan } from './plan.js';
import type { RowKey } from './random.js';
import type { AbortSignalLike, ExperimentResult, MetricSeries, SampleSet } from './types.js';

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
  readonly id: string;
  readonly name: string;
  readonly metric: 'mode_coverage' | 'high_quality_fraction';
  readonly target: Mixture;
  readonly samples: readonly number[];
  readonly minCount: readonly number[];
  readonly times: readonly number[];
}

export interface TrainJob {
  readonly plan: Plan;
  /** Relative cost, for progress. */
  readonly weight: number;
  readonly unit: 'step';
  run(progress: (t: number) => void, signal: AbortSignalLike | undefined): Promise<ExperimentResult>;
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

function optionCall(v: IrValue | undefined): Readonly<Record<string, IrValue>> | undefined {
  return v && typeof v === 'object' && !Array.isArray(v) && 'call' in v ? v.args : undefined;
}

export function compileTrain(ir: IrProgram, exp: IrExperiment, preview: boolean, seed: number | undefined): TrainJob {
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
    const lv = optionCall(o['langevin']) ?? {};
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

  const metrics: ModeMetric[] = exp.metrics.map((m) => {
    if (m.metric !== 'mode_coverage' && m.metric !== 'high_quality_fraction')
      throw unsupported(m.id, `the metric \`${m.metric}\` in a \`train\` experiment`);
    const mv = m.args['model'];
    const name = mv && typeof mv === 'object' && !Array.isArray(mv) && 'model' in mv ? mv.model : undefined;
    if (name !== gSpec.name) throw unsupported(m.id, `\`${m.metric}\` of anything but the generator \`${gSpec.name}\``);
    const target = mixtureOf(ir, m.args['target'] ?? loop.data, m.id);
    if (target.dim !== data.dim)
      throw new RuntimeError('invalid', m.id, `the target \`${target.name}\` is not ${data.dim}-dimensional`);
    const times = new Set<number>();
    if (m.schedule === 'final') times.add(T);
    else for (let t = 0; t <= T; t += Math.max(1, m.schedule.every)) times.add(t);
    times.add(T);
    return {
      id: m.id,
      name: m.name,
      metric: m.metric,
      target,
      samples: envs.map((env) => evalCount(m.args['samples'] ?? 2500, env, m.id, 'the metric sample count')),
      minCount: envs.map((env) => evalCount(m.args['min_count'] ?? 31, env, m.id, 'min_count')),
      times: [...times].sort((a, b) => a - b),
    };
  });
  const sampleViews = exp.views.filter((v) => v.kind === 'samples' && v.model === gSpec.name);

  const cost = preview && exp.previewCost ? exp.previewCost : exp.cost;
  return {
    plan,
    weight: Math.max(1, cost.samples),
    unit: 'step',
    run: (progress, signal) =>
      runTrain({ plan, loop, gModel, dModel, gSpec, dSpec, data, phases, metrics, sampleViews, T }, progress, signal),
  };
}

interface Ctx {
  readonly plan: Plan;
  readonly loop: TrainLoop;
  readonly gModel: IrModel;
  readonly dModel: IrModel;
  readonly gSpec: MlpSpec;
  readonly dSpec: MlpSpec;
  readonly data: Mixture;
  readonly phases: readonly PhasePlan[];
  readonly metrics: readonly ModeMetric[];
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

async function runTrain(
  c: Ctx,
  progress: (t: number) => void,
  signal: AbortSignalLike | undefined,
): Promise<ExperimentResult> {
  const started = Date.now();
  const { plan, T } = c;
  const { P, R } = plan;
  const store = c.metrics.map((m) => ({
    m,
    index: new Map(m.times.map((t, i) => [t, i])),
    data: new Float64Array(P * R * m.times.length),
  }));
  const samples: SampleSet[] = [];
  for (let p = 0; p < P; p++)
    for (let r = 0; r < R; r++) {
      const b = p * R + r;
      await trainOne(c, p, r, store, samples, (t) => progress(Math.floor((b * T + t) / (P * R))), signal);
    }
  progress(T);
  const series: MetricSeries[] = store.map(({ m, data }) => {
    const nT = m.times.length;
    const values: number[][][] = [];
    for (let p = 0; p < P; p++) {
      const reps: number[][] = [];
      for (let r = 0; r < R; r++) {
        const o = (p * R + r) * nT;
        reps.push(Array.from(data.subarray(o, o + nT), (x) => round(x, 9)));
      }
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
    samples,
    wallMs: Date.now() - started,
  };
}

type Store = { m: ModeMetric; index: Map<number, number>; data: Float64Array }[];

async function trainOne(
  c: Ctx,
  p: number,
  r: number,
  store: Store,
  samples: SampleSet[],
  progress: (t: number) => void,
  signal: AbortSignalLike | undefined,
): Promise<void> {
  const { plan, gSpec, dSpec, data } = c;
  const b = p * plan.R + r;
  const row = plan.rows[b]!;
  const keys = plan.keys;
  const G = new Mlp(gSpec, keys.normals([row], paramCount(gSpec), 0, `${gSpec.id}/init`));
  const D = new Mlp(dSpec, keys.normals([row], paramCount(dSpec), 0, `${dSpec.id}/init`));
  let gOpt: Adam | undefined;
  let dOpt: Adam | undefined;
  const metricZ = new Map<string, tf.Tensor2D>();
  const latent = (n: number, t: number, site: string): tf.Tensor2D =>
    tf.tensor2d(keys.normals([row], n * gSpec.input, t, site), [n, gSpec.input]);
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
              z = tf.keep(latent(m.samples[p]!, 0, `${m.id}/z`));
              metricZ.set(m.id, z);
            }
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
    for (const s of due) s.data[b * s.m.times.length + s.index.get(t)!] = last.get(s.m.id) ?? NaN;
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
        gOpt = new Adam(G.weights, lr);
        dOpt = new Adam(D.weights, lr);
      } else {
        gOpt.lr = lr;
        dOpt.lr = lr;
      }
      resetNext = ph.resetAfter;
      const n = ph.batch[p]!;
      const gradF = ph.kind === 'cooperative' ? tf.grad((x: tf.Tensor) => D.apply(x as tf.Tensor2D).sum()) : undefined;
      for (let s = 1; s <= ph.steps; s++) {
        t = ph.start + s;
        if (signal?.aborted)
          throw new RuntimeError('aborted', plan.exp.id, `the run of \`${plan.exp.name}\` was cancelled`);
        const check =
          ph.kind === 'cooperative'
            ? cooperativeStep(c, row, t, ph.id, ph.langevin[p]!, n, G, D, gOpt, dOpt, gradF!)
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
  }
}

const softplus = (x: tf.Tensor): tf.Tensor => tf.softplus(x);

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
    const fake = G.apply(z);
    const d = tf.variableGrads(() => {
      // One pass over real and fake samples together (fewer kernel launches than two).
      const f = D.apply(tf.concat([real, fake], 0));
      const fr = f.slice([0, 0], [n, 1]);
      const ff = f.slice([n, 0], [n, 1]);
      switch (ph.loss) {
        case 'nonsaturating':
        case 'minimax':
          return softplus(fr.neg()).mean().add(softplus(ff).mean()) as tf.Scalar;
        case 'hinge':
          return tf
            .relu(tf.scalar(1).sub(fr))
            .mean()
            .add(tf.relu(ff.add(1)).mean()) as tf.Scalar;
        case 'wgan':
          return ff.mean().sub(fr.mean()) as tf.Scalar;
      }
    }, D.weights);
    dOpt.step(D.weights.map((w) => d.grads[w.name]!));
    if (ph.loss === 'wgan') for (const w of D.weights) w.assign(tf.clipByValue(w, -0.01, 0.01));
    const g = tf.variableGrads(() => {
      const ff = D.apply(G.apply(z));
      switch (ph.loss) {
        case 'nonsaturating':
          return softplus(ff.neg()).mean() as tf.Scalar;
        case 'minimax':
          return softplus(ff).mean().neg() as tf.Scalar;
        case 'hinge':
        case 'wgan':
          return ff.mean().neg() as tf.Scalar;
      }
    }, G.weights);
    gOpt.step(G.weights.map((w) => g.grads[w.name]!));
    return tf.stack([d.value, g.value, D.checksum(), G.checksum()]) as tf.Tensor1D;
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
  gradF: (x: tf.Tensor) => tf.Tensor,
): tf.Tensor1D {
  return tf.tidy(() => {
    const dim = c.data.dim;
    const { steps: L, step: s, reference } = langevin;
    const z = tf.tensor2d(c.plan.keys.normals([row], n * c.gSpec.input, t, `${c.loop.id}/z`), [n, c.gSpec.input]);
    const noise = c.plan.keys.normals([row], L * n * dim, t, `${phaseId}/langevin`);
    let x = G.apply(z);
    for (let l = 0; l < L; l++) {
      const prev = x;
      x = tf.tidy(() => {
        let drift = gradF(prev);
        if (reference !== null) drift = drift.sub(prev.div(reference * reference));
        const eps = tf.tensor2d(noise.subarray(l * n * dim, (l + 1) * n * dim), [n, dim]);
        return prev.add(drift.mul((s * s) / 2)).add(eps.mul(s)) as tf.Tensor2D;
      });
      prev.dispose();
    }
    const revised = x;
    const real = drawMixture(c.plan, row, c.data, n, t, `${c.loop.id}/data`);
    const d = tf.variableGrads(() => D.apply(revised).mean().sub(D.apply(real).mean()) as tf.Scalar, D.weights);
    dOpt.step(D.weights.map((w) => d.grads[w.name]!));
    const g = tf.variableGrads(() => G.apply(z).sub(revised).square().sum(1).mean().mul(0.5) as tf.Scalar, G.weights);
    gOpt.step(G.weights.map((w) => g.grads[w.name]!));
    return tf.stack([d.value, g.value, D.checksum(), G.checksum()]) as tf.Tensor1D;
  });
}
