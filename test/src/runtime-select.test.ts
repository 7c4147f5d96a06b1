// The `select` loop (mixture-ucb.md, reference-notes.md §3): Mixture-UCB-CAB and -OGD against vanilla UCB
// and the two oracles on the 8-mode ring, with closed-form targets.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import type { IrProgram } from '@ouro/dsl';
import { createBackend, execute, RuntimeError, type ExperimentResult, type MetricSeries } from '@ouro/runtime';
import { irOf, mean } from './harness/runtime.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const examplePath = join(root, 'examples', 'mixture-ucb.ouro');
const example = (): IrProgram => irOf(readFileSync(examplePath, 'utf8'), examplePath);
const tmp = mkdtempSync(join(tmpdir(), 'ouro-select-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const RING = 'data modes = ring(modes: 8, radius: 2, std: 0.05)';
const H = 0.6;
const STD = 0.05;
const centre = (k: number): [number, number] => [
  2 * Math.cos((2 * Math.PI * k) / 8),
  2 * Math.sin((2 * Math.PI * k) / 8),
];

function series(r: ExperimentResult, name: string, method: string): MetricSeries {
  const m = r.metrics.find((x) => x.name === name && x.method === method);
  assert.ok(m, `${name} of ${method} is in the result`);
  return m;
}

/** The final values over replicates (sweep point 0). */
const finals = (m: MetricSeries): number[] => m.values[0]!.map((s) => s[s.length - 1]!);
const finalMean = (r: ExperimentResult, name: string, method: string): number => mean(finals(series(r, name, method)));

/** Closed form of reference-notes.md §3(d): E k² between samples of modes a and b (std 0.05, h = 0.6, d = 2). */
function modeK2(a: number, b: number): number {
  const [ax, ay] = centre(a);
  const [bx, by] = centre(b);
  const d2 = (ax - bx) ** 2 + (ay - by) ** 2;
  const p = 2;
  return (1 + (4 * STD * STD * p) / (2 * H * H)) ** -1 * Math.exp(-d2 / ((2 * H * H) / p + 4 * STD * STD));
}

/** Mode probabilities of a mixture of subset generators. */
function modeProbs(weights: readonly number[], gens: readonly (readonly number[])[]): number[] {
  const p = new Array<number>(8).fill(0);
  gens.forEach((g, i) => g.forEach((k) => (p[k] = p[k]! + weights[i]! / g.length)));
  return p;
}

/** RKE = 1/Σ p_a p_b E k²(a, b) with the mode overlaps, and the well-separated limit 1/Σ p². */
function rkeClosedForm(p: readonly number[]): { exact: number; separated: number } {
  let s = 0;
  for (let a = 0; a < 8; a++) for (let b = 0; b < 8; b++) s += p[a]! * p[b]! * modeK2(a, b);
  return { exact: 1 / s, separated: 1 / p.reduce((x, y) => x + y * y, 0) };
}

let full: { result: ExperimentResult; ms: number } | undefined;
async function fullExample(): Promise<{ result: ExperimentResult; ms: number }> {
  if (!full) {
    const t0 = Date.now();
    const r = await execute(example(), { backend: 'wasm' });
    full = { result: r.experiments[0]!, ms: Date.now() - t0 };
  }
  return full;
}

test('each single generator of the ring has RKE ≈ 3 (within 5%), as the closed form says', async () => {
  const gens = [
    [0, 1, 2],
    [3, 4, 5],
    [5, 6, 7],
  ];
  const spec = [RING];
  // Each generator first once: the generators tie exactly (by symmetry) and the oracle takes the first.
  [0, 1, 2].forEach((first) => {
    const order = [first, (first + 1) % 3, (first + 2) % 3];
    spec.push(`experiment single${first} {
  seed ${first + 1}
  replicates 3
  generators g = [${order.map((i) => `subset(modes, [${gens[i]!.join(', ')}])`).join(', ')}]
  select from g by mixture_ucb_cab(score: rke(kernel: gaussian_kernel(bandwidth: 0.6)), rounds: 600)
  compare oracle_best_single
  metric score = rke(selected) every 200 rounds
}`);
  });
  const r = await execute(irOf(spec.join('\n')), { backend: 'wasm' });
  r.experiments.forEach((e, first) => {
    assert.deepEqual(e.selection?.bestSingle, [0]);
    assert.deepEqual(e.selection.generators[0]!.modes, gens[first]);
    const rke = finalMean(e, 'score', 'oracle_best_single');
    const closed = rkeClosedForm(modeProbs([1], [gens[first]!]));
    assert.ok(Math.abs(rke / 3 - 1) < 0.05, `generator ${first}: RKE ${rke} ≈ 3`);
    assert.ok(Math.abs(rke / closed.exact - 1) < 0.02, `generator ${first}: RKE ${rke} ≈ ${closed.exact}`);
    // The exact single loss the runtime reports matches the closed form.
    assert.ok(Math.abs(1 / e.selection.exactLoss[0]!.single[0]! / closed.exact - 1) < 1e-6);
  });
});

test('mixture-ucb.ouro, 2,000 rounds × 10 seeds × 5 methods: CAB ≥ 2× the best single and ≥ 0.9× the oracle mixture; OGD beats the best single', async () => {
  const { result: e, ms } = await fullExample();
  assert.equal(e.loop, 'select');
  assert.equal(e.generations, 2000);
  assert.equal(e.replicates, 10);
  assert.deepEqual(e.selection?.methods, [
    'mixture_ucb_cab',
    'mixture_ucb_ogd',
    'vanilla_ucb',
    'oracle_best_single',
    'oracle_mixture',
  ]);
  const sc = series(e, 'score', 'mixture_ucb_cab');
  assert.deepEqual(
    sc.t,
    Array.from({ length: 20 }, (_, i) => 100 * (i + 1)),
  );
  const rke = Object.fromEntries(e.selection.methods.map((m) => [m, finalMean(e, 'score', m)]));
  // The oracle's weights are the exact optimum (0.4, 0.3, 0.3); its RKE the closed form.
  const w = e.selection.oracleWeights[0]!;
  [0.4, 0.3, 0.3].forEach((x, i) => assert.ok(Math.abs(w[i]! - x) < 0.005, `oracle weights ${w.join(', ')}`));
  const closed = rkeClosedForm(
    modeProbs(
      w,
      e.selection.generators.map((g) => g.modes),
    ),
  );
  assert.ok(closed.separated > 7.4 && closed.separated < 7.6, `1/Σp² = ${closed.separated}`);
  assert.ok(
    Math.abs(rke['oracle_mixture']! / closed.separated - 1) < 0.05,
    `${rke['oracle_mixture']} vs 1/Σp² ${closed.separated}`,
  );
  assert.ok(Math.abs(rke['oracle_mixture']! / closed.exact - 1) < 0.05, `${rke['oracle_mixture']} vs ${closed.exact}`);
  assert.ok(Math.abs(1 / e.selection.exactLoss[0]!.oracle / closed.exact - 1) < 1e-6);
  const single = rke['oracle_best_single']!;
  assert.ok(Math.abs(single / 3 - 1) < 0.05, `best single ${single}`);
  assert.ok(rke['mixture_ucb_cab']! >= 2 * single, `CAB ${rke['mixture_ucb_cab']} vs single ${single}`);
  assert.ok(
    rke['mixture_ucb_cab']! >= 0.9 * rke['oracle_mixture']!,
    `CAB ${rke['mixture_ucb_cab']} vs oracle ${rke['oracle_mixture']}`,
  );
  assert.ok(rke['mixture_ucb_ogd']! > single, `OGD ${rke['mixture_ucb_ogd']} vs single ${single}`);
  // CAB tracks the optimum: its final shares are within 0.03 of (0.4, 0.3, 0.3) in every replicate.
  [0.4, 0.3, 0.3].forEach((x, i) =>
    finals(series(e, `proportion:${i}`, 'mixture_ucb_cab')).forEach((s) =>
      assert.ok(Math.abs(s - x) < 0.03, `share ${s}`),
    ),
  );
  // On this ring the three generators tie exactly, so vanilla UCB has no single best and spreads its picks.
  for (let i = 0; i < 3; i++)
    finals(series(e, `proportion:${i}`, 'vanilla_ucb')).forEach((s) => assert.ok(s > 0.25 && s < 0.42, `share ${s}`));
  assert.ok(ms < 20_000, `ran in ${ms} ms`);
});

const asym = (extra = '', rounds = 1000, score = 'rke'): string => `${RING}
experiment asym {
  seed 5
  replicates 5
  generators g = [subset(modes, [0, 1, 2, 3]), subset(modes, [4, 5]), subset(modes, [6, 7])]
  select from g by mixture_ucb_cab(score: ${score}(kernel: gaussian_kernel(bandwidth: 0.6)), rounds: ${rounds})
  compare mixture_ucb_ogd, vanilla_ucb, oracle_best_single, oracle_mixture
  metric score = rke(selected) every 100 rounds
  metric k = kid(selected, reference: modes) every 100 rounds
  metric p = precision(selected) every 500 rounds
  metric dens = density(selected) every 500 rounds
  metric r = regret(selected) every 100 rounds${extra}
}`;

test('with a single best generator, vanilla UCB concentrates on it (> 80% of picks); the mixtures do not', async () => {
  const e = (await execute(irOf(asym()), { backend: 'wasm' })).experiments[0]!;
  assert.deepEqual(e.selection?.bestSingle, [0]);
  assert.deepEqual(e.selection.oracleWeights[0], [0.5, 0.25, 0.25]);
  for (const s of finals(series(e, 'proportion:0', 'vanilla_ucb'))) assert.ok(s > 0.8, `vanilla share ${s}`);
  for (const s of finals(series(e, 'proportion:0', 'mixture_ucb_cab')))
    assert.ok(Math.abs(s - 0.5) < 0.06, `CAB share ${s}`);
  const rke = (m: string): number => finalMean(e, 'score', m);
  assert.ok(rke('mixture_ucb_cab') > 1.4 * rke('vanilla_ucb'));
  assert.ok(rke('mixture_ucb_ogd') > 1.4 * rke('vanilla_ucb'));
  // KID to the whole ring: the mixtures get far closer than vanilla UCB (reference-notes.md M2).
  const kid = (m: string): number => finalMean(e, 'k', m);
  assert.ok(kid('mixture_ucb_cab') <= 0.25 * kid('vanilla_ucb'), `${kid('mixture_ucb_cab')} vs ${kid('vanilla_ucb')}`);
  assert.ok(kid('mixture_ucb_ogd') <= 0.25 * kid('vanilla_ucb'));
  // Every generator samples real modes: precision and density near 1.
  for (const m of e.selection.methods) {
    assert.ok(finalMean(e, 'p', m) > 0.95, `precision of ${m}`);
    assert.ok(Math.abs(finalMean(e, 'dens', m) - 1) < 0.1, `density of ${m}`);
  }
  // The best single generator's regret is exactly t·(L(e₀) − L(α*)); the mixtures' is sublinear.
  const gap = e.selection.exactLoss[0]!.single[0]! - e.selection.exactLoss[0]!.oracle;
  const rs = series(e, 'r', 'oracle_best_single');
  rs.t.forEach((t, i) => assert.ok(Math.abs(rs.values[0]![0]![i]! / (t * gap) - 1) < 1e-5));
  assert.ok(finalMean(e, 'r', 'mixture_ucb_cab') < 0.05 * finalMean(e, 'r', 'oracle_best_single'));
});

test('the kid score, with the Gaussian and the polynomial kernel: the mixtures approach the reference', async () => {
  for (const kernel of ['gaussian_kernel(bandwidth: 0.6)', 'polynomial_kernel(degree: 3)']) {
    const spec = asym('', 600, 'kid')
      .replace('kid(kernel: gaussian_kernel(bandwidth: 0.6))', `kid(kernel: ${kernel})`)
      .replace('kid(selected, reference: modes)', `kid(selected, reference: modes, kernel: ${kernel})`);
    const e = (await execute(irOf(spec), { backend: 'wasm' })).experiments[0]!;
    assert.equal(e.selection?.score, 'kid');
    // The ring is the mixture (1/2, 1/4, 1/4) of the generators: the exact optimal MMD² is 0.
    assert.ok(Math.abs(e.selection.exactLoss[0]!.oracle) < 1e-9, `${kernel}: ${e.selection.exactLoss[0]!.oracle}`);
    const kid = (m: string): number => finalMean(e, 'k', m);
    assert.ok(kid('mixture_ucb_cab') < 0.1 * kid('oracle_best_single'), kernel);
    assert.ok(kid('mixture_ucb_ogd') < 0.1 * kid('oracle_best_single'), kernel);
    assert.ok(kid('mixture_ucb_cab') < 0.1 * kid('vanilla_ucb'), kernel);
    // The exact single-generator loss is the limit of the best single generator's empirical KID.
    const single = e.selection.exactLoss[0]!.single[0]!;
    assert.ok(
      Math.abs(kid('oracle_best_single') / single - 1) < 0.05,
      `${kernel}: ${kid('oracle_best_single')} vs ${single}`,
    );
  }
});

test('deterministic from the seed; a method does not depend on the others; a preview is a prefix; no tensors leak', async () => {
  await createBackend('wasm');
  const before = tf.memory().numTensors;
  const ir = example();
  const a = (await execute(ir, { backend: 'wasm', preview: true })).experiments[0]!;
  const b = (await execute(ir, { backend: 'wasm', preview: true })).experiments[0]!;
  assert.deepEqual(a.metrics, b.metrics);
  const c = (await execute(ir, { backend: 'wasm', preview: true, seed: 4 })).experiments[0]!;
  assert.notDeepEqual(a.metrics, c.metrics);
  assert.equal(tf.memory().numTensors, before);
  assert.equal(a.generations, 300);
  assert.equal(a.replicates, 2);
  // CAB alone gives the same series as CAB compared with the others (common random numbers by generator).
  const alone = (
    await execute(
      irOf(
        readFileSync(examplePath, 'utf8')
          .replace(/\n\s*compare [^\n]*/, '')
          .replace(' by method', ''),
      ),
      {
        backend: 'wasm',
        preview: true,
      },
    )
  ).experiments[0]!;
  assert.deepEqual(alone.selection?.methods, ['mixture_ucb_cab']);
  assert.deepEqual(series(alone, 'score', 'mixture_ucb_cab'), series(a, 'score', 'mixture_ucb_cab'));
  // The preview (2 replicates, 300 rounds) is a prefix of the full run.
  const { result: f } = await fullExample();
  for (const m of a.selection!.methods) {
    const pv = series(a, 'score', m);
    const fs = series(f, 'score', m);
    for (let r = 0; r < 2; r++) assert.deepEqual(pv.values[0]![r], fs.values[0]![r]!.slice(0, 3));
  }
});

test('select errors name the IR node: rke with an unnormalised kernel, a mode out of range', async () => {
  const poly = irOf(
    asym().replace(
      'score: rke(kernel: gaussian_kernel(bandwidth: 0.6))',
      'score: rke(kernel: polynomial_kernel(degree: 3))',
    ),
  );
  await assert.rejects(execute(poly, { backend: 'wasm' }), (e: unknown) => {
    assert.ok(e instanceof RuntimeError);
    assert.equal(e.code, 'invalid');
    assert.equal(e.nodeId, 'experiment:asym/select');
    assert.match(e.message, /`rke` needs a normalised kernel/);
    return true;
  });
  const ir = irOf(asym());
  const exp = ir.experiments[0]!;
  if (exp.loop.kind !== 'select') throw new Error('a select loop');
  const bad: IrProgram = {
    ...ir,
    experiments: [
      {
        ...exp,
        loop: {
          ...exp.loop,
          generators: [
            { call: 'subset', args: { source: { data: 'modes' }, modes: [0, 9] } },
            ...exp.loop.generators.slice(1),
          ],
        },
      },
    ],
  };
  await assert.rejects(execute(bad, { backend: 'wasm' }), (e: unknown) => {
    assert.ok(e instanceof RuntimeError);
    assert.equal(e.code, 'invalid');
    assert.equal(e.nodeId, 'experiment:asym/select');
    assert.match(e.message, /mode indices from 0 to 7/);
    return true;
  });
});

test('ouro run examples/mixture-ucb.ouro --preview: a summary per method, a method column in the CSV', () => {
  const out = join(tmp, 'mixture');
  const r = spawnSync(
    process.execPath,
    [join(root, 'server', 'bin', 'ouro.js'), 'run', 'examples/mixture-ucb.ouro', '--preview', '--out', out],
    {
      cwd: root,
      encoding: 'utf8',
      timeout: 120_000,
    },
  );
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /best_mixture: select, 2 replicates × 1 sweep point, 300 rounds, seed 3/);
  assert.match(r.stdout, /metric\s+method\s+t\s+mean/);
  for (const m of ['mixture_ucb_cab', 'mixture_ucb_ogd', 'vanilla_ucb', 'oracle_best_single', 'oracle_mixture'])
    assert.match(r.stdout, new RegExp(`score\\s+${m}\\s+300\\s`));
  const csv = readFileSync(join(out, 'best_mixture', 'metrics.csv'), 'utf8')
    .trimEnd()
    .split('\n');
  assert.equal(csv[0], 'experiment,method,replicate,t,metric,value');
  assert.ok(csv.some((l) => /^best_mixture,oracle_mixture,1,300,score,[\d.]+$/.test(l)));
  assert.ok(csv.some((l) => /^best_mixture,vanilla_ucb,0,300,proportion:2,[\d.]+$/.test(l)));
  const json = JSON.parse(readFileSync(join(out, 'best_mixture', 'result.json'), 'utf8')) as {
    experiment: { loop: string };
    selection: { oracleWeights: number[][] };
  };
  assert.equal(json.experiment.loop, 'select');
  assert.deepEqual(json.selection.oracleWeights, [[0.4, 0.3, 0.3]]);
});
