/**
 * `ouro run FILE [--experiment NAME] [--out DIR] [--preview] [--backend B] [--seed N]`: checks and lowers
 * the spec, executes its IR with @ouro/runtime, and writes per experiment `DIR/<experiment>/result.json`,
 * `metrics.csv` (tidy long form) and `report.html` (the results views, standalone), each atomically (a
 * temporary file, then a rename). Progress goes
 * to stderr; a summary table of final values to stdout.
 */
import { createHash } from 'node:crypto';
import { accessSync, constants, mkdirSync, readFileSync, existsSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { analyze, lower, LineIndex, type IrProgram } from '@ouro/dsl';
// Types only here (and the backend names, which load no TensorFlow.js): the runtime (and TensorFlow.js, ~0.4 s
// to load) is imported when `ouro run` runs, so `ouro check`, `fmt` and `lsp` start without it.
import type { BackendRequest, ExperimentResult, ProgressEvent, RunResult, Table } from '@ouro/runtime';
import type { RunHandle } from '@ouro/runtime/worker';
import { backendRequests, isBackendRequest } from '@ouro/runtime/backends';
import type { ResultJson } from '@ouro/views';
import type { Io } from './cli.js';
import { errorText, notOneSpec, writeAtomic } from './files.js';
import { count, meanSd } from './stats.js';
import { renderReport } from './report.js';
import { CsvError, readTables } from './tables.js';

export const runUsage =
  '  ouro run FILE [--experiment NAME] [--out DIR] [--preview] [--backend B] [--seed N]\n' +
  '                                   run a spec; writes DIR/<experiment>/result.json, metrics.csv\n' +
  '                                   and report.html\n' +
  '                                   (DIR defaults to ouro-results/ beside the spec; B is auto, wasm,\n' +
  '                                   cpu, tensorflow or tensorflow-gpu)';

interface RunArgs {
  readonly file: string;
  readonly experiment?: string;
  readonly out?: string;
  readonly preview: boolean;
  readonly backend: BackendRequest;
  readonly seed?: number;
}

function parseArgs(args: readonly string[]): RunArgs | string {
  let file: string | undefined;
  let experiment: string | undefined;
  let out: string | undefined;
  let preview = false;
  let backend: BackendRequest = 'auto';
  let seed: number | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const value = (): string | undefined => {
      const eq = a.indexOf('=');
      if (eq > 0) return a.slice(eq + 1);
      const v = args[i + 1];
      if (v === undefined || v.startsWith('--')) return undefined;
      i++;
      return v;
    };
    const flag = a.includes('=') ? a.slice(0, a.indexOf('=')) : a;
    switch (flag) {
      case '--preview':
        preview = true;
        break;
      case '--experiment':
      case '--out':
      case '--backend':
      case '--seed': {
        const v = value();
        if (v === undefined || v === '') return `${flag} needs a value`;
        if (flag === '--experiment') experiment = v;
        else if (flag === '--out') out = v;
        else if (flag === '--backend') {
          if (!isBackendRequest(v)) return `unknown backend \`${v}\`; use ${backendRequests.join(', ')}`;
          backend = v;
        } else {
          if (!/^-?\d+$/.test(v) || !Number.isSafeInteger(Number(v)))
            return `--seed takes a whole number, not \`${v}\``;
          seed = Number(v);
        }
        break;
      }
      default:
        if (a.startsWith('-')) return `unknown option ${a}`;
        if (file !== undefined) return 'name exactly one .ouro file';
        file = a;
    }
  }
  if (file === undefined) return 'name exactly one .ouro file';
  return { file, experiment, out, preview, backend, seed };
}

function ownVersion(): string {
  try {
    const here = dirname(fileURLToPath(import.meta.url));
    return (JSON.parse(readFileSync(join(here, '..', 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/**
 * Why results cannot be written below `outDir` (checked before a run, so that no run's figures are lost to a
 * bad --out): the folder cannot be created or written, or an experiment's folder name is taken by a file.
 */
function checkOutDir(outDir: string, experiments: readonly string[], fix: string): string | undefined {
  try {
    mkdirSync(outDir, { recursive: true });
    accessSync(outDir, constants.W_OK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOTDIR' || code === 'EEXIST'
        ? 'it is a file, or lies below one'
        : code === 'EACCES' || code === 'EPERM' || code === 'EROFS'
          ? 'permission denied'
          : errorText(e);
    return `cannot write results to ${outDir}: ${why}; ${fix}`;
  }
  for (const name of experiments) {
    const dir = join(outDir, name);
    if (existsSync(dir) && !statSync(dir).isDirectory())
      return `${dir} is a file, where experiment ${name}'s results go; move it, or give --out another folder`;
  }
  return undefined;
}

function csvField(v: string | number | boolean): string {
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Tidy long form: experiment,method,<sweep names...>,replicate,t,metric,value. */
export function metricsCsv(r: ExperimentResult): string {
  const sweepNames = r.sweeps.map((s) => s.name);
  const lines = [['experiment', 'method', ...sweepNames, 'replicate', 't', 'metric', 'value'].map(csvField).join(',')];
  for (const m of r.metrics) {
    r.points.forEach((p, pi) => {
      const fixed = [r.name, m.method, ...sweepNames.map((n) => p.values[n] ?? '')].map(csvField).join(',');
      m.values[pi]!.forEach((series, rep) => {
        series.forEach((v, ti) => lines.push(`${fixed},${rep},${m.t[ti]},${csvField(m.name)},${String(v)}`));
      });
    });
  }
  return lines.join('\n') + '\n';
}

const fmt = (x: number): string =>
  Number.isFinite(x)
    ? Math.abs(x) >= 1e4 || (x !== 0 && Math.abs(x) < 1e-3)
      ? x.toExponential(3)
      : x.toPrecision(4)
    : String(x);

/** Per metric and sweep point: the final value's mean ± std over replicates; argmin/argmax of `view m by w mark`. */
export function summaryTable(r: ExperimentResult, ir: IrProgram, backend: string): string {
  const exp = ir.experiments.find((e) => e.name === r.name);
  const sweepNames = r.sweeps.map((s) => s.name);
  const out: string[] = [];
  out.push(
    `${r.name}: ${r.loop}, ${count(r.replicates, 'replicate')} × ${count(r.points.length, 'sweep point')}, ${count(r.generations, r.loop === 'train' || r.loop === 'fit' ? 'step' : r.loop === 'select' ? 'round' : 'generation')}, seed ${r.seed}, ${backend}, ${(r.wallMs / 1000).toFixed(1)} s${r.preview ? ' (preview)' : ''}`,
  );
  // A `select` loop's series are per method: a method column (and finals keyed by the first method's).
  const byMethod = new Set(r.metrics.map((m) => m.method)).size > 1;
  const header = ['metric', ...(byMethod ? ['method'] : []), ...sweepNames, 't', 'mean', '± std'];
  const rows: string[][] = [];
  const finals = new Map<string, number[]>(); // metric name → final mean per point
  for (const m of r.metrics) {
    const last = m.t.length - 1;
    const means: number[] = [];
    r.points.forEach((p, pi) => {
      const { mean, sd } = meanSd(m.values[pi]!.map((s) => s[last]!));
      means.push(mean);
      rows.push([
        m.name,
        ...(byMethod ? [m.method] : []),
        ...sweepNames.map((n) => String(p.values[n])),
        String(m.t[last]),
        fmt(mean),
        r.replicates > 1 ? fmt(sd) : '—', // one replicate has no spread
      ]);
    });
    if (!finals.has(m.name)) finals.set(m.name, means);
  }
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]): string =>
    '  ' + cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  out.push(line(header));
  for (const row of rows) out.push(line(row));
  for (const v of exp?.views ?? []) {
    if (v.kind !== 'against' || !v.metric || !v.by || !v.mark || !sweepNames.includes(v.by)) continue;
    const means = finals.get(v.metric);
    if (!means) continue;
    // One optimum per combination of the other sweeps' values.
    const groups = new Map<string, number[]>();
    r.points.forEach((p, pi) => {
      const key = sweepNames
        .filter((n) => n !== v.by)
        .map((n) => `${n} = ${String(p.values[n])}`)
        .join(', ');
      groups.set(key, [...(groups.get(key) ?? []), pi]);
    });
    for (const [key, pis] of groups) {
      const best = pis.reduce((a, b) => ((v.mark === 'min' ? means[b]! < means[a]! : means[b]! > means[a]!) ? b : a));
      out.push(
        `  ${v.metric}: ${v.mark} at ${v.by} = ${String(r.points[best]!.values[v.by])} (mean ${fmt(means[best]!)})${key ? ` for ${key}` : ''}`,
      );
    }
  }
  return out.join('\n');
}

function where(ir: IrProgram | undefined, nodeId: string | null, fallback: string): string {
  const src = nodeId && ir ? ir.sourceMap[nodeId] : undefined;
  if (!src) return fallback;
  const path = relative(process.cwd(), src.uri) || src.uri;
  return src.line > 0 ? `${path}:${src.line}:${src.col}` : path;
}

function formatDuration(ms: number): string {
  return ms < 60_000
    ? `${(ms / 1000).toFixed(1)} s`
    : `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

export async function run(argv: readonly string[], io: Io, usage: string): Promise<number> {
  const parsed = parseArgs(argv);
  if (typeof parsed === 'string') {
    io.err(`ouro run: ${parsed}\n\n${usage}`);
    return 2;
  }
  const file = parsed.file;
  const problem = notOneSpec(file, 'run');
  if (problem) {
    io.err(problem);
    return 2;
  }
  const text = readFileSync(file, 'utf8');
  const uri = resolve(file);
  const analysis = analyze(text, {
    uri,
    host: {
      read: (u: string) => {
        try {
          return readFileSync(u, 'utf8');
        } catch {
          return undefined;
        }
      },
    },
  });
  const ir = lower(analysis);
  if (!ir) {
    const lines = new LineIndex(text);
    for (const d of analysis.diagnostics.filter((x) => x.severity === 'error')) {
      const lc = lines.lineCol(d.range.start);
      io.err(`${file}:${lc.line + 1}:${lc.col + 1}: error[${d.code}]: ${d.message}`);
    }
    io.err(`ouro run: ${file} has errors; fix them to run it`);
    return 1;
  }
  // The CSV files the spec names: read here (the runtime does no file IO).
  let tables: Record<string, Table>;
  try {
    tables = readTables(ir);
  } catch (e) {
    if (!(e instanceof CsvError)) throw e;
    io.err(`ouro run: ${e.message} (the data declared at ${where(ir, e.nodeId, uri)})`);
    return 1;
  }
  const outDir = resolve(parsed.out ?? join(dirname(uri), 'ouro-results'));
  const names = ir.experiments
    .map((e) => e.name)
    .filter((n) => parsed.experiment === undefined || n === parsed.experiment);
  const fix = `${parsed.out === undefined ? 'pass --out' : 'give --out'} a folder you can write to`;
  const unwritable = names.length ? checkOutDir(outDir, names, fix) : undefined;
  if (unwritable) {
    io.err(`ouro run: ${unwritable}`);
    return 2;
  }
  const sha256 = createHash('sha256').update(text).digest('hex');
  const startedAt = new Date().toISOString();
  const version = ownVersion();
  const tty = process.stderr.isTTY === true;
  let lastLine = Date.now();
  const onProgress = (e: ProgressEvent): void => {
    const now = Date.now();
    const finished = e.step === e.steps;
    if (tty) {
      if (!finished && now - lastLine < 100) return;
      lastLine = now;
      const eta = e.etaMs === null ? '' : ` · ETA ${formatDuration(e.etaMs)}`;
      const filled = Math.round(e.fraction * 20);
      process.stderr.write(
        `\r\x1b[K${'█'.repeat(filled)}${'░'.repeat(20 - filled)} ${String(Math.floor(e.fraction * 100)).padStart(3)}% ${e.experiment} ${e.unit} ${e.step}/${e.steps} · ${formatDuration(e.elapsedMs)}${eta}`,
      );
    } else if (now - lastLine >= 5000 && !finished) {
      lastLine = now;
      io.err(`[${Math.floor(e.fraction * 100)}%] ${e.experiment} ${e.unit} ${e.step}/${e.steps}`);
    }
  };
  // The run executes in a worker thread (TensorFlow.js loads there, not here); results are written here,
  // atomically, as each experiment finishes, so Ctrl-C keeps every finished experiment's files whole.
  const { startRun, RuntimeError } = await import('@ouro/runtime/worker');
  const written: string[] = [];
  const unwritten: string[] = [];
  const summaries: string[] = [];
  let handle: RunHandle | undefined;
  const onSigint = (): void => {
    if (tty) process.stderr.write('\r\x1b[K');
    io.err('ouro run: cancelling (Ctrl-C again to quit at once)');
    handle?.cancel('the run was cancelled (Ctrl-C)');
  };
  process.once('SIGINT', onSigint);
  try {
    handle = startRun(ir, {
      experiment: parsed.experiment,
      preview: parsed.preview,
      backend: parsed.backend,
      // Optional backends (tfjs-node) resolve from the user's working directory first, then from Ouro's.
      resolveFrom: process.cwd(),
      seed: parsed.seed,
      tables,
      onProgress,
      onExperiment: (r, { backend, versions }) => {
        if (tty) process.stderr.write('\r\x1b[K');
        // The summary first: if the files cannot be written (a full disk), the figures are still printed.
        summaries.push(summaryTable(r, ir, `${backend.name} ${backend.version}`));
        const dir = join(outDir, r.name);
        const json: ResultJson = {
          ouro: version,
          spec: { path: uri, sha256 },
          experiment: { id: r.id, name: r.name, loop: r.loop },
          seed: r.seed,
          seedFromCommandLine: parsed.seed !== undefined,
          preview: r.preview,
          backend: { name: backend.name, version: backend.version },
          packages: { ouro: version, ...versions },
          node: process.version,
          wallTimeMs: r.wallMs,
          finishedAt: new Date().toISOString(),
          replicates: r.replicates,
          generations: r.generations,
          sweeps: r.sweeps,
          points: r.points,
          metrics: r.metrics,
          ...(r.samples ? { samples: r.samples } : {}),
          ...(r.models ? { models: r.models } : {}),
          ...(r.selection ? { selection: r.selection } : {}),
          ...(r.views ? { views: r.views } : {}),
          ...(r.theory ? { theory: r.theory } : {}),
        };
        try {
          mkdirSync(dir, { recursive: true });
          writeAtomic(join(dir, 'result.json'), JSON.stringify(json, null, 1) + '\n');
          writeAtomic(join(dir, 'metrics.csv'), metricsCsv(r));
        } catch (e) {
          unwritten.push(r.name);
          io.err(`ouro run: the results of ${r.name} could not be written to ${dir}: ${errorText(e)}`);
          return;
        }
        try {
          const run: RunResult = {
            backend,
            preview: r.preview,
            seedOverride: parsed.seed ?? null,
            versions: { ouro: version, ...versions },
            experiments: [r],
            wallMs: r.wallMs,
          };
          const meta = {
            runId: `cli-${startedAt}`,
            uri,
            startedAt,
            specHash: sha256,
            title: `${basename(uri)} · ${r.name}`,
          };
          writeAtomic(join(dir, 'report.html'), renderReport(run, meta));
        } catch (e) {
          io.err(`ouro run: report.html for ${r.name} not written: ${errorText(e)}`);
        }
        const rel = relative(process.cwd(), dir);
        written.push(rel && !rel.startsWith('..') ? rel : dir);
      },
    });
    const result = await handle.done;
    if (tty) process.stderr.write('\r\x1b[K');
    io.out(summaries.join('\n\n'));
    io.err(
      `ran ${count(result.experiments.length, 'experiment')} on ${result.backend.name} in ${formatDuration(result.wallMs)}; ${written.length ? `results in ${written.join(', ')}` : 'no results written'}${unwritten.length ? `; not written: ${unwritten.join(', ')} (the figures are above)` : ''}`,
    );
    return unwritten.length ? 1 : 0;
  } catch (e) {
    if (tty) process.stderr.write('\r\x1b[K');
    if (summaries.length) io.out(summaries.join('\n\n'));
    if (e instanceof RuntimeError && e.code === 'aborted') {
      io.err(
        `ouro run: ${e.message}${written.length ? `; the finished experiments' results are in ${written.join(', ')}` : '; no experiment had finished'}`,
      );
      return 130;
    }
    if (e instanceof RuntimeError) {
      io.err(`${e.nodeId ? `${where(ir, e.nodeId, file)}: error` : 'ouro run'}: ${e.message}`);
      return 1;
    }
    io.err(`ouro run: internal error: ${errorText(e)}`);
    return 1;
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
}
