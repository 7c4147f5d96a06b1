/**
 * Worker-thread entry of train-pool.ts: loads the backend, compiles the `train` job from the IR, then
 * trains each run it is sent and posts its metrics and samples back.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createBackend } from './backend.js';
import { compileTrain } from './train.js';
import type { WorkerInput, WorkerMessage } from './train-pool.js';
import { serializeError } from './worker.js';

const input = workerData as WorkerInput;
const port = parentPort!;
const post = (m: WorkerMessage): void => port.postMessage(m);

try {
  await createBackend(input.backend, input.wasmPaths === undefined ? undefined : { wasmPaths: input.wasmPaths });
  const exp = input.ir.experiments.find((e) => e.name === input.experiment)!;
  const job = compileTrain(input.ir, exp, input.preview, input.seed, { workers: 1 });
  port.on('message', (msg: { b: number }) => {
    const b = msg.b;
    job
      .runOne(b, (t) => post({ type: 'progress', b, t }), undefined)
      .then(
        (out) => post({ type: 'done', b, out }),
        (e: unknown) => post({ type: 'error', error: serializeError(e) }),
      );
  });
  post({ type: 'ready' });
} catch (e) {
  post({ type: 'error', error: serializeError(e) });
}
