import type { BackendInfo, BackendOptions, BackendRequest } from './backend.js';
import type { Scalar } from './expr.js';

/** The part of an AbortSignal the runtime reads (no DOM or Node types needed). */
export interface AbortSignalLike {
  readonly aborted: boolean;
  readonly reason?: unknown;
}

export interface ProgressEvent {
  readonly experiment: string;
  /** 0-based index among the experiments run, and how many run. */
  readonly experimentIndex: number;
  readonly experimentCount: number;
  /** Generations done in this experiment, of `steps`. */
  readonly step: number;
  readonly steps: number;
  readonly unit: 'generation';
  /** Overall fraction done, over all experiments run (weighted by their estimated cost). */
  readonly fraction: number;
  readonly elapsedMs: number;
  /** Estimated time left; null until something is done. */
  readonly etaMs: number | null;
}

export interface ExecuteOptions {
  /** Run only this experiment (by name). */
  readonly experiment?: string;
  /** Apply each experiment's `preview { ... }` overrides. */
  readonly preview?: boolean;
  /** Which backend (default `auto`); see createBackend. */
  readonly backend?: BackendRequest;
  readonly backendOptions?: BackendOptions;
  /** Overrides every experiment's `seed`. */
  readonly seed?: number;
  readonly signal?: AbortSignalLike;
  readonly onProgress?: (e: ProgressEvent) => void;
  /** Called as each experiment finishes, before the next starts. */
  readonly onExperiment?: (r: ExperimentResult) => void;
}

export interface SweepResult {
  readonly id: string;
  readonly name: string;
  /** The values run (after preview thinning). */
  readonly values: readonly Scalar[];
  /** Their indices in the spec's list of values. */
  readonly indices: readonly number[];
}

export interface PointResult {
  /** Index of the point in the full sweep grid (the product of all sweeps' values, first sweep outermost). */
  readonly index: number;
  readonly values: Readonly<Record<string, Scalar>>;
}

export interface MetricSeries {
  readonly id: string;
  readonly name: string;
  /** The catalog metric, e.g. `mse`. */
  readonly metric: string;
  /** The method measured: the loop kind for retrain and cycle experiments. */
  readonly method: string;
  /** Generations at which the metric was recorded. */
  readonly t: readonly number[];
  /** values[point][replicate][i] is the metric at generation t[i]. */
  readonly values: readonly (readonly (readonly number[])[])[];
}

export interface ExperimentResult {
  readonly id: string;
  readonly name: string;
  /** The seed used (the spec's, or the override). */
  readonly seed: number;
  readonly preview: boolean;
  readonly loop: 'retrain' | 'cycle';
  readonly replicates: number;
  readonly generations: number;
  readonly sweeps: readonly SweepResult[];
  readonly points: readonly PointResult[];
  readonly metrics: readonly MetricSeries[];
  readonly wallMs: number;
}

export interface RunResult {
  readonly backend: BackendInfo;
  readonly preview: boolean;
  readonly seedOverride: number | null;
  /** Package versions of the TensorFlow.js packages used. */
  readonly versions: Readonly<Record<string, string>>;
  readonly experiments: readonly ExperimentResult[];
  readonly wallMs: number;
}
