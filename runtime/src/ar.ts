/**
 * The atomic autoregressive module of `ar(tokens, width, depth)`: a masked autoregressive MLP (MADE,
 * Germain et al. 2015) over `tokens` parts. Its input is the parts' features side by side; `depth` hidden
 * relu layers of `width` units; an output of `out` values per part. Connectivity masks give every input
 * feature of part j the degree j + 1, hidden unit u the degree u mod k, and part j's outputs the degree
 * j + 1; a connection from degree a to a hidden unit of degree m exists iff m ≥ a, and from a hidden unit
 * of degree m to an output of degree d iff d > m. So output j is a function of parts 0..j−1 and the
 * condition only: the factorisation p(part_j | parts_<j, condition) is exact. The condition (a vector from
 * the level above, or nothing at the top) feeds the first hidden layer unmasked; the degree-0 units see
 * only the condition, so part 0 is modelled under it too.
 *
 * The paper's module is a transformer; on the embedded wasm backend a causal transformer over 64 tokens
 * costs about 64× the FLOPs per image of a MADE with as many weights (every token passes through every
 * weight), which puts the flat baseline's training out of reach of a 60-second budget on two cores.
 * A MADE keeps the two defining properties (an exact autoregressive likelihood; one module type for
 * every level and for the flat baseline) at a cost the examples can afford.
 *
 * Weights live in `tf.variable`s initialised from the caller's seeded normals; masked-out weights never
 * receive a gradient and are not counted as parameters.
 */
import * as tf from '@tensorflow/tfjs';

/** The shape of one module. */
export interface ArSpec {
  readonly tokens: number;
  readonly width: number;
  readonly depth: number;
  /** Features of one part (its one-hot pixel values). */
  readonly partInput: number;
  /** Width of the condition (0: none). */
  readonly cond: number;
  /** Outputs per part. */
  readonly out: number;
}

/** Hands out variables initialised from a buffer of standard normals, in a fixed order. */
export class Init {
  private off = 0;
  readonly vars: tf.Variable[] = [];
  constructor(private readonly normals: Float32Array) {}

  /** Normals × scale (a weight matrix or an embedding). */
  normal(shape: number[], scale: number): tf.Variable {
    const n = shape.reduce((a, b) => a * b, 1);
    if (this.off + n > this.normals.length) throw new Error('Init: not enough normals for the parameters');
    const w = new Float32Array(n);
    for (let i = 0; i < n; i++) w[i] = this.normals[this.off + i]! * scale;
    this.off += n;
    return this.own(tf.tensor(w, shape));
  }

  constant(shape: number[], value: number): tf.Variable {
    return this.own(tf.fill(shape, value));
  }

  private own(t: tf.Tensor): tf.Variable {
    const v = tf.variable(t, true);
    t.dispose();
    this.vars.push(v);
    return v;
  }
}

/** Standard normals needed to initialise a module (its matrices). */
export function arNormals(s: ArSpec): number {
  const w = s.width;
  return s.tokens * s.partInput * w + (s.depth - 1) * w * w + w * s.tokens * s.out + s.cond * w;
}

/** x·W for x `[n, a]`, W `[a, b]`, with explicitly transposed gradients (the wasm backend's MatMul with
 * transposed operands, what tfjs's built-in gradient uses, is much slower than Transpose then MatMul). */
export const matmul = tf.customGrad((...args: unknown[]) => {
  const [x, w, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.GradSaveFunc];
  save([x, w]);
  return {
    value: x.matMul(w),
    gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
      const g = dy as tf.Tensor2D;
      const [xs, ws] = saved as [tf.Tensor2D, tf.Tensor2D];
      return [g.matMul(ws.transpose()), xs.transpose().matMul(g)];
    },
  };
}) as (x: tf.Tensor2D, w: tf.Tensor2D) => tf.Tensor2D;

/** A `[rows, cols]` 0/1 mask: entry (a, b) is allowed(degree of row a, degree of column b). */
function maskOf(
  rows: readonly number[],
  cols: readonly number[],
  allowed: (a: number, b: number) => boolean,
): { mask: Float32Array; count: number } {
  const mask = new Float32Array(rows.length * cols.length);
  let count = 0;
  rows.forEach((a, i) =>
    cols.forEach((b, j) => {
      if (allowed(a, b)) {
        mask[i * cols.length + j] = 1;
        count++;
      }
    }),
  );
  return { mask, count };
}

interface Layer {
  readonly w: tf.Variable;
  readonly b: tf.Variable;
  readonly mask: tf.Tensor2D;
}

/** One masked autoregressive module. */
export class ArModule {
  private readonly layers: readonly Layer[];
  private readonly condW: tf.Variable | null;
  /** Weights that are free (not masked out), biases included. */
  readonly params: number;

  constructor(
    readonly spec: ArSpec,
    init: Init,
  ) {
    const { tokens: k, width: w, depth, partInput: f, cond, out } = spec;
    const inDeg = Array.from({ length: k * f }, (_, i) => Math.floor(i / f) + 1);
    const hidDeg = Array.from({ length: w }, (_, u) => u % k);
    const outDeg = Array.from({ length: k * out }, (_, i) => Math.floor(i / out) + 1);
    const layers: Layer[] = [];
    let params = 0;
    const layer = (rows: number[], cols: number[], allowed: (a: number, b: number) => boolean, gain: number) => {
      const { mask, count } = maskOf(rows, cols, allowed);
      // He-style scale over the connections a unit actually has.
      const fanIn = Math.max(1, count / cols.length);
      layers.push({
        w: init.normal([rows.length, cols.length], Math.sqrt(gain / fanIn)),
        b: init.constant([cols.length], 0),
        mask: tf.tensor2d(mask, [rows.length, cols.length]),
      });
      params += count + cols.length;
    };
    layer(inDeg, hidDeg, (a, m) => m >= a, 2);
    for (let d = 1; d < depth; d++) layer(hidDeg, hidDeg, (a, m) => m >= a, 2);
    layer(hidDeg, outDeg, (m, o) => o > m, 1);
    this.layers = layers;
    this.condW = cond > 0 ? init.normal([cond, w], Math.sqrt(1 / cond)) : null;
    this.params = params + cond * w;
  }

  /**
   * The module over parts `[n, k, partInput]` with condition `[n, cond]` (or null when it has none):
   * outputs `[n, k, out]`, output j a function of the condition and parts 0..j−1.
   */
  apply(parts: tf.Tensor3D, cond: tf.Tensor2D | null): tf.Tensor3D {
    const [n, k, f] = parts.shape;
    let h: tf.Tensor2D = parts.reshape([n, k * f]);
    this.layers.forEach((l, i) => {
      let z = matmul(h, l.w.mul(l.mask) as tf.Tensor2D).add(l.b) as tf.Tensor2D;
      if (i === 0 && cond && this.condW) z = z.add(matmul(cond, this.condW as tf.Tensor2D));
      h = i + 1 < this.layers.length ? tf.relu(z) : z;
    });
    return h.reshape([n, k, this.spec.out]);
  }

  dispose(): void {
    for (const l of this.layers) l.mask.dispose();
  }
}
