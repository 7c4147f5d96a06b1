/**
 * Metrics: each compiles (once, before the run) to a function of the model states giving one value per
 * batch row, `[B]`. Schedules: `at final` or `every N generations` (from generation 0, the initial fit).
 */
import * as tf from '@tensorflow/tfjs';
import type { IrMetric, IrModel, IrProgram, IrValue } from '@ouro/dsl';
import { resolveData } from './data.js';
import { RuntimeError, unsupported } from './errors.js';
import { trace } from './linalg.js';
import type { ModelState, States } from './state.js';

export interface CompiledMetric {
  readonly ir: IrMetric;
  /** Generations at which it is recorded. */
  readonly times: readonly number[];
  /** The metric per batch row at generation t (sample metrics draw their samples from t's stream). */
  readonly compute: (states: States, t?: number) => tf.Tensor1D;
}

export function metricTimes(m: IrMetric, generations: number): number[] {
  if (m.schedule === 'final') return [generations];
  const k = Math.max(1, m.schedule.every);
  const out: number[] = [];
  for (let t = 0; t <= generations; t += k) out.push(t);
  return out;
}

/** A quantity for `mse`: from the states per row `[B, k]`, or a constant `[k]`. */
type Quantity = { readonly rows: (s: States) => tf.Tensor2D } | { readonly constant: readonly number[] };

function modelName(v: IrValue | undefined): string | undefined {
  return v && typeof v === 'object' && !Array.isArray(v) && 'model' in v ? v.model : undefined;
}

function stateOf(states: States, name: string, id: string): ModelState {
  const s = states.get(name);
  if (!s) throw new RuntimeError('invalid', id, `the model \`${name}\` has no state in this run`);
  return s;
}

export function compileMetric(
  ir: IrProgram,
  m: IrMetric,
  models: ReadonlyMap<string, IrModel>,
  generations: number,
): CompiledMetric {
  const times = metricTimes(m, generations);
  const kindOf = (v: IrValue | undefined, what: string): { name: string; kind: string } => {
    const name = modelName(v);
    const model = name ? models.get(name) : undefined;
    if (!name || !model)
      throw new RuntimeError('invalid', m.id, `${what} of \`${m.metric}\` must name a model of this experiment`);
    return { name, kind: model.kind };
  };
  const wrongKind = (name: string, kind: string): RuntimeError =>
    unsupported(m.id, `\`${m.metric}\` of \`${name}\` (a ${kind} model)`);

  switch (m.metric) {
    case 'mse': {
      const a = quantity(ir, m.args['estimate'], models, m.id);
      const b = quantity(ir, m.args['truth'], models, m.id);
      return {
        ir: m,
        times,
        compute: (s) =>
          tf.tidy(() => {
            const A = 'rows' in a ? a.rows(s) : tf.tensor1d([...a.constant]);
            const Bq = 'rows' in b ? b.rows(s) : tf.tensor1d([...b.constant]);
            const ka = A.shape[A.rank - 1];
            const kb = Bq.shape[Bq.rank - 1];
            if (ka !== kb)
              throw new RuntimeError(
                'invalid',
                m.id,
                `\`mse\` compares quantities of different sizes (${ka} and ${kb})`,
              );
            const diff = A.sub(Bq).square();
            return (diff.rank === 1 ? diff.sum().reshape([1]) : diff.sum(1)) as tf.Tensor1D;
          }),
      };
    }
    case 'variance': {
      const { name, kind } = kindOf(m.args['model'], 'the argument');
      if (kind !== 'gaussian_fit') throw wrongKind(name, kind);
      return {
        ir: m,
        times,
        compute: (s) =>
          tf.tidy(() => {
            const st = stateOf(s, name, m.id);
            if (st.kind !== 'gaussian_fit') throw wrongKind(name, st.kind);
            return trace(st.cov, st.d).div(st.d) as tf.Tensor1D;
          }),
      };
    }
    case 'entropy':
    case 'gini_simpson': {
      const { name, kind } = kindOf(m.args['model'], 'the argument');
      if (kind !== 'categorical_fit') throw wrongKind(name, kind);
      return {
        ir: m,
        times,
        compute: (s) =>
          tf.tidy(() => {
            const st = stateOf(s, name, m.id);
            if (st.kind !== 'categorical_fit') throw wrongKind(name, st.kind);
            const p = st.probs;
            if (m.metric === 'gini_simpson') return tf.scalar(1).sub(p.square().sum(1)) as tf.Tensor1D;
            const plogp = tf.where(tf.greater(p, 0), p.mul(tf.log(tf.maximum(p, 1e-38))), tf.zerosLike(p));
            return plogp.sum(1).neg() as tf.Tensor1D;
          }),
      };
    }
    case 'trace_cov':
    case 'drift': {
      const { name, kind } = kindOf(m.args['model'], 'the argument');
      if (kind !== 'gaussian_fit' && kind !== 'conditional_gaussian') throw wrongKind(name, kind);
      const c = m.args['class'];
      if (c !== undefined && c !== null && (typeof c !== 'number' || !Number.isInteger(c) || c < 0))
        throw new RuntimeError('invalid', m.id, `\`class\` must be a class index (0, 1, …), got ${JSON.stringify(c)}`);
      const cls = typeof c === 'number' ? c : null;
      if (cls !== null && kind !== 'conditional_gaussian')
        throw new RuntimeError('invalid', m.id, `\`class\` needs a conditional_gaussian; \`${name}\` is a ${kind}`);
      return {
        ir: m,
        times,
        compute: (s) =>
          tf.tidy(() => {
            const st = stateOf(s, name, m.id);
            if (st.kind === 'gaussian_fit') {
              if (m.metric === 'trace_cov') return trace(st.cov, st.d) as tf.Tensor1D;
              return st.mean.sub(st.mean0).square().sum(1).sqrt() as tf.Tensor1D;
            }
            if (st.kind !== 'conditional_gaussian') throw wrongKind(name, st.kind);
            const given = stateOf(s, st.given, m.id);
            if (given.kind !== 'categorical_fit') throw wrongKind(st.given, given.kind);
            const perClass =
              m.metric === 'trace_cov' ? trace(st.cov, st.d) : st.mean.sub(st.mean0).square().sum(2).sqrt(); // [B, K]
            if (cls !== null) {
              const K = perClass.shape[1]!;
              if (cls >= K)
                throw new RuntimeError(
                  'invalid',
                  m.id,
                  `\`class\` is ${cls}, but \`${name}\` has classes 0 to ${K - 1}`,
                );
              return perClass.slice([0, cls], [-1, 1]).reshape([-1]) as tf.Tensor1D;
            }
            return perClass.mul(given.probs).sum(1) as tf.Tensor1D;
          }),
      };
    }
    default:
      throw unsupported(m.id, `the metric \`${m.metric}\``);
  }
}

function quantity(ir: IrProgram, v: IrValue | undefined, models: ReadonlyMap<string, IrModel>, id: string): Quantity {
  if (typeof v === 'number') return { constant: [v] };
  if (Array.isArray(v) && v.every((x) => typeof x === 'number')) return { constant: v as number[] };
  if (v && typeof v === 'object' && !Array.isArray(v) && 'member' in v) {
    const member = v.member;
    const name = modelName(v.of);
    if (name) {
      const model = models.get(name);
      if (!model) throw new RuntimeError('invalid', id, `\`${name}\` is not a model of this experiment`);
      const ok =
        (model.kind === 'gaussian_fit' && (member === 'mean' || member === 'cov')) ||
        (model.kind === 'categorical_fit' && member === 'probs') ||
        (model.kind === 'linear_regression' && (member === 'coef' || member === 'noise'));
      if (!ok) throw unsupported(id, `\`${name}.${member}\` (of a ${model.kind} model) as a metric argument`);
      return {
        rows: (s) => {
          const st = stateOf(s, name, id);
          if (st.kind === 'gaussian_fit')
            return member === 'mean' ? st.mean : (st.cov.reshape([st.cov.shape[0], -1]) as tf.Tensor2D);
          if (st.kind === 'categorical_fit') return st.probs;
          if (st.kind === 'linear_regression')
            return member === 'coef' ? st.coef : (st.noise.reshape([-1, 1]) as tf.Tensor2D);
          throw unsupported(id, `\`${name}.${member}\``);
        },
      };
    }
    const ref = resolveData(ir, v.of, id);
    const src = ref.source;
    if (src.kind === 'gaussian' && member === 'mean') return { constant: src.mean };
    if (src.kind === 'gaussian' && member === 'cov') {
      const d = src.dim;
      const c = new Array<number>(d * d).fill(0);
      for (let i = 0; i < d; i++) c[i * d + i] = src.std * src.std;
      return { constant: c };
    }
    if (src.kind === 'categorical' && member === 'probs') return { constant: src.probs };
    throw unsupported(id, `\`${src.name}.${member}\` as a metric argument`);
  }
  throw unsupported(id, `the metric argument ${JSON.stringify(v)}`);
}

/**
 * `mode_coverage` and `high_quality_fraction` of samples `[n, d]` against a mixture's `centres` `[K][d]`
 * with per-mode standard deviation `std` (coopinit.md): `[covered, hq]`, where a sample is high quality
 * when it lies within 3·std of some centre, and a mode is covered when at least `minCount` samples lie
 * within 3·std of it.
 */
export function modeScores(
  samples: tf.Tensor2D,
  centres: readonly (readonly number[])[],
  std: number,
  minCount: number,
): tf.Tensor1D {
  return tf.tidy(() => {
    const C = tf.tensor2d(centres.map((c) => [...c]));
    // Squared distances [n, K], by direct differences (exact at the centres).
    const d2 = samples.expandDims(1).sub(C.expandDims(0)).square().sum(2);
    const near = d2.lessEqual(9 * std * std).cast('float32'); // [n, K]
    const perMode = near.sum(0); // [K]
    const covered = perMode.greaterEqual(minCount).cast('float32').sum();
    const hq = near.max(1).mean();
    return tf.stack([covered, hq]) as tf.Tensor1D;
  });
}
