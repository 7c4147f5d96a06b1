/**
 * Runs a `train` experiment's runs (sweep points × replicates) in worker threads, one per core: each run
 * is an independent GAN, and the wasm backend runs one thread per instance, so this is how a run uses
 * more than one core. Each worker loads the same backend, compiles the same job from the IR and trains
 * the runs it is handed (a queue, so a fast worker takes more); a run's result depends only on the seed
 * and its index, never on the worker. Cancelling terminates the workers; an error in a run (divergence)
 * stops all of them and is rethrown here as the same RuntimeError (worker.ts's serialisation). When workers cannot start (a bundled
 * host without the worker script), the runs train in this thread instead.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { currentBackend } from './backend.js';
import { RuntimeError } from './errors.js';
import type { Ctx, RunOutput, TrainRunOptions } from './train.js';
import type { AbortSignalLike } from './types.js';
import { deserializeError, type SerializedError } from './worker.js';

/** Work (estimated FLOPs) below which starting workers costs more than it saves. */
const MIN_FLOPS_FOR_WORKERS = 2e10;

export function workerCount(c: Ctx, opts: TrainRunOptions, runs: number): number {
  const backend = currentBackend()?.name;
  if (backend !== 'wasm' && backend !== 'cpu') return 1;
  if (opts.workers !== undefined) return Math.max(1, Math.min(Math.floor(opts.workers), runs));
  if (c.flops < MIN_FLOPS_FOR_WORKERS) return 1;
  return Math.max(1, Math.min(availableParallelism(), runs));
}

/** What the worker is started with (structured-cloneable). */
export interface WorkerInput {
  readonly ir: Ctx['ir'];
  readonly experiment: string;
  readonly preview: boolean;
  readonly seed: number | undefined;
  readonly backend: 'wasm' | 'cpu';
  readonly wasmPaths: string | undefined;
}

export type WorkerMessage =
  | { readonly type: 'ready' }
  | { readonly type: 'progress'; readonly b: number; readonly t: number }
  | { readonly type: 'done'; readonly b: number; readonly out: RunOutput }
  | { readonly type: 'error'; readonly error: SerializedError };

class WorkersUnavailable extends Error {}

export async function runInWorkers(
  c: Ctx,
  count: number,
  opts: TrainRunOptions,
  step: (b: number, t: number) => void,
  signal: AbortSignalLike | undefined,
  inProcess: () => Promise<RunOutput[]>,
): Promise<RunOutput[]> {
  try {
    return await pool(c, count, opts, step, signal);
  } catch (e) {
    if (e instanceof WorkersUnavailable) return inProcess();
    throw e;
  }
}

function pool(
  c: Ctx,
  count: number,
  opts: TrainRunOptions,
  step: (b: number, t: number) => void,
  signal: AbortSignalLike | undefined,
): Promise<RunOutput[]> {
  const runs = c.plan.P * c.plan.R;
  const input: WorkerInput = {
    ir: c.ir,
    experiment: c.plan.exp.name,
    preview: c.plan.preview,
    seed: c.seed,
    backend: currentBackend()!.name as 'wasm' | 'cpu',
    wasmPaths: opts.backendOptions?.wasmPaths,
  };
  const outs: RunOutput[] = new Array<RunOutput>(runs);
  let next = 0;
  let done = 0;
  let anyReady = false;
  const workers: Worker[] = [];
  return new Promise<RunOutput[]>((resolve, reject) => {
    let settled = false;
    const finish = (e: Error | null): void => {
      if (settled) return;
      settled = true;
      clearInterval(poll);
      for (const w of workers) void w.terminate();
      if (e) reject(e);
      else resolve(outs);
    };
    const poll = setInterval(() => {
      if (signal?.aborted)
        finish(new RuntimeError('aborted', c.plan.exp.id, `the run of \`${c.plan.exp.name}\` was cancelled`));
    }, 20);
    const idle = new Set<Worker>();
    const feed = (w: Worker): void => {
      if (next < runs) w.postMessage({ b: next++ });
      else {
        idle.add(w);
        void w.terminate();
      }
    };
    for (let k = 0; k < count; k++) {
      let w: Worker;
      try {
        w = new Worker(new URL('./train-worker.js', import.meta.url), { workerData: input });
      } catch (e) {
        return finish(new WorkersUnavailable(e instanceof Error ? e.message : String(e)));
      }
      workers.push(w);
      w.on('message', (m: WorkerMessage) => {
        if (settled) return;
        switch (m.type) {
          case 'ready':
            anyReady = true;
            return feed(w);
          case 'progress':
            return step(m.b, m.t);
          case 'done':
            outs[m.b] = m.out;
            step(m.b, c.T);
            if (++done === runs) return finish(null);
            return feed(w);
          case 'error':
            return finish(deserializeError(m.error));
        }
      });
      w.on('error', (e) => finish(anyReady ? e : new WorkersUnavailable(e.message)));
      w.on('exit', (code) => {
        if (!settled && !idle.has(w) && code !== 0) finish(new Error(`a training worker exited with code ${code}`));
      });
    }
  });
}
