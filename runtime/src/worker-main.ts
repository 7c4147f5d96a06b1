/**
 * The worker thread's entry (started by `startRun` in worker.ts): executes the IR it is handed and posts
 * progress, each finished experiment, then the result or the error. Cancellation arrives as a flag in shared
 * memory, read by `execute` between generations.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parentPort, workerData } from 'node:worker_threads';
import { currentBackend, tfVersions } from './backend.js';
import { execute } from './execute.js';
import type { AbortSignalLike } from './types.js';
import { serializeError, type FromWorker, type WorkerData } from './worker.js';

const port = parentPort;
if (!port) throw new Error('worker-main.js runs as a worker thread, started by startRun()');
const post = (m: FromWorker): void => port.postMessage(m);

/** Optional backends (tfjs-node) resolve from `resolveFrom` (the user's project) first, then from here. */
const importer =
  (resolveFrom: string | undefined) =>
  async (specifier: string): Promise<unknown> => {
    if (resolveFrom !== undefined) {
      try {
        const req = createRequire(pathToFileURL(join(resolveFrom, 'noop.js')).href);
        return await import(pathToFileURL(req.resolve(specifier)).href);
      } catch {
        // not installed there: try Ouro's own dependencies
      }
    }
    return import(specifier);
  };

/** Runs the program; an async function, not top-level await, so that a CommonJS bundle of this file works. */
async function main({ ir, options, abort }: WorkerData): Promise<void> {
  const signal: AbortSignalLike = {
    get aborted() {
      return Atomics.load(abort, 0) === 1;
    },
  };
  const { wasmPaths, resolveFrom, ...run } = options;
  try {
    const result = await execute(ir, {
      ...run,
      backendOptions: { importer: importer(resolveFrom), ...(wasmPaths !== undefined ? { wasmPaths } : {}) },
      signal,
      onProgress: (event) => post({ type: 'progress', event }),
      onExperiment: (result) =>
        post({ type: 'experiment', result, meta: { backend: currentBackend()!, versions: tfVersions() } }),
    });
    post({ type: 'done', result });
  } catch (e) {
    post({ type: 'error', error: serializeError(e) });
  }
}

// Started with its run, or started ahead (a warm spare, see WarmWorkers) and handed its run later.
const data = workerData as WorkerData | null;
if (data) void main(data);
else port.once('message', (m: { type: 'start'; data: WorkerData }) => void main(m.data));
