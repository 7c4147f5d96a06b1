// `view samples M as scatter` for the models of `retrain` and `cycle` loops: the result carries samples of
// each viewed model's final state (replicate 0 of each sweep point) and the truth they are drawn against.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { createBackend, execute, type ExperimentResult } from '@ouro/runtime';
import { buildViews } from '@ouro/views';
import { at, irOf, mean } from './harness/runtime.js';

const retrainSpec = (view: string): string => `data truth = gaussian(mean: 1, std: 2, dim: 2)
experiment refit {
  seed 11
  replicates 4
  sweep n in [20, 400]
  model m = gaussian_fit()
  retrain m for 8 generations {
    real n from truth
    synthetic 100 from m
    weights optimal
  }
  metric spread = trace_cov(m) at final
  ${view}
}
`;

async function run(text: string): Promise<ExperimentResult> {
  return (await execute(irOf(text), { backend: 'wasm' })).experiments[0]!;
}

/** Total variance Σ_j Var(x_j) of samples (rows of coordinates), unbiased. */
function totalVariance(xs: readonly (readonly number[])[]): number {
  const d = xs[0]!.length;
  let s = 0;
  for (let j = 0; j < d; j++) {
    const col = xs.map((x) => x[j]!);
    const mu = mean(col);
    s += col.reduce((a, x) => a + (x - mu) ** 2, 0) / (col.length - 1);
  }
  return s;
}

test('retrain: samples of the final fitted Gaussian per sweep point, against the truth; nothing else changes', async () => {
  await createBackend('wasm');
  const before = tf.memory().numTensors;
  const r = await run(retrainSpec('view samples m as scatter'));
  assert.equal(tf.memory().numTensors, before, 'no tensor outlives the run');
  const sets = r.samples ?? [];
  assert.equal(sets.length, 2, 'one set per sweep point');
  const spread = r.metrics.find((m) => m.name === 'spread')!;
  sets.forEach((s, p) => {
    assert.equal(s.model, 'm');
    assert.equal(s.point, p);
    assert.equal(s.replicate, 0);
    assert.equal(s.t, 8);
    assert.equal(s.values.length, 1000);
    assert.ok(s.values.every((x) => x.length === 2 && x.every(Number.isFinite)));
    assert.deepEqual(s.truth, { source: 'truth', centres: [[1, 1]], std: 2 });
    // The samples come from replicate 0's final state: their total variance is its trace(cov) within
    // Monte-Carlo error (sample variance of 1,000 Gaussian draws: relative SE √(2/999) per coordinate, so
    // ≈ 3.2% for the sum of two of equal size; 5 SE = 16%).
    const tr = at(spread, 8, p)[0]!;
    assert.ok(Math.abs(totalVariance(s.values) / tr - 1) < 0.16, `variance ${totalVariance(s.values)} vs trace ${tr}`);
  });
  // The draws come from their own stream: the metrics are those of the run without the view.
  const without = await run(retrainSpec(''));
  assert.equal(without.samples, undefined);
  assert.deepEqual(without.metrics, r.metrics);
  // Reproducible from the seed.
  const again = await run(retrainSpec('view samples m as scatter'));
  assert.deepEqual(again.samples, r.samples);
  // The views draw them.
  const view = buildViews(r).find((v) => v.kind === 'scatter');
  assert.ok(view, 'a scatter view of the samples');
});

test("cycle: samples of the final image model, against the paired data's image classes", async () => {
  const r = await run(`data pairs = paired(text: zipf(classes: 4, s: 1.1), image: gaussian_per_class(dim: 2, spread: 3))
experiment coevolution {
  seed 2
  replicates 3
  model text = categorical_fit()
  model image = conditional_gaussian(given: text)
  cycle for 5 generations {
    image learns from text samples 200
    text learns from captions of image samples 200
    inject 0.1 from pairs
  }
  metric spread = trace_cov(image) at final
  view samples image as scatter
}
`);
  const sets = r.samples ?? [];
  assert.equal(sets.length, 1);
  const s = sets[0]!;
  assert.equal(s.model, 'image');
  assert.equal(s.t, 5);
  assert.equal(s.values.length, 1000);
  assert.ok(s.values.every((x) => x.length === 2 && x.every(Number.isFinite)));
  assert.equal(s.truth?.source, 'pairs');
  assert.equal(s.truth?.centres.length, 4, 'one centre per image class');
  // Every sample lies near some class mean: the model fits the classes (within 6 within-class std + the
  // fitted means' drift over 5 generations, a loose bound that catches samples from the wrong place).
  const near = s.values.filter((x) =>
    s.truth!.centres.some((c) => Math.hypot(x[0]! - c[0]!, x[1]! - c[1]!) < 6 * s.truth!.std + 1),
  ).length;
  assert.ok(near / s.values.length > 0.99, `${near} of ${s.values.length} near a class`);
  assert.ok(
    buildViews(r).some((v) => v.kind === 'scatter'),
    'the views draw them',
  );
});
