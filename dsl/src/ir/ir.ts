import type { Cost } from '../semantics/cost.js';

/**
 * The intermediate representation handed to the runtime: plain JSON-serialisable data with stable
 * node ids. `sourceMap` maps every node id to its place in the spec, so run results and runtime
 * errors point back at lines. Produced only for specs without errors.
 */
export const IR_VERSION = 1;

export interface IrProgram {
  readonly version: typeof IR_VERSION;
  readonly uri: string;
  readonly data: Readonly<Record<string, IrData>>;
  readonly experiments: readonly IrExperiment[];
  readonly sourceMap: Readonly<Record<string, IrSource>>;
}

export interface IrSource {
  readonly uri: string;
  readonly start: number;
  readonly end: number;
  /** One-based line and column of the start. */
  readonly line: number;
  readonly col: number;
}

/** A statically known value; `expr` where it depends on sweep variables or the generation index `t`. */
export type IrValue =
  | number
  | string
  | boolean
  | null
  | readonly IrValue[]
  | { readonly call: string; readonly args: Readonly<Record<string, IrValue>> }
  | { readonly data: string; readonly split?: 'train' | 'test' }
  | { readonly model: string }
  | { readonly member: string; readonly of: IrValue }
  | { readonly selected: true }
  | { readonly expr: IrExpr };

export type IrExpr =
  | { readonly op: 'num'; readonly value: number }
  | { readonly op: 'bool'; readonly value: boolean }
  | { readonly op: 'sym'; readonly value: string }
  | { readonly op: 'var'; readonly name: string }
  | { readonly op: 'neg' | 'not'; readonly a: IrExpr }
  | { readonly op: 'bin'; readonly fn: string; readonly a: IrExpr; readonly b: IrExpr }
  | { readonly op: 'call'; readonly fn: string; readonly args: readonly IrExpr[] }
  | { readonly op: 'if'; readonly cond: IrExpr; readonly then: IrExpr; readonly else: IrExpr };

export interface IrData {
  readonly id: string;
  readonly name: string;
  readonly kind: string;
  readonly args: Readonly<Record<string, IrValue>>;
  readonly dim: number | null;
}

export interface IrSweep {
  readonly id: string;
  readonly name: string;
  readonly values: readonly IrValue[];
}

export interface IrModel {
  readonly id: string;
  readonly name: string;
  readonly kind: string;
  readonly args: Readonly<Record<string, IrValue>>;
  readonly on: IrValue | null;
  readonly dim: number | null;
  readonly classes: number | null;
  readonly params: number | null;
  /** For a fractal: levels from the top (sequence length, width, depth) and the pixel head's value count. */
  readonly fractal?: {
    readonly levels: readonly { tokens: number; width: number; depth: number }[];
    readonly head: number;
  };
}

export interface IrSchedule {
  readonly every: number;
  readonly unit: 'generation' | 'step' | 'round';
}

export interface IrSource_ {
  readonly id: string;
  readonly role: 'real' | 'synthetic';
  readonly count: IrValue;
  readonly from: IrValue;
  readonly every: IrSchedule | null;
}

export interface IrInject {
  readonly id: string;
  readonly amount: IrValue;
  /** What `amount` counts: in a retrain loop a dose of fresh samples; in a cycle the fresh fraction of the
   * learner's training set (round(F·N/(1 − F)) samples beside its N generated ones). */
  readonly amountKind: 'dose' | 'fraction';
  readonly from: IrValue;
  readonly into: string | null;
  readonly every: IrSchedule | null;
}

export interface IrRetrain {
  readonly id: string;
  readonly model: string;
  readonly sources: readonly IrSource_[];
  readonly injects: readonly IrInject[];
  /** Explicit weights, or a rule: optimal (w*(n/m)), pooled (by sample counts), real_only; `id` is the
   * `weights` line's node (null when the block has none and samples are pooled). */
  readonly weights: (
    { readonly real: IrValue; readonly synthetic: IrValue } | { readonly rule: 'optimal' | 'pooled' | 'real_only' }
  ) & { readonly id: string | null };
}

/** A method a `select` loop runs beside its algorithm, with its own settings; the score and the rounds are
 * the loop's. */
export interface IrCompared {
  /** Node id of the method in the `compare` statement. */
  readonly id: string;
  /** The method, e.g. `mixture_ucb_ogd`. */
  readonly call: string;
  /** Its own settings, catalog defaults filled in (never `score` or `rounds`). */
  readonly args: Readonly<Record<string, IrValue>>;
  /** As written: `vanilla_ucb`, `mixture_ucb_ogd(lr: 0.05)`. */
  readonly label: string;
}

export type IrLoop =
  | { readonly kind: 'retrain'; readonly generations: number; readonly loops: readonly IrRetrain[] }
  | {
      readonly kind: 'cycle';
      readonly id: string;
      readonly generations: number;
      readonly learns: readonly {
        readonly id: string;
        readonly learner: string;
        readonly teacher: string;
        readonly captions: boolean;
        readonly samples: IrValue;
      }[];
      readonly injects: readonly IrInject[];
      readonly frozen: readonly string[];
    }
  | {
      readonly kind: 'select';
      readonly id: string;
      readonly generators: readonly IrValue[];
      /** Per generator, a readable name: its expression in the list (`subset(modes, [0, 1, 2])`), or `g[i]`. */
      readonly generatorLabels: readonly string[];
      readonly algorithm: IrValue;
      readonly rounds: number;
      readonly compare: readonly IrCompared[];
    }
  | {
      readonly kind: 'train';
      readonly id: string;
      readonly generator: string;
      readonly discriminator: string;
      readonly data: IrValue;
      readonly phases: readonly {
        readonly id: string;
        readonly kind: 'cooperative' | 'adversarial';
        readonly steps: number;
        readonly when: IrValue | null;
        readonly options: Readonly<Record<string, IrValue>>;
      }[];
    }
  | {
      readonly kind: 'fit';
      readonly id: string;
      readonly models: readonly string[];
      readonly steps: number;
      readonly options: Readonly<Record<string, IrValue>>;
    };

export interface IrMetric {
  readonly id: string;
  readonly name: string;
  readonly metric: string;
  readonly args: Readonly<Record<string, IrValue>>;
  readonly schedule: IrSchedule | 'final';
}

export interface IrView {
  readonly id: string;
  readonly kind: 'over' | 'against' | 'proportions' | 'samples' | 'final';
  readonly metric: string | null;
  readonly over: string | null;
  readonly by: string | null;
  readonly mark: 'min' | 'max' | null;
  readonly model: string | null;
  readonly as: 'scatter' | 'grid' | null;
}

export interface IrExperiment {
  readonly id: string;
  readonly name: string;
  readonly seed: number;
  readonly replicates: number;
  readonly sweeps: readonly IrSweep[];
  readonly models: readonly IrModel[];
  readonly loop: IrLoop;
  readonly metrics: readonly IrMetric[];
  readonly views: readonly IrView[];
  /** Overrides for the preview budget (replicates, generations, steps, rounds, sweep). */
  readonly preview: Readonly<Record<string, number>>;
  readonly cost: Cost;
  readonly previewCost: Cost | null;
}
