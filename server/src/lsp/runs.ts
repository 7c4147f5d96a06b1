/**
 * Runs in the language server: run on save, `ouro/run` / `ouro/cancel` / `ouro/results` (views/src/protocol.ts),
 * and what the editor shows of the results (inlay values, code lenses, hover sparklines, runtime errors as
 * diagnostics). Every run executes in a worker thread (@ouro/runtime/worker), never on the server's thread.
 *
 * - On save of a spec without errors (after a short debounce) the experiments whose IR changed since their
 *   last successful run run at their preview budget; the others keep their results. Each experiment's IR is
 *   hashed (stable JSON of the experiment and the data it uses → sha256).
 * - A new save of a file cancels that file's running save run at once; an `ouro/run` request cancels any run
 *   of the file. At most one run per file; files wait in one first-come queue, and at most `maxConcurrent`
 *   runs at a time (half the cores, at least one).
 * - With `initializationOptions.storagePath` the history persists there (run-store.ts) and survives restarts.
 * - Run on save is on unless the client says otherwise: `initializationOptions.runOnSave` (false in an
 *   untrusted workspace), then `workspace/didChangeConfiguration` with `settings.ouro.runOnSave`.
 *
 * Everything here works on offsets; server.ts converts them to LSP positions.
 */
import { createHash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { dirname } from 'node:path';
import { lower, type Analysis, type IrExperiment, type IrProgram, type TextRange } from '@ouro/dsl';
import type { BackendRequest, ExperimentResult, ProgressEvent, RunResult, Table } from '@ouro/runtime';
import { isBackendRequest } from '@ouro/runtime/backends';
import { RuntimeError, startRun, WarmWorkers, type RunHandle, type StartRunOptions } from '@ouro/runtime/worker';
import {
  RunEndedNotificationMethod,
  RunProgressNotificationMethod,
  RunStartedNotificationMethod,
  type ExperimentHistory,
  type RunBudget,
  type RunEndedParams,
  type RunProgressParams,
  type RunRecord,
  type RunStartedParams,
  type RunTrigger,
  runRecord,
  type RunMeta,
} from '@ouro/views';
import { hoverMarkdown, inlayLabel, summarize } from './run-previews.js';
import { RunStore } from './run-store.js';
import { CsvError, readTables } from '../tables.js';
import { uriToPath, type Workspace } from './workspace.js';

/** What the run manager needs from the server. */
export interface RunsHost {
  notify(method: string, params: unknown): void;
  /** A file's run results or run errors changed: republish its diagnostics, refresh hints and lenses. */
  changed(uri: string): void;
  log(message: string): void;
}

export interface RunsOptions {
  /** Quiet time after a save before its run starts (default 150 ms). */
  readonly debounceMs?: number;
  readonly maxConcurrent?: number;
  /** Runs kept per experiment (default 20). */
  readonly historySize?: number;
  /** For tests and bundles: the worker script, the wasm binaries' directory. */
  readonly worker?: Pick<StartRunOptions, 'workerUrl' | 'wasmPaths' | 'graceMs'>;
}

export interface RunSettings {
  readonly runOnSave?: boolean;
  readonly backend?: BackendRequest;
}

/** A runtime error shown as a diagnostic until the experiment's next successful run. */
export interface RunError {
  readonly experiment: string;
  readonly nodeId: string | null;
  readonly code: string;
  readonly message: string;
  /** The IR the failed run executed, to place the error when the current text no longer lowers. */
  readonly ir: IrProgram;
}

/** An offset-based diagnostic; server.ts converts it. */
export interface RunDiagnostic {
  readonly range: TextRange;
  readonly message: string;
  readonly code: string;
}

export interface RunInlayHint {
  readonly offset: number;
  readonly label: string;
  readonly tooltip: string;
}

export interface RunCodeLens {
  readonly range: TextRange;
  readonly title: string;
  /** Empty for a label that does nothing when clicked. */
  readonly command: string;
  readonly arguments?: unknown[];
}

interface Request {
  readonly runId: string;
  readonly trigger: RunTrigger;
  readonly budget: RunBudget;
  /** Only this experiment (a command's); a save runs the changed ones. */
  readonly experiment?: string;
}

interface Active {
  readonly request: Request;
  readonly handle: RunHandle;
}

interface FileState {
  /** Per experiment, newest first. */
  readonly history: Map<string, RunRecord[]>;
  readonly errors: Map<string, RunError>;
  active?: Active;
  pending?: Request;
  debounce?: ReturnType<typeof setTimeout>;
}

/** JSON with object keys sorted, so equal values give equal text. */
export function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  if (v && typeof v === 'object')
    return `{${Object.keys(v)
      .sort()
      .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${stableJson((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(v) ?? 'null';
}

/** The data declarations a value refers to (`{ data: name }` anywhere inside). */
function dataRefs(v: unknown, out: Set<string>): Set<string> {
  if (Array.isArray(v)) for (const x of v) dataRefs(x, out);
  else if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      if (k === 'data' && typeof x === 'string') out.add(x);
      else dataRefs(x, out);
    }
  }
  return out;
}

/** Hash of what an experiment computes: its IR and the data declarations it uses (not source positions). */
export function experimentHash(ir: IrProgram, exp: IrExperiment): string {
  const names = dataRefs(exp, new Set());
  for (const n of names) dataRefs(ir.data[n], names); // data derived from data (subset(of: ...))
  const data = Object.fromEntries([...names].sort().map((n) => [n, ir.data[n] ?? null]));
  return createHash('sha256')
    .update(stableJson({ experiment: exp, data }))
    .digest('hex');
}

const experimentOfNode = (nodeId: string | null): string | undefined =>
  nodeId ? /^experiment:([^/]+)/.exec(nodeId)?.[1] : undefined;

const clock = (iso: string): string => {
  const d = new Date(iso);
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((x) => String(x).padStart(2, '0')).join(':');
};

const seconds = (ms: number): string => (ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 1000)} s`);

function ended(
  uri: string,
  req: Request,
  status: RunEndedParams['status'],
  message: string | undefined,
  records: readonly RunRecord[],
  wallMs: number,
): RunEndedParams {
  const { runId, budget, trigger } = req;
  return { runId, uri, budget, trigger, status, ...(message !== undefined ? { message } : {}), records, wallMs };
}

export class RunManager {
  private readonly files = new Map<string, FileState>();
  /** Files with a pending request, first come first served. */
  private readonly queue: string[] = [];
  private running = 0;
  private counter = 0;
  private readonly maxConcurrent: number;
  private readonly debounceMs: number;
  private readonly historySize: number;
  /** The IR of each file's current text, memoised per text. */
  private readonly irMemo = new Map<string, { text: string; ir: IrProgram | undefined }>();
  /** Each experiment's hash, memoised per IR (inlay hints, code lenses and hovers ask on every request). */
  private readonly hashMemo = new WeakMap<IrProgram, Map<string, string>>();
  settings: Required<RunSettings> = { runOnSave: true, backend: 'auto' };
  /** A worker with the runtime loaded, ready for the next run (started while nothing runs). */
  private readonly warm: WarmWorkers;
  /** Where run records persist across restarts (`initializationOptions.storagePath`), if anywhere. */
  private store: RunStore | undefined;

  constructor(
    private readonly ws: Workspace,
    private readonly host: RunsHost,
    private readonly options: RunsOptions = {},
  ) {
    this.maxConcurrent = options.maxConcurrent ?? Math.max(1, Math.floor(availableParallelism() / 2));
    this.debounceMs = options.debounceMs ?? 150;
    this.historySize = options.historySize ?? 20;
    this.warm = new WarmWorkers(options.worker?.workerUrl);
  }

  /** A spec was opened: with run on save on, have a worker ready before the first save. */
  warmUp(): void {
    if (this.settings.runOnSave) this.warm.refill(500);
  }

  /** Applies settings (initializationOptions or `ouro` settings); unknown values are ignored. */
  configure(s: unknown): void {
    if (!s || typeof s !== 'object') return;
    const { runOnSave, backend, storagePath } = s as Record<string, unknown>;
    if (typeof storagePath === 'string' && storagePath && !this.store)
      this.store = new RunStore(storagePath, this.historySize, (m) => this.host.log(m));
    if (typeof runOnSave === 'boolean') this.settings = { ...this.settings, runOnSave };
    if (isBackendRequest(backend)) this.settings = { ...this.settings, backend };
  }

  private file(uri: string): FileState {
    let f = this.files.get(uri);
    if (!f) this.files.set(uri, (f = { history: this.store?.load(uri) ?? new Map(), errors: new Map() }));
    return f;
  }

  /** The IR of the file's current text, or undefined when it has errors. */
  currentIr(uri: string): IrProgram | undefined {
    const doc = this.ws.document(uri);
    if (!doc) return undefined;
    const text = doc.getText();
    const m = this.irMemo.get(uri);
    if (m && m.text === text) return m.ir;
    const a = this.ws.analysis(uri);
    const ir = a ? lower(a) : undefined;
    this.irMemo.set(uri, { text, ir });
    return ir;
  }

  /** The hash of `exp`, an experiment of `ir`, computed once per IR. */
  private hashOf(ir: IrProgram, exp: IrExperiment): string {
    let hashes = this.hashMemo.get(ir);
    if (!hashes) this.hashMemo.set(ir, (hashes = new Map()));
    let h = hashes.get(exp.name);
    if (h === undefined) hashes.set(exp.name, (h = experimentHash(ir, exp)));
    return h;
  }

  private currentHash(uri: string, experiment: string): string | undefined {
    const ir = this.currentIr(uri);
    const exp = ir?.experiments.find((e) => e.name === experiment);
    return ir && exp ? this.hashOf(ir, exp) : undefined;
  }

  /** `textDocument/didSave`: cancels the file's stale save run now, and runs the changed experiments soon. */
  didSave(uri: string): void {
    if (!this.settings.runOnSave) return;
    const f = this.file(uri);
    if (f.active?.request.trigger === 'save') f.active.handle.cancel('a newer save of the spec supersedes this run');
    if (f.debounce) clearTimeout(f.debounce);
    f.debounce = setTimeout(() => {
      f.debounce = undefined;
      if (f.pending?.trigger === 'command') return; // a requested run is due anyway, on the latest text
      this.enqueue(uri, { runId: this.nextId(), trigger: 'save', budget: 'preview' });
    }, this.debounceMs);
  }

  /**
   * `ouro/run`: runs a file's experiments (one, or all) at a budget, whether or not they changed. Throws an
   * Error with a message for the user when the spec has errors or no such experiment.
   */
  request(uri: string, budget: RunBudget, experiment?: string): string {
    const ir = this.currentIr(uri);
    if (!ir) {
      if (!this.ws.document(uri)) throw new Error(`${uri} is not an Ouro spec the server knows`);
      throw new Error('the spec has errors: fix them to run it');
    }
    if (experiment !== undefined && !ir.experiments.some((e) => e.name === experiment))
      throw new Error(
        `no experiment \`${experiment}\`; the spec has ${ir.experiments.map((e) => `\`${e.name}\``).join(', ') || 'none'}`,
      );
    const f = this.file(uri);
    f.active?.handle.cancel('a new run of the spec was requested');
    const runId = this.nextId();
    this.enqueue(uri, { runId, trigger: 'command', budget, ...(experiment !== undefined ? { experiment } : {}) });
    return runId;
  }

  /** `ouro/cancel`: a run by id, or every run of a file (running or waiting). */
  cancel(params: { runId?: string; uri?: string }): void {
    for (const [uri, f] of this.files) {
      if (params.uri !== undefined && params.uri !== uri) continue;
      if (f.active && (params.runId === undefined || f.active.request.runId === params.runId))
        f.active.handle.cancel('cancelled by the user');
      if (f.pending && (params.runId === undefined || f.pending.runId === params.runId)) {
        if (f.pending.trigger === 'command') this.endedWithoutRun(uri, f.pending, 'cancelled');
        f.pending = undefined;
      }
      if (params.runId === undefined && f.debounce) {
        clearTimeout(f.debounce);
        f.debounce = undefined;
      }
    }
  }

  /** Cancels everything (server shutdown). */
  dispose(): void {
    this.warm.dispose();
    for (const f of this.files.values()) {
      if (f.debounce) clearTimeout(f.debounce);
      f.pending = undefined;
      f.active?.handle.cancel('the language server is shutting down');
    }
  }

  /** `ouro/results`: per experiment, its runs, newest first. */
  results(uri: string): ExperimentHistory[] {
    return [...this.file(uri).history].map(([experiment, runs]) => ({ experiment, runs }));
  }

  /** Whether a run of the file is running or waiting. */
  busy(uri: string): boolean {
    const f = this.files.get(uri);
    return !!(f?.active || f?.pending || f?.debounce);
  }

  private nextId(): string {
    return `run-${++this.counter}-${Date.now().toString(36)}`;
  }

  private enqueue(uri: string, req: Request): void {
    const f = this.file(uri);
    if (f.pending?.trigger === 'command' && f.pending.runId !== req.runId)
      this.endedWithoutRun(uri, f.pending, 'cancelled');
    f.pending = req;
    if (!this.queue.includes(uri)) this.queue.push(uri);
    this.pump();
  }

  private pump(): void {
    for (let i = 0; i < this.queue.length && this.running < this.maxConcurrent;) {
      const uri = this.queue[i]!;
      const f = this.file(uri);
      if (!f.pending) {
        this.queue.splice(i, 1);
        continue;
      }
      if (f.active) {
        i++; // its run is stopping: it keeps its place
        continue;
      }
      this.queue.splice(i, 1);
      const req = f.pending;
      f.pending = undefined;
      this.start(uri, f, req);
    }
  }

  /** A requested run that never started: the client was told its id, so it hears how it ended. */
  private endedWithoutRun(uri: string, req: Request, status: 'cancelled' | 'error', message?: string): void {
    this.host.notify(RunEndedNotificationMethod, ended(uri, req, status, message, [], 0));
  }

  private start(uri: string, f: FileState, req: Request): void {
    const ir = this.currentIr(uri);
    const text = this.ws.document(uri)?.getText();
    if (!ir || text === undefined) {
      if (req.trigger === 'command') this.endedWithoutRun(uri, req, 'error', 'the spec has errors: fix them to run it');
      return;
    }
    const hashes = new Map(ir.experiments.map((e) => [e.name, this.hashOf(ir, e)] as const));
    const chosen = ir.experiments.filter((e) =>
      req.experiment !== undefined
        ? e.name === req.experiment
        : req.trigger === 'command' || f.history.get(e.name)?.[0]?.irHash !== hashes.get(e.name),
    );
    if (chosen.length === 0) {
      if (req.trigger === 'command') this.endedWithoutRun(uri, req, 'error', `no experiment \`${req.experiment}\``);
      this.host.log(`${uri}: saved; no experiment changed since its last run`);
      return;
    }
    const runIr: IrProgram = { ...ir, experiments: chosen };
    const specHash = createHash('sha256').update(text).digest('hex');
    const startedAt = new Date().toISOString();
    const t0 = Date.now();
    const records: RunRecord[] = [];
    let last: ProgressEvent | undefined;
    let lastSent = 0;
    const progress = (e: ProgressEvent, finished?: RunRecord): void => {
      const p: RunProgressParams = {
        runId: req.runId,
        uri,
        experiment: e.experiment,
        fraction: e.fraction,
        etaMs: e.etaMs,
        step: e.step,
        steps: e.steps,
        unit: e.unit,
        ...(finished ? { finished } : {}),
      };
      this.host.notify(RunProgressNotificationMethod, p);
    };
    const meta: RunMeta = {
      runId: req.runId,
      uri,
      budget: req.budget,
      startedAt,
      specHash,
      irHashes: Object.fromEntries(hashes),
    };
    const onExperiment = (r: ExperimentResult, run: Pick<RunResult, 'backend' | 'versions'>) => {
      const record = runRecord(r, meta, run);
      records.push(record);
      const h = f.history.get(r.name) ?? [];
      f.history.set(r.name, [record, ...h].slice(0, this.historySize));
      this.store?.save(record);
      f.errors.delete(r.name);
      const e = last ?? {
        experiment: r.name,
        experimentIndex: 0,
        experimentCount: chosen.length,
        step: r.generations,
        steps: r.generations,
        unit: 'generation' as const,
        fraction: 1,
        elapsedMs: r.wallMs,
        etaMs: 0,
      };
      progress({ ...e, experiment: r.name, step: e.steps }, record);
      this.host.changed(uri);
    };
    // The CSV files the spec names, read here (the runtime does no file IO); a bad one fails the run with
    // its file, line and fix, shown at the data declaration.
    let tables: Record<string, Table> | undefined;
    let tableError: RuntimeError | undefined;
    try {
      tables = readTables(runIr, { toPath: (u) => uriToPath(u) ?? u });
    } catch (e) {
      if (!(e instanceof CsvError)) throw e;
      tableError = new RuntimeError('invalid', e.nodeId, e.message);
    }
    const handle: RunHandle = tableError
      ? { done: Promise.reject(tableError), cancel: () => undefined, cancelled: false }
      : startRun(runIr, {
          ...(tables ? { tables } : {}),
          preview: req.budget === 'preview',
          backend: this.settings.backend,
          ...(uriToPath(uri) ? { resolveFrom: dirname(uriToPath(uri)!) } : {}),
          ...this.options.worker,
          warm: this.warm,
          onProgress: (e) => {
            last = e;
            const now = Date.now();
            if (now - lastSent < 100 && e.step !== e.steps && e.step !== 0) return;
            lastSent = now;
            progress(e);
          },
          onExperiment,
        });
    f.active = { request: req, handle };
    this.running++;
    const started: RunStartedParams = {
      runId: req.runId,
      uri,
      budget: req.budget,
      trigger: req.trigger,
      experiments: chosen.map((e) => e.name),
    };
    this.host.notify(RunStartedNotificationMethod, started);
    this.host.log(
      `${uri}: ${req.trigger === 'save' ? 'saved; ' : ''}running ${started.experiments.join(', ')} (${req.budget})`,
    );
    const end = (status: RunEndedParams['status'], message?: string): void => {
      this.running--;
      f.active = undefined;
      const p = ended(uri, req, status, message, records, Date.now() - t0);
      this.host.notify(RunEndedNotificationMethod, p);
      this.host.log(`${uri}: run ${req.runId} ${status} in ${seconds(p.wallMs)}${message ? `: ${message}` : ''}`);
      this.host.changed(uri);
      this.pump();
      if (this.running === 0) this.warm.refill(200);
    };
    handle.done.then(
      () => end('ok'),
      (e: unknown) => {
        if (e instanceof RuntimeError && e.code === 'aborted') return end('cancelled');
        const nodeId = e instanceof RuntimeError ? e.nodeId : null;
        const experiment =
          experimentOfNode(nodeId) ?? last?.experiment ?? chosen[records.length]?.name ?? chosen[0]!.name;
        const message =
          e instanceof RuntimeError ? e.message : `internal error: ${e instanceof Error ? e.message : String(e)}`;
        f.errors.set(experiment, {
          experiment,
          nodeId,
          code: e instanceof RuntimeError ? e.code : 'internal',
          message,
          ir: runIr,
        });
        end('error', message);
      },
    );
  }

  /** Where a node of the file's spec is now (the current IR's source map, else the failed run's). */
  private place(uri: string, nodeId: string | null, experiment: string, runIr: IrProgram): TextRange | undefined {
    const text = this.ws.document(uri)?.getText();
    if (text === undefined) return undefined;
    const ir = this.currentIr(uri);
    const candidates = [nodeId, `experiment:${experiment}`].filter((x): x is string => x !== null);
    for (const map of [ir?.sourceMap, runIr.sourceMap]) {
      for (const id of candidates) {
        const src = map?.[id];
        if (!src || src.uri !== uri || src.start > text.length) continue;
        // The first line of the node: an error in an experiment does not underline the whole block.
        const nl = text.indexOf('\n', src.start);
        return { start: src.start, end: Math.min(src.end, nl < 0 ? text.length : nl) };
      }
    }
    return undefined;
  }

  /** Runtime errors of the file's experiments, until each one's next successful run. */
  diagnostics(uri: string): RunDiagnostic[] {
    const f = this.files.get(uri);
    if (!f) return [];
    const out: RunDiagnostic[] = [];
    for (const e of f.errors.values()) {
      const range = this.place(uri, e.nodeId, e.experiment, e.ir) ?? { start: 0, end: 0 };
      out.push({ range, message: e.message, code: `run-${e.code}` });
    }
    return out;
  }

  private latest(uri: string, experiment: string): RunRecord | undefined {
    return this.file(uri).history.get(experiment)?.[0];
  }

  private stale(uri: string, r: RunRecord): boolean {
    return this.currentHash(uri, r.experiment) !== r.irHash;
  }

  /** After each metric definition in [start, end]: its latest value. */
  inlayHints(uri: string, a: Analysis, start: number, end: number): RunInlayHint[] {
    const out: RunInlayHint[] = [];
    for (const s of a.symbols) {
      if (s.kind !== 'metric' || s.uri !== uri || !s.experiment) continue;
      if (s.declRange.end < start || s.declRange.start > end) continue;
      const r = this.latest(uri, s.experiment);
      if (!r) continue;
      const sum = summarize(r.result, s.name, r.result.views ?? this.views(uri, s.experiment));
      if (!sum) continue;
      const stale = this.stale(uri, r);
      out.push({
        offset: s.declRange.end,
        label: `${inlayLabel(sum)}${stale ? ' (stale)' : ''}`,
        tooltip: `${r.budget} run of ${clock(r.startedAt)} (${seconds(r.result.wallMs)}, ${r.result.replicates} replicates, seed ${r.result.seed}, ${r.backend.name})${stale ? '; the experiment changed since' : ''}`,
      });
    }
    return out;
  }

  private views(uri: string, experiment: string): IrExperiment['views'] {
    return this.currentIr(uri)?.experiments.find((e) => e.name === experiment)?.views ?? [];
  }

  /** Above each experiment: run preview, run full, open results, and its last run. */
  codeLenses(uri: string, a: Analysis): RunCodeLens[] {
    const out: RunCodeLens[] = [];
    for (const s of a.symbols) {
      if (s.kind !== 'experiment' || s.uri !== uri) continue;
      const args = [uri, s.name];
      const range = s.nameRange;
      out.push({ range, title: '▶ Run preview', command: 'ouro.runExperiment', arguments: args });
      out.push({ range, title: 'Run full', command: 'ouro.runExperimentFull', arguments: args });
      out.push({ range, title: 'Open results', command: 'ouro.openResults', arguments: args });
      const r = this.latest(uri, s.name);
      const f = this.files.get(uri);
      if (f?.active && (f.active.request.experiment ?? s.name) === s.name)
        out.push({ range, title: 'running…', command: '' });
      if (r)
        out.push({
          range,
          title: `last run ${clock(r.startedAt)}, ${seconds(r.result.wallMs)}${r.budget === 'full' ? ' (full)' : ''}${this.stale(uri, r) ? ' (stale)' : ''}`,
          command: '',
        });
      else if (f?.errors.has(s.name)) out.push({ range, title: 'last run failed', command: '' });
    }
    return out;
  }

  /** On a metric (its definition or a use in its experiment): a sparkline of its latest values. */
  hover(uri: string, symbol: { name: string; kind: string; experiment?: string }): string | undefined {
    if (symbol.kind !== 'metric' || !symbol.experiment) return undefined;
    const r = this.latest(uri, symbol.experiment);
    if (!r) return undefined;
    const sum = summarize(r.result, symbol.name, r.result.views ?? this.views(uri, symbol.experiment));
    if (!sum) return undefined;
    const stale = this.stale(uri, r) ? ' — stale: the experiment changed since' : '';
    const header = `**${symbol.name}** — ${r.budget} run of ${clock(r.startedAt)}, ${r.result.replicates} replicates, ${r.backend.name}${stale}`;
    return hoverMarkdown(sum, r.result, header);
  }
}
