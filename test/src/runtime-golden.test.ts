// The retrain loop against the closed forms of golden-ratio.md, on the embedded wasm backend.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execute } from '@ouro/runtime';
import { at, irOf, mean, metric, se, stationaryError } from './harness/runtime.js';

test('golden-ratio closed form: the final MSE at w ∈ {0.3, 0.618, 0.9} is V*(w) within 4 standard errors', async (t) => {
  const R = 2000;
  const ir = irOf(`
data truth = gaussian(mean: 0, std: 1, dim: 1)
experiment golden {
  seed 11
  replicates ${R}
  sweep w in [0.3, 0.618, 0.9]
  model m = gaussian_fit()
  retrain m for 50 generations {
    real 100 from truth
    synthetic 100 from m
    weights real: w, synthetic: 1 - w
  }
  metric err = mse(m.mean, truth.mean) at final
}`);
  const started = Date.now();
  const r = await execute(ir, { backend: 'wasm' });
  const wall = Date.now() - started;
  assert.equal(r.backend.name, 'wasm');
  const e = r.experiments[0]!;
  const err = metric(e, 'err');
  assert.deepEqual(err.t, [50]);
  const finals: number[] = [];
  e.points.forEach((p, i) => {
    const w = p.values['w'] as number;
    const v = stationaryError(w, 100, 100);
    const measured = mean(at(err, 50, i));
    // err = e² with e ~ N(0, V*): Var(e²) = 2V*², so the standard error of the mean over R replicates is V*√2/√R.
    const stderr = (v * Math.SQRT2) / Math.sqrt(R);
    t.diagnostic(
      `w = ${w}: MSE ${measured.toExponential(4)} vs V* ${v.toExponential(4)} (ratio ${(measured / v).toFixed(3)}, ${((measured - v) / stderr).toFixed(2)} SE)`,
    );
    assert.ok(Math.abs(measured - v) <= 4 * stderr, `w = ${w}: |${measured} − ${v}| ≤ 4 × ${stderr}`);
    finals.push(measured);
  });
  // The golden weight beats both neighbours by far more than the Monte-Carlo error.
  assert.ok(finals[1]! < finals[0]! && finals[1]! < finals[2]!);
  t.diagnostic(`${R} replicates × 3 weights × 50 generations × 200 samples in ${wall} ms`);
});

test('weighting rules: pooled puts n/(n+m) on real data, optimal puts w*(n/m) (n = 100, m = 400)', async (t) => {
  const R = 1000;
  const spec = (rule: string) => `
data truth = gaussian(mean: 2, std: 1, dim: 1)
experiment e {
  seed 5
  replicates ${R}
  model m = gaussian_fit()
  retrain m for 40 generations {
    real 100 from truth
    synthetic 400 from m
    weights ${rule}
  }
  metric err = mse(m.mean, truth.mean) at final
}`;
  const wOpt = (-0.25 + Math.sqrt(0.0625 + 1)) / 2; // ≈ 0.3904
  for (const [rule, w] of [
    ['pooled', 0.2],
    ['optimal', wOpt],
  ] as const) {
    const r = await execute(irOf(spec(rule)), { backend: 'wasm' });
    const v = stationaryError(w, 100, 400);
    const xs = at(metric(r.experiments[0]!, 'err'), 40);
    const stderr = (v * Math.SQRT2) / Math.sqrt(R);
    t.diagnostic(`weights ${rule} (w = ${w.toFixed(4)}): MSE ${mean(xs).toExponential(4)} vs V* ${v.toExponential(4)}`);
    assert.ok(Math.abs(mean(xs) - v) <= 4 * stderr, `${rule}: |${mean(xs)} − ${v}| ≤ 4 × ${stderr}`);
  }
});

test('collapse (synthetic only): the fitted variance shrinks like ((m − 1)/m)^t', async (t) => {
  const ir = irOf(`
data truth = gaussian(mean: 0, std: 1, dim: 1)
experiment collapse {
  seed 8
  replicates 2000
  model m = gaussian_fit() on truth
  retrain m for 50 generations {
    synthetic 100 from m
  }
  metric spread = variance(m) every 10 generations
  metric err = mse(m.mean, truth.mean) every 10 generations
}`);
  const r = await execute(ir, { backend: 'wasm' });
  const e = r.experiments[0]!;
  const spread = metric(e, 'spread');
  assert.deepEqual(spread.t, [0, 10, 20, 30, 40, 50]);
  for (const g of [0, 10, 30, 50]) {
    const xs = at(spread, g);
    // Generation 0 fits n₀ = 100 samples of the truth (MLE: E σ̂²₀ = 0.99); each refit on m = 100 of its own
    // samples multiplies the expected variance by (m − 1)/m.
    const theory = 0.99 * 0.99 ** g;
    t.diagnostic(`t = ${g}: E σ̂² ${mean(xs).toFixed(4)} vs ${theory.toFixed(4)} (SE ${se(xs).toFixed(4)})`);
    assert.ok(Math.abs(mean(xs) - theory) <= 4 * se(xs), `t = ${g}`);
  }
  // The mean random-walks: its squared error grows with t (no fresh data pulls it back).
  const err = metric(e, 'err');
  assert.ok(mean(at(err, 50)) > 5 * mean(at(err, 0)));
});

test('periodic sources and rules: with `real_only` and real data every 2nd generation, the model holds in between', async (t) => {
  const R = 500;
  const ir = irOf(`
data truth = gaussian(mean: 0, std: 1, dim: 1)
experiment periodic {
  seed 3
  replicates ${R}
  model m = gaussian_fit()
  retrain m for 10 generations {
    real 100 from truth every 2 generations
    synthetic 100 from m
    weights real_only
  }
  metric err = mse(m.mean, truth.mean) every generation
}`);
  const err = metric((await execute(ir, { backend: 'wasm' })).experiments[0]!, 'err');
  for (let g = 1; g <= 10; g++) {
    if (g % 2 === 1) assert.deepEqual(at(err, g), at(err, g - 1), `t = ${g}: no real data, the model is unchanged`);
    else {
      // A fit on 100 fresh samples alone: E err = σ²/n.
      const xs = at(err, g);
      assert.ok(Math.abs(mean(xs) - 0.01) <= (4 * 0.01 * Math.SQRT2) / Math.sqrt(R), `t = ${g}: ${mean(xs)}`);
      assert.notDeepEqual(xs, at(err, g - 1));
    }
  }
  t.diagnostic(`E err at t = 10: ${mean(at(err, 10)).toExponential(3)} (σ²/n = 1e-2)`);
});

test('weights may depend on t, and an inject is a dose of fresh samples', async (t) => {
  const R = 1000;
  const ir = irOf(`
data truth = gaussian(mean: 0, std: 1, dim: 1)
experiment switch_off {
  seed 4
  replicates ${R}
  model m = gaussian_fit()
  retrain m for 10 generations {
    real 100 from truth
    synthetic 100 from m
    weights real: if t <= 5 then 1 else 0, synthetic: if t <= 5 then 0 else 1
  }
  metric err = mse(m.mean, truth.mean) every 5 generations
  metric spread = variance(m) every 5 generations
}
experiment dose {
  seed 4
  replicates ${R}
  model m = gaussian_fit() on truth
  retrain m for 30 generations {
    synthetic 100 from m
    inject 100 from truth
  }
  metric err = mse(m.mean, truth.mean) at final
}`);
  const r = await execute(ir, { backend: 'wasm' });
  const e = r.experiments[0]!;
  const err = metric(e, 'err');
  // Real data only up to t = 5: E err = 1/n; then 5 synthetic-only refits add E σ̂²/m each.
  const s = at(metric(e, 'spread'), 5);
  const expected10 = 0.01 + (mean(s) * (1 - 0.99 ** 5)) / (1 - 0.99) / 100;
  const e5 = at(err, 5);
  const e10 = at(err, 10);
  t.diagnostic(
    `t = 5: ${mean(e5).toExponential(3)} (1e-2); t = 10: ${mean(e10).toExponential(3)} (${expected10.toExponential(3)})`,
  );
  assert.ok(Math.abs(mean(e5) - 0.01) <= 4 * se(e5));
  assert.ok(Math.abs(mean(e10) - expected10) <= 4 * se(e10));
  // Pooling 100 injected with 100 synthetic samples is w = 1/2: V*(1/2) = 0.00667.
  const d = at(metric(r.experiments[1]!, 'err'), 30);
  const v = stationaryError(0.5, 100, 100);
  t.diagnostic(`inject 100 + synthetic 100: ${mean(d).toExponential(3)} vs V*(1/2) ${v.toExponential(3)}`);
  assert.ok(Math.abs(mean(d) - v) <= (4 * v * Math.SQRT2) / Math.sqrt(R));
});
