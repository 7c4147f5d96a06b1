/**
 * Seeded randomness. Every random number the runtime draws is a pure function of
 *
 *   (seed, experiment name, replicate, generation, draw site, index within the draw)
 *
 * where the draw site is a stable string (an IR node id plus a purpose, e.g. `experiment:e/retrain:m/source:0`).
 * The sweep point is deliberately NOT part of the key: replicate r draws the same numbers at every sweep
 * point (common random numbers, the paired design of simulation studies), so the differences between
 * sweep points — where a curve has its minimum, which method wins — are measured with far less noise than
 * with independent draws per point, while each point's own distribution is unchanged. (On the golden-ratio
 * sweep at 400 replicates the measured argmin's spread over seeds falls from 0.070 to 0.028.) Replicates are
 * independent of each other; statistics that compare sweep points must treat them as paired.
 * Each (row, generation, site) gets its own stream: a xoshiro128** generator whose 128-bit state is
 * expanded by splitmix32 from a 32-bit key that mixes all the parts above. Rows of the batch are filled
 * one after the other into one typed array, which becomes one tensor; so the numbers a replicate sees do
 * not depend on how many other replicates or sweep points run beside it, on the preview budget, nor on
 * the backend. Same spec, seed and backend give bit-identical results; the draws themselves are
 * identical across backends (only floating-point arithmetic on them may differ).
 *
 * Normal variates come from the ziggurat method (Marsaglia & Tsang 2000, 128 strips) with the strip
 * index, the sign and a 24-bit abscissa taken from disjoint bits of one 32-bit draw (avoiding the
 * original's correlation between strip and value, Doornik 2005); uniforms lie in (0, 1). Gamma (and χ²)
 * variates come from Marsaglia & Tsang (2000); `normalStats` draws the mean and the scatter of k standard
 * normal d-vectors directly (normal and Wishart by Bartlett's decomposition), for the retrain loop's
 * sufficient-statistics path.
 */

/** A 32-bit avalanche mixer (murmur3 fmix32). */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** FNV-1a over the UTF-16 code units, then fmix32. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return fmix32(h >>> 0);
}

/** Hashes any finite number (a seed may exceed 32 bits) to 32 bits. */
export function hashNumber(x: number): number {
  if (Number.isInteger(x) && Math.abs(x) < 2 ** 53) {
    const lo = x >>> 0;
    const hi = Math.floor(x / 2 ** 32) >>> 0;
    return mixKeys(fmix32(lo ^ 0x9e3779b9), fmix32(hi ^ 0x7f4a7c15));
  }
  return hashString(String(x));
}

/** One key's step of mixKeys. */
function mixStep(h: number, k: number): number {
  h = fmix32((h ^ (k >>> 0)) + 0x9e3779b9);
  return Math.imul(h ^ (h >>> 15), 0x2c1b3c6d) >>> 0;
}

/** Combines 32-bit keys, order-sensitively. */
export function mixKeys(...keys: readonly number[]): number {
  let h = 0x243f6a88;
  for (const k of keys) h = mixStep(h, k);
  return fmix32(h);
}

/** mixKeys(a, b, c) without the rest array (the key of every draw: row, step, site). */
function mixKeys3(a: number, b: number, c: number): number {
  return fmix32(mixStep(mixStep(mixStep(0x243f6a88, a), b), c));
}

/** xoshiro128**, seeded by splitmix32 from a 32-bit key. */
export class Stream {
  /** The 128-bit state, as four int32 words. */
  private readonly s = new Int32Array(4);

  constructor(key: number) {
    this.reset(key);
  }

  /** Restarts as the stream of `key` (as a new Stream(key) would; saves the allocation in tight loops). */
  reset(key: number): this {
    let x = key >>> 0;
    for (let i = 0; i < 4; i++) {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
      z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
      this.s[i] = z ^ (z >>> 15);
    }
    if ((this.s[0]! | this.s[1]! | this.s[2]! | this.s[3]!) === 0) this.s[0] = 1;
    return this;
  }

  /** 32 uniform random bits, as a signed 32-bit integer (kept in int32 so V8 stays on small integers). */
  nextI32(): number {
    const st = this.s;
    let a = st[0]!;
    let b = st[1]!;
    let c = st[2]!;
    let d = st[3]!;
    const t = Math.imul(b, 5);
    const result = Math.imul((t << 7) | (t >>> 25), 9);
    const sh = b << 9;
    c ^= a;
    d ^= b;
    b ^= c;
    a ^= d;
    c ^= sh;
    d = (d << 11) | (d >>> 21);
    st[0] = a;
    st[1] = b;
    st[2] = c;
    st[3] = d;
    return result;
  }

  /** A uniform 32-bit unsigned integer. */
  nextU32(): number {
    return this.nextI32() >>> 0;
  }

  /** A uniform number in the open interval (0, 1). */
  uniform(): number {
    return (this.nextU32() + 0.5) / 4294967296;
  }

  /** A standard normal variate (ziggurat). */
  normal(): number {
    return this.fromBits(this.nextI32());
  }

  /** The ziggurat step for 32 random bits `r`, drawing more when it rejects. */
  private fromBits(r: number): number {
    for (;;) {
      const i = r & 127;
      const sign = r & 128 ? -1 : 1;
      const j = r >>> 8;
      if (j < KN[i]!) return sign * j * WN[i]!;
      if (i === 0) {
        // The tail beyond R.
        let x: number;
        let y: number;
        do {
          x = -Math.log(this.uniform()) / ZIG_R;
          y = -Math.log(this.uniform());
        } while (y + y < x * x);
        return sign * (ZIG_R + x);
      }
      const x = j * WN[i]!;
      if (FN[i]! + this.uniform() * (FN[i - 1]! - FN[i]!) < Math.exp(-0.5 * x * x)) return sign * x;
      r = this.nextI32();
    }
  }

  /** Fills `out[offset .. offset+count)` with standard normal variates: the generator and the ziggurat's
   * fast path inline on local state (3× faster than calling normal()). */
  fillNormal(out: Float32Array, offset: number, count: number): void {
    const st = this.s;
    let a = st[0]!;
    let b = st[1]!;
    let c = st[2]!;
    let d = st[3]!;
    for (let n = 0; n < count; n++) {
      const t = Math.imul(b, 5);
      const r = Math.imul((t << 7) | (t >>> 25), 9);
      const sh = b << 9;
      c ^= a;
      d ^= b;
      b ^= c;
      a ^= d;
      c ^= sh;
      d = (d << 11) | (d >>> 21);
      // Strip and sign in one table index (bits 0-7): an int32 compare and one signed scale, no branch
      // on the sign; the same numbers as the generic path (j·(−w) = −(j·w) exactly).
      const k = r & 255;
      const j = r >>> 8;
      if (j < KI[k]!) out[offset + n] = j * WS[k]!;
      else {
        st[0] = a;
        st[1] = b;
        st[2] = c;
        st[3] = d;
        out[offset + n] = this.fromBits(r);
        a = st[0]!;
        b = st[1]!;
        c = st[2]!;
        d = st[3]!;
      }
    }
    st[0] = a;
    st[1] = b;
    st[2] = c;
    st[3] = d;
  }

  /** Fills `out[offset .. offset+count)` with uniforms in (0, 1). */
  fillUniform(out: Float32Array, offset: number, count: number): void {
    for (let i = 0; i < count; i++) out[offset + i] = this.uniform();
  }

  /**
   * A Gamma(shape, 1) variate: Marsaglia & Tsang (2000) for shape ≥ 1 (one normal and one uniform per
   * try, accepted with probability above 0.95); for 0 < shape < 1, Gamma(shape + 1)·U^(1/shape). Shape 0
   * (or less) gives 0, the degenerate limit.
   */
  gamma(shape: number): number {
    if (!(shape > 0)) return 0;
    if (shape < 1) return this.gamma(shape + 1) * Math.pow(this.uniform(), 1 / shape);
    const d = shape - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      let x: number;
      let v: number;
      do {
        x = this.normal();
        v = 1 + c * x;
      } while (v <= 0);
      v = v * v * v;
      const u = this.uniform();
      const x2 = x * x;
      if (u < 1 - 0.0331 * x2 * x2 || Math.log(u) < 0.5 * x2 + d * (1 - v + Math.log(v))) return d * v;
    }
  }

  /** A χ² variate with k degrees of freedom (2·Gamma(k/2)); 0 for k ≤ 0. */
  chiSquare(k: number): number {
    return k > 0 ? 2 * this.gamma(k / 2) : 0;
  }

  /**
   * The sufficient statistics of k iid N(0, I_d) vectors z₁..z_k, drawn directly: the mean z̄ ~ N(0, I/k)
   * into `mean[mo .. mo+d)` and the scatter Σ(zᵢ − z̄)(zᵢ − z̄)ᵀ ~ Wishart(k − 1, I_d), independent of z̄,
   * into `scatter[so .. so+d²)` (row-major). The scatter is A Aᵀ with A lower-triangular (Bartlett; for
   * k − 1 < d the LQ factor of a d × (k − 1) normal matrix, so the rank-deficient case is exact too):
   * A_ii = √χ²_{k−1−i}, A_ij ~ N(0, 1) for j < i and j < k − 1, else 0. In one dimension: z̄ = z/√k and
   * the scatter χ²_{k−1}. O(d²) draws instead of k·d. k = 0 gives zeros and draws nothing.
   */
  normalStats(k: number, d: number, mean: Float32Array, mo: number, scatter: Float32Array, so: number): void {
    if (k <= 0) {
      mean.fill(0, mo, mo + d);
      scatter.fill(0, so, so + d * d);
      return;
    }
    const root = Math.sqrt(k);
    for (let i = 0; i < d; i++) mean[mo + i] = this.normal() / root;
    if (d === 1) {
      scatter[so] = this.chiSquare(k - 1);
      return;
    }
    const A = new Float64Array(d * d);
    for (let i = 0; i < d; i++) {
      for (let j = 0; j < i && j < k - 1; j++) A[i * d + j] = this.normal();
      A[i * d + i] = Math.sqrt(this.chiSquare(k - 1 - i));
    }
    for (let i = 0; i < d; i++)
      for (let j = 0; j <= i; j++) {
        let s = 0;
        for (let l = 0; l <= j; l++) s += A[i * d + l]! * A[j * d + l]!;
        scatter[so + i * d + j] = s;
        scatter[so + j * d + i] = s;
      }
  }
}

// Ziggurat tables for 128 strips and 24-bit abscissae (Marsaglia & Tsang 2000, zigset).
const ZIG_R = 3.442619855899;
const KN = new Float64Array(128);
const WN = new Float64Array(128);
const FN = new Float64Array(128);
{
  const m1 = 2 ** 24;
  const vn = 9.91256303526217e-3;
  let dn = ZIG_R;
  let tn = dn;
  const q = vn / Math.exp(-0.5 * dn * dn);
  KN[0] = Math.floor((dn / q) * m1);
  KN[1] = 0;
  WN[0] = q / m1;
  WN[127] = dn / m1;
  FN[0] = 1;
  FN[127] = Math.exp(-0.5 * dn * dn);
  for (let i = 126; i >= 1; i--) {
    dn = Math.sqrt(-2 * Math.log(vn / dn + Math.exp(-0.5 * dn * dn)));
    KN[i + 1] = Math.floor((dn / tn) * m1);
    tn = dn;
    FN[i] = Math.exp(-0.5 * dn * dn);
    WN[i] = dn / m1;
  }
}

/** The fast path's tables indexed by the low 8 bits (strip | sign << 7): KN as int32, WN signed. */
const KI = new Int32Array(256);
const WS = new Float64Array(256);
for (let k = 0; k < 256; k++) {
  KI[k] = KN[k & 127]!;
  WS[k] = (k & 128 ? -1 : 1) * WN[k & 127]!;
}

/** The identity of one row of the batch: a replicate at a sweep point of an experiment. */
export interface RowKey {
  /** Index of the sweep point in the full (unthinned) sweep grid. */
  readonly point: number;
  readonly replicate: number;
}

/**
 * The key space of one experiment run: `base` mixes the seed and the experiment name; a draw mixes in
 * the row, the generation and the site.
 */
export class KeySpace {
  readonly base: number;
  /** The row keys of each rows array drawn for (the plan's rows: one array for the whole run). */
  private readonly rowKeys = new WeakMap<readonly RowKey[], Uint32Array>();
  /** One stream, re-seeded for each row of a draw. */
  private readonly stream = new Stream(0);
  constructor(seed: number, experiment: string) {
    this.base = mixKeys(hashNumber(seed), hashString(experiment));
  }

  /** The key of a row: its replicate's, the same at every sweep point (common random numbers). */
  rowKey(row: RowKey): number {
    return mixKeys3(this.base, 0, row.replicate);
  }

  /** The stream of every row of `rows` at (step, site), one after the other: f(stream, r). */
  private eachRow(rows: readonly RowKey[], step: number, site: string, f: (s: Stream, r: number) => void): void {
    let keys = this.rowKeys.get(rows);
    if (!keys) {
      keys = Uint32Array.from(rows, (row) => this.rowKey(row));
      this.rowKeys.set(rows, keys);
    }
    const s = hashString(site);
    for (let r = 0; r < keys.length; r++) f(this.stream.reset(mixKeys3(keys[r]!, step, s)), r);
  }

  /** Fills a [rows, perRow] array with normals: row r from the stream of (rows[r], step, site). */
  normals(rows: readonly RowKey[], perRow: number, step: number, site: string): Float32Array {
    const out = new Float32Array(rows.length * perRow);
    this.eachRow(rows, step, site, (st, r) => st.fillNormal(out, r * perRow, perRow));
    return out;
  }

  /**
   * Sufficient statistics of `counts[r]` standard normal d-vectors per row (Stream.normalStats), row r
   * from the stream of (rows[r], step, site): means `[rows, d]` and scatters `[rows, d, d]`.
   */
  normalStats(
    rows: readonly RowKey[],
    counts: ArrayLike<number>,
    d: number,
    step: number,
    site: string,
  ): { mean: Float32Array; scatter: Float32Array } {
    const mean = new Float32Array(rows.length * d);
    const scatter = new Float32Array(rows.length * d * d);
    this.eachRow(rows, step, site, (st, r) => st.normalStats(counts[r]!, d, mean, r * d, scatter, r * d * d));
    return { mean, scatter };
  }

  /** Fills a [rows, perRow] array with uniforms in (0, 1). */
  uniforms(rows: readonly RowKey[], perRow: number, step: number, site: string): Float32Array {
    const out = new Float32Array(rows.length * perRow);
    this.eachRow(rows, step, site, (st, r) => st.fillUniform(out, r * perRow, perRow));
    return out;
  }
}
