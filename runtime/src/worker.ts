/**
 * Runs an IR program in a `node:worker_threads` Worker, so that a host (the CLI, the language server) keeps
 * its own thread free and can cancel a run at any moment. This module does not load TensorFlow.js: only
 * the worker (`worker-main.ts`) does.
 *
 * Cancelling sets a flag in shared memory that `execute` reads between generations (rounds, steps); if the
 * worker has not stopped within `graceMs` (a long kernel, a stuck backend) it is terminated. Either way
 * `done` rejects with a RuntimeError of code `aborted`, and no experiment result arrives after the cancel:
 * a host that writes results from `onExperiment` only ever writes whole experiments.
 *
 * Errors keep their class across the thread boundary: RuntimeError and DivergenceError come back as
 * themselves, with their code, IR node id and (for divergence) model, step and likely cause.
 */
import { Worker } from 'node:worker_threads';
import type { IrProgram } from '@ouro/dsl';
import type { BackendInfo, BackendRequest } from './backend.js';
import { DivergenceError, RuntimeError, type RuntimeErrorCode } from './errors.js';
import type { ExecuteOptions, ExperimentResult, ProgressEvent, RunResult } from './types.js';

export { RuntimeError, DivergenceError, type RuntimeErrorCode } from './errors.js';

/** What ran an experiment: known only inside the worker, so it comes with each finished experiment. */
export interface ExperimentMeta {
  readonly backend: BackendInfo;
  /** Versions of the TensorFlow.js packages used. */
  readonly versions: Readonly<Record<string, string>>;
}

/** What the worker needs to run: plain data only (it crosses the thread boundary). */
export interface WorkerRunOptions {
  readonly experiment?: string;
  readonly preview?: boolean;
  readonly backend?: BackendRequest;
  readonly seed?: number;
  /** Where the wasm binaries lie, for bundled hosts (see BackendOptions.wasmPaths). */
  readonly wasmPaths?: string;
  /** A directory from which optional backends (tfjs-node) are resolved first, e.g. the user's project. */
  readonly resolveFrom?: string;
  /** The CSV files the spec names, read by the host (ExecuteOptions.tables). */
  readonly tables?: ExecuteOptions['tables'];
}

export interface StartRunOptions extends WorkerRunOptions {
  readonly onProgress?: (e: ProgressEvent) => void;
  /** Called as each experiment finishes; never after `cancel()`. */
  readonly onExperiment?: (r: ExperimentResult, meta: ExperimentMeta) => void;
  /** How long a cancelled run may take to stop on its own before its worker is terminated (default 250 ms). */
  readonly graceMs?: number;
  /** The worker script (a path, or a file: URL object); defaults to `worker-main.js` beside this module (a bundle ships it beside itself). */
  readonly workerUrl?: string | URL;
  /** Take the worker from here (one started ahead, with the runtime loaded) instead of starting one. */
  readonly warm?: WarmWorkers;
}

export interface RunHandle {
  /** The run's result; rejects with RuntimeError (code `aborted` when cancelled) or another Error. */
  readonly done: Promise<RunResult>;
  /** Cancels the run (idempotent); `done` settles within the grace period. */
  cancel(reason?: string): void;
  /** Whether cancel() was called. */
  readonly cancelled: boolean;
}

/** An error as it crosses the thread boundary. */
export interface SerializedError {
  readonly name: string;
  readonly message: string;
  readonly stack?: string;
  readonly code?: RuntimeErrorCode;
  readonly nodeId?: string | null;
  readonly divergence?: { model: string; step: number; likelyCause: string; experiment: string };
}

/** Worker → host messages. */
export type FromWorker =
  | { readonly type: 'progress'; readonly event: ProgressEvent }
  | { readonly type: 'experiment'; readonly result: ExperimentResult; readonly meta: ExperimentMeta }
  | { readonly type: 'done'; readonly result: RunResult }
  | { readonly type: 'error'; readonly error: SerializedError };

/** The worker's `workerData`. */
export interface WorkerData {
  readonly ir: IrProgram;
  readonly options: WorkerRunOptions;
  /** Int32Array over a SharedArrayBuffer: element 0 becomes 1 when the run is cancelled. */
  readonly abort: Int32Array;
}

export function serializeError(e: unknown): SerializedError {
  if (e instanceof DivergenceError)
    return {
      name: e.name,
      message: e.message,
      stack: e.stack,
      code: e.code,
      nodeId: e.nodeId,
      divergence: { model: e.model, step: e.step, likelyCause: e.likelyCause, experiment: e.experiment },
    };
  if (e instanceof RuntimeError)
    return { name: e.name, message: e.message, stack: e.stack, code: e.code, nodeId: e.nodeId };
  if (e instanceof Error) return { name: e.name, message: e.message, stack: e.stack };
  return { name: 'Error', message: String(e) };
}

export function deserializeError(s: SerializedError): Error {
  let e: Error;
  if (s.divergence && s.nodeId)
    e = new DivergenceError(
      s.nodeId,
      s.divergence.model,
      s.divergence.step,
      s.divergence.likelyCause,
      s.divergence.experiment,
    );
  else if (s.code) e = new RuntimeError(s.code, s.nodeId ?? null, s.message);
  else {
    e = new Error(s.message);
    e.name = s.name;
  }
  e.message = s.message; // a loop may reword it (the train loop counts steps, not generations)
  if (s.stack) e.stack = s.stack;
  return e;
}

const defaultWorkerUrl = (): URL => new URL('./worker-main.js', import.meta.url);

/**
 * One worker started ahead of its run, with the runtime (TensorFlow.js) already loaded, so that a run
 * starts without that cost (a language server's run on save). Each run still gets a fresh worker: a spare is
 * taken, never reused, and the next spare starts only once the runs are over (`refill`), so that loading it
 * does not compete with a run for the cores. An idle spare does not keep the process alive.
 */
export class WarmWorkers {
  private spare: Worker | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private disposed = false;

  constructor(private readonly workerUrl: string | URL = defaultWorkerUrl()) {}

  /** The spare (or a new worker), to be handed its run with `{ type: 'start', data }`. */
  take(): Worker {
    const w = this.spare ?? this.start();
    this.spare = undefined;
    w.removeAllListeners('error').removeAllListeners('exit');
    w.ref();
    return w;
  }

  /** Starts a spare after `delayMs` (if none is there); a no-op after dispose(). */
  refill(delayMs = 0): void {
    if (this.disposed || this.spare || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.disposed || this.spare) return;
      const w = this.start();
      const drop = (): void => {
        if (this.spare === w) this.spare = undefined;
      };
      w.on('error', drop).on('exit', drop);
      w.unref();
      this.spare = w;
    }, delayMs);
    this.timer.unref();
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer) clearTimeout(this.timer);
    void this.spare?.terminate();
    this.spare = undefined;
  }

  private start(): Worker {
    return new Worker(this.workerUrl, { workerData: null });
  }
}

/**
 * Starts executing `ir` in a new worker thread. Progress and finished experiments arrive through the
 * callbacks, on the caller's thread; `done` settles once, with the run's result or its error.
 */
export function startRun(ir: IrProgram, options: StartRunOptions = {}): RunHandle {
  const abort = new Int32Array(new SharedArrayBuffer(4));
  const runOptions: WorkerRunOptions = {
    ...(options.experiment !== undefined ? { experiment: options.experiment } : {}),
    ...(options.preview !== undefined ? { preview: options.preview } : {}),
    ...(options.backend !== undefined ? { backend: options.backend } : {}),
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
    ...(options.wasmPaths !== undefined ? { wasmPaths: options.wasmPaths } : {}),
    ...(options.resolveFrom !== undefined ? { resolveFrom: options.resolveFrom } : {}),
    ...(options.tables !== undefined ? { tables: options.tables } : {}),
  };
  const data: WorkerData = { ir, options: runOptions, abort };
  let worker: Worker;
  if (options.warm) {
    worker = options.warm.take();
    worker.postMessage({ type: 'start', data });
  } else worker = new Worker(options.workerUrl ?? defaultWorkerUrl(), { workerData: data });
  let settled = false;
  let cancelled = false;
  let cancelReason = 'the run was cancelled';
  let current: string | undefined; // the experiment running, for the cancellation's node id
  let graceTimer: ReturnType<typeof setTimeout> | undefined;
  let resolveDone!: (r: RunResult) => void;
  let rejectDone!: (e: Error) => void;
  const done = new Promise<RunResult>((res, rej) => {
    resolveDone = res;
    rejectDone = rej;
  });
  const aborted = (): RuntimeError => {
    const exp = current === undefined ? undefined : ir.experiments.find((e) => e.name === current);
    return new RuntimeError(
      'aborted',
      exp?.id ?? null,
      current === undefined ? cancelReason : `the run of \`${current}\` was cancelled`,
    );
  };
  const settle = (f: () => void): void => {
    if (settled) return;
    settled = true;
    if (graceTimer) clearTimeout(graceTimer);
    worker.removeAllListeners('message');
    f();
    void worker.terminate();
  };
  worker.on('message', (m: FromWorker) => {
    if (settled) return;
    switch (m.type) {
      case 'progress':
        current = m.event.experiment;
        if (!cancelled) options.onProgress?.(m.event);
        break;
      case 'experiment':
        if (!cancelled) options.onExperiment?.(m.result, m.meta);
        break;
      case 'done':
        settle(() => (cancelled ? rejectDone(aborted()) : resolveDone(m.result)));
        break;
      case 'error': {
        const e = deserializeError(m.error);
        settle(() => rejectDone(cancelled ? aborted() : e));
        break;
      }
    }
  });
  worker.on('error', (e) => settle(() => rejectDone(cancelled ? aborted() : e)));
  worker.on('exit', (code) =>
    settle(() =>
      rejectDone(cancelled ? aborted() : new Error(`the run's worker stopped unexpectedly (exit code ${code})`)),
    ),
  );
  return {
    done,
    get cancelled() {
      return cancelled;
    },
    cancel(reason?: string) {
      if (cancelled || settled) return;
      cancelled = true;
      if (reason) cancelReason = reason;
      Atomics.store(abort, 0, 1);
      graceTimer = setTimeout(() => settle(() => rejectDone(aborted())), options.graceMs ?? 250);
    },
  };
}
