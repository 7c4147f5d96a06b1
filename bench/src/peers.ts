// `npm run bench` (peers part), issue #4: the golden-ratio sweep of examples/golden-ratio.ouro (19 weights ×
// 400 replicates × 100 generations) run by Ouro's runtime and by PyTorch scripts of the same computation,
// side by side on this machine. Two comparisons, both reported:
//   (a) the target: Ouro (as it runs by default: the retrain loop draws each sample set's mean and
//       scatter, its sufficient statistics) against a straightforward PyTorch script that draws every
//       sample (bench/peers/golden_ratio_torch.py);
//   (b) like for like: Ouro's sample-level path (OURO_RETRAIN_PATH=samples) against that script, and Ouro
//       against a PyTorch script with the same sufficient-statistics trick (golden_ratio_torch_suffstats.py),
//       so that the reader sees how much of the speed is the algorithm and how much the engine.
// Every curve (mean squared error of the final mean at each weight) must agree with the others within
// Monte-Carlo error, so that the comparison is of the same work; all are set against the closed form V*(w).
// PyTorch comes from Debian (`apt-get install python3-torch libopenblas0-pthread`); without it the
// PyTorch side is skipped with a message. OURO_BENCH_PYTHON names another interpreter.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { performance } from 'node:perf_hooks';
import { analyze, catalog, lower, type IrExperiment, type IrProgram } from '@ouro/dsl';
import { execute } from '@ouro/runtime';
import { errorLine, lastLine, load, machine, median, root, round, runLimited, table } from './bench-util.js';

const resultsFile = join(root, 'bench', 'results', 'peers.json');
const specFile = join(root, 'examples', 'golden-ratio.ouro');
const scripts = {
  samples: join(root, 'bench', 'peers', 'golden_ratio_torch.py'),
  suffstats: join(root, 'bench', 'peers', 'golden_ratio_torch_suffstats.py'),
};
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

/** Whether `python` imports torch; the reason to skip the PyTorch side when it does not. */
async function torchMissing(): Promise<string | null> {
  const probe = await runLimited(python, ['-c', 'import torch'], 60_000);
  if (probe.code === 0) return null;
  return `PyTorch is not importable by ${python} (${errorLine(probe.stderr) || 'no interpreter'}); install it with \`apt-get install -y python3-torch libopenblas0-pthread\``;
}

async function runTorch(script: string, s: Sweep, threads = 0): Promise<TorchOut | { skipped: string }> {
  const args = [
    script,
    `--replicates=${s.replicates}`,
    `--generations=${s.generations}`,
    `--real=${s.real}`,
    `--synthetic=${s.synthetic}`,
    `--weights=${s.weights.join(',')}`,
    `--seed=${s.seed}`,
    `--runs=${RUNS}`,
    `--threads=${threads}`,
  ];
  const name = relative(root, script);
  const r = await runLimited(python, args, TORCH_LIMIT_MS);
  if (r.timedOut) return { skipped: `${name} did not finish within ${TORCH_LIMIT_MS / 1000} s` };
  if (r.code !== 0) return { skipped: `${name} failed: ${errorLine(r.stderr)}` };
  return JSON.parse(lastLine(r.stdout)) as TorchOut;
}

interface OuroOut {
  readonly seconds: number;
  readonly runs: number[];
  readonly backend: string;
  readonly curve: Curve[];
}

/** Ouro's runtime in this process; `path` sets OURO_RETRAIN_PATH for these runs only. */
async function runOuro(ir: IrProgram, s: Sweep, path: 'sufficient' | 'samples'): Promise<OuroOut> {
  const runs: number[] = [];
  let curve: Curve[] = [];
  let backend = '';
  const before = process.env['OURO_RETRAIN_PATH'];
  process.env['OURO_RETRAIN_PATH'] = path;
  try {
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
  } finally {
    if (before === undefined) delete process.env['OURO_RETRAIN_PATH'];
    else process.env['OURO_RETRAIN_PATH'] = before;
  }
  return { seconds: median(runs), runs: runs.map((x) => round(x, 3)), backend, curve };
}

const argmin = (c: readonly Curve[]): number => c.reduce((best, x) => (x.mean < best.mean ? x : best)).w;

/** One engine's run: its label in the tables, what it is, and its result (or why it was skipped). */
interface Entry {
  readonly key: string;
  readonly label: string;
  readonly method: string;
  readonly out: OuroOut | TorchOut | { skipped: string };
}

const ran = (e: Entry): e is Entry & { out: OuroOut | TorchOut } => !('skipped' in e.out);

/** Per weight: the difference of two curves' means in standard errors of that difference; the largest |z|. */
function agreement(a: readonly Curve[], b: readonly Curve[], R: number): { maxAbsZ: number; agree: boolean } {
  const z = a.map((x, i) => {
    const y = b[i]!;
    return (x.mean - y.mean) / Math.sqrt((x.std ** 2 + y.std ** 2) / R);
  });
  const maxAbsZ = Math.max(...z.map(Math.abs));
  return { maxAbsZ: round(maxAbsZ, 2), agree: maxAbsZ < AGREE_SE };
}

async function main(): Promise<void> {
  const loadBefore = load();
  const text = readFileSync(specFile, 'utf8');
  const ir = lower(analyze(text, { uri: specFile }));
  if (!ir) throw new Error('examples/golden-ratio.ouro has errors: run `ouro check examples/golden-ratio.ouro`');
  const s = sweepOf(ir);
  const work = `${s.weights.length} weights × ${s.replicates} replicates × ${s.generations} generations, ${s.real} real + ${s.synthetic} synthetic samples`;
  console.log(`Ouro vs PyTorch, the golden-ratio sweep (${work}); load average ${loadBefore.join(' ')}`);
  console.log(`median of ${RUNS} runs after one warm-up on each side; times of the sweep itself (no start-up)\n`);

  const suffMethod = "sufficient statistics: draws each sample set's mean and scatter (4 draws a row and generation)";
  const sampleMethod = `draws every sample (${s.real + s.synthetic} a row and generation)`;
  const entries: Entry[] = [
    { key: 'ouro', label: 'Ouro', method: suffMethod, out: await runOuro(ir, s, 'sufficient') },
    { key: 'ouroSamples', label: 'Ouro, sample path', method: sampleMethod, out: await runOuro(ir, s, 'samples') },
  ];
  const missing = await torchMissing();
  const torch = async (script: string, threads = 0): Promise<TorchOut | { skipped: string }> =>
    missing ? { skipped: missing } : runTorch(script, s, threads);
  const torchSamples = await torch(scripts.samples);
  entries.push({ key: 'torch', label: 'PyTorch', method: sampleMethod, out: torchSamples });
  // torch's default thread count on this machine (reported by the script); with more cores available
  // than that, the straightforward script is also timed on all of them, for the record.
  const cores = machine().cores;
  if (!('skipped' in torchSamples) && torchSamples.threads < cores)
    entries.push({
      key: 'torchAllCores',
      label: `PyTorch, ${cores} threads`,
      method: sampleMethod,
      out: await torch(scripts.samples, cores),
    });
  entries.push({
    key: 'torchSuffstats',
    label: 'PyTorch, suff. stats',
    method: suffMethod,
    out: await torch(scripts.suffstats),
  });
  const loadAfter = load();

  const engine = (e: Entry): string => {
    if ('skipped' in e.out) return 'skipped';
    if ('backend' in e.out) return `tfjs ${e.out.backend}`;
    return `torch ${e.out.torch}, ${e.out.threads} thread${e.out.threads === 1 ? '' : 's'}, float32`;
  };
  const ouro = entries[0]!.out as OuroOut;
  console.log(
    table(
      ['', 'engine', 'method', 'seconds', 'argmin w', 'max |z| vs Ouro'],
      entries.map((e) =>
        ran(e)
          ? [
              e.label,
              engine(e),
              e.method,
              e.out.seconds.toFixed(3),
              String(argmin(e.out.curve)),
              e.key === 'ouro' ? '' : agreement(e.out.curve, ouro.curve, s.replicates).maxAbsZ.toFixed(2),
            ]
          : [e.label, engine(e), e.method, '', '', ''],
      ),
      [0, 1, 2],
    ),
  );
  for (const e of entries) if ('skipped' in e.out) console.log(`${e.label}: skipped: ${e.out.skipped}`);

  // Every curve against every other: the same work, within Monte-Carlo error.
  const done = entries.filter(ran);
  const pairs: { a: string; b: string; maxAbsZ: number; agree: boolean }[] = [];
  for (let i = 0; i < done.length; i++)
    for (let j = i + 1; j < done.length; j++)
      pairs.push({
        a: done[i]!.key,
        b: done[j]!.key,
        ...agreement(done[i]!.out.curve, done[j]!.out.curve, s.replicates),
      });
  const allAgree = pairs.every((p) => p.agree);
  const worst = Math.max(0, ...pairs.map((p) => p.maxAbsZ));
  console.log(
    `\nsame curve within Monte-Carlo error: ${allAgree ? 'yes' : 'NO'} (largest |z| over ${s.weights.length} weights and ${pairs.length} pairs of engines ${worst.toFixed(2)}, bound ${AGREE_SE})`,
  );

  const theory = (w: number): number => catalog.stationaryError(w, s.real, s.synthetic);
  const pick = s.weights.map((_, i) => i).filter((i) => i % 4 === 0 || i === s.weights.length - 1);
  console.log('\nmean squared error of the final mean at a few weights (V* = the closed form, golden-ratio.md)\n');
  console.log(
    table(
      ['w', ...done.map((e) => e.label), 'V*(w)'],
      pick.map((i) => [
        String(s.weights[i]),
        ...done.map((e) => e.out.curve[i]!.mean.toExponential(3)),
        theory(s.weights[i]!).toExponential(3),
      ]),
    ),
  );

  // The ratios: other / Ouro's (above 1: Ouro is faster).
  const secondsOf = (key: string): number | undefined => done.find((e) => e.key === key)?.out.seconds;
  const ratio = (num: string, den: string): number | null => {
    const a = secondsOf(num);
    const b = secondsOf(den);
    return a !== undefined && b !== undefined ? round(a / b, 3) : null;
  };
  const comparisons = [
    {
      key: 'target',
      what: 'the target: PyTorch (straightforward script) / Ouro (as it runs)',
      ratio: ratio('torch', 'ouro'),
    },
    {
      key: 'samplesVsSamples',
      what: 'like for like, every sample drawn: PyTorch / Ouro sample path',
      ratio: ratio('torch', 'ouroSamples'),
    },
    {
      key: 'suffstatsVsSuffstats',
      what: 'like for like, sufficient statistics: PyTorch suff. stats / Ouro',
      ratio: ratio('torchSuffstats', 'ouro'),
    },
    {
      key: 'algorithm',
      what: 'the algorithm alone: Ouro sample path / Ouro (speed-up of the sufficient statistics)',
      ratio: ratio('ouroSamples', 'ouro'),
    },
  ];
  if (secondsOf('torchAllCores') !== undefined)
    comparisons.splice(1, 0, {
      key: 'targetAllCores',
      what: `PyTorch (straightforward script, ${cores} threads) / Ouro`,
      ratio: ratio('torchAllCores', 'ouro'),
    });
  console.log('');
  for (const c of comparisons) if (c.ratio !== null) console.log(`${c.ratio.toFixed(2).padStart(7)}  ${c.what}`);
  const target = comparisons[0]!.ratio;
  if (target !== null)
    console.log(
      `\n${target > 1 && allAgree ? 'PASS' : 'FAIL'}  Ouro faster than the straightforward PyTorch script: ${target.toFixed(2)}× (${secondsOf('torch')!.toFixed(3)} s / ${ouro.seconds.toFixed(3)} s)${allAgree ? '' : ', but the curves disagree'}`,
    );
  console.log(`\nload average at the end ${loadAfter.join(' ')} on ${cores} cores`);

  mkdirSync(dirname(resultsFile), { recursive: true });
  const json = {
    environment: { ...machine(), loadAverageBefore: loadBefore, loadAverageAfter: loadAfter, python },
    sweep: s,
    runs: RUNS,
    engines: Object.fromEntries(entries.map((e) => [e.key, { label: e.label, method: e.method, ...e.out }])),
    comparisons: Object.fromEntries(comparisons.map((c) => [c.key, { what: c.what, ratio: c.ratio }])),
    ouroFaster: target !== null ? target > 1 : null,
    agreement: { bound: AGREE_SE, allAgree, pairs },
    theory: s.weights.map((w) => ({ w, vStar: theory(w) })),
  };
  writeFileSync(resultsFile, `${JSON.stringify(json, null, 2)}\n`);
  console.log(`wrote ${relative(root, resultsFile)}`);
}

await main();
