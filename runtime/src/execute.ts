/**
 * Executes an IR program: every experiment (or the one asked for) is validated first, then run as one
 * batched tensor program over sweep points × replicates, generation by generation. Only plain data
 * leaves: metric series per sweep point, replicate and generation, with metadata.
 */
import * as tf from '@tensorflow/tfjs';
import type { IrExperiment, IrModel, IrProgram } from '@ouro/dsl';
import { createBackend, tfVersions } from './backend.js';
import { compileCycle } from './cycle.js';
import { compileFit } from './fit.js';
import { DivergenceError, RuntimeError, unsupported } from './errors.js';
import { describeEnv } from './expr.js';
import type { LoopJob, LoopRunner } from './loop.js';
import { compileSampleMetric } from './families/sample-metrics.js';
import { compileSampleViews, type SampleViews } from './families/view-samples.js';
import { compileMetric, type CompiledMetric } from './metrics.js';
import { envAt, makePlan, type Plan } from './plan.js';
import { compileRetrain } from './retrain.js';
import { compileTrain } from './train.js';
import { compileSelect } from './select.js';
import { States, tensorsOf, type ModelState } from './state.js';
import { theoryCurves } from './theory.js';
import type { ExecuteOptions, ExperimentResult, MetricSeries, RunResult, SampleSet } from './types.js';

interface Compiled {
  readonly plan: Plan;
  readonly states: States;
  readonly runner: LoopRunner;
  readonly metrics: readonly CompiledMetric[];
  /** The final samples of the models the spec's `view samples` show. */
  readonly sampleViews: SampleViews;
  /** Relative cost, for progress. */
  readonly weight: number;
}

function compileExperiment(
  ir: IrProgram,
  exp: IrExperiment,
  preview: boolean,
  seed: number | undefined,
  tables: ExecuteOptions['tables'],
): Compiled {
  if (exp.loop.kind !== 'retrain' && exp.loop.kind !== 'cycle')
    throw unsupported(exp.loop.id, `a \`${exp.loop.kind}\` loop`);
  const plan = makePlan(exp, { preview, seed });
  const models = new Map<string, IrModel>(exp.models.map((m) => [m.name, m]));
  const states = new States(models);
  const ctx = { ir, plan, states, models, ...(tables ? { tables } : {}) };
  const runner: LoopRunner = exp.loop.kind === 'retrain' ? compileRetrain(ctx, exp.loop) : compileCycle(ctx, exp.loop);
  const metrics = exp.metrics.map(
    (m) => compileSampleMetric(ctx, m, plan.generations) ?? compileMetric(ir, m, models, plan.generations),
  );
  const sampleViews = compileSampleViews(ctx);
  const cost = preview && exp.previewCost ? exp.previewCost : exp.cost;
  return { plan, states, runner, metrics, sampleViews, weight: Math.max(1, cost.samples) };
}

/** The state tensors' per-row sums `[B]` (non-finite where the row is). */
function rowSums(s: ModelState): tf.Tensor1D {
  return tf.tidy(() => {
    const ts = tensorsOf(s);
    return tf.addN(ts.map((t) => t.reshape([t.shape[0]!, -1]).sum(1))) as tf.Tensor1D;
  });
}

async function checkFinite(c: Compiled, t: number, proposal: ReadonlyMap<string, ModelState>): Promise<void> {
  if (proposal.size === 0) return;
  const entries = [...proposal];
  const sums = tf.tidy(() => tf.stack(entries.map(([, s]) => tf.addN(tensorsOf(s).map((x) => x.sum())))));
  const v = await sums.data();
  sums.dispose();
  const bad = entries.findIndex((_, i) => !Number.isFinite(v[i]!));
  if (bad < 0) return;
  const [name, next] = entries[bad]!;
  const rows = rowSums(next);
  const rv = await rows.data();
  rows.dispose();
  const row = Array.from(rv).findIndex((x) => !Number.isFinite(x));
  const { plan } = c;
  const where =
    row >= 0
      ? ` (first at replicate ${row % plan.R}${describeEnv(envAt(plan, Math.floor(row / plan.R), t))
          .replace(/^ \(at/, ',')
          .replace(/\)$/, '')})`
      : '';
  // At generation 0 the state under test is the initial fit itself: there is no previous one.
  const prev = t === 0 ? undefined : c.states.get(name);
  const cause = await c.runner.diagnose(name, prev, next);
  const model = plan.exp.models.find((m) => m.name === name);
  throw new DivergenceError(model?.id ?? plan.exp.id, name, t, `${cause}${where}`, plan.exp.name);
}

function disposeProposal(states: States, proposal: ReadonlyMap<string, ModelState>): void {
  const live = new Set(states.names().flatMap((n) => tensorsOf(states.get(n)!)));
  for (const s of proposal.values()) for (const t of tensorsOf(s)) if (!live.has(t)) t.dispose();
}

/**
 * Runs the IR. Selects the backend (default `auto`), validates every experiment to run, then runs
 * them in order. Throws RuntimeError (with the IR node id) on unsupported constructs, invalid values,
 * divergence and cancellation; no tensors outlive the call.
 */
export async function execute(ir: IrProgram, options: ExecuteOptions = {}): Promise<RunResult> {
  const started = Date.now();
  const backend = await createBackend(options.backend ?? 'auto', options.backendOptions);
  const preview = options.preview ?? false;
  let exps = ir.experiments;
  if (options.experiment !== undefined) {
    exps = exps.filter((e) => e.name === options.experiment);
    if (exps.length === 0)
      throw new RuntimeError(
        'not-found',
        null,
        `no experiment \`${options.experiment}\`; the spec has ${ir.experiments.map((e) => `\`${e.name}\``).join(', ') || 'none'}`,
      );
  }
  const compiled = exps.map((e): Compiled | LoopJob<'step' | 'round'> =>
    e.loop.kind === 'fit'
      ? compileFit(ir, e, preview, options.seed)
      : e.loop.kind === 'train'
        ? compileTrain(ir, e, preview, options.seed, {
            ...(options.workers === undefined ? {} : { workers: options.workers }),
            ...(options.backendOptions ? { backendOptions: options.backendOptions } : {}),
          })
        : e.loop.kind === 'select'
          ? compileSelect(ir, e, { preview, seed: options.seed })
          : compileExperiment(ir, e, preview, options.seed, options.tables),
  );
  const total = compiled.reduce((a, c) => a + c.weight, 0);
  let doneWeight = 0;
  const results: ExperimentResult[] = [];
  for (const [i, c] of compiled.entries()) {
    const report = (t: number): void => {
      if (!options.onProgress) return;
      const fraction = Math.min(1, (doneWeight + (c.weight * t) / c.plan.generations) / total);
      const elapsedMs = Date.now() - started;
      options.onProgress({
        experiment: c.plan.exp.name,
        experimentIndex: i,
        experimentCount: compiled.length,
        step: t,
        steps: c.plan.generations,
        unit: 'unit' in c ? c.unit : 'generation',
        fraction,
        elapsedMs,
        etaMs: fraction > 0 ? (elapsedMs * (1 - fraction)) / fraction : null,
      });
    };
    const ran = 'run' in c ? await c.run(report, options.signal) : await runExperiment(c, report, options.signal);
    const theory = theoryCurves(ir, c.plan.exp, ran.sweeps);
    const r: ExperimentResult = { ...ran, views: c.plan.exp.views, ...(theory.length ? { theory } : {}) };
    doneWeight += c.weight;
    results.push(r);
    options.onExperiment?.(r);
  }
  return {
    backend,
    preview,
    seedOverride: options.seed ?? null,
    versions: tfVersions(),
    experiments: results,
    wallMs: Date.now() - started,
  };
}

async function runExperiment(
  c: Compiled,
  progress: (t: number) => void,
  signal: ExecuteOptions['signal'],
): Promise<ExperimentResult> {
  const started = Date.now();
  const { plan, states, runner, metrics } = c;
  const T = plan.generations;
  const { P, R, B } = plan;
  const store = metrics.map((m) => ({
    m,
    index: new Map(m.times.map((t, i) => [t, i])),
    data: new Float64Array(P * R * m.times.length),
  }));
  let samples: SampleSet[] | undefined;
  const record = async (t: number): Promise<void> => {
    const due = store.filter((s) => s.index.has(t));
    if (due.length === 0) return;
    const stacked = tf.tidy(() => tf.stack(due.map((s) => s.m.compute(states, t))));
    const v = await stacked.data();
    stacked.dispose();
    due.forEach((s, k) => {
      const nT = s.m.times.length;
      const ti = s.index.get(t)!;
      for (let b = 0; b < B; b++) s.data[b * nT + ti] = v[k * B + b]!;
    });
  };
  try {
    runner.init();
    const initial = new Map(states.names().map((n) => [n, states.get(n)!] as const));
    await checkFinite(c, 0, initial);
    await record(0);
    progress(0);
    for (let t = 1; t <= T; t++) {
      if (signal?.aborted)
        throw new RuntimeError('aborted', plan.exp.id, `the run of \`${plan.exp.name}\` was cancelled`);
      const proposal = runner.step(t);
      try {
        await checkFinite(c, t, proposal);
      } catch (e) {
        disposeProposal(states, proposal);
        throw e;
      }
      for (const [name, s] of proposal) states.set(name, s);
      await record(t);
      progress(t);
    }
    samples = await c.sampleViews(states, T);
  } finally {
    states.disposeAll();
    runner.dispose?.();
  }
  const series: MetricSeries[] = store.map(({ m, data }) => {
    const nT = m.times.length;
    const values: number[][][] = [];
    for (let p = 0; p < P; p++) {
      const reps: number[][] = [];
      for (let r = 0; r < R; r++) {
        const o = (p * R + r) * nT;
        // Values are float32: 9 significant digits round-trip them exactly and keep the JSON short.
        reps.push(Array.from(data.subarray(o, o + nT), (x) => Number(x.toPrecision(9))));
      }
      values.push(reps);
    }
    return { id: m.ir.id, name: m.ir.name, metric: m.ir.metric, method: runner.kind, t: [...m.times], values };
  });
  return {
    id: plan.exp.id,
    name: plan.exp.name,
    seed: plan.seed,
    preview: plan.preview,
    loop: runner.kind,
    replicates: R,
    generations: T,
    sweeps: plan.sweeps,
    points: plan.points,
    metrics: series,
    ...(samples?.length ? { samples } : {}),
    wallMs: Date.now() - started,
  };
}
