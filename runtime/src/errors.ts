/**
 * Errors the runtime raises. Each names the IR node it concerns, so a host can point at the spec
 * (the IR's `sourceMap` maps the node id to path:line:col).
 */
export type RuntimeErrorCode =
  | 'unsupported' // a construct this runtime does not execute yet
  | 'invalid' // a value the runtime cannot use (a negative weight, a fractional count, ...)
  | 'divergence' // NaN or Inf in a model's state
  | 'backend' // the requested backend cannot be loaded
  | 'aborted' // the caller's AbortSignal fired
  | 'not-found'; // an experiment name that is not in the spec

export class RuntimeError extends Error {
  override name = 'RuntimeError';
  constructor(
    readonly code: RuntimeErrorCode,
    /** The IR node the error concerns; null when none applies (e.g. a backend that cannot load). */
    readonly nodeId: string | null,
    message: string,
  ) {
    super(message);
  }
}

/** NaN or Inf in a model's state: which model, at which step, and the likely cause. */
export class DivergenceError extends RuntimeError {
  constructor(
    nodeId: string,
    readonly model: string,
    readonly step: number,
    readonly likelyCause: string,
    readonly experiment: string,
  ) {
    super(
      'divergence',
      nodeId,
      `model \`${model}\` diverged (NaN or Inf) at generation ${step} of experiment \`${experiment}\`: ${likelyCause}`,
    );
    this.name = 'DivergenceError';
  }
}

export function unsupported(nodeId: string | null, what: string): RuntimeError {
  return new RuntimeError('unsupported', nodeId, `${what} is not supported by this runtime yet`);
}
