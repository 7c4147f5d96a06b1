/**
 * Likelihood models over quantised images (fractal.md): the fractal composition, the flat autoregressive
 * model and independent pixels. All give exact log-likelihoods.
 *
 * **Fractal.** Levels i = 0..L−1, each an `ar` module (ar.ts) with sequence length k_i; one module per
 * level, shared by every part at that level (the paper's self-similar recursion). The image is split into
 * k_0 parts (a √k × √k grid of patches when k is a square dividing the sides, else row strips, else
 * contiguous runs), each part into k_1 parts, …, down to single pixels (Π k_i = pixels). Level i's module
 * reads the parts of its patch autoregressively, conditioned on a vector from the level above (nothing at
 * the top); its output j (width_{i+1} values) is the condition under which level i+1 models part j. At
 * the last level each part is one pixel and the module's outputs are the `pixel categorical(levels)`
 * head's logits. So log p(x) = Σ over every part of log p(part | earlier parts of the same patch, the
 * patch's condition): an exact autoregressive factorisation over pixels in the hierarchical order, and the
 * probabilities of all images sum to 1.
 *
 * **Flat AR** `ar(tokens: D, ...) on data` is the one-level case: D parts of one pixel each, raster order.
 *
 * **Independent pixels** `bernoulli_pixels()`: one categorical per pixel position, fitted in closed form
 * (the posterior mean under a uniform Dirichlet prior, (count + 1)/(n + levels): the maximum-likelihood
 * frequencies with add-one smoothing, so a value never seen in training keeps a finite likelihood).
 */
import * as tf from '@tensorflow/tfjs';
import { ArModule, Init, arNormals, type ArSpec } from './ar.js';

/** One level of a fractal (or the only level of a flat AR model). */
export interface LevelSpec {
  readonly tokens: number;
  readonly width: number;
  readonly depth: number;
}

/** Draws `count` uniforms in (0, 1) from the next seeded stream (one stream per call). */
export type Uniforms = (count: number) => Float32Array;

export interface LikelihoodModel {
  /** Pixel values per position. */
  readonly values: number;
  /** Trainable weights (none for a closed-form fit). */
  readonly vars: readonly tf.Variable[];
  /** Number of parameters (weights, or free probabilities). */
  readonly params: number;
  /** `[n, D·values]` one-hot pixels, in the model's order, of images `rows` of `pixels` (`[N, D]`). */
  encode(pixels: Uint8Array, rows: ArrayLike<number>): tf.Tensor2D;
  /** Negative log-likelihood (nats) per image, `[n]`, of encoded images. */
  nll(x: tf.Tensor2D): tf.Tensor1D;
  /** `n` samples, `[n · D]` pixel values in image (row-major) order. */
  sample(n: number, uniforms: Uniforms): Promise<Uint8Array>;
  dispose(): void;
}

/** One-hot `[n, D·L]` of the images `rows`, pixel positions listed in `order`. */
function oneHot(pixels: Uint8Array, rows: ArrayLike<number>, order: Int32Array, L: number): tf.Tensor2D {
  const D = order.length;
  const out = new Float32Array(rows.length * D * L);
  for (let r = 0; r < rows.length; r++) {
    const src = rows[r]! * D;
    const dst = r * D * L;
    for (let p = 0; p < D; p++) out[dst + p * L + pixels[src + order[p]!]!] = 1;
  }
  return tf.tensor2d(out, [rows.length, D * L]);
}

/** Categorical draws `[n]` from logits `[n, L]` by inverting the CDF at the given uniforms. */
function drawCategorical(logits: tf.Tensor2D, u: Float32Array): tf.Tensor1D {
  return tf.tidy(() => {
    const L = logits.shape[1];
    const cdf = tf.cumsum(tf.softmax(logits), 1);
    const below = tf
      .less(cdf, tf.tensor2d(u, [u.length, 1]))
      .cast('int32')
      .sum(1);
    return tf.minimum(below, tf.scalar(L - 1, 'int32')).cast('int32') as tf.Tensor1D;
  });
}

interface Region {
  readonly pixels: readonly number[];
  /** Rows × columns when the region is a rectangle (listed row-major), else null. */
  readonly h: number | null;
  readonly w: number | null;
}

function splitRegion(r: Region, k: number): Region[] {
  const { pixels, h, w } = r;
  const a = Math.round(Math.sqrt(k));
  if (h !== null && w !== null && a * a === k && h % a === 0 && w % a === 0) {
    const ph = h / a;
    const pw = w / a;
    const out: Region[] = [];
    for (let gi = 0; gi < a; gi++)
      for (let gj = 0; gj < a; gj++) {
        const px: number[] = [];
        for (let i = 0; i < ph; i++) for (let j = 0; j < pw; j++) px.push(pixels[(gi * ph + i) * w + gj * pw + j]!);
        out.push({ pixels: px, h: ph, w: pw });
      }
    return out;
  }
  const size = pixels.length / k;
  const strips = h !== null && w !== null && h % k === 0;
  return Array.from({ length: k }, (_, i) => ({
    pixels: pixels.slice(i * size, (i + 1) * size),
    h: strips ? h / k : null,
    w: strips ? w : null,
  }));
}

/**
 * The model's pixel order for an `side × side` image split by `tokens` level by level: position p of the
 * model holds image pixel order[p], and every part at every level is a contiguous run of positions.
 */
export function fractalOrder(side: number, tokens: readonly number[]): Int32Array {
  let regions: Region[] = [{ pixels: Array.from({ length: side * side }, (_, i) => i), h: side, w: side }];
  for (const k of tokens) regions = regions.flatMap((r) => splitRegion(r, k));
  return Int32Array.from(regions.flatMap((r) => r.pixels));
}

export class FractalModel implements LikelihoodModel {
  readonly order: Int32Array;
  readonly modules: readonly ArModule[];
  readonly vars: readonly tf.Variable[];
  readonly params: number;
  /** Pixels per part at each level. */
  private readonly partSize: readonly number[];
  private readonly specs: readonly ArSpec[];

  private static specsOf(levels: readonly LevelSpec[], side: number, values: number): ArSpec[] {
    let left = side * side;
    return levels.map((l, i) => {
      left /= l.tokens;
      return {
        tokens: l.tokens,
        width: l.width,
        depth: l.depth,
        partInput: left * values,
        cond: i > 0 ? levels[i - 1]!.width : 0,
        out: i + 1 < levels.length ? l.width : values,
      };
    });
  }

  /** Standard normals needed by `new FractalModel(levels, side, values, normals)`. */
  static normalsNeeded(levels: readonly LevelSpec[], side: number, values: number): number {
    return FractalModel.specsOf(levels, side, values).reduce((a, s) => a + arNormals(s), 0);
  }

  constructor(
    readonly levels: readonly LevelSpec[],
    readonly side: number,
    readonly values: number,
    normals: Float32Array,
  ) {
    this.order = fractalOrder(
      side,
      levels.map((l) => l.tokens),
    );
    this.specs = FractalModel.specsOf(levels, side, values);
    this.partSize = this.specs.map((s) => s.partInput / values);
    const init = new Init(normals);
    this.modules = this.specs.map((s) => new ArModule(s, init));
    this.vars = init.vars;
    this.params = this.modules.reduce((a, m) => a + m.params, 0);
  }

  encode(pixels: Uint8Array, rows: ArrayLike<number>): tf.Tensor2D {
    return oneHot(pixels, rows, this.order, this.values);
  }

  nll(x: tf.Tensor2D): tf.Tensor1D {
    return tf.tidy(() => {
      const n = x.shape[0];
      const L = this.values;
      let N = n;
      let cond: tf.Tensor2D | null = null;
      let out: tf.Tensor1D | undefined;
      this.specs.forEach((s, i) => {
        const parts = x.reshape([N, s.tokens, s.partInput]) as tf.Tensor3D;
        const h = this.modules[i]!.apply(parts, cond).reshape([N * s.tokens, s.out]) as tf.Tensor2D;
        N *= s.tokens;
        if (i + 1 < this.specs.length) cond = h;
        else
          out = tf
            .logSoftmax(h)
            .mul(x.reshape([N, L]))
            .sum(1)
            .reshape([n, -1])
            .sum(1)
            .neg() as tf.Tensor1D;
      });
      return out!;
    });
  }

  /** Level i's parts `[N, k_i · partSize_i · L]` (one-hot), sampled under conditions `[N, cond_i]`. */
  private sampleLevel(i: number, N: number, cond: tf.Tensor2D | null, uniforms: Uniforms): tf.Tensor2D {
    const s = this.specs[i]!;
    const done: tf.Tensor3D[] = [];
    for (let j = 0; j < s.tokens; j++) {
      const part = tf.tidy(() => {
        const input = tf.concat([...done, tf.zeros([N, s.tokens - j, s.partInput])], 1) as tf.Tensor3D;
        const h = this.modules[i]!.apply(input, cond)
          .slice([0, j, 0], [N, 1, s.out])
          .reshape([N, s.out]) as tf.Tensor2D;
        if (i + 1 < this.specs.length) return this.sampleLevel(i + 1, N, h, uniforms);
        return tf.oneHot(drawCategorical(h, uniforms(N)), this.values).cast('float32') as tf.Tensor2D;
      });
      done.push(part.reshape([N, 1, s.partInput]));
      part.dispose();
    }
    const all = tf.concat(done, 1).reshape([N, s.tokens * s.partInput]) as tf.Tensor2D;
    for (const t of done) t.dispose();
    return all;
  }

  async sample(n: number, uniforms: Uniforms): Promise<Uint8Array> {
    const idx = tf.tidy(() =>
      this.sampleLevel(0, n, null, uniforms).reshape([n, this.order.length, this.values]).argMax(2),
    );
    const v = await idx.data();
    idx.dispose();
    const D = this.order.length;
    const out = new Uint8Array(n * D);
    for (let s = 0; s < n; s++) for (let p = 0; p < D; p++) out[s * D + this.order[p]!] = v[s * D + p]!;
    return out;
  }

  dispose(): void {
    for (const m of this.modules) m.dispose();
    for (const v of this.vars) v.dispose();
  }
}

/** Independent pixels: a categorical per position with add-one smoothed frequencies. */
export class IndependentPixels implements LikelihoodModel {
  readonly vars: readonly tf.Variable[] = [];
  readonly params: number;
  private readonly order: Int32Array;
  /** `[D · L]` log-probabilities, image order. */
  readonly logp: Float64Array;
  private readonly logpT: tf.Tensor1D;

  constructor(
    readonly D: number,
    readonly values: number,
    train: Uint8Array,
  ) {
    const n = train.length / D;
    const counts = new Float64Array(D * values);
    for (let s = 0; s < n; s++) for (let p = 0; p < D; p++) counts[p * values + train[s * D + p]!]!++;
    this.logp = counts.map((c) => Math.log((c + 1) / (n + values)));
    this.logpT = tf.tensor1d(Float32Array.from(this.logp));
    this.order = Int32Array.from({ length: D }, (_, i) => i);
    this.params = D * (values - 1);
  }

  encode(pixels: Uint8Array, rows: ArrayLike<number>): tf.Tensor2D {
    return oneHot(pixels, rows, this.order, this.values);
  }

  nll(x: tf.Tensor2D): tf.Tensor1D {
    return tf.tidy(() => x.mul(this.logpT).sum(1).neg() as tf.Tensor1D);
  }

  sample(n: number, uniforms: Uniforms): Promise<Uint8Array> {
    const { D, values: L } = this;
    const u = uniforms(n * D);
    const out = new Uint8Array(n * D);
    for (let s = 0; s < n; s++)
      for (let p = 0; p < D; p++) {
        let c = 0;
        let v = 0;
        while (v < L - 1 && (c += Math.exp(this.logp[p * L + v]!)) <= u[s * D + p]!) v++;
        out[s * D + p] = v;
      }
    return Promise.resolve(out);
  }

  dispose(): void {
    this.logpT.dispose();
  }
}
