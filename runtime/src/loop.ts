import type * as tf from '@tensorflow/tfjs';
import type { IrModel, IrProgram } from '@ouro/dsl';
import type { Plan } from './plan.js';
import type { ModelState, States } from './state.js';
import type { AbortSignalLike, ExperimentResult, Table } from './types.js';

/** What a loop runner sees: the program, the batch plan and the model states. */
export interface LoopCtx {
  readonly ir: IrProgram;
  readonly plan: Plan;
  readonly states: States;
  readonly models: ReadonlyMap<string, IrModel>;
  /** The CSV tables the host read (ExecuteOptions.tables). */
  readonly tables?: Readonly<Record<string, Table>>;
}

/** A compiled loop: validated before anything runs, then driven generation by generation. */
export interface LoopRunner {
  readonly kind: 'retrain' | 'cycle';
  /** Generation 0: the initial fits, written into the states. */
  init(): void;
  /** One generation: the models' next states (not yet committed; the driver checks them first). */
  step(t: number): Map<string, ModelState>;
  /** The likely cause of a non-finite state, given the previous and the proposed one. */
  diagnose(model: string, prev: ModelState | undefined, next: ModelState): Promise<string>;
  /** Releases tensors the runner holds itself (constants). */
  dispose?(): void;
}

/**
 * A compiled `train`, `select` or `fit` experiment: validated before anything runs, then run whole by
 * execute(), which reports progress in `unit`s of `plan.generations`.
 */
export interface LoopJob<U extends 'step' | 'round'> {
  readonly plan: Plan;
  /** Relative cost, for progress. */
  readonly weight: number;
  readonly unit: U;
  run(progress: (t: number) => void, signal: AbortSignalLike | undefined): Promise<ExperimentResult>;
}

/** Reads a tensor's values as numbers (awaiting the backend, so the event loop gets a turn). */
export async function read(t: tf.Tensor): Promise<Float32Array | Int32Array | Uint8Array> {
  return (await t.data()) as Float32Array | Int32Array | Uint8Array;
}
