// The cycle loop against the closed forms and reference simulations of reference-notes.md §1.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execute } from '@ouro/runtime';
import { at, irOf, mean, median, metric, se } from './harness/runtime.js';

// K = 5 equally likely texts; images N(μ_k, 0.15² I) with μ_k on the unit circle: well separated, so the
// MAP caption of an image is (almost always) the text that generated it.
const pairs = `data pairs = paired(text: categorical(probs: [0.2, 0.2, 0.2, 0.2, 0.2]), image: gaussian_per_class(dim: 2, spread: 1, std: 0.15))`;

test('frozen image: the text model follows Wright–Fisher drift, E GS_t = (1 − 1/N)^t GS_0', async (t) => {
  const N = 50;
  const ir = irOf(`${pairs}
experiment frozen_image {
  seed 3
  replicates 400
  model text = categorical_fit()
  model image = conditional_gaussian(given: text)
  cycle for 60 generations {
    image learns from text samples ${N}
    text learns from captions of image samples ${N}
    freeze image
  }
  metric gs = gini_simpson(text) every generation
  metric h = entropy(text) every 20 generations
}`);
  const r = await execute(ir, { backend: 'wasm' });
  const gs = metric(r.experiments[0]!, 'gs');
  const gs0 = mean(at(gs, 0));
  for (const g of [10, 30, 60]) {
    const xs = at(gs, g);
    const theory = (1 - 1 / N) ** g * gs0;
    t.diagnostic(`t = ${g}: E GS ${mean(xs).toFixed(4)} vs ${theory.toFixed(4)} (SE ${se(xs).toFixed(4)})`);
    assert.ok(Math.abs(mean(xs) - theory) <= 4 * se(xs), `t = ${g}`);
  }
  // Entropy decreases too, and some replicates are absorbed at a single text.
  const h = metric(r.experiments[0]!, 'h');
  assert.ok(mean(at(h, 60)) < mean(at(h, 0)));
  assert.ok(Math.abs(mean(at(h, 0)) - Math.log(5)) < 0.1);
});

test('frozen text: E tr Σ_k^t = tr Σ_k^0 (1 − 1/n_k)^t', async (t) => {
  const N = 500; // n_k ≈ N/K = 100 per text and generation
  const ir = irOf(`${pairs}
experiment frozen_text {
  seed 4
  replicates 200
  model text = categorical_fit()
  model image = conditional_gaussian(given: text)
  cycle for 30 generations {
    image learns from text samples ${N}
    text learns from captions of image samples ${N}
    freeze text
  }
  metric spread = trace_cov(image) every 10 generations
  metric d = drift(image) every 10 generations
  metric gs = gini_simpson(text) every 30 generations
}`);
  const r = await execute(ir, { backend: 'wasm' });
  const e = r.experiments[0]!;
  const spread = metric(e, 'spread');
  const s0 = at(spread, 0);
  assert.ok(
    Math.abs(mean(s0) - 2 * 0.15 ** 2) < 0.002,
    `the generation-0 fit's trace is near tr Σ = 0.045: ${mean(s0)}`,
  );
  for (const g of [10, 20, 30]) {
    const ratio = at(spread, g).map((x, i) => x / s0[i]!);
    const theory = (1 - 5 / N) ** g;
    t.diagnostic(
      `t = ${g}: E tr Σ^t / tr Σ^0 ${mean(ratio).toFixed(4)} vs ${theory.toFixed(4)} (SE ${se(ratio).toFixed(4)})`,
    );
    assert.ok(Math.abs(mean(ratio) - theory) <= 4 * se(ratio), `t = ${g}`);
  }
  // Frozen: the text model does not move.
  const gs = metric(e, 'gs');
  assert.deepEqual(at(gs, 30), at(gs, 0));
  // Fidelity stays bounded: E‖μ^t − μ^0‖² = tr Σ^0 (1 − (1 − 1/n)^t) < tr Σ^0, so the drift stays below √tr Σ^0.
  assert.ok(mean(at(metric(e, 'd'), 30)) < Math.sqrt(0.045));
});

test('co-evolving pair: injection keeps both diversities up (reference-notes §1 configs C and D)', async (t) => {
  const spec = (injects: string) =>
    irOf(`${pairs}
experiment pair {
  seed 9
  replicates 50
  model text = categorical_fit()
  model image = conditional_gaussian(given: text)
  cycle for 100 generations {
    image learns from text samples 100
    text learns from captions of image samples 100
    ${injects}
  }
  metric gs = gini_simpson(text) every 100 generations
  metric spread = trace_cov(image) every 100 generations
  metric d = drift(image) every 100 generations
}`);
  const summary = async (injects: string) => {
    const e = (await execute(spec(injects), { backend: 'wasm' })).experiments[0]!;
    const gs = at(metric(e, 'gs'), 100);
    const s0 = at(metric(e, 'spread'), 0);
    const div = at(metric(e, 'spread'), 100).map((x, i) => x / s0[i]!);
    return { gs, div, drift: at(metric(e, 'd'), 100) };
  };
  // C: no injection. Collapse: reference mean GS 0.350, median div ≈ 0.004–0.045.
  const c = await summary('');
  t.diagnostic(`C (no injection): mean GS ${mean(c.gs).toFixed(3)}, median div ${median(c.div).toFixed(4)}`);
  assert.ok(mean(c.gs) <= 0.5, 'C: mean GS(T) ≤ 0.5');
  assert.ok(median(c.div) <= 0.05, 'C: median div(T) ≤ 0.05');
  // D: corpus injection λ = 0.1 into the text model, user pairs β = 0.2 into the image model.
  // Reference over 50 seeds: min GS 0.688, min div 0.638; stationary GS* ≈ 0.764 for a frozen image.
  const d = await summary('inject 0.1 from pairs into text\n    inject 0.2 from pairs into image');
  t.diagnostic(
    `D (λ = 0.1, β = 0.2): mean GS ${mean(d.gs).toFixed(3)} (min ${Math.min(...d.gs).toFixed(3)}), mean div ${mean(d.div).toFixed(3)} (min ${Math.min(...d.div).toFixed(3)}), max drift ${Math.max(...d.drift).toFixed(3)}`,
  );
  assert.ok(Math.min(...d.gs) >= 0.6, 'D: every replicate GS(T) ≥ 0.6');
  assert.ok(Math.min(...d.div) >= 0.4, 'D: every replicate div(T) ≥ 0.4');
  assert.ok(Math.max(...d.drift) <= 0.15, 'D: drift ≤ 0.15');
  assert.ok(Math.abs(mean(d.gs) - 0.764) <= 0.03, `D: mean GS near GS* ≈ 0.764`);
});
