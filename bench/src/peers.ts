// `npm run bench` (peers part), issue #4: the golden-ratio sweep of examples/golden-ratio.ouro (19 weights ×
// 400 replicates × 100 generations) run by Ouro's runtime and by a straightforward PyTorch script of the
// same computation (bench/peers/golden_ratio_torch.py), side by side on this machine. Target: Ouro faster.
// Both curves (mean squared error of the final mean at each weight) must agree within Monte-Carlo error,
// so that the comparison is of the same work; both are also set against the closed form V*(w).
// PyTorch comes from Debian (`apt-get install python3-torch libopenblas0-pthread`); without it the
// PyTorch side is skipped with a message. OURO_BENCH_PYTHON names another interpreter.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { performance } from 'node:perf_hooks';
import { analyze, catalog, lower, type IrExperiment, type IrProgram } from '@ouro/dsl';
import { execute } from '@ouro/runtime';
import { lastLine, load, machine, median, root, round, runLimited, table } from './bench-util.js';

const resultsFile = join(root, 'bench', 'results', 'peers.json');
const specFile = join(root, 'examples', 'golden-ratio.ouro');
const script = join(root, 'bench', 'peers', 'golden_ratio_torch.py');
const python = process.env['OURO_BENCH_PYTHON'] ?? '/usr/bin/python3';
/** Timed runs on each side after one warm-up; the median is reported. */
const RUNS = 3;
const TORCH_LIMIT_MS = 300_000;
/** Two curves agree where every weight's means differ by less than this many standard errors. */
const AGREE_SE = 4;

interface Sweep {
  readonly experiment: string;
  readonly seed: number;
  readonly replicates: number;
  readonly generations: number;
  readonly weights: readonly number[];
  readonly real: number;
  readonly synthetic: number;
}

/**
 * The parameters of the golden-ratio sweep, read from the example's IR; fails with the reason when the
 * example is no longer the computation the PyTorch script reproduces.
 */
function sweepOf(ir: IrProgram): Sweep {
  const fail = (why: string): never => {
    throw new Error(`examples/golden-ratio.ouro is not the sweep bench/peers/golden_ratio_torch.py reproduces: ${why}`);
  };
  const exp: IrExperiment = ir.experiments[0] ?? fail('it has no experiment');
  if (exp.loop.kind !== 'retrain' || exp.loop.loops.length !== 1) return fail('not one retrain loop');
  const loop = exp.loop.loops[0]!;
  const [real, syn] = loop.sources;
  const truth = Object.values(ir.data)[0];
  if (!truth || truth.kind !== 'gaussian' || truth.args['mean'] !== 0 || (truth.args['std'] ?? 1) !== 1)
    return fail('the truth is not gaussian(mean: 0, std: 1)');
  if (exp.models[0]?.kind !== 'gaussian_fit' || exp.models[0].dim !== 1 || exp.models[0].args['unbiased'] === true)
    return fail('the model is not a 1-D gaussian_fit (maximum likelihood)');
  if (real?.role !== 'real' || syn?.role !== 'synthetic' || loop.sources.length !== 2 || loop.injects.length > 0)
    return fail('the sources are not `real N from truth` then `synthetic M from m`');
  if (typeof real.count !== 'number' || typeof syn.count !== 'number') return fail('the sample counts are not numbers');
  const sw = exp.sweeps[0];
  if (exp.sweeps.length !== 1 || !sw || sw.values.some((v) => typeof v !== 'number'))
    return fail('not one numeric sweep');
  if (
    !('real' in loop.weights) ||
    JSON.stringify(loop.weights.real) !== JSON.stringify({ expr: { op: 'var', name: sw.name } })
  )
    return fail(`the real weight is not the sweep variable \`${sw.name}\``);
  return {
    experiment: exp.name,
    seed: exp.seed,
    replicates: exp.replicates,
    generations: exp.loop.generations,
    weights: sw.values as number[],
    real: real.count,
    synthetic: syn.count,
  };
}

interface Curve {
  readonly w: number;
  readonly mean: number;
  readonly std: number;
}

interface TorchOut {
  readonly torch: string;
  readonly threads: number;
  readonly seconds: number;
  readonly runs: number[];
  readonly curve: Curve[];
}

async function runTorch(s: Sweep): Promise<TorchOut | { skipped: string }> {
  const probe = await runLimited(python, ['-c', 'import torch'], 60_000);
  if (probe.code !== 0)
    return {
      skipped: `PyTorch is not importable by ${python} (${lastLine(probe.stderr) || 'no interpreter'}); install it with \`apt-get install -y python3-torch libopenblas0-pthread\``,
    };
  const args = [
    script,
    `--replicates=${s.replicates}`,
    `--generations=${s.generations}`,
    `--real=${s.real}`,
    `--synthetic=${s.synthetic}`,
    `--weights=${s.weights.join(',')}`,
    `--seed=${s.seed}`,
    `--runs=${RUNS}`,
  ];
  const r = await runLimited(python, args, TORCH_LIMIT_MS);
  if (r.timedOut) return { skipped: `the PyTorch script did not finish within ${TORCH_LIMIT_MS / 1000} s` };
  if (r.code !== 0) return { skipped: `the PyTorch script failed: ${lastLine(r.stderr)}` };
  return JSON.parse(lastLine(r.stdout)) as TorchOut;
}

async function runOuro(
  ir: IrProgram,
  s: Sweep,
): Promise<{ seconds: number; runs: number[]; backend: string; curve: Curve[] }> {
  const runs: number[] = [];
  let curve: Curve[] = [];
  let backend = '';
  for (let i = 0; i <= RUNS; i++) {
    const t0 = performance.now();
    const r = await execute(ir, { experiment: s.experiment });
    const ms = performance.now() - t0;
    if (i > 0) runs.push(ms / 1000); // the first run warms up (backend start, JIT)
    backend = `${r.backend.name} ${r.backend.version}`;
    const m = r.experiments[0]!.metrics[0]!;
    const last = m.t.length - 1;
    curve = r.experiments[0]!.points.map((p, pi) => {
      const xs = m.values[pi]!.map((rep) => rep[last]!);
      const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
      const std = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1));
      return { w: p.values[Object.keys(p.values)[0]!] as number, mean, std };
    });
  }
  return { seconds: median(runs), runs: runs.map((x) => round(x, 3)), backend, curve };
}

const argmin = (c: readonly Curve[]): number => c.reduce((best, x) => (x.mean < best.mean ? x : best)).w;

async function main(): Promise<void> {
  const loadBefore = load();
  const text = readFileSync(specFile, 'utf8');
  const ir = lower(analyze(text, { uri: specFile }));
  if (!ir) throw new Error('examples/golden-ratio.ouro has errors: run `ouro check examples/golden-ratio.ouro`');
  const s = sweepOf(ir);
  const work = `${s.weights.length} weights × ${s.replicates} replicates × ${s.generations} generations, ${s.real} real + ${s.synthetic} synthetic samples`;
  console.log(`Ouro vs PyTorch, the golden-ratio sweep (${work}); load average ${loadBefore.join(' ')}`);
  console.log(`median of ${RUNS} runs after one warm-up on each side; times of the sweep itself (no start-up)\n`);

  const ouro = await runOuro(ir, s);
  const torch = await runTorch(s);
  const loadAfter = load();

  const theory = (w: number): number => catalog.stationaryError(w, s.real, s.synthetic);
  const rows = [['Ouro', ouro.backend, ouro.seconds.toFixed(3), String(argmin(ouro.curve))]];
  let comparison: Record<string, unknown> = {};
  if ('skipped' in torch) {
    console.log(`PyTorch: skipped: ${torch.skipped}`);
  } else {
    rows.push([
      'PyTorch',
      `torch ${torch.torch}, ${torch.threads} thread${torch.threads === 1 ? '' : 's'}, float32`,
      torch.seconds.toFixed(3),
      String(argmin(torch.curve)),
    ]);
    // Per weight: the difference of the two means in standard errors of that difference.
    const z = ouro.curve.map((o, i) => {
      const t = torch.curve[i]!;
      const se = Math.sqrt((o.std ** 2 + t.std ** 2) / s.replicates);
      return { w: o.w, ouro: o.mean, torch: t.mean, theory: theory(o.w), z: (o.mean - t.mean) / se };
    });
    const maxZ = Math.max(...z.map((x) => Math.abs(x.z)));
    const ratio = torch.seconds / ouro.seconds;
    comparison = {
      ratioTorchOverOuro: round(ratio, 3),
      ouroFaster: ratio > 1,
      maxAbsZ: round(maxZ, 2),
      agree: maxZ < AGREE_SE,
      perWeight: z.map((x) => ({ ...x, z: round(x.z, 2) })),
    };
    console.log(table(['', 'engine', 'seconds', 'argmin w'], rows));
    const pick = z.filter((_, i) => i % Math.max(1, Math.floor(z.length / 5)) === 0 || i === z.length - 1);
    console.log('\nmean squared error of the final mean at a few weights (V* = the closed form, golden-ratio.md)\n');
    console.log(
      table(
        ['w', 'Ouro', 'PyTorch', 'V*(w)', 'z'],
        pick.map((x) => [
          String(x.w),
          x.ouro.toExponential(3),
          x.torch.toExponential(3),
          x.theory.toExponential(3),
          x.z.toFixed(2),
        ]),
      ),
    );
    console.log(
      `\nsame curve within Monte-Carlo error: ${maxZ < AGREE_SE ? 'yes' : 'NO'} (largest |z| over ${z.length} weights ${maxZ.toFixed(2)}, bound ${AGREE_SE})`,
    );
    console.log(
      `${ratio > 1 ? 'PASS' : 'FAIL'}  Ouro faster than PyTorch: PyTorch / Ouro = ${ratio.toFixed(2)} (${torch.seconds.toFixed(2)} s / ${ouro.seconds.toFixed(2)} s)`,
    );
  }
  if ('skipped' in torch) console.log(table(['', 'engine', 'seconds', 'argmin w'], rows));
  console.log(`\nload average at the end ${loadAfter.join(' ')} on ${String(machine()['cores'])} cores`);

  mkdirSync(dirname(resultsFile), { recursive: true });
  const json = {
    environment: { ...machine(), loadAverageBefore: loadBefore, loadAverageAfter: loadAfter, python },
    sweep: s,
    runs: RUNS,
    ouro,
    torch,
    comparison,
  };
  writeFileSync(resultsFile, `${JSON.stringify(json, null, 2)}\n`);
  console.log(`wrote ${relative(root, resultsFile)}`);
}

await main();
