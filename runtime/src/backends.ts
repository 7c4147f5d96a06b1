/**
 * The backends a run may ask for, without loading TensorFlow.js: the command line and the language server
 * check a requested name against this list at start-up, before (or without) loading the runtime.
 */
export type BackendRequest = 'auto' | 'wasm' | 'cpu' | 'tensorflow' | 'tensorflow-gpu';
export type BackendName = Exclude<BackendRequest, 'auto'>;
export const backendRequests: readonly BackendRequest[] = ['auto', 'wasm', 'cpu', 'tensorflow', 'tensorflow-gpu'];

/** Whether `x` names a backend a run may ask for. */
export function isBackendRequest(x: unknown): x is BackendRequest {
  return typeof x === 'string' && (backendRequests as readonly string[]).includes(x);
}
