// The runtime's contracts: seeded determinism, no tensor leaks, backends, errors with IR node ids,
// divergence reports, progress and cancellation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import type { IrProgram } from '@ouro/dsl';
import {
  createBackend,
  DivergenceError,
  execute,
  KeySpace,
  RuntimeError,
  type ProgressEvent,
  type RunResult,
} from '@ouro/runtime';
import { irOf, metric } from './harness/runtime.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const example = (name: string): IrProgram =>
  irOf(readFileSync(join(root, 'examples', name), 'utf8'), join(root, 'examples', name));

const small = `
data truth = gaussian(mean: 1, std: 2, dim: 2)
experiment small {
  seed 21
  replicates 20
  sweep w in [0.2, 0.618, 0.9]
  model m = gaussian_fit()
  retrain m for 10 generations {
    real 30 from truth
    synthetic 30 from m
    weights real: w, synthetic: 1 - w
  }
  metric err = mse(m.mean, truth.mean) every generation
  metric spread = variance(m) every 5 generations
  preview { replicates: 5, generations: 4, sweep: 2 }
}`;

const seriesOf = (r: RunResult): unknown => r.experiments.map((e) => e.metrics.map((m) => m.values));

test('same spec and seed give identical results; another seed gives different ones', async () => {
  const ir = irOf(small);
  const a = await execute(ir, { backend: 'wasm' });
  const b = await execute(ir, { backend: 'wasm' });
  assert.deepEqual(seriesOf(a), seriesOf(b));
  const c = await execute(ir, { backend: 'wasm', seed: 22 });
  assert.notDeepEqual(seriesOf(a), seriesOf(c));
  assert.equal(c.experiments[0]!.seed, 22);
  assert.equal(c.seedOverride, 22);
  // The seed override equals writing the seed in the spec.
  const d = await execute(irOf(small.replace('seed 21', 'seed 22')), { backend: 'wasm' });
  assert.deepEqual(seriesOf(c), seriesOf(d));
});

test('draws depend on the replicate and sweep point, not on the batch: a preview is a prefix of the full run', async () => {
  const ir = irOf(small);
  const full = (await execute(ir, { backend: 'wasm' })).experiments[0]!;
  const pv = (await execute(ir, { backend: 'wasm', preview: true })).experiments[0]!;
  assert.equal(pv.replicates, 5);
  assert.equal(pv.generations, 4);
  assert.deepEqual(
    pv.points.map((p) => p.values['w']),
    [0.2, 0.9],
  );
  const fe = metric(full, 'err');
  const pe = metric(pv, 'err');
  assert.deepEqual(pe.t, [0, 1, 2, 3, 4]);
  pv.points.forEach((p, pi) => {
    const fi = full.points.findIndex((q) => q.index === p.index);
    for (let r = 0; r < 5; r++) assert.deepEqual(pe.values[pi]![r], fe.values[fi]![r]!.slice(0, 5));
  });
});

test('the key space: streams differ by replicate, generation, site and seed, and are common to sweep points', () => {
  const k = new KeySpace(1, 'e');
  const a = k.normals([{ point: 0, replicate: 0 }], 4, 1, 's');
  assert.deepEqual(a, k.normals([{ point: 0, replicate: 0 }], 4, 1, 's'));
  // Common random numbers: replicate 0 draws the same numbers at every sweep point.
  assert.deepEqual(a, k.normals([{ point: 1, replicate: 0 }], 4, 1, 's'));
  for (const other of [
    k.normals([{ point: 0, replicate: 1 }], 4, 1, 's'),
    k.normals([{ point: 1, replicate: 1 }], 4, 1, 's'),
    k.normals([{ point: 0, replicate: 0 }], 4, 2, 's'),
    k.normals([{ point: 0, replicate: 0 }], 4, 1, 't'),
    new KeySpace(2, 'e').normals([{ point: 0, replicate: 0 }], 4, 1, 's'),
  ])
    assert.notDeepEqual(a, other);
});

test('no tensor leaks: the tensor count returns to its baseline after runs, errors and cancellation', async () => {
  await createBackend('wasm');
  const base = tf.memory().numTensors;
  await execute(irOf(small), { backend: 'wasm' });
  assert.equal(tf.memory().numTensors, base, 'after a retrain run');
  await execute(example('coevolving.ouro'), { backend: 'wasm', preview: true });
  assert.equal(tf.memory().numTensors, base, 'after a cycle run');
  await assert.rejects(execute(irOf(small.replace('std: 2', 'std: 1e30')), { backend: 'wasm' }), DivergenceError);
  assert.equal(tf.memory().numTensors, base, 'after a divergence');
  await assert.rejects(execute(irOf(small), { backend: 'wasm', signal: { aborted: true } }), RuntimeError);
  assert.equal(tf.memory().numTensors, base, 'after cancellation');
});

test('backends: wasm really runs on wasm, cpu on cpu, with the same draws; a missing node backend names its install command', async () => {
  const w = await createBackend('wasm');
  assert.equal(w.name, 'wasm');
  assert.equal(tf.getBackend(), 'wasm');
  assert.match(w.version, /^\d+\.\d+\.\d+/);
  // Kernels wasm lacks run on cpu: einsum gives the right answer on wasm.
  assert.ok(w.cpuFallbackKernels.includes('Einsum'));
  const x = tf.tensor2d([
    [1, 2],
    [3, 4],
  ]);
  const y = tf.einsum('ij,jk->ik', x, x);
  assert.deepEqual(Array.from(await y.data()), [7, 10, 15, 22]);
  tf.dispose([x, y]);
  const onWasm = await execute(irOf(small), { backend: 'wasm' });
  const onCpu = await execute(irOf(small), { backend: 'cpu' });
  assert.equal(onCpu.backend.name, 'cpu');
  assert.equal(tf.getBackend(), 'cpu');
  const a = metric(onWasm.experiments[0]!, 'err').values.flat(2);
  const b = metric(onCpu.experiments[0]!, 'err').values.flat(2);
  a.forEach((v, i) => assert.ok(Math.abs(v - b[i]!) <= 1e-4 * Math.max(1, Math.abs(v)), `${v} ≈ ${b[i]}`));
  for (const which of ['tensorflow', 'tensorflow-gpu'] as const) {
    let installed = true;
    try {
      await import(which === 'tensorflow' ? '@tensorflow/tfjs-node' : '@tensorflow/tfjs-node-gpu');
    } catch {
      installed = false;
    }
    if (installed) continue;
    await assert.rejects(createBackend(which), (e: unknown) => {
      assert.ok(e instanceof RuntimeError && e.code === 'backend');
      assert.match(e.message, new RegExp(`npm install @tensorflow/tfjs-node${which === 'tensorflow' ? '' : '-gpu'}@`));
      return true;
    });
  }
  // auto falls back to wasm when no node backend is installed.
  const auto = await createBackend('auto');
  assert.ok(['wasm', 'tensorflow', 'tensorflow-gpu'].includes(auto.name));
  await createBackend('wasm');
});

test('runtime errors carry the IR node id', async () => {
  // A weight outside [0, 1] (written into the IR directly: the checker rejects it in a spec).
  const ir = irOf(small);
  const exp = ir.experiments[0]!;
  if (exp.loop.kind !== 'retrain') throw new Error('a retrain loop');
  const bad: IrProgram = {
    ...ir,
    experiments: [
      {
        ...exp,
        loop: { ...exp.loop, loops: [{ ...exp.loop.loops[0]!, weights: { real: 1.25, synthetic: -0.25, id: null } }] },
      },
    ],
  };
  await assert.rejects(execute(bad, { backend: 'wasm' }), (e: unknown) => {
    assert.ok(e instanceof RuntimeError);
    assert.equal(e.code, 'invalid');
    assert.equal(e.nodeId, 'experiment:small/retrain:m');
    assert.match(e.message, /real weight is 1.25 \(at w = 0.2, t = 1\); weights lie in \[0, 1\]/);
    return true;
  });
  await assert.rejects(
    execute(irOf(small), { backend: 'wasm', experiment: 'nope' }),
    /no experiment `nope`; the spec has `small`/,
  );
});

test('divergence names the model, the generation and a likely cause', async () => {
  await assert.rejects(execute(irOf(small.replace('std: 2', 'std: 1e30')), { backend: 'wasm' }), (e: unknown) => {
    assert.ok(e instanceof DivergenceError);
    assert.equal(e.nodeId, 'experiment:small/model:m');
    assert.equal(e.model, 'm');
    assert.equal(e.step, 0);
    assert.match(e.message, /model `m` diverged \(NaN or Inf\) at generation 0 of experiment `small`/);
    assert.match(e.message, /covariance overflowed float32.*data's scale is too large/);
    assert.match(e.message, /replicate 0, w = 0.2/);
    return true;
  });
});

test('progress events: fraction rises to 1 with an ETA; cancellation stops the run', async () => {
  const events: ProgressEvent[] = [];
  await execute(irOf(small), { backend: 'wasm', onProgress: (e) => events.push(e) });
  assert.equal(events.length, 11);
  assert.ok(events.every((e, i) => i === 0 || e.fraction >= events[i - 1]!.fraction));
  assert.equal(events.at(-1)!.fraction, 1);
  assert.equal(events.at(-1)!.step, 10);
  assert.ok(events.slice(1).every((e) => e.etaMs !== null && e.etaMs >= 0));
  const signal = { aborted: false };
  await assert.rejects(
    execute(irOf(small), {
      backend: 'wasm',
      signal,
      onProgress: (e) => {
        if (e.step === 3) signal.aborted = true;
      },
    }),
    (e: unknown) => e instanceof RuntimeError && e.code === 'aborted' && e.nodeId === 'experiment:small',
  );
});
