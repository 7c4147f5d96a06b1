// The retrain loop's sufficient-statistics path (runtime/src/retrain.ts): instead of drawing and weighting
// every sample of a group, it draws the group's sample mean and scatter directly (random.ts: Gamma by
// Marsaglia–Tsang, χ², Wishart by Bartlett). Checked here against closed forms (the moments of χ² and
// Wishart draws, a collapse rate) and against the sample-level path (OURO_RETRAIN_PATH=samples): the two
// must give the same distribution of the fitted parameters, within Monte-Carlo error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execute, Stream, type ExperimentResult, type RunResult } from '@ouro/runtime';
import { irOf, mean, metric, se } from './harness/runtime.js';

/** Bounds are 4 standard errors (two-sided false-alarm rate 6e-5 per comparison). */
const Z = 4;

/** The sample variance and its standard error, √((m₄ − s⁴)/N) from the sample's own fourth moment. */
function varianceAndSe(xs: readonly number[]): { v: number; se: number } {
  const m = mean(xs);
  let m2 = 0;
  let m4 = 0;
  for (const x of xs) {
    const d2 = (x - m) ** 2;
    m2 += d2;
    m4 += d2 * d2;
  }
  m2 /= xs.length;
  m4 /= xs.length;
  return { v: (m2 * xs.length) / (xs.length - 1), se: Math.sqrt(Math.max(m4 - m2 * m2, 0) / xs.length) };
}

function checkMean(xs: readonly number[], expected: number, what: string): void {
  const s = se(xs);
  assert.ok(Math.abs(mean(xs) - expected) <= Z * s, `${what}: mean ${mean(xs)} vs ${expected} (SE ${s})`);
}

function checkVariance(xs: readonly number[], expected: number, what: string): void {
  const { v, se: s } = varianceAndSe(xs);
  assert.ok(Math.abs(v - expected) <= Z * s, `${what}: variance ${v} vs ${expected} (SE ${s})`);
}

test('χ² draws (2·Gamma(k/2), Marsaglia–Tsang; shape < 1 boosted): mean k and variance 2k', () => {
  const N = 100_000;
  const s = new Stream(12345);
  for (const k of [1, 2, 3, 10, 99]) {
    const xs = Array.from({ length: N }, () => s.chiSquare(k));
    assert.ok(
      xs.every((x) => x > 0 && Number.isFinite(x)),
      `χ²_${k} draws are positive and finite`,
    );
    // Var χ²_k = 2k; the fourth central moment is 12k(k + 4), so the SE of the sample variance is √((8k² + 48k)/N).
    const seMean = Math.sqrt((2 * k) / N);
    const seVar = Math.sqrt((8 * k * k + 48 * k) / N);
    const { v } = varianceAndSe(xs);
    assert.ok(Math.abs(mean(xs) - k) <= Z * seMean, `χ²_${k}: mean ${mean(xs)}`);
    assert.ok(Math.abs(v - 2 * k) <= Z * seVar, `χ²_${k}: variance ${v}`);
  }
  assert.equal(s.chiSquare(0), 0);
});

test('normal statistics (Bartlett): z̄ ~ N(0, I/k), scatter ~ Wishart(k − 1, I), rank-deficient when k − 1 < d', () => {
  const d = 3;
  const N = 40_000;
  const s = new Stream(777);
  for (const k of [2, 3, 8]) {
    const n = k - 1;
    const means = new Float32Array(N * d);
    const scat = new Float32Array(N * d * d);
    for (let i = 0; i < N; i++) s.normalStats(k, d, means, i * d, scat, i * d * d);
    for (let a = 0; a < d; a++) {
      const za = Array.from({ length: N }, (_, i) => means[i * d + a]!);
      checkMean(za, 0, `k = ${k}: z̄_${a}`);
      checkVariance(za, 1 / k, `k = ${k}: z̄_${a}`);
      for (let b = 0; b < d; b++) {
        // Wishart(n, I): E W_ab = n δ_ab, Var W_ab = n (1 + δ_ab).
        const w = Array.from({ length: N }, (_, i) => scat[i * d * d + a * d + b]!);
        checkMean(w, a === b ? n : 0, `k = ${k}: W_${a}${b}`);
        checkVariance(w, n * (a === b ? 2 : 1), `k = ${k}: W_${a}${b}`);
      }
    }
    const dets = Array.from({ length: N }, (_, i) => {
      const [a, b, c, e, f, g, h, j, l] = scat.subarray(i * d * d, (i + 1) * d * d);
      return a! * (f! * l! - g! * j!) - b! * (e! * l! - g! * h!) + c! * (e! * j! - f! * h!);
    });
    if (n < d) {
      // Rank n < d: the determinant is 0 up to the float32 rounding of the entries, relative to the
      // product of the diagonal (its bound, Hadamard's inequality): each of its 6 terms is at most that
      // product, and rounding (6e-8 relative per entry) moves it by far less than 1e-5 of it.
      const worst = Math.max(
        ...dets.map((x, i) => Math.abs(x) / (scat[i * d * d]! * scat[i * d * d + 4]! * scat[i * d * d + 8]!)),
      );
      assert.ok(worst < 1e-5, `k = ${k}: singular scatter, |det| / Π W_ii up to ${worst}`);
    } else {
      // E det Wishart(n, I_d) = n (n − 1) ⋯ (n − d + 1).
      checkMean(dets, n * (n - 1) * (n - 2), `k = ${k}: det W`);
    }
  }
  // k = 0 draws nothing and gives zeros; k = 1 gives the point itself (scatter 0).
  const m = new Float32Array(2).fill(9);
  const w = new Float32Array(4).fill(9);
  s.normalStats(0, 2, m, 0, w, 0);
  assert.deepEqual([...m, ...w], [0, 0, 0, 0, 0, 0]);
  s.normalStats(1, 2, m, 0, w, 0);
  assert.deepEqual([...w], [0, 0, 0, 0]);
});

/** Runs a spec on each path: the default (sufficient statistics) and the sample-level one. */
async function bothPaths(text: string): Promise<{ suff: RunResult; samples: RunResult }> {
  const ir = irOf(text);
  const suff = await execute(ir, { backend: 'wasm' });
  process.env['OURO_RETRAIN_PATH'] = 'samples';
  try {
    return { suff, samples: await execute(ir, { backend: 'wasm' }) };
  } finally {
    delete process.env['OURO_RETRAIN_PATH'];
  }
}

/** Per replicate at point p and generation t, a parameter recovered from metrics (see the specs). */
type Param = (e: ExperimentResult, p: number, t: number) => number[];

/** `mse(q, c) − mse(q, c + δ·e_i)` = 2δ(q_i − c_i) − δ²: recovers q_i per replicate from two metrics. */
const fromDiff =
  (base: string, shifted: string, c: number, delta = 1): Param =>
  (e, p, t) => {
    const a = metric(e, base);
    const b = metric(e, shifted);
    const i = a.t.indexOf(t);
    return a.values[p]!.map((rep, r) => c + (rep[i]! - b.values[p]![r]![i]! + delta * delta) / (2 * delta));
  };

const plain =
  (name: string): Param =>
  (e, p, t) => {
    const m = metric(e, name);
    const i = m.t.indexOf(t);
    return m.values[p]!.map((rep) => rep[i]!);
  };

/** Compares the mean and the variance of each parameter between the paths, in standard errors. */
function compare(
  t: { diagnostic: (s: string) => void },
  r: { suff: RunResult; samples: RunResult },
  params: Record<string, Param>,
  times: readonly number[],
): void {
  const a = r.suff.experiments[0]!;
  const b = r.samples.experiments[0]!;
  let worst = 0;
  for (const [name, f] of Object.entries(params))
    a.points.forEach((pt, p) => {
      for (const g of times) {
        const x = f(a, p, g);
        const y = f(b, p, g);
        const zMean = (mean(x) - mean(y)) / Math.hypot(se(x), se(y));
        const vx = varianceAndSe(x);
        const vy = varianceAndSe(y);
        const zVar = (vx.v - vy.v) / Math.hypot(vx.se, vy.se);
        const where = `${name} at ${JSON.stringify(pt.values)}, t = ${g}`;
        t.diagnostic(
          `${where}: mean ${mean(x).toPrecision(4)} vs ${mean(y).toPrecision(4)} (z ${zMean.toFixed(2)}), variance ${vx.v.toPrecision(4)} vs ${vy.v.toPrecision(4)} (z ${zVar.toFixed(2)})`,
        );
        assert.ok(Math.abs(zMean) < Z, `${where}: means differ by ${zMean.toFixed(2)} SE`);
        assert.ok(Math.abs(zVar) < Z, `${where}: variances differ by ${zVar.toFixed(2)} SE`);
        worst = Math.max(worst, Math.abs(zMean), Math.abs(zVar));
      }
    });
  t.diagnostic(`largest |z| ${worst.toFixed(2)}`);
}

test('1-D: sufficient statistics and samples give the same distribution of the fitted mean and variance', async (t) => {
  // Unequal weights, an injected dose every 2nd generation, few synthetic samples and the unbiased fit.
  const R = 3000;
  const r = await bothPaths(`
data truth = gaussian(mean: 1, std: 2, dim: 1)
experiment one {
  seed 5
  replicates ${R}
  sweep w in [0.3, 0.8]
  model m = gaussian_fit(unbiased: true)
  retrain m for 4 generations {
    real 20 from truth
    synthetic 3 from m
    inject 7 from truth every 2 generations
    weights real: w, synthetic: 1 - w
  }
  metric e0 = mse(m.mean, truth.mean) every generation
  metric e1 = mse(m.mean, 2) every generation
  metric v = variance(m) every generation
}`);
  compare(t, r, { mean: fromDiff('e0', 'e1', 1), variance: plain('v') }, [0, 1, 2, 4]);
  // Generation 0 against its closed form: the unbiased variance of 20 samples has mean σ² = 4 and
  // variance 2σ⁴/19; the mean has variance σ²/20.
  const e = r.suff.experiments[0]!;
  checkMean(plain('v')(e, 0, 0), 4, 't = 0: variance');
  checkVariance(plain('v')(e, 0, 0), 32 / 19, 't = 0: variance');
  checkVariance(fromDiff('e0', 'e1', 1)(e, 0, 0), 0.2, 't = 0: mean');
});

test('2-D: the same distribution of every mean and covariance entry, with a rank-1 synthetic scatter', async (t) => {
  const R = 3000;
  const r = await bothPaths(`
data truth = gaussian(mean: 1, std: 1.5, dim: 2)
experiment two {
  seed 6
  replicates ${R}
  model m = gaussian_fit()
  retrain m for 3 generations {
    real 10 from truth
    synthetic 2 from m
    weights real: 0.6, synthetic: 0.4
  }
  metric e0 = mse(m.mean, truth.mean) every generation
  metric ex = mse(m.mean, [2, 1]) every generation
  metric ey = mse(m.mean, [1, 2]) every generation
  metric c0 = mse(m.cov, [0, 0, 0, 0]) every generation
  metric cxx = mse(m.cov, [1, 0, 0, 0]) every generation
  metric cxy = mse(m.cov, [0, 1, 0, 0]) every generation
  metric cyy = mse(m.cov, [0, 0, 0, 1]) every generation
}`);
  compare(
    t,
    r,
    {
      'mean x': fromDiff('e0', 'ex', 1),
      'mean y': fromDiff('e0', 'ey', 1),
      'cov xx': fromDiff('c0', 'cxx', 0),
      'cov xy': fromDiff('c0', 'cxy', 0),
      'cov yy': fromDiff('c0', 'cyy', 0),
    },
    [0, 1, 3],
  );
});

test('collapse in 3-D from 2 samples a generation (Wishart of rank 1): E tr Σ_t = 3σ²/2^(t+1) on both paths', async (t) => {
  const R = 4000;
  const r = await bothPaths(`
data truth = gaussian(mean: 0, std: 1, dim: 3)
experiment collapse3 {
  seed 9
  replicates ${R}
  model m = gaussian_fit() on truth
  retrain m for 3 generations {
    synthetic 2 from m
  }
  metric tr = trace_cov(m) every generation
}`);
  for (const [path, res] of Object.entries(r)) {
    const e = res.experiments[0]!;
    for (const g of [0, 1, 3]) {
      // Generation 0 fits 2 samples (the source's count): E Σ₀ = σ²/2 · I; each refit on 2 of its own
      // samples halves the expected covariance.
      const xs = plain('tr')(e, 0, g);
      const theory = 3 / 2 ** (g + 1);
      t.diagnostic(`${path}, t = ${g}: E tr Σ ${mean(xs).toFixed(4)} vs ${theory} (SE ${se(xs).toFixed(4)})`);
      checkMean(xs, theory, `${path}, t = ${g}`);
    }
  }
});
