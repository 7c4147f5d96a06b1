/**
 * @ouro/runtime: executes Ouro's IR on TensorFlow.js. It sees only the IR (types from @ouro/dsl), never
 * text, AST or LSP, and does no file IO: the host reads specs and writes results.
 */
export {
  createBackend,
  currentBackend,
  tfVersions,
  backendRequests,
  type BackendInfo,
  type BackendName,
  type BackendOptions,
  type BackendRequest,
} from './backend.js';
export { execute } from './execute.js';
export { modeScores } from './metrics.js';
export { loadDigits, type ImageSet, type ImageSplits } from './images.js';
export { FractalModel, IndependentPixels, fractalOrder, type LikelihoodModel } from './fractal.js';
export { bitsPerDim } from './fit.js';
export { RuntimeError, DivergenceError, type RuntimeErrorCode } from './errors.js';
export { KeySpace, Stream, hashString, mixKeys } from './random.js';
export type { Scalar } from './expr.js';
export type * from './types.js';
export { startRun, type RunHandle, type StartRunOptions, type WorkerRunOptions } from './worker.js';
