/**
 * The `fit` loop: trains likelihood models on a bundled image set and measures them (fractal.md).
 *
 *   fit f, flat, independent for N steps { lr: 1e-3, batch: 64 }
 *
 * - **Models** (fractal.ts): `fractal on digits { level ar(...) ... pixel categorical(levels) }`, a flat
 *   `ar(tokens: size², ...) on digits`, and `bernoulli_pixels()` (fitted in closed form; it takes no steps).
 * - **Training**: Adam (tfjs's `tf.train.adam`, β = 0.9, 0.999) on the mean negative log-likelihood per
 *   pixel of minibatches of `batch` training images drawn uniformly with replacement; `lr` and `batch` may
 *   depend on sweep variables. Preview runs `preview { steps }` steps.
 * - **Runs**: each (sweep point, replicate) trains its own models, one after the other; initial weights and
 *   minibatches are drawn from the seeded streams of (seed, experiment, point, replicate, model), so the
 *   numbers a model sees do not depend on the other models of the loop.
 * - **Metrics**: `bits_per_dim(models..., on: data.test)` is the exact test NLL in bits per pixel, one series
 *   per model (its `method` is the model's name), at the metric's schedule (`every k steps` or final).
 * - **Views**: `view samples m as grid` records 64 samples of m (replicate 0 of each sweep point) with their
 *   image shape. Each model's parameter count, training time and sampling time go in `models`.
 * - **Divergence**: a non-finite training loss stops the run with a DivergenceError naming the model and
 *   the step.
 */
import * as tf from '@tensorflow/tfjs';
import type { IrExperiment, IrMetric, IrModel, IrProgram, IrValue } from '@ouro/dsl';
import { DivergenceError, RuntimeError, unsupported } from './errors.js';
import { evalNumber, type Env } from './expr.js';
import { FractalModel, IndependentPixels, type LevelSpec, type LikelihoodModel } from './fractal.js';
import { loadDigits, type ImageSet } from './images.js';
import { metricTimes } from './metrics.js';
import type { LoopJob } from './loop.js';
import { envAt, makePlan, type Plan } from './plan.js';
import { Stream, hashString, mixKeys } from './random.js';
import type { AbortSignalLike, ExperimentResult, FittedModel, MetricSeries, SampleSet } from './types.js';

/** Samples recorded per `view samples` of an image model. */
export const IMAGE_SAMPLES = 64;
/** Test images evaluated per forward pass. */
const EVAL_CHUNK = 500;

type FitLoop = Extract<IrExperiment['loop'], { kind: 'fit' }>;

interface ImageData {
  readonly name: string;
  readonly size: number;
  readonly levels: number;
}

type ModelPlan =
  | { readonly ir: IrModel; readonly kind: 'fractal' | 'ar'; readonly levels: readonly LevelSpec[] }
  | { readonly ir: IrModel; readonly kind: 'bernoulli_pixels' };

interface BpdMetric {
  readonly ir: IrMetric;
  readonly models: readonly string[];
  readonly times: readonly number[];
}

function isObj(v: IrValue | undefined): v is Exclude<IrValue, readonly IrValue[]> & object {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function imageData(ir: IrProgram, v: IrValue | null, nodeId: string, what: string): ImageData {
  const name = isObj(v) && 'data' in v ? v.data : undefined;
  const d = name === undefined ? undefined : ir.data[name];
  if (!d)
    throw new RuntimeError(
      'invalid',
      nodeId,
      `${what} needs image data, e.g. \`on digits\` with \`data digits = images("digits")\``,
    );
  if (d.kind !== 'images')
    throw unsupported(nodeId, `fitting a likelihood model to \`${d.name}\` (a ${d.kind} source)`);
  const set = d.args['set'] ?? 'digits';
  if (set !== 'digits')
    throw new RuntimeError('invalid', d.id, `unknown image set ${JSON.stringify(set)}; the bundled set is "digits"`);
  const int = (key: string, fallback: number, min: number, max: number): number => {
    const x = d.args[key] ?? fallback;
    if (typeof x !== 'number' || !Number.isInteger(x) || x < min || x > max)
      throw new RuntimeError('invalid', d.id, `\`${d.name}\`: \`${key}\` must be a whole number from ${min} to ${max}`);
    return x;
  };
  return { name: d.name, size: int('size', 8, 2, 28), levels: int('levels', 2, 2, 256) };
}

function positiveInt(m: IrModel, key: string, fallback?: number): number {
  const x = m.args[key] ?? fallback;
  if (typeof x !== 'number' || !Number.isInteger(x) || x < 1)
    throw new RuntimeError('invalid', m.id, `\`${m.name}\`: \`${key}\` must be a whole number of at least 1`);
  return x;
}

function modelPlan(m: IrModel, data: ImageData): ModelPlan {
  const D = data.size * data.size;
  switch (m.kind) {
    case 'bernoulli_pixels':
      return { ir: m, kind: 'bernoulli_pixels' };
    case 'ar': {
      const tokens = positiveInt(m, 'tokens');
      if (tokens !== D)
        throw new RuntimeError(
          'invalid',
          m.id,
          `\`${m.name}\` models ${tokens} tokens but \`${data.name}\` has ${D} pixels (${data.size} × ${data.size}); use \`tokens: ${D}\``,
        );
      return {
        ir: m,
        kind: 'ar',
        levels: [{ tokens, width: positiveInt(m, 'width'), depth: positiveInt(m, 'depth', 1) }],
      };
    }
    case 'fractal': {
      const f = m.fractal;
      if (!f || f.levels.length === 0)
        throw new RuntimeError('invalid', m.id, `the fractal \`${m.name}\` has no levels`);
      const prod = f.levels.reduce((a, l) => a * l.tokens, 1);
      if (prod !== D)
        throw new RuntimeError(
          'invalid',
          m.id,
          `the fractal \`${m.name}\`'s levels generate ${prod} values but \`${data.name}\` has ${D} pixels`,
        );
      if (f.head !== data.levels)
        throw new RuntimeError(
          'invalid',
          m.id,
          `the pixel head of \`${m.name}\` has ${f.head} values but \`${data.name}\` has ${data.levels} grey levels; use \`pixel categorical(levels: ${data.levels})\``,
        );
      for (const l of f.levels)
        if (![l.tokens, l.width, l.depth].every((x) => Number.isInteger(x) && x >= 1))
          throw new RuntimeError(
            'invalid',
            m.id,
            `every level of \`${m.name}\` needs whole tokens, width and depth of at least 1`,
          );
      return { ir: m, kind: 'fractal', levels: f.levels.map(({ tokens, width, depth }) => ({ tokens, width, depth })) };
    }
    default:
      throw new RuntimeError(
        'invalid',
        m.id,
        `\`${m.name}\` is ${m.kind}; \`fit\` trains likelihood models (ar, fractal, bernoulli_pixels)`,
      );
  }
}

/** Compiles a `fit` experiment into a job that execute() drives like a `train` loop. */
export function compileFit(
  ir: IrProgram,
  exp: IrExperiment,
  preview: boolean,
  seed: number | undefined,
): LoopJob<'step'> {
  const loop = exp.loop as FitLoop;
  const byName = new Map(exp.models.map((m) => [m.name, m]));
  if (loop.models.length === 0) throw new RuntimeError('invalid', loop.id, '`fit` names no models');
  const models = loop.models.map((name) => {
    const m = byName.get(name);
    if (!m) throw new RuntimeError('invalid', loop.id, `\`${name}\` is not a model of this experiment`);
    return m;
  });
  const datas = models.map((m) => imageData(ir, m.on, m.id, `\`${m.name}\``));
  const data = datas[0]!;
  datas.forEach((d, i) => {
    if (d.name !== data.name)
      throw new RuntimeError(
        'invalid',
        models[i]!.id,
        `the models of one \`fit\` must share their data: \`${models[i]!.name}\` is on \`${d.name}\`, \`${models[0]!.name}\` on \`${data.name}\``,
      );
  });
  const plans = models.map((m) => modelPlan(m, data));
  const steps = preview ? (exp.preview['steps'] ?? loop.steps) : loop.steps;
  if (!Number.isInteger(steps) || steps < 1)
    throw new RuntimeError('invalid', loop.id, `\`fit\` runs ${steps} steps; it must run a whole number of at least 1`);
  const base = makePlan(
    { ...exp, preview: { ...(preview ? exp.preview : {}), generations: steps } },
    { preview: true, seed },
  );
  const plan: Plan = { ...base, exp, preview };
  const envs: Env[] = plan.points.map((_, p) => envAt(plan, p, 0));
  const lr = envs.map((env) => {
    const v = evalNumber(loop.options['lr'] ?? 1e-3, env, loop.id, 'the learning rate `lr`');
    if (!(v > 0)) throw new RuntimeError('invalid', loop.id, `\`lr\` is ${v}; it must be positive`);
    return v;
  });
  const batch = envs.map((env) => {
    const v = evalNumber(loop.options['batch'] ?? 64, env, loop.id, 'the minibatch size `batch`');
    if (!Number.isInteger(v) || v < 1)
      throw new RuntimeError('invalid', loop.id, `\`batch\` is ${v}; it must be a whole number of at least 1`);
    return v;
  });
  for (const k of Object.keys(loop.options))
    if (k !== 'lr' && k !== 'batch')
      throw new RuntimeError('invalid', loop.id, `\`fit\` has no option \`${k}\`; it takes \`lr\` and \`batch\``);

  const metrics: BpdMetric[] = exp.metrics.map((m) => {
    if (m.metric !== 'bits_per_dim') throw unsupported(m.id, `the metric \`${m.metric}\` in a \`fit\` loop`);
    const names = (Array.isArray(m.args['models']) ? (m.args['models'] as IrValue[]) : []).map((v) =>
      isObj(v) && 'model' in v ? v.model : undefined,
    );
    for (const n of names)
      if (n === undefined || !loop.models.includes(n))
        throw new RuntimeError(
          'invalid',
          m.id,
          `\`${m.name}\` measures ${n === undefined ? 'something that is not a model' : `\`${n}\``}, which this \`fit\` does not train`,
        );
    const on = m.args['on'];
    if (!isObj(on) || !('data' in on) || on.data !== data.name)
      throw new RuntimeError(
        'invalid',
        m.id,
        `\`${m.name}\` must measure on the fitted data's test split, \`on: ${data.name}.test\``,
      );
    if (on.split !== 'test')
      throw new RuntimeError(
        'invalid',
        m.id,
        `\`${m.name}\` measures held-out likelihood: use \`on: ${data.name}.test\``,
      );
    return { ir: m, models: names as string[], times: metricTimes(m, steps) };
  });
  const sampleViews = exp.views.filter((v) => v.kind === 'samples');
  for (const v of sampleViews)
    if (v.model === null || !loop.models.includes(v.model))
      throw new RuntimeError('invalid', v.id, `\`view samples\` needs a model this \`fit\` trains`);
  const cost = preview && exp.previewCost ? exp.previewCost : exp.cost;
  return {
    plan,
    weight: Math.max(1, cost.samples),
    unit: 'step',
    run: (progress, signal) =>
      runFit({ plan, loop, data, plans, steps, lr, batch, metrics, sampleViews }, progress, signal),
  };
}

interface Ctx {
  readonly plan: Plan;
  readonly loop: FitLoop;
  readonly data: ImageData;
  readonly plans: readonly ModelPlan[];
  readonly steps: number;
  readonly lr: readonly number[];
  readonly batch: readonly number[];
  readonly metrics: readonly BpdMetric[];
  readonly sampleViews: readonly IrExperiment['views'][number][];
}

/** A seeded stream for one model of one row, purpose `what` (and a counter `k`). */
function streamOf(plan: Plan, b: number, model: IrModel, what: string, k = 0): Stream {
  return new Stream(mixKeys(plan.keys.rowKey(plan.rows[b]!), hashString(`${model.id}/${what}`), k));
}

/** Mean NLL in bits per pixel of `model` over all images of `set`. */
export async function bitsPerDim(model: LikelihoodModel, set: ImageSet): Promise<number> {
  const D = set.size * set.size;
  let total = 0;
  for (let s = 0; s < set.n; s += EVAL_CHUNK) {
    const rows = Array.from({ length: Math.min(EVAL_CHUNK, set.n - s) }, (_, i) => s + i);
    const sum = tf.tidy(() => {
      const x = model.encode(set.pixels, rows);
      return model.nll(x).sum();
    });
    total += (await sum.data())[0]!;
    sum.dispose();
  }
  return total / (set.n * D * Math.LN2);
}

/** A fresh, untrained model for a row (initial weights from its seeded stream). */
export function buildModel(p: ModelPlan, data: ImageData, train: Uint8Array, init: Stream): LikelihoodModel {
  if (p.kind === 'bernoulli_pixels') return new IndependentPixels(data.size * data.size, data.levels, train);
  const normals = new Float32Array(FractalModel.normalsNeeded(p.levels, data.size, data.levels));
  init.fillNormal(normals, 0, normals.length);
  return new FractalModel(p.levels, data.size, data.levels, normals);
}

async function runFit(
  c: Ctx,
  progress: (t: number) => void,
  signal: AbortSignalLike | undefined,
): Promise<ExperimentResult> {
  const started = Date.now();
  const { plan, steps: T, data } = c;
  const { P, R } = plan;
  const { train, test } = await loadDigits(data.size, data.levels);
  const D = data.size * data.size;
  // values[metric][model][row][time]
  const values = c.metrics.map((m) =>
    m.models.map(() => Array.from({ length: P * R }, () => new Array<number>(m.times.length).fill(NaN))),
  );
  const samples: SampleSet[] = [];
  const fitted: FittedModel[] = [];
  const total = P * R * c.plans.length;
  for (let b = 0; b < P * R; b++) {
    const p = Math.floor(b / R);
    const r = b % R;
    for (const [mi, mp] of c.plans.entries()) {
      const done = (b * c.plans.length + mi) / total;
      const m = mp.ir;
      const t0 = Date.now();
      const model = buildModel(mp, data, train.pixels, streamOf(plan, b, m, 'init'));
      try {
        const record = async (t: number): Promise<void> => {
          for (const [k, met] of c.metrics.entries()) {
            const j = met.models.indexOf(m.name);
            const ti = met.times.indexOf(t);
            if (j >= 0 && ti >= 0) values[k]![j]![b]![ti] = await bitsPerDim(model, test);
          }
        };
        let trainMs = 0;
        await record(0);
        if (model.vars.length > 0) {
          const opt = tf.train.adam(c.lr[p]!, 0.9, 0.999, 1e-8);
          const batches = streamOf(plan, b, m, 'batches');
          const n = c.batch[p]!;
          try {
            for (let t = 1; t <= T; t++) {
              if (signal?.aborted)
                throw new RuntimeError('aborted', plan.exp.id, `the run of \`${plan.exp.name}\` was cancelled`);
              const s0 = Date.now();
              const rows = new Int32Array(n);
              for (let i = 0; i < n; i++) rows[i] = Math.floor(batches.uniform() * train.n);
              const x = model.encode(train.pixels, rows);
              const loss = opt.minimize(() => model.nll(x).mean().div(D) as tf.Scalar, true, [...model.vars])!;
              const v = (await loss.data())[0]!;
              loss.dispose();
              x.dispose();
              trainMs += Date.now() - s0;
              if (!Number.isFinite(v))
                throw new DivergenceError(
                  m.id,
                  m.name,
                  t,
                  `the training loss became ${v} at step ${t}; the learning rate (lr ${c.lr[p]}) is likely too high for this model: try a smaller \`lr\``,
                  plan.exp.name,
                );
              await record(t);
              progress(Math.floor((done + t / T / total) * T));
            }
          } finally {
            opt.dispose();
          }
        } else {
          trainMs = Date.now() - t0;
          for (let t = 1; t <= T; t++) await record(t);
        }
        let sampleMs: number | null = null;
        const views = r === 0 ? c.sampleViews.filter((v) => v.model === m.name) : [];
        if (views.length > 0) {
          let k = 0;
          const s0 = Date.now();
          const px = await model.sample(IMAGE_SAMPLES, (count) => {
            const u = new Float32Array(count);
            streamOf(plan, b, m, 'sample', k++).fillUniform(u, 0, count);
            return u;
          });
          sampleMs = Date.now() - s0;
          const rowsOut = Array.from({ length: IMAGE_SAMPLES }, (_, i) => Array.from(px.subarray(i * D, (i + 1) * D)));
          for (const v of views)
            samples.push({
              view: v.id,
              model: m.name,
              point: p,
              replicate: 0,
              t: T,
              values: rowsOut,
              shape: [data.size, data.size],
              levels: data.levels,
            });
        }
        fitted.push({
          model: m.name,
          id: m.id,
          kind: mp.kind,
          point: p,
          replicate: r,
          params: model.params,
          trainMs,
          sampleMs,
          samplesDrawn: sampleMs === null ? 0 : IMAGE_SAMPLES,
        });
      } finally {
        model.dispose();
      }
    }
  }
  progress(T);
  const series: MetricSeries[] = c.metrics.flatMap((met, k) =>
    met.models.map((name, j) => {
      const v: number[][][] = [];
      for (let p = 0; p < P; p++)
        v.push(Array.from({ length: R }, (_, r) => values[k]![j]![p * R + r]!.map((x) => Number(x.toPrecision(9)))));
      return { id: met.ir.id, name: met.ir.name, metric: met.ir.metric, method: name, t: [...met.times], values: v };
    }),
  );
  return {
    id: plan.exp.id,
    name: plan.exp.name,
    seed: plan.seed,
    preview: plan.preview,
    loop: 'fit',
    replicates: R,
    generations: T,
    sweeps: plan.sweeps,
    points: plan.points,
    metrics: series,
    samples,
    models: fitted,
    wallMs: Date.now() - started,
  };
}
