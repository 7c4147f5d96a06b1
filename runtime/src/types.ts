import type { IrView } from '@ouro/dsl';
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
  /** Generations (training steps for a `train` loop, rounds for a `select` loop) done in this experiment, of `steps`. */
  readonly step: number;
  readonly steps: number;
  readonly unit: 'generation' | 'step' | 'round';
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
  /**
   * Worker threads for experiments whose runs are independent networks (`train`): default one per core
   * when the work repays starting them; 1 runs everything in this thread. Results do not depend on it.
   */
  readonly workers?: number;
  readonly onProgress?: (e: ProgressEvent) => void;
  /**
   * The CSV files the spec's `csv(path, ...)` sources name, read and parsed by the host (the runtime does
   * no file IO), keyed by `path` exactly as written in the spec.
   */
  readonly tables?: Readonly<Record<string, Table>>;
  /** Called as each experiment finishes, before the next starts. */
  readonly onExperiment?: (r: ExperimentResult) => void;
}

/** A parsed CSV file: a header and rows of numbers (NaN in a column that is not numeric). */
export interface Table {
  readonly columns: readonly string[];
  /** Per column: every row holds a finite number. */
  readonly numeric: readonly boolean[];
  readonly rows: readonly (readonly number[])[];
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
  /** The method measured: the loop kind for retrain and cycle experiments; for a `select` loop, the
   * selection method (`mixture_ucb_cab`, ..., one series per metric and method). */
  readonly method: string;
  /** For a `select` loop's `proportion:i` series (metric `proportion`): the generator i whose share of
   * the samples drawn so far it records. */
  readonly generator?: number;
  /** With `generator`: that generator's readable name (SelectionInfo's `generators[i].label`). */
  readonly label?: string;
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
  readonly loop: 'retrain' | 'cycle' | 'train' | 'select' | 'fit';
  readonly replicates: number;
  /** Generations; for a `train` loop, training steps (the phases end to end, after preview scaling); for a
   * `select` loop, rounds. */
  readonly generations: number;
  readonly sweeps: readonly SweepResult[];
  readonly points: readonly PointResult[];
  readonly metrics: readonly MetricSeries[];
  /** Model samples for `view samples M` (a `train` loop's generator; a `retrain` or `cycle` loop's model in its
   * final state): one set per view and sweep point, replicate 0. */
  readonly samples?: readonly SampleSet[];
  /** For a `fit` loop: each model trained (per sweep point and replicate), its size and its times. */
  readonly models?: readonly FittedModel[];
  /** For a `select` loop: its methods, generators and exact oracle values (see select.ts). */
  readonly selection?: SelectionInfo;
  /** The spec's `view` statements, in order: what the results views draw. */
  readonly views?: readonly IrView[];
  /** Closed-form curves of a metric against a swept parameter, for the views to overlay (see theory.ts). */
  readonly theory?: readonly TheoryCurve[];
  readonly wallMs: number;
}

/** A closed-form prediction of a metric's final value as a function of a sweep variable. */
export interface TheoryCurve {
  /** The metric series it predicts (its `name`). */
  readonly metric: string;
  /** The sweep variable on the x axis. */
  readonly by: string;
  /** The formula with the run's constants, e.g. `V*(w) = (w²/100 + (1 − w)²/100) / (w (2 − w))`. */
  readonly label: string;
  /** The paper in shared/papers/ it comes from. */
  readonly paper: string;
  /** The curve sampled over the swept range. */
  readonly x: readonly number[];
  readonly y: readonly number[];
  /** Where the curve is smallest. */
  readonly optimum: { readonly x: number; readonly y: number };
}

/** What a `select` run compared, per sweep point where it can differ. */
export interface SelectionInfo {
  /** The loop's algorithm, then its `compare` methods, each with its own settings: the `method` of the series
   * (the method's name; where two runs share a name, with their settings: `mixture_ucb_ogd(lr: 0.05, bonus: 1)`). */
  readonly methods: readonly string[];
  /** Generator i: its name as written in the generator list (`subset(modes, [0, 1, 2])`, else `g[i]`), and the
   * modes of its source it samples. */
  readonly generators: readonly {
    readonly label: string;
    readonly source: string;
    readonly modes: readonly number[];
  }[];
  /** The score optimised: `rke` (loss E k², RKE = 1/loss) or `kid` (loss MMD²). */
  readonly score: 'rke' | 'kid';
  /** Per sweep point: the exact optimal mixture weights, and the best single generator's index. */
  readonly oracleWeights: readonly (readonly number[])[];
  readonly bestSingle: readonly number[];
  /** Per sweep point: the exact loss of each single generator and of the optimal mixture. */
  readonly exactLoss: readonly { readonly single: readonly number[]; readonly oracle: number }[];
}

/** Samples of a model at the end of a run, for a scatter view. */
export interface SampleSet {
  /** The IR node id of the view that asked for them. */
  readonly view: string;
  readonly model: string;
  /** Index into the experiment's `points`. */
  readonly point: number;
  readonly replicate: number;
  /** The step at which they were drawn (the last). */
  readonly t: number;
  /** One row per sample: its coordinates (6 significant digits); for images, its pixels row-major. */
  readonly values: readonly (readonly number[])[];
  /** For images: `[height, width]` of each sample. */
  readonly shape?: readonly number[];
  /** For images: grey levels per pixel (values are 0..levels-1). */
  readonly levels?: number;
  /** The data the model learns, when it is a mixture of isotropic Gaussians (ring, grid): its mode centres
   * and their standard deviation, for a scatter against the truth. */
  readonly truth?: {
    readonly source: string;
    readonly centres: readonly (readonly number[])[];
    readonly std: number;
  };
}

/** A model a `fit` loop trained (at one sweep point and replicate). */
export interface FittedModel {
  readonly model: string;
  readonly id: string;
  readonly kind: 'fractal' | 'ar' | 'bernoulli_pixels';
  readonly point: number;
  readonly replicate: number;
  /** Free parameters (weights not masked out; independent probabilities). */
  readonly params: number;
  /** Wall time of the training steps (the closed-form fit for bernoulli_pixels). */
  readonly trainMs: number;
  /** Wall time to draw `samplesDrawn` samples; null when no view asked for samples. */
  readonly sampleMs: number | null;
  readonly samplesDrawn: number;
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
