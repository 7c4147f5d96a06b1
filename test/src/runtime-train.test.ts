// The `train` loop (GAN with cooperative initialisation, coopinit.md) on the embedded wasm backend:
// mode metrics against closed cases, training improves sample quality, `when`-gated phases, determinism,
// no tensor leaks, divergence reports, and `ouro run` on the example.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import {
  createBackend,
  DivergenceError,
  execute,
  modeScores,
  RuntimeError,
  type ExperimentResult,
} from '@ouro/runtime';
import { at, irOf, mean, metric } from './harness/runtime.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

const tiny = (opts: { seed?: number; lr?: string; steps?: number; coop?: number } = {}): string => `
data target = ring(modes: 8, radius: 2, std: 0.1)
experiment tiny {
  seed ${opts.seed ?? 2}
  replicates 3
  sweep init in [random, coop]
  model g = mlp(latent: 2, hidden: [32, 32], out: 2)
  model d = mlp(in: 2, hidden: [32, 32], out: 1)
  train gan(g, d) on target {
    phase cooperative ${opts.coop ?? 20} steps when init == coop { langevin(steps: 5, step: 0.05) lr: 1e-3 batch: 32 }
    phase adversarial ${opts.steps ?? 300} steps { loss: nonsaturating, lr: ${opts.lr ?? '3e-3'}, batch: 64 }
  }
  metric quality = high_quality_fraction(g, target, samples: 500) every 10 steps
  metric modes = mode_coverage(g, target, samples: 500, min_count: 10) every 10 steps
  view samples g as scatter
}`;

const run = async (text: string): Promise<ExperimentResult> =>
  (await execute(irOf(text), { backend: 'wasm' })).experiments[0]!;

test('mode metrics against closed cases', async () => {
  await createBackend('wasm');
  const centres = [
    [0, 0],
    [1, 0],
    [0, 1],
  ];
  const score = (pts: number[][], minCount: number): number[] => {
    const s = tf.tensor2d(pts);
    const v = modeScores(s, centres, 0.1, minCount);
    const out = Array.from(v.dataSync());
    s.dispose();
    v.dispose();
    return out;
  };
  const base = tf.memory().numTensors;
  // Exactly at the centres: every mode covered, all high quality.
  assert.deepEqual(score([...centres, ...centres], 2), [3, 1]);
  // Far away: nothing.
  assert.deepEqual(
    score(
      [
        [10, 10],
        [-5, 3],
        [4, -4],
      ],
      1,
    ),
    [0, 0],
  );
  // Within 3σ of mode 0 (0.29 < 0.3) and just outside (0.31): half high quality, one mode covered.
  assert.deepEqual(
    score(
      [
        [0.29, 0],
        [0, -0.31],
      ],
      1,
    ),
    [1, 0.5],
  );
  // Below min_count a mode is not covered, though its samples are high quality.
  assert.deepEqual(
    score(
      [
        [0, 0],
        [1, 0],
        [1, 0],
      ],
      2,
    ),
    [1, 1],
  );
  assert.equal(tf.memory().numTensors, base);
});

test('train: adversarial training improves sample quality; the cooperative phase runs only where `when` holds', async () => {
  const r = await run(tiny());
  assert.equal(r.loop, 'train');
  assert.equal(r.generations, 320);
  assert.deepEqual(
    r.points.map((p) => p.values['init']),
    ['random', 'coop'],
  );
  const q = metric(r, 'quality');
  const modes = metric(r, 'modes');
  assert.equal(q.t[0], 0);
  assert.equal(q.t[q.t.length - 1], 320);
  for (let p = 0; p < 2; p++) {
    const before = mean(at(q, 0, p));
    const after = mean(at(q, 320, p));
    assert.ok(after > before + 0.05, `init = ${String(r.points[p]!.values['init'])}: HQ ${before} → ${after}`);
    for (const v of at(modes, 320, p)) assert.ok(Number.isInteger(v) && v >= 0 && v <= 8);
  }
  // The cooperative phase (steps 1–20) is skipped at init = random: its networks do not change there.
  assert.deepEqual(at(q, 10, 0), at(q, 0, 0));
  assert.deepEqual(at(q, 20, 0), at(q, 0, 0));
  assert.notDeepEqual(at(q, 20, 0), at(q, 30, 0));
  // ... and runs at init = coop.
  assert.notDeepEqual(at(q, 20, 1), at(q, 0, 1));
  // Generator samples for `view samples g`: one set per sweep point, replicate 0, at the end.
  assert.equal(r.samples?.length, 2);
  for (const s of r.samples!) {
    assert.equal(s.model, 'g');
    assert.equal(s.replicate, 0);
    assert.equal(s.t, 320);
    assert.equal(s.values.length, 1000);
    assert.ok(s.values.every((x) => x.length === 2 && x.every(Number.isFinite)));
  }
});

test('train: `reset_optimizer: false` carries Adam into the next phase (two phases = one of their length); the default resets it', async () => {
  const spec = (phases: string): string => `
data target = ring(modes: 8, radius: 2, std: 0.1)
experiment carry {
  seed 5
  replicates 2
  model g = mlp(latent: 2, hidden: [16, 16], out: 2)
  model d = mlp(in: 2, hidden: [16, 16], out: 1)
  train gan(g, d) on target { ${phases} }
  metric quality = high_quality_fraction(g, target, samples: 300) every 10 steps
}`;
  const one = metric(await run(spec('phase adversarial 60 steps { lr: 3e-3 }')), 'quality');
  const carried = metric(
    await run(
      spec('phase adversarial 20 steps { lr: 3e-3, reset_optimizer: false } phase adversarial 40 steps { lr: 3e-3 }'),
    ),
    'quality',
  );
  const reset = metric(
    await run(spec('phase adversarial 20 steps { lr: 3e-3 } phase adversarial 40 steps { lr: 3e-3 }')),
    'quality',
  );
  assert.deepEqual(carried.t, one.t);
  assert.deepEqual(carried.values, one.values);
  // Fresh moments at step 20 change what follows (Adam's first steps after a reset are larger).
  assert.deepEqual(at(reset, 20, 0), at(one, 20, 0));
  assert.notDeepEqual(at(reset, 60, 0), at(one, 60, 0));
});
test('train: same seed gives identical metrics and samples, another seed different ones; no tensor leaks', async () => {
  await createBackend('wasm');
  const base = tf.memory().numTensors;
  const text = tiny({ steps: 30, coop: 10 });
  const a = await run(text);
  assert.equal(tf.memory().numTensors, base, 'after a train run');
  const b = await run(text);
  const c = await run(tiny({ steps: 30, coop: 10, seed: 3 }));
  const values = (r: ExperimentResult): unknown => [r.metrics.map((m) => m.values), r.samples];
  assert.deepEqual(values(a), values(b));
  assert.notDeepEqual(values(a), values(c));
  assert.equal(tf.memory().numTensors, base, 'after three train runs');
});

test('train: runs in worker threads give exactly the results of runs in this thread', async () => {
  await createBackend('wasm');
  const base = tf.memory().numTensors;
  const ir = irOf(tiny({ steps: 30, coop: 10 }));
  const steps: number[] = [];
  const one = (await execute(ir, { backend: 'wasm', workers: 1 })).experiments[0]!;
  const two = (await execute(ir, { backend: 'wasm', workers: 2, onProgress: (e) => steps.push(e.step) }))
    .experiments[0]!;
  assert.deepEqual(two.metrics, one.metrics);
  assert.deepEqual(two.samples, one.samples);
  assert.ok(steps.length > 0 && steps.every((s, i) => i === 0 || s >= steps[i - 1]!), 'progress never goes back');
  assert.equal(steps[steps.length - 1], 40);
  // A divergence inside a worker arrives as the same DivergenceError.
  await assert.rejects(
    execute(irOf(tiny({ lr: '1e6', coop: 1 })), { backend: 'wasm', workers: 2 }),
    (e: unknown) => e instanceof DivergenceError && e.nodeId === `experiment:tiny/model:${e.model}`,
  );
  // Cancelling stops the workers.
  const controller = new AbortController();
  await assert.rejects(
    execute(ir, {
      backend: 'wasm',
      workers: 2,
      signal: controller.signal,
      onProgress: (e) => {
        if (e.step >= 5) controller.abort();
      },
    }),
    (e: unknown) => e instanceof RuntimeError && e.code === 'aborted',
  );
  assert.equal(tf.memory().numTensors, base);
});

test('train: an absurd learning rate raises a DivergenceError naming the model, the step and the cause', async () => {
  await createBackend('wasm');
  const base = tf.memory().numTensors;
  await assert.rejects(run(tiny({ lr: '1e6', coop: 1 })), (e: unknown) => {
    assert.ok(e instanceof DivergenceError, String(e));
    assert.equal(e.code, 'divergence');
    assert.ok(['d', 'g'].includes(e.model));
    assert.equal(e.nodeId, `experiment:tiny/model:${e.model}`);
    assert.ok(e.step >= 1 && e.step <= 321);
    assert.match(e.message, /diverged \(NaN or Inf\) at step \d+ of experiment `tiny`/);
    assert.match(e.message, /learning rate 1000000 is likely too high \(replicate \d, init = (random|coop)\)/);
    return true;
  });
  assert.equal(tf.memory().numTensors, base, 'after a divergence');
});

test('train: progress counts steps, and cancelling stops the run without leaks', async () => {
  await createBackend('wasm');
  const base = tf.memory().numTensors;
  const controller = new AbortController();
  const units = new Set<string>();
  await assert.rejects(
    execute(irOf(tiny()), {
      backend: 'wasm',
      signal: controller.signal,
      onProgress: (e) => {
        units.add(e.unit);
        assert.equal(e.steps, 320);
        if (e.step >= 20) controller.abort();
      },
    }),
    (e: unknown) => e instanceof RuntimeError && e.code === 'aborted' && e.nodeId === 'experiment:tiny',
  );
  assert.deepEqual([...units], ['step']);
  assert.equal(tf.memory().numTensors, base, 'after a cancelled run');
});

test('ouro run examples/coopinit.ouro --preview writes result.json with the metrics and samples', () => {
  const out = mkdtempSync(join(tmpdir(), 'ouro-train-'));
  try {
    const r = spawnSync(
      process.execPath,
      [
        join(root, 'server/bin/ouro.js'),
        'run',
        'examples/coopinit.ouro',
        '--preview',
        '--backend',
        'wasm',
        '--out',
        out,
      ],
      { cwd: root, encoding: 'utf8', timeout: 120_000 },
    );
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /coopinit: train, 1 replicate × 2 sweep points, 400 steps, seed 11, wasm/);
    const json = JSON.parse(readFileSync(join(out, 'coopinit', 'result.json'), 'utf8')) as {
      experiment: { loop: string };
      generations: number;
      metrics: { name: string; t: number[]; values: number[][][] }[];
      samples: { point: number; values: number[][] }[];
    };
    assert.equal(json.experiment.loop, 'train');
    assert.equal(json.generations, 400);
    assert.deepEqual(
      json.metrics.map((m) => m.name),
      ['modes', 'quality', 'coarse'],
    );
    for (const m of json.metrics) {
      assert.deepEqual(m.t, [0, 100, 200, 300, 400]);
      assert.equal(m.values.length, 2);
      assert.ok(m.values.flat(2).every(Number.isFinite));
    }
    assert.deepEqual(
      json.samples.map((s) => [s.point, s.values.length]),
      [
        [0, 1000],
        [1, 1000],
      ],
    );
    const csv = readFileSync(join(out, 'coopinit', 'metrics.csv'), 'utf8')
      .trim()
      .split('\n');
    assert.equal(csv[0], 'experiment,method,init,replicate,t,metric,value');
    assert.equal(csv.length, 1 + 3 * 2 * 5);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
