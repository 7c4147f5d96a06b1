/**
 * Kernels and the small quadratic programs of the `select` loop (mixture-ucb.md): Gaussian and polynomial
 * kernel expectations between isotropic Gaussian modes in closed form, and the minimiser of αᵀQα − lᵀα over
 * the probability simplex.
 */

/** The Gaussian kernel k(x, y) = exp(−‖x − y‖² / (2h²)); k^p is the Gaussian kernel of bandwidth h/√p. */
export interface GaussianKernel {
  readonly kind: 'gaussian';
  readonly bandwidth: number;
}

/**
 * E k^p(X, Y) for X ~ N(a, s₁²I) and Y ~ N(b, s₂²I) in d dimensions, k Gaussian of bandwidth h:
 * (h²/p / (h²/p + s₁² + s₂²))^{d/2} · exp(−‖a − b‖² / (2(h²/p + s₁² + s₂²))).
 */
export function gaussianExpectation(
  h: number,
  p: number,
  a: readonly number[],
  s1: number,
  b: readonly number[],
  s2: number,
): number {
  const h2 = (h * h) / p;
  const v = h2 + s1 * s1 + s2 * s2;
  let d2 = 0;
  for (let i = 0; i < a.length; i++) d2 += (a[i]! - b[i]!) ** 2;
  return (h2 / v) ** (a.length / 2) * Math.exp(-d2 / (2 * v));
}

/** Euclidean projection onto the probability simplex (Duchi et al. 2008), in place. */
export function projectSimplex(v: Float64Array): Float64Array {
  const m = v.length;
  const u = Float64Array.from(v).sort().reverse();
  let css = 0;
  let theta = 0;
  for (let j = 0; j < m; j++) {
    css += u[j]!;
    const t = (css - 1) / (j + 1);
    if (u[j]! - t > 0) theta = t;
  }
  for (let i = 0; i < m; i++) v[i] = Math.max(0, v[i]! - theta);
  return v;
}

/** f(α) = αᵀQα − lᵀα (Q row-major m × m). */
export function quadratic(Q: Float64Array, l: Float64Array, a: ArrayLike<number>, m: number): number {
  let f = 0;
  for (let i = 0; i < m; i++) {
    let qi = 0;
    for (let j = 0; j < m; j++) qi += Q[i * m + j]! * a[j]!;
    f += a[i]! * qi - l[i]! * a[i]!;
  }
  return f;
}

/** Solves A x = b (n × n, row-major, overwritten) by Gaussian elimination with partial pivoting; false if singular. */
function solve(A: Float64Array, b: Float64Array, n: number): boolean {
  for (let c = 0; c < n; c++) {
    let piv = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(A[r * n + c]!) > Math.abs(A[piv * n + c]!)) piv = r;
    if (Math.abs(A[piv * n + c]!) < 1e-14) return false;
    if (piv !== c) {
      for (let k = 0; k < n; k++) {
        const t = A[c * n + k]!;
        A[c * n + k] = A[piv * n + k]!;
        A[piv * n + k] = t;
      }
      const t = b[c]!;
      b[c] = b[piv]!;
      b[piv] = t;
    }
    for (let r = c + 1; r < n; r++) {
      const f = A[r * n + c]! / A[c * n + c]!;
      if (f === 0) continue;
      for (let k = c; k < n; k++) A[r * n + k] = A[r * n + k]! - f * A[c * n + k]!;
      b[r] = b[r]! - f * b[c]!;
    }
  }
  for (let r = n - 1; r >= 0; r--) {
    let s = b[r]!;
    for (let k = r + 1; k < n; k++) s -= A[r * n + k]! * b[k]!;
    b[r] = s / A[r * n + r]!;
  }
  return true;
}

/** Up to this many arms the simplex QP is solved exactly by enumerating supports (2^m − 1 small solves). */
export const EXACT_QP_ARMS = 6;

/**
 * argmin over the simplex of αᵀQα − lᵀα, Q symmetric positive semi-definite (a ridge of 1e-9·trace/m keeps
 * it definite). Exact for m ≤ EXACT_QP_ARMS: the optimum is the equality-constrained minimiser over the
 * face of its support, so the best non-negative face solution is it. Above that, 500 projected gradient
 * steps from `warm` (or the uniform weights).
 */
export function simplexQp(Q: Float64Array, l: Float64Array, m: number, warm?: Float64Array): Float64Array {
  let tr = 0;
  for (let i = 0; i < m; i++) tr += Q[i * m + i]!;
  const ridge = Math.max(1e-12, (1e-9 * tr) / m);
  if (m === 1) return Float64Array.of(1);
  if (m <= EXACT_QP_ARMS) {
    let best: Float64Array | undefined;
    let bestF = Infinity;
    const idx: number[] = [];
    for (let mask = 1; mask < 1 << m; mask++) {
      idx.length = 0;
      for (let i = 0; i < m; i++) if (mask & (1 << i)) idx.push(i);
      const k = idx.length;
      const n = k + 1;
      const A = new Float64Array(n * n);
      const b = new Float64Array(n);
      // [2Q_SS  −1; 1ᵀ 0] [α; ν] = [l_S; 1]
      for (let r = 0; r < k; r++) {
        for (let c = 0; c < k; c++) A[r * n + c] = 2 * (Q[idx[r]! * m + idx[c]!]! + (r === c ? ridge : 0));
        A[r * n + k] = -1;
        A[k * n + r] = 1;
        b[r] = l[idx[r]!]!;
      }
      b[k] = 1;
      if (!solve(A, b, n)) continue;
      let ok = true;
      for (let r = 0; r < k; r++) if (!(b[r]! >= -1e-12)) ok = false;
      if (!ok) continue;
      const a = new Float64Array(m);
      idx.forEach((i, r) => (a[i] = Math.max(0, b[r]!)));
      const f = quadratic(Q, l, a, m);
      if (f < bestF - 1e-15) {
        bestF = f;
        best = a;
      }
    }
    if (best) {
      const s = best.reduce((x, y) => x + y, 0);
      return best.map((x) => x / s);
    }
  }
  // Projected gradient descent, step 1/L with L = 2·max row sum of |Q| bounding the gradient's Lipschitz constant.
  let L = 0;
  for (let i = 0; i < m; i++) {
    let s = 0;
    for (let j = 0; j < m; j++) s += Math.abs(Q[i * m + j]!);
    L = Math.max(L, 2 * s);
  }
  const eta = 1 / Math.max(L, 1e-12);
  const a = warm ? Float64Array.from(warm) : new Float64Array(m).fill(1 / m);
  const g = new Float64Array(m);
  for (let it = 0; it < 500; it++) {
    for (let i = 0; i < m; i++) {
      let qi = 0;
      for (let j = 0; j < m; j++) qi += Q[i * m + j]! * a[j]!;
      g[i] = 2 * qi - l[i]!;
    }
    for (let i = 0; i < m; i++) a[i] = a[i]! - eta * g[i]!;
    projectSimplex(a);
  }
  return a;
}

/** The polynomial kernel k(x, y) = (xᵀy/d + 1)^degree (KID's, with degree 3). */
export interface PolynomialKernel {
  readonly kind: 'polynomial';
  readonly degree: number;
}

export type Kernel = GaussianKernel | PolynomialKernel;

/** k(x, y) for x at xs[xo..xo+d) and y at ys[yo..yo+d). */
export function kernelValue(k: Kernel, xs: Float64Array, xo: number, ys: Float64Array, yo: number, d: number): number {
  if (k.kind === 'gaussian') {
    let d2 = 0;
    for (let q = 0; q < d; q++) d2 += (xs[xo + q]! - ys[yo + q]!) ** 2;
    return Math.exp(-d2 / (2 * k.bandwidth * k.bandwidth));
  }
  let dot = 0;
  for (let q = 0; q < d; q++) dot += xs[xo + q]! * ys[yo + q]!;
  return (dot / d + 1) ** k.degree;
}

/** Raw moments E[(c + s·Z)^a], a = 0..n, Z standard normal. */
export function normalMoments(c: number, s: number, n: number): number[] {
  // E Z^i: 0 for odd i, (i − 1)!! for even i.
  const z = [1];
  for (let i = 1; i <= n; i++) z.push(i % 2 ? 0 : (i - 1) * z[i - 2]!);
  const out: number[] = [];
  for (let a = 0; a <= n; a++) {
    let m = 0;
    let binom = 1;
    for (let i = 0; i <= a; i++) {
      m += binom * c ** (a - i) * s ** i * z[i]!;
      binom = (binom * (a - i)) / (i + 1);
    }
    out.push(m);
  }
  return out;
}

/**
 * E (XᵀY/d + 1)^n for independent X and Y with independent coordinates, given their per-coordinate raw
 * moments mx[q][a] and my[q][a] (a = 0..n): Σ_k C(n, k) d^−k Σ_{|α| = k} k!/Πα_q! Π_q mx[q][α_q]·my[q][α_q].
 * Exact for the modes of ring and grid sources (isotropic Gaussians) and for fixed points (moments = powers).
 */
export function polynomialExpectation(n: number, mx: readonly number[][], my: readonly number[][]): number {
  const d = mx.length;
  let total = 0;
  let binom = 1; // C(n, k)
  for (let k = 0; k <= n; k++) {
    // Σ over compositions α of k into d parts of the multinomial coefficient times the moment products.
    const rec = (q: number, left: number, coef: number): number => {
      if (q === d - 1) return (coef / factorial(left)) * mx[q]![left]! * my[q]![left]!;
      let s = 0;
      for (let a = 0; a <= left; a++) s += rec(q + 1, left - a, (coef / factorial(a)) * mx[q]![a]! * my[q]![a]!);
      return s;
    };
    total += (binom * factorial(k) * rec(0, k, 1)) / d ** k;
    binom = (binom * (n - k)) / (k + 1);
  }
  return total;
}

function factorial(n: number): number {
  let f = 1;
  for (let i = 2; i <= n; i++) f *= i;
  return f;
}
