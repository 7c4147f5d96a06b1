// `npm run bench` (runtime part), issue #4:
//  1. matmul GFLOP/s of every available TensorFlow.js backend (wasm and cpu always; tensorflow and
//     tensorflow-gpu only where the user has installed @tensorflow/tfjs-node(-gpu): never dependencies),
//     square sizes and a batched small case, after warm-up, median of several runs, result downloaded;
//  2. wall time of every example (examples/*.ouro, not examples/unsafe) at its preview and its full
//     budget through the real `ouro run`, against the targets: preview < 5 s, full < 60 s.
// Benchmarks report; tests gate: the exit code is 0 even when a target is missed.
// Options: --only matmul|examples; OURO_BENCH_FULL_LIMIT_S / OURO_BENCH_PREVIEW_LIMIT_S cap a run.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { performance } from 'node:perf_hooks';
import * as tf from '@tensorflow/tfjs';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { createBackend, tfVersions, type BackendName } from '@ouro/runtime';
import { errorLine, load, machine, median, root, round, runLimited, table } from './bench-util.js';

const resultsFile = join(root, 'bench', 'results', 'runtime.json');
const BACKENDS: readonly BackendName[] = ['wasm', 'cpu', 'tensorflow', 'tensorflow-gpu'];
/** [batch, n]: an n×n by n×n product, `batch` of them at once (batch 1: a plain matMul). */
const CASES: readonly (readonly [number, number])[] = [
  [1, 128],
  [1, 256],
  [1, 512],
  [1, 1024],
  [400, 16],
];
const WARMUP_RUNS = 2;
const MAX_RUNS = 9;
const MIN_RUNS = 3;
/** Measuring one case stops after this long (once MIN_RUNS are done): the cpu backend's 1024² is slow. */
const CASE_BUDGET_MS = 4_000;

const TARGET_PREVIEW_S = 5;
const TARGET_FULL_S = 60;
const limitS = (name: string, fallback: number): number => {
  const v = Number(process.env[name]);
  return Number.isFinite(v) && v > 0 ? v : fallback;
};
/** A run still going at its limit is killed and reported as FAIL with the time so far. */
const PREVIEW_LIMIT_S = limitS('OURO_BENCH_PREVIEW_LIMIT_S', 30);
const FULL_LIMIT_S = limitS('OURO_BENCH_FULL_LIMIT_S', 75);

interface MatmulCase {
  readonly shape: string;
  readonly flops: number;
  readonly runs: number;
  readonly medianMs: number;
  readonly gflops: number;
}
interface MatmulBackend {
  readonly backend: BackendName;
  readonly available: boolean;
  readonly reason?: string;
  readonly version?: string;
  readonly details?: Record<string, unknown>;
  readonly cases: MatmulCase[];
}

async function timeCase(batch: number, n: number): Promise<MatmulCase> {
  const shape = batch === 1 ? [n, n] : [batch, n, n];
  const a = tf.randomNormal(shape);
  const b = tf.randomNormal(shape);
  const once = async (): Promise<number> => {
    const t0 = performance.now();
    const c = tf.matMul(a as tf.Tensor3D, b as tf.Tensor3D);
    await c.data(); // the product is computed and downloaded: no lazy or queued work is left uncounted
    const ms = performance.now() - t0;
    c.dispose();
    return ms;
  };
  // Warm-up: WARMUP_RUNS runs, or one when a run is long (the cpu backend's 1024² takes seconds).
  for (let i = 0; i < WARMUP_RUNS; i++) if ((await once()) > CASE_BUDGET_MS / 4) break;
  const times: number[] = [];
  const started = performance.now();
  while (times.length < MAX_RUNS && (times.length < MIN_RUNS || performance.now() - started < CASE_BUDGET_MS))
    times.push(await once());
  a.dispose();
  b.dispose();
  const flops = 2 * batch * n ** 3;
  const ms = median(times);
  return {
    shape: batch === 1 ? `${n}x${n}` : `${batch}x${n}x${n}`,
    flops,
    runs: times.length,
    medianMs: round(ms, 3),
    gflops: round(flops / (ms * 1e6), 3),
  };
}

async function matmul(): Promise<MatmulBackend[]> {
  const out: MatmulBackend[] = [];
  for (const name of BACKENDS) {
    let info;
    try {
      info = await createBackend(name);
    } catch (e) {
      out.push({ backend: name, available: false, reason: e instanceof Error ? e.message : String(e), cases: [] });
      continue;
    }
    const details: Record<string, unknown> = {};
    if (name === 'wasm') {
      // As tfjs reports them: in Node its wasm backend never runs threaded (tfjs issue #3830).
      details['simd'] = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
      details['multithreadSupport'] = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
      details['threads'] = getThreadsCount();
      details['cpuFallbackKernels'] = info.cpuFallbackKernels.length;
    }
    const cases: MatmulCase[] = [];
    for (const [batch, n] of CASES) cases.push(await timeCase(batch, n));
    out.push({ backend: name, available: true, version: info.version, details, cases });
  }
  return out;
}

interface ExampleRun {
  readonly example: string;
  readonly budget: 'preview' | 'full';
  readonly status: 'PASS' | 'FAIL' | 'ERROR';
  /** Wall time of the whole `ouro run` command (start-up, checking, running, writing), in seconds. */
  readonly wallS: number;
  /** The runtime's own time for the experiments (result.json wallTimeMs, summed), in seconds. */
  readonly runS: number | null;
  readonly experiments: number;
  readonly backend: string | null;
  readonly targetS: number;
  readonly note?: string;
}

function readResults(dir: string): { runS: number | null; experiments: number; backend: string | null } {
  let ms = 0;
  let experiments = 0;
  let backend: string | null = null;
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return { runS: null, experiments: 0, backend: null };
  }
  for (const e of entries) {
    try {
      const r = JSON.parse(readFileSync(join(dir, e, 'result.json'), 'utf8')) as {
        wallTimeMs?: number;
        backend?: { name?: string };
      };
      ms += r.wallTimeMs ?? 0;
      backend = r.backend?.name ?? backend;
      experiments++;
    } catch {
      // not an experiment folder
    }
  }
  return { runS: experiments > 0 ? round(ms / 1000, 2) : null, experiments, backend };
}

async function examples(): Promise<ExampleRun[]> {
  const dir = join(root, 'examples');
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.ouro'))
    .sort();
  const cli = join(root, 'server', 'bin', 'ouro.js');
  const runs: ExampleRun[] = [];
  for (const f of files) {
    for (const budget of ['preview', 'full'] as const) {
      const out = mkdtempSync(join(tmpdir(), 'ouro-bench-'));
      const limit = budget === 'preview' ? PREVIEW_LIMIT_S : FULL_LIMIT_S;
      const targetS = budget === 'preview' ? TARGET_PREVIEW_S : TARGET_FULL_S;
      const args = [cli, 'run', join('examples', f), ...(budget === 'preview' ? ['--preview'] : []), '--out', out];
      process.stderr.write(`  ${f} (${budget}) ...`);
      const r = await runLimited(process.execPath, args, limit * 1000);
      const res = readResults(out);
      rmSync(out, { recursive: true, force: true });
      const wallS = round(r.ms / 1000, 2);
      let status: ExampleRun['status'];
      let note: string | undefined;
      if (r.timedOut) {
        status = 'FAIL';
        note = `stopped at the ${limit} s limit (${res.experiments} experiment(s) finished by then)`;
      } else if (r.code !== 0) {
        status = 'ERROR';
        note = `exit ${r.code}: ${errorLine(r.stderr).slice(0, 300)}`;
      } else status = wallS < targetS ? 'PASS' : 'FAIL';
      process.stderr.write(` ${wallS} s ${status}\n`);
      runs.push({
        example: f,
        budget,
        status,
        wallS,
        runS: res.runS,
        experiments: res.experiments,
        backend: res.backend,
        targetS,
        ...(note ? { note } : {}),
      });
    }
  }
  return runs;
}

async function main(): Promise<void> {
  const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;
  const loadBefore = load();
  console.log(`Ouro runtime benchmark: ${process.version}; load average ${loadBefore.join(' ')} (1, 5, 15 min)`);

  let mm: MatmulBackend[] = [];
  if (only === undefined || only === 'matmul') {
    mm = await matmul();
    console.log(
      `\nmatmul GFLOP/s (2·batch·n³ flops / median time of ${MIN_RUNS}-${MAX_RUNS} runs after 1-${WARMUP_RUNS} warm-ups; result downloaded each run)\n`,
    );
    const avail = mm.filter((b) => b.available);
    console.log(
      table(
        ['shape', ...avail.map((b) => b.backend)],
        CASES.map((_, i) => [
          avail[0]?.cases[i]?.shape ?? '',
          ...avail.map((b) => `${b.cases[i]!.gflops.toFixed(2)} (${b.cases[i]!.medianMs.toFixed(1)} ms)`),
        ]),
      ),
    );
    for (const b of mm) {
      if (!b.available) console.log(`${b.backend}: not available (${(b.reason ?? '').split(';')[0]})`);
      else if (b.backend === 'wasm')
        console.log(
          `wasm ${b.version}: SIMD ${String(b.details?.['simd'])}, threads ${String(b.details?.['threads'])} (multithread support ${String(b.details?.['multithreadSupport'])}: tfjs never runs wasm threaded in Node)`,
        );
    }
  }

  let ex: ExampleRun[] = [];
  if (only === undefined || only === 'examples') {
    console.log(
      `\nexamples through \`ouro run\` (wall = the whole command; run = the runtime's own time), targets: preview < ${TARGET_PREVIEW_S} s, full < ${TARGET_FULL_S} s\n`,
    );
    ex = await examples();
    console.log(
      table(
        ['example', 'budget', 'wall s', 'run s', 'target', 'status', 'note'],
        ex.map((r) => [
          r.example,
          r.budget,
          r.wallS.toFixed(2),
          r.runS === null ? '-' : r.runS.toFixed(2),
          `< ${r.targetS} s`,
          r.status,
          r.note ?? '',
        ]),
        [0, 6],
      ),
    );
    const missed = ex.filter((r) => r.status !== 'PASS');
    if (missed.length > 0) console.log(`\n*** ${missed.length} of ${ex.length} example runs miss their target ***`);
  }

  const loadAfter = load();
  console.log(`\nload average at the end ${loadAfter.join(' ')} on ${String(machine()['cores'])} cores`);
  mkdirSync(dirname(resultsFile), { recursive: true });
  const json = {
    environment: { ...machine(), loadAverageBefore: loadBefore, loadAverageAfter: loadAfter, versions: tfVersions() },
    matmul: mm,
    examples: ex,
    targets: {
      previewS: TARGET_PREVIEW_S,
      fullS: TARGET_FULL_S,
      previewLimitS: PREVIEW_LIMIT_S,
      fullLimitS: FULL_LIMIT_S,
    },
  };
  writeFileSync(resultsFile, `${JSON.stringify(json, null, 2)}\n`);
  console.log(`wrote ${relative(root, resultsFile)}`);
}

await main();
