// The `fit` loop (fractal.md) on the embedded wasm backend: independent pixels against their closed-form
// cross-entropy, an autoregressive model learning a distribution of known entropy, fractal and flat models
// normalised over every image of a tiny case, determinism, no tensor leaks, divergence reports, and the
// example's preview budget.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import {
  createBackend,
  DivergenceError,
  execute,
  FractalModel,
  fractalOrder,
  loadDigits,
  Stream,
  type ExperimentResult,
  type LikelihoodModel,
} from '@ouro/runtime';
import { at, irOf, metric } from './harness/runtime.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

const tiny = (opts: { seed?: number; lr?: string; steps?: number } = {}): string => `
data digits = images("digits", size: 4, levels: 2)
experiment tiny {
  seed ${opts.seed ?? 3}
  model f = fractal on digits {
    level ar(tokens: 4, width: 16, depth: 1)
    level ar(tokens: 4, width: 8, depth: 1)
    pixel categorical(levels: 2)
  }
  model flat = ar(tokens: 16, width: 16, depth: 1) on digits
  model independent = bernoulli_pixels() on digits
  fit f, flat, independent for ${opts.steps ?? 20} steps { lr: ${opts.lr ?? '3e-3'}, batch: 32 }
  metric nll = bits_per_dim(f, flat, independent, on: digits.test)
  view samples f as grid
}`;

async function runTiny(opts: Parameters<typeof tiny>[0] = {}): Promise<ExperimentResult> {
  const r = await execute(irOf(tiny(opts)), { backend: 'wasm' });
  return r.experiments[0]!;
}

function bpdOf(r: ExperimentResult, model: string): number {
  const s = r.metrics.find((m) => m.name === 'nll' && m.method === model);
  assert.ok(s, `nll of ${model} is recorded`);
  return at(s, r.generations)[0]!;
}

/** Every image of `side × side` pixels with `L` values, as one [L^D, D] array. */
function allImages(side: number, L: number): Uint8Array {
  const D = side * side;
  const n = L ** D;
  const out = new Uint8Array(n * D);
  for (let i = 0; i < n; i++) for (let p = 0, x = i; p < D; p++, x = Math.floor(x / L)) out[i * D + p] = x % L;
  return out;
}

async function logProbs(m: LikelihoodModel, pixels: Uint8Array, n: number): Promise<Float32Array> {
  const nll = tf.tidy(() =>
    m
      .nll(
        m.encode(
          pixels,
          Array.from({ length: n }, (_, i) => i),
        ),
      )
      .neg(),
  );
  const v = (await nll.data()) as Float32Array;
  nll.dispose();
  return v;
}

function seededModel(
  levels: { tokens: number; width: number; depth: number }[],
  side: number,
  L: number,
  seed: number,
) {
  const normals = new Float32Array(FractalModel.normalsNeeded(levels, side, L));
  new Stream(seed).fillNormal(normals, 0, normals.length);
  return new FractalModel(levels, side, L, normals);
}

test.before(async () => {
  await createBackend('wasm');
});

test('digits: fixed 8,004 / 1,996 split, quantised pixels, and the pixel order keeps every part contiguous', async () => {
  const { train, test: held } = await loadDigits(8, 2);
  assert.equal(train.n + held.n, 10000);
  assert.equal(held.n, 1996);
  assert.ok(train.pixels.every((v) => v === 0 || v === 1));
  // Ink covers a minority of the pixels, and corners stay blank.
  const mean = train.pixels.reduce((a, b) => a + b, 0) / train.pixels.length;
  assert.ok(mean > 0.1 && mean < 0.4, `ink fraction ${mean}`);
  // 8×8 split into quadrants, then quadrants of quadrants: the first 4 positions are the top-left 2×2.
  assert.deepEqual([...fractalOrder(8, [4, 4, 4]).subarray(0, 8)], [0, 1, 8, 9, 2, 3, 10, 11]);
});

test('bernoulli_pixels: bits/dim is the closed-form cross-entropy of its smoothed training frequencies', async () => {
  const r = await runTiny({ steps: 1 });
  const { train, test: held } = await loadDigits(4, 2);
  const D = 16;
  let ce = 0;
  for (let p = 0; p < D; p++) {
    let ones = 0;
    for (let s = 0; s < train.n; s++) ones += train.pixels[s * D + p]!;
    const p1 = (ones + 1) / (train.n + 2);
    for (let s = 0; s < held.n; s++) ce -= Math.log2(held.pixels[s * D + p] ? p1 : 1 - p1);
  }
  ce /= held.n * D;
  // float32 log-probabilities summed over 32,000 pixels: relative error well under 1e-5.
  assert.ok(Math.abs(bpdOf(r, 'independent') - ce) < 1e-5 * ce, `${bpdOf(r, 'independent')} vs ${ce}`);
});

test('fractal and flat models are normalised: the probabilities of all 2×2 (and 3-level 2×2) images sum to 1', async () => {
  for (const [levels, L] of [
    [
      [
        { tokens: 2, width: 8, depth: 1 },
        { tokens: 2, width: 8, depth: 2 },
      ],
      2,
    ],
    [[{ tokens: 4, width: 8, depth: 2 }], 2],
    [[{ tokens: 4, width: 8, depth: 1 }], 3],
  ] as const) {
    const m = seededModel([...levels], 2, L, 11);
    const imgs = allImages(2, L);
    const lp = await logProbs(m, imgs, L ** 4);
    const total = lp.reduce((a, b) => a + Math.exp(b), 0);
    m.dispose();
    assert.ok(Math.abs(total - 1) < 1e-5, `levels ${JSON.stringify(levels)}, ${L} values: Σ p = ${total}`);
  }
});

test('an autoregressive model learns a two-image distribution down to its entropy (1 bit per image)', async () => {
  // Half the images are A, half B: entropy 1 bit per image = 0.25 bits per pixel of a 2×2 image.
  const A = [1, 0, 0, 1];
  const B = [0, 1, 1, 1];
  const data = Uint8Array.from([...A, ...B]);
  const m = seededModel(
    [
      { tokens: 2, width: 16, depth: 1 },
      { tokens: 2, width: 16, depth: 1 },
    ],
    2,
    2,
    5,
  );
  const opt = tf.train.adam(1e-2);
  const rows = Array.from({ length: 32 }, (_, i) => i % 2);
  for (let t = 0; t < 300; t++) {
    const x = m.encode(data, rows);
    opt.minimize(() => m.nll(x).mean() as tf.Scalar, false, [...m.vars]);
    x.dispose();
  }
  opt.dispose();
  const lp = await logProbs(m, data, 2);
  // The exact cross-entropy of the true distribution under the model, in bits per pixel.
  const ce = -(lp[0]! + lp[1]!) / 2 / Math.LN2 / 4;
  m.dispose();
  assert.ok(ce >= 0.25 - 1e-6 && ce < 0.26, `cross-entropy ${ce} bits/dim, entropy 0.25`);
});

test('fit: same seed, same numbers; no tensor outlives the run; samples are images', async () => {
  const base = tf.memory().numTensors;
  const a = await runTiny();
  assert.equal(tf.memory().numTensors, base, 'after a fit run');
  const b = await runTiny();
  assert.deepEqual(a.metrics, b.metrics);
  assert.deepEqual(a.samples, b.samples);
  const c = await runTiny({ seed: 4 });
  assert.notDeepEqual(a.metrics, c.metrics);
  const s = a.samples![0]!;
  assert.deepEqual(s.shape, [4, 4]);
  assert.equal(s.values.length, 64);
  assert.ok(s.values.every((row) => row.length === 16 && row.every((v) => v === 0 || v === 1)));
  const models = a.models!;
  assert.deepEqual(
    models.map((m) => m.model),
    ['f', 'flat', 'independent'],
  );
  assert.ok(models.every((m) => m.params > 0 && m.trainMs >= 0));
  assert.equal(models.find((m) => m.model === 'independent')!.params, 16);
  assert.equal(metric(a, 'nll').metric, 'bits_per_dim');
});

test('divergence names the model and the step', async () => {
  const base = tf.memory().numTensors;
  await assert.rejects(
    runTiny({ lr: '1e30' }),
    (e: unknown) =>
      e instanceof DivergenceError &&
      e.nodeId === `experiment:tiny/model:${e.model}` &&
      ['f', 'flat'].includes(e.model) &&
      e.step >= 1 &&
      /try a smaller `lr`/.test(e.message),
  );
  assert.equal(tf.memory().numTensors, base, 'after a diverged run');
});

test('examples/fractal.ouro at its preview budget: the fractal beats independent pixels', async () => {
  const text = readFileSync(`${root}examples/fractal.ouro`, 'utf8');
  const r = (await execute(irOf(text, `${root}examples/fractal.ouro`), { backend: 'wasm', preview: true }))
    .experiments[0]!;
  assert.equal(r.generations, 150);
  const bpd = Object.fromEntries(['f', 'flat', 'independent'].map((m) => [m, bpdOf(r, m)]));
  assert.ok(
    Object.values(bpd).every((v) => v > 0 && v < 1),
    JSON.stringify(bpd),
  );
  assert.ok(bpd['f']! < bpd['independent']!, JSON.stringify(bpd));
  assert.deepEqual(r.samples![0]!.shape, [8, 8]);
});
