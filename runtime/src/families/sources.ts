/**
 * Sample-level draws from the ground-truth sources for the families that are fitted to samples (kde,
 * linear_regression, categorical_fit, and gaussian_fit on anything but a single Gaussian): every draw is
 * `[B, n, d]`, row r from the stream of (row, generation, site) of random.ts, so it is reproducible and
 * does not depend on the batch.
 *
 * - `gaussian`: m + σ z;
 * - `ring` / `grid`: a mode chosen uniformly, then its centre + σ z;
 * - `categorical` / `zipf`: the class index (0..K-1) as a 1-vector;
 * - `paired`'s `.image` half: a class from the text distribution, then its mean + σ z; `.text`: the class;
 * - `csv` (a table the host read, see ExecuteOptions.tables): rows drawn uniformly with replacement from
 *   the chosen split (the bootstrap: the file is the empirical distribution).
 */
import * as tf from '@tensorflow/tfjs';
import type { DataRef } from '../data.js';
import { RuntimeError } from '../errors.js';
import type { Plan } from '../plan.js';
import type { Table } from '../types.js';

export interface SampleSource {
  readonly name: string;
  /** Values per sample (1 for class indices). */
  readonly dim: number;
  /** For class-valued sources: the number of classes. */
  readonly classes: number | null;
  /** For ring and grid: the mixture's centres and standard deviation (mode coverage, scatter truth). */
  readonly mixture: { readonly centres: readonly (readonly number[])[]; readonly std: number } | null;
  /** `[B, n, dim]` samples at generation t. */
  draw(plan: Plan, n: number, t: number, site: string): tf.Tensor3D;
}

/** Class indices `[B, n]` (float) drawn from per-row probabilities `[B, K]` (or shared ones `[1, K]`). */
export function drawClasses(plan: Plan, probs: tf.Tensor2D, n: number, t: number, site: string): tf.Tensor2D {
  return tf.tidy(() => {
    const K = probs.shape[1];
    const u = tf.tensor2d(plan.keys.uniforms(plan.rows, n, t, site), [plan.B, n]);
    const cdf = tf.cumsum(probs, 1);
    const total = cdf.slice([0, K - 1], [-1, 1]);
    // The class is the number of cumulative probabilities below u·total (never a class of probability 0).
    return tf
      .step(u.mul(total).expandDims(2).sub(cdf.expandDims(1)))
      .sum(2)
      .minimum(K - 1) as tf.Tensor2D;
  });
}

function normalsOf(plan: Plan, n: number, d: number, t: number, site: string): tf.Tensor3D {
  return tf.tensor3d(plan.keys.normals(plan.rows, n * d, t, site), [plan.B, n, d]);
}

/** Samples around centres `[K, d]` picked with probabilities `probs [K]`. */
function drawMixture(
  plan: Plan,
  centres: readonly (readonly number[])[],
  probs: readonly number[],
  std: number,
  n: number,
  t: number,
  site: string,
): tf.Tensor3D {
  return tf.tidy(() => {
    const K = centres.length;
    const d = centres[0]!.length;
    const c = drawClasses(plan, tf.tensor2d([...probs], [1, K]), n, t, `${site}/mode`).cast('int32');
    const mu = tf.gather(
      tf.tensor2d(
        centres.map((x) => [...x]),
        [K, d],
      ),
      c.reshape([-1]),
    );
    return mu.reshape([plan.B, n, d]).add(normalsOf(plan, n, d, t, site).mul(std)) as tf.Tensor3D;
  });
}

/** Splits a table's rows: the last fifth (at least one row) is `.test`, the rest `.train`. */
export function tableSplit(rows: number, split: 'train' | 'test' | null): [number, number] {
  if (split === null || rows < 2) return [0, rows];
  const test = Math.max(1, Math.round(rows / 5));
  return split === 'train' ? [0, rows - test] : [rows - test, rows];
}

export function sampleSource(
  ref: DataRef,
  tables: Readonly<Record<string, Table>>,
  nodeId: string,
  split: 'train' | 'test' | null = null,
): SampleSource {
  const s = ref.source;
  switch (s.kind) {
    case 'gaussian':
      return {
        name: s.name,
        dim: s.dim,
        classes: null,
        mixture: null,
        draw: (plan, n, t, site) =>
          tf.tidy(
            () =>
              normalsOf(plan, n, s.dim, t, site)
                .mul(s.std)
                .add(tf.tensor1d([...s.mean])) as tf.Tensor3D,
          ),
      };
    case 'mixture': {
      const probs = s.centres.map(() => 1 / s.centres.length);
      return {
        name: s.name,
        dim: s.dim,
        classes: null,
        mixture: { centres: s.centres, std: s.std },
        draw: (plan, n, t, site) => drawMixture(plan, s.centres, probs, s.std, n, t, site),
      };
    }
    case 'categorical':
      return {
        name: s.name,
        dim: 1,
        classes: s.probs.length,
        mixture: null,
        draw: (plan, n, t, site) =>
          tf.tidy(
            () =>
              drawClasses(plan, tf.tensor2d([...s.probs], [1, s.probs.length]), n, t, site).expandDims(
                2,
              ) as tf.Tensor3D,
          ),
      };
    case 'paired':
      if (ref.part === 'image')
        return {
          name: `${s.name}.image`,
          dim: s.dim,
          classes: null,
          mixture: null,
          draw: (plan, n, t, site) => drawMixture(plan, s.means, s.text.probs, s.std, n, t, site),
        };
      return sampleSource({ source: s.text, part: null }, tables, nodeId);
    case 'table': {
      const table = tables[s.path];
      if (!table)
        throw new RuntimeError(
          'invalid',
          nodeId,
          `the CSV file "${s.path}" of \`${s.name}\` was not given to the runtime: run the spec with \`ouro run\` or from the editor, which read it (a host calling execute() passes it in options.tables)`,
        );
      const cols = s.columns ?? table.columns.filter((_, j) => table.numeric[j]);
      const idx = cols.map((c) => {
        const j = table.columns.indexOf(c);
        if (j < 0)
          throw new RuntimeError(
            'invalid',
            nodeId,
            `"${s.path}" has no column "${c}"; its columns are ${table.columns.map((x) => `"${x}"`).join(', ')}`,
          );
        if (!table.numeric[j])
          throw new RuntimeError(
            'invalid',
            nodeId,
            `the column "${c}" of "${s.path}" is not numeric; choose numeric columns with \`columns: [...]\``,
          );
        return j;
      });
      if (idx.length === 0) throw new RuntimeError('invalid', nodeId, `"${s.path}" has no numeric column to sample`);
      const [lo, hi] = tableSplit(table.rows.length, split);
      if (hi - lo < 1) throw new RuntimeError('invalid', nodeId, `"${s.path}" has no data rows`);
      const d = idx.length;
      const values = new Float32Array((hi - lo) * d);
      for (let i = lo; i < hi; i++) for (let j = 0; j < d; j++) values[(i - lo) * d + j] = table.rows[i]![idx[j]!]!;
      return {
        name: s.name,
        dim: d,
        classes: null,
        mixture: null,
        draw: (plan, n, t, site) =>
          tf.tidy(() => {
            const u = plan.keys.uniforms(plan.rows, n, t, site);
            const pick = Int32Array.from(u, (x) => Math.min(hi - lo - 1, Math.floor(x * (hi - lo))));
            return tf.gather(tf.tensor2d(values, [hi - lo, d]), pick).reshape([plan.B, n, d]) as tf.Tensor3D;
          }),
      };
    }
  }
}
