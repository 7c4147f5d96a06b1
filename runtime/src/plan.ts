/**
 * The batch layout of one experiment run: sweep points (after preview thinning) × replicates, laid out
 * point-major as the leading dimension of every tensor (row = point · R + replicate).
 */
import * as tf from '@tensorflow/tfjs';
import type { IrExperiment, IrValue } from '@ouro/dsl';
import { RuntimeError } from './errors.js';
import type { Env, Scalar } from './expr.js';
import { KeySpace, type RowKey } from './random.js';
import type { PointResult, SweepResult } from './types.js';

export interface Plan {
  readonly exp: IrExperiment;
  readonly seed: number;
  readonly preview: boolean;
  readonly replicates: number;
  readonly generations: number;
  readonly sweeps: readonly SweepResult[];
  readonly points: readonly PointResult[];
  /** P sweep points × R replicates = B rows. */
  readonly P: number;
  readonly R: number;
  readonly B: number;
  readonly rows: readonly RowKey[];
  readonly keys: KeySpace;
}

/** At most `k` indices of `n`, evenly spaced, first and last included. */
export function thin(n: number, k: number | undefined): number[] {
  const all = Array.from({ length: n }, (_, i) => i);
  if (k === undefined || k >= n) return all;
  if (k <= 1) return [Math.floor((n - 1) / 2)];
  const out = new Set<number>();
  for (let i = 0; i < k; i++) out.add(Math.round((i * (n - 1)) / (k - 1)));
  return [...out];
}

function sweepValue(v: IrValue, nodeId: string): Scalar {
  if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') return v;
  throw new RuntimeError(
    'unsupported',
    nodeId,
    `a sweep value ${JSON.stringify(v)} is not supported by this runtime yet`,
  );
}

export function makePlan(exp: IrExperiment, opts: { preview: boolean; seed?: number }): Plan {
  const pv = opts.preview ? exp.preview : {};
  const replicates = pv['replicates'] ?? exp.replicates;
  const generations = pv['generations'] ?? ('generations' in exp.loop ? exp.loop.generations : 0);
  if (!Number.isInteger(replicates) || replicates < 1)
    throw new RuntimeError('invalid', exp.id, `replicates is ${replicates}; it must be a whole number of at least 1`);
  if (!Number.isInteger(generations) || generations < 1)
    throw new RuntimeError('invalid', exp.id, `the loop runs ${generations} generations; it must run at least 1`);
  const sweeps: SweepResult[] = exp.sweeps.map((s) => {
    const all = s.values.map((v) => sweepValue(v, s.id));
    if (all.length === 0) throw new RuntimeError('invalid', s.id, `the sweep \`${s.name}\` has no values`);
    const indices = thin(all.length, pv['sweep']);
    return { id: s.id, name: s.name, values: indices.map((i) => all[i]!), indices };
  });
  // Cartesian product, first sweep outermost; `index` is the point's index in the full grid.
  let points: PointResult[] = [{ index: 0, values: {} }];
  exp.sweeps.forEach((s, si) => {
    const sw = sweeps[si]!;
    const next: PointResult[] = [];
    for (const p of points)
      sw.indices.forEach((vi, j) =>
        next.push({ index: p.index * s.values.length + vi, values: { ...p.values, [s.name]: sw.values[j]! } }),
      );
    points = next;
  });
  const P = points.length;
  const R = replicates;
  const rows: RowKey[] = [];
  for (const p of points) for (let r = 0; r < R; r++) rows.push({ point: p.index, replicate: r });
  const seed = opts.seed ?? exp.seed;
  return {
    exp,
    seed,
    preview: opts.preview,
    replicates,
    generations,
    sweeps,
    points,
    P,
    R,
    B: P * R,
    rows,
    keys: new KeySpace(seed, exp.name),
  };
}

/** The environment of expressions at sweep point p and generation t. */
export function envAt(plan: Plan, p: number, t: number): Env {
  return new Map<string, Scalar>([...Object.entries(plan.points[p]!.values), ['t', t]]);
}

/** Per-point numbers repeated for each replicate: `[B]`, or `[B, ...inner]` for per-point rows. */
export function perRow(plan: Plan, perPoint: ArrayLike<number>, inner = 1): Float32Array {
  const out = new Float32Array(plan.B * inner);
  for (let p = 0; p < plan.P; p++)
    for (let r = 0; r < plan.R; r++)
      for (let i = 0; i < inner; i++) out[(p * plan.R + r) * inner + i] = perPoint[p * inner + i]!;
  return out;
}

/**
 * Per-point rows `[P, n]` repeated for each replicate: `[B, n]`, by a broadcast multiply (wasm's Tile
 * kernel is about 50× slower than a broadcast).
 */
export function rowsOf(plan: Plan, perPoint: Float32Array, n: number): tf.Tensor2D {
  return tf.tidy(() =>
    plan.R === 1
      ? tf.tensor2d(perPoint, [plan.P, n])
      : (tf
          .tensor3d(perPoint, [plan.P, 1, n])
          .mul(tf.ones([1, plan.R, 1]))
          .reshape([plan.B, n]) as tf.Tensor2D),
  );
}

/** Repeats a tensor along a new axis `axis` `times` times, by a broadcast multiply (see rowsOf). */
export function repeatAxis(x: tf.Tensor, axis: number, times: number): tf.Tensor {
  return tf.tidy(() => {
    const shape = x.shape.map(() => 1);
    shape.splice(axis, 0, times);
    return x.expandDims(axis).mul(tf.ones(shape));
  });
}

/** `[B, n]` 0/1 mask: column j is 1 where j < count of the row's point. */
export function countMask(plan: Plan, counts: readonly number[], n: number): tf.Tensor2D {
  const m = new Float32Array(plan.P * n);
  counts.forEach((c, p) => m.fill(1, p * n, p * n + Math.min(c, n)));
  return rowsOf(plan, m, n);
}

/** Is a schedule (`every N` or none = every generation) due at generation t ≥ 1? */
export function due(every: { readonly every: number } | null, t: number): boolean {
  return every === null || t % Math.max(1, every.every) === 0;
}
