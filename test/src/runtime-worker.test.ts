// Runs in a worker thread (startRun): the same results as in-process, errors that keep their class and IR
// node id, cancellation at any moment (the run stops, no result arrives after it, the finished ones are
// whole), and `ouro run`'s Ctrl-C: exit 130, the finished experiments' files intact, no partial files.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { execute, type ExperimentResult, type RunResult } from '@ouro/runtime';
import { DivergenceError, RuntimeError, startRun, WarmWorkers } from '@ouro/runtime/worker';
import { irOf } from './harness/runtime.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = join(root, 'server', 'bin', 'ouro.js');
const tmp = mkdtempSync(join(tmpdir(), 'ouro-worker-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const small = `
data truth = gaussian(mean: -1, std: 3, dim: 3)
experiment small {
  seed 12
  replicates 6
  sweep w in [0.3, 0.7]
  sweep n in [20, 40]
  model m = gaussian_fit()
  retrain m for 10 generations {
    real n from truth
    synthetic 25 from m
    weights real: w, synthetic: 1 - w
  }
  metric err = mse(m.mean, truth.mean) every 2 generations
  metric spread = variance(m) at final
  preview { replicates: 3, generations: 4 }
}`;

/** A short experiment, then one that runs far longer than any test waits. */
const shortThenLong = `
data truth = gaussian(mean: 0, std: 1, dim: 1)
experiment first {
  seed 3
  replicates 8
  model m = gaussian_fit()
  retrain m for 5 generations {
    real 50 from truth
    synthetic 50 from m
  }
  metric err = mse(m.mean, truth.mean) every generation
}
experiment second {
  seed 4
  replicates 400
  sweep w in 0.05 .. 0.95 step 0.05
  model m = gaussian_fit()
  retrain m for 1000000 generations {
    real 100 from truth
    synthetic 100 from m
    weights real: w, synthetic: 1 - w
  }
  metric err = mse(m.mean, truth.mean) at final
}`;

const withoutTimes = (r: RunResult): Omit<ExperimentResult, 'wallMs'>[] =>
  r.experiments.map(({ wallMs: _wallMs, ...rest }) => rest);

/** Deterministic delays for the "random moments" (a fixed LCG, so a failure reproduces). */
function delays(n: number, maxMs: number, seed: number): number[] {
  let x = seed;
  return Array.from({ length: n }, () => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return (x / 2 ** 32) * maxMs;
  });
}

test('a run in a worker gives the same results as in-process for the same seed', async () => {
  const ir = irOf(small);
  const inProcess = await execute(ir, { backend: 'wasm' });
  const progress: number[] = [];
  const finished: string[] = [];
  const handle = startRun(ir, {
    backend: 'wasm',
    onProgress: (e) => progress.push(e.fraction),
    onExperiment: (r, meta) => {
      finished.push(r.name);
      assert.equal(meta.backend.name, 'wasm');
      assert.equal(meta.versions['@tensorflow/tfjs-core'], '4.22.0');
    },
  });
  const inWorker = await handle.done;
  assert.deepEqual(withoutTimes(inWorker), withoutTimes(inProcess));
  assert.equal(inWorker.backend.name, 'wasm');
  assert.deepEqual(finished, ['small']);
  assert.equal(progress.length, 11, 'one progress event per generation, and generation 0');
  assert.equal(progress.at(-1), 1);
  // A seed override crosses the thread boundary too.
  const seeded = await startRun(ir, { backend: 'wasm', seed: 5, preview: true }).done;
  assert.deepEqual(withoutTimes(seeded), withoutTimes(await execute(ir, { backend: 'wasm', seed: 5, preview: true })));
  // So does a worker started ahead (a warm spare); each run takes a fresh one.
  const warm = new WarmWorkers();
  try {
    warm.refill(0);
    await new Promise((r) => setTimeout(r, 100));
    const first = await startRun(ir, { backend: 'wasm', warm }).done;
    const second = await startRun(ir, { backend: 'wasm', warm }).done;
    assert.deepEqual(withoutTimes(first), withoutTimes(inProcess));
    assert.deepEqual(withoutTimes(second), withoutTimes(inProcess));
  } finally {
    warm.dispose();
  }
});

test('errors from the worker keep their class, code and IR node id', async () => {
  await assert.rejects(startRun(irOf(small.replace('std: 3', 'std: 1e30')), { backend: 'wasm' }).done, (e) => {
    assert.ok(e instanceof DivergenceError, String(e));
    assert.equal(e.code, 'divergence');
    assert.equal(e.nodeId, 'experiment:small/model:m');
    assert.equal(e.model, 'm');
    assert.equal(e.step, 0);
    assert.equal(e.experiment, 'small');
    assert.match(e.message, /model `m` diverged \(NaN or Inf\) at generation 0 of experiment `small`/);
    return true;
  });
  await assert.rejects(startRun(irOf(small), { backend: 'wasm', experiment: 'nope' }).done, (e) => {
    assert.ok(e instanceof RuntimeError);
    assert.equal(e.code, 'not-found');
    assert.equal(e.nodeId, null);
    assert.match(e.message, /no experiment `nope`; the spec has `small`/);
    return true;
  });
});

test('cancelling at random moments stops the run; nothing arrives after the cancel; finished experiments are whole', async () => {
  const ir = irOf(shortThenLong);
  const reference = await execute(ir, { backend: 'wasm', experiment: 'first' });
  const moments = [0, 5, 20, 45, ...delays(4, 3000, 11)];
  for (const ms of moments) {
    let cancelledAt: number | undefined = undefined;
    const late: string[] = [];
    const received: ExperimentResult[] = [];
    const handle = startRun(ir, {
      backend: 'wasm',
      graceMs: 200,
      onExperiment: (r) => {
        if (cancelledAt !== undefined) late.push(r.name);
        received.push(r);
      },
    });
    await new Promise((r) => setTimeout(r, ms));
    cancelledAt = Date.now();
    handle.cancel();
    handle.cancel(); // idempotent
    await assert.rejects(handle.done, (e) => {
      assert.ok(e instanceof RuntimeError, `cancel at ${ms.toFixed(0)} ms: ${String(e)}`);
      assert.equal(e.code, 'aborted');
      return true;
    });
    const took = Date.now() - cancelledAt;
    assert.ok(took < 1500, `the cancel at ${ms.toFixed(0)} ms settled in ${took} ms`);
    assert.deepEqual(late, [], `no experiment arrives after the cancel at ${ms.toFixed(0)} ms`);
    assert.ok(handle.cancelled);
    // What finished before the cancel is exactly what an uncancelled run computes.
    for (const r of received) {
      assert.equal(r.name, 'first');
      const { wallMs: _a, ...got } = r;
      const { wallMs: _b, ...want } = reference.experiments[0]!;
      assert.deepEqual(got, want);
    }
  }
});

test('a worker that never yields is terminated after the grace period', async () => {
  // A stand-in for a kernel that runs for minutes: a worker that reports progress, then spins.
  const spinner = join(tmp, 'spinner.mjs');
  writeFileSync(
    spinner,
    `import { parentPort } from 'node:worker_threads';
parentPort.postMessage({ type: 'progress', event: { experiment: 'small', experimentIndex: 0, experimentCount: 1,
  step: 0, steps: 10, unit: 'generation', fraction: 0, elapsedMs: 0, etaMs: null } });
for (;;) {}
`,
  );
  const handle = startRun(irOf(small), { workerUrl: pathToFileURL(spinner), graceMs: 100 });
  await new Promise((r) => setTimeout(r, 300));
  const t0 = Date.now();
  handle.cancel();
  await assert.rejects(handle.done, (e) => {
    assert.ok(e instanceof RuntimeError);
    assert.equal(e.code, 'aborted');
    assert.equal(e.nodeId, 'experiment:small', 'the experiment that was running');
    return true;
  });
  assert.ok(Date.now() - t0 < 1000, `settled ${Date.now() - t0} ms after the cancel`);
});

interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stderr: string;
}

/** Spawns `ouro run` and sends SIGINT after `ms` (or once `when` holds, polled every 20 ms). */
function runAndInterrupt(args: string[], ms: number, when?: () => boolean): Promise<Exit> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, 'run', ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.resume();
    const started = Date.now();
    const poll = setInterval(() => {
      if (Date.now() - started >= ms && (!when || when())) {
        clearInterval(poll);
        child.kill('SIGINT');
      }
    }, 20);
    child.on('exit', (code, signal) => {
      clearInterval(poll);
      resolve({ code, signal, stderr });
    });
  });
}

/** Every file under `dir`, relative, sorted. */
function files(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    .sort();
}

test('ouro run: Ctrl-C exits 130 and keeps the finished experiments; cancelling at random moments leaves no partial files', async () => {
  const spec = join(tmp, 'two.ouro');
  writeFileSync(spec, shortThenLong);
  const out = join(tmp, 'results');
  // SIGINT once the first experiment's files are there.
  const firstJson = join(out, 'first', 'result.json');
  const r = await runAndInterrupt([spec, '--backend', 'wasm', '--out', out], 0, () => existsSync(firstJson));
  assert.equal(r.code, 130, r.stderr);
  assert.match(r.stderr, /cancelled/);
  assert.match(r.stderr, /finished experiments' results are in .*first/);
  // The first experiment's files (result.json, metrics.csv, and whatever else a finished experiment gets),
  // and nothing of the second.
  const finished = files(out);
  assert.ok(finished.includes('first/result.json') && finished.includes('first/metrics.csv'), finished.join());
  assert.ok(
    finished.every((f) => f.startsWith('first/') && !f.endsWith('.tmp')),
    finished.join(),
  );
  const earlier = {
    json: readFileSync(firstJson, 'utf8'),
    csv: readFileSync(join(out, 'first', 'metrics.csv'), 'utf8'),
  };
  const firstResult = JSON.parse(earlier.json) as { metrics: { values: number[][][] }[] };
  assert.equal(firstResult.metrics[0]!.values[0]!.length, 8, 'all 8 replicates');
  assert.equal(earlier.csv.trimEnd().split('\n').length, 1 + 8 * 6);
  // Interrupt later runs into the same folder at random moments, the first ones within 50 ms of the start
  // (before the CLI has even installed its handler: Node's default SIGINT ends it, which must not harm files).
  for (const ms of [0, 30, ...delays(4, 2500, 5)]) {
    const x = await runAndInterrupt([spec, '--backend', 'wasm', '--out', out], ms);
    assert.ok(
      x.code === 130 || x.signal === 'SIGINT',
      `SIGINT at ${ms.toFixed(0)} ms: ${x.code} ${x.signal} ${x.stderr}`,
    );
    assert.deepEqual(files(out), finished, `no partial files (SIGINT at ${ms.toFixed(0)} ms)`);
    // The first experiment's files are whole: either the earlier ones, or this run's (same seed, same values).
    const now = JSON.parse(readFileSync(firstJson, 'utf8')) as typeof firstResult;
    assert.deepEqual(now.metrics, firstResult.metrics);
    assert.equal(readFileSync(join(out, 'first', 'metrics.csv'), 'utf8'), earlier.csv);
  }
});
