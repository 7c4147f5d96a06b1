import type { TextRange } from '../text/text-range.js';

/**
 * The abstract syntax tree: plain readonly data. A piece that the parser could not
 * recover is `undefined` (for names and expressions) or left out (in lists).
 */

export interface Name {
  readonly text: string;
  readonly range: TextRange;
}

interface NodeBase {
  readonly range: TextRange;
}

// ---------- Expressions ----------

export interface NumberExpr extends NodeBase {
  readonly kind: 'Number';
  readonly value: number;
  readonly text: string;
}
export interface StringExpr extends NodeBase {
  readonly kind: 'String';
  readonly value: string;
}
export interface BoolExpr extends NodeBase {
  readonly kind: 'Bool';
  readonly value: boolean;
}
export interface NameExpr extends NodeBase {
  readonly kind: 'Name';
  readonly name: Name;
}
export interface MemberExpr extends NodeBase {
  readonly kind: 'Member';
  readonly object: Expr;
  readonly member: Name | undefined;
}
export interface Arg extends NodeBase {
  readonly name: Name | undefined;
  readonly value: Expr | undefined;
}
export interface CallExpr extends NodeBase {
  readonly kind: 'Call';
  readonly callee: Expr;
  readonly args: readonly Arg[];
  /** Range of the parenthesised argument list, including both parentheses. */
  readonly argsRange: TextRange;
}
export interface ListExpr extends NodeBase {
  readonly kind: 'List';
  readonly items: readonly Expr[];
}
export type BinaryOp = '+' | '-' | '*' | '/' | '%' | '^' | '==' | '!=' | '<' | '>' | '<=' | '>=' | 'and' | 'or';
export interface BinaryExpr extends NodeBase {
  readonly kind: 'Binary';
  readonly op: BinaryOp;
  readonly left: Expr;
  readonly right: Expr | undefined;
}
export interface UnaryExpr extends NodeBase {
  readonly kind: 'Unary';
  readonly op: '-' | 'not';
  readonly operand: Expr | undefined;
}
export interface RangeExpr extends NodeBase {
  readonly kind: 'Range';
  readonly from: Expr;
  readonly to: Expr | undefined;
  readonly step: Expr | undefined;
}
export interface IfExpr extends NodeBase {
  readonly kind: 'If';
  readonly cond: Expr | undefined;
  readonly then: Expr | undefined;
  readonly else: Expr | undefined;
}
export interface ParenExpr extends NodeBase {
  readonly kind: 'Paren';
  readonly inner: Expr | undefined;
}

export type Expr =
  | NumberExpr
  | StringExpr
  | BoolExpr
  | NameExpr
  | MemberExpr
  | CallExpr
  | ListExpr
  | BinaryExpr
  | UnaryExpr
  | RangeExpr
  | IfExpr
  | ParenExpr;

// ---------- Shared pieces ----------

/** `key: value` or `key(args)` inside `{ ... }`. */
export interface OptionEntry extends NodeBase {
  readonly key: Name | undefined;
  readonly value: Expr | undefined;
  /** For the `key(args)` form: the call. */
  readonly call: CallExpr | undefined;
}
export interface OptionsBlock extends NodeBase {
  readonly entries: readonly OptionEntry[];
}

export type UnitWord = 'generation' | 'step' | 'round';
/** `every [N] generations|steps|rounds` or `at final`. */
export interface Schedule extends NodeBase {
  readonly kind: 'every' | 'final';
  readonly count: Expr | undefined;
  readonly unit: UnitWord | undefined;
}

// ---------- Top-level declarations ----------

export interface UseDecl extends NodeBase {
  readonly kind: 'Use';
  readonly path: StringExpr | undefined;
}
export interface DataDecl extends NodeBase {
  readonly kind: 'Data';
  readonly name: Name | undefined;
  readonly value: Expr | undefined;
}
export interface ConstDecl extends NodeBase {
  readonly kind: 'Const';
  readonly name: Name | undefined;
  readonly value: Expr | undefined;
}
export interface Param extends NodeBase {
  readonly name: Name;
  readonly default: Expr | undefined;
}
export interface ModuleDecl extends NodeBase {
  readonly kind: 'Module';
  readonly name: Name | undefined;
  readonly params: readonly Param[];
  readonly body: Expr | undefined;
}
export interface ExperimentDecl extends NodeBase {
  readonly kind: 'Experiment';
  readonly name: Name | undefined;
  readonly body: readonly Stmt[];
  /** Range of `{ ... }`. */
  readonly bodyRange: TextRange;
}
export type Decl = UseDecl | DataDecl | ConstDecl | ModuleDecl | ExperimentDecl;

// ---------- Experiment statements ----------

export interface SeedStmt extends NodeBase {
  readonly kind: 'Seed';
  readonly value: Expr | undefined;
}
export interface ReplicatesStmt extends NodeBase {
  readonly kind: 'Replicates';
  readonly value: Expr | undefined;
}
export interface SweepStmt extends NodeBase {
  readonly kind: 'Sweep';
  readonly name: Name | undefined;
  readonly values: Expr | undefined;
}
export interface FractalLevel extends NodeBase {
  readonly kind: 'level' | 'pixel';
  readonly value: Expr | undefined;
}
export interface ModelStmt extends NodeBase {
  readonly kind: 'Model';
  readonly name: Name | undefined;
  /** The model expression; undefined for the `fractal { ... }` form. */
  readonly value: Expr | undefined;
  readonly on: Expr | undefined;
  /** Present for `model f = fractal on data { level ...; pixel ... }`. */
  readonly fractal: { readonly keywordRange: TextRange; readonly levels: readonly FractalLevel[] } | undefined;
}
export interface GeneratorsStmt extends NodeBase {
  readonly kind: 'Generators';
  readonly name: Name | undefined;
  readonly value: Expr | undefined;
}

export interface SourceStmt extends NodeBase {
  readonly kind: 'Source';
  readonly role: 'real' | 'synthetic';
  readonly count: Expr | undefined;
  readonly from: Expr | undefined;
  readonly every: Schedule | undefined;
}
export interface WeightEntry extends NodeBase {
  readonly key: Name | undefined;
  readonly value: Expr | undefined;
}
export interface WeightsStmt extends NodeBase {
  readonly kind: 'Weights';
  /** `weights optimal` / `weights pooled`: a named rule. */
  readonly rule: Name | undefined;
  readonly entries: readonly WeightEntry[];
}
export interface InjectStmt extends NodeBase {
  readonly kind: 'Inject';
  readonly amount: Expr | undefined;
  readonly from: Expr | undefined;
  readonly into: Name | undefined;
  readonly every: Schedule | undefined;
}
export type MixStmt = SourceStmt | WeightsStmt | InjectStmt;
export interface RetrainStmt extends NodeBase {
  readonly kind: 'Retrain';
  readonly model: Name | undefined;
  readonly generations: Expr | undefined;
  readonly body: readonly MixStmt[];
}

export interface LearnsStmt extends NodeBase {
  readonly kind: 'Learns';
  readonly learner: Name;
  readonly teacher: Name | undefined;
  readonly captions: boolean;
  readonly samples: Expr | undefined;
}
export interface FreezeStmt extends NodeBase {
  readonly kind: 'Freeze';
  readonly model: Name | undefined;
}
export type CycleItem = LearnsStmt | InjectStmt | FreezeStmt;
export interface CycleStmt extends NodeBase {
  readonly kind: 'Cycle';
  readonly generations: Expr | undefined;
  readonly body: readonly CycleItem[];
}

export interface SelectStmt extends NodeBase {
  readonly kind: 'Select';
  readonly from: Name | undefined;
  readonly by: Expr | undefined;
}
export interface CompareStmt extends NodeBase {
  readonly kind: 'Compare';
  /** A method's name, or a call that gives its own settings: `mixture_ucb_ogd(lr: 0.05)`. */
  readonly methods: readonly Expr[];
}
export interface PhaseStmt extends NodeBase {
  readonly kind: 'Phase';
  readonly phaseKind: Name | undefined;
  readonly steps: Expr | undefined;
  readonly when: Expr | undefined;
  readonly options: OptionsBlock | undefined;
}
export interface TrainStmt extends NodeBase {
  readonly kind: 'Train';
  readonly pair: Expr | undefined;
  readonly on: Expr | undefined;
  readonly phases: readonly PhaseStmt[];
}
export interface FitStmt extends NodeBase {
  readonly kind: 'Fit';
  readonly models: readonly Name[];
  readonly steps: Expr | undefined;
  readonly options: OptionsBlock | undefined;
}
export interface MetricStmt extends NodeBase {
  readonly kind: 'Metric';
  readonly name: Name | undefined;
  readonly value: Expr | undefined;
  readonly schedule: Schedule | undefined;
}
export interface ViewStmt extends NodeBase {
  readonly kind: 'View';
  /** `view samples g as scatter`. */
  readonly samples: { readonly model: Name | undefined; readonly as: Name | undefined } | undefined;
  /** The metric or built-in view (`proportions`) shown. */
  readonly subject: Name | undefined;
  readonly over: Name | undefined;
  readonly by: Name | undefined;
  readonly mark: Name | undefined;
}
export interface PreviewStmt extends NodeBase {
  readonly kind: 'Preview';
  readonly options: OptionsBlock | undefined;
}

export type Stmt =
  | SeedStmt
  | ReplicatesStmt
  | SweepStmt
  | ModelStmt
  | GeneratorsStmt
  | RetrainStmt
  | CycleStmt
  | SelectStmt
  | CompareStmt
  | TrainStmt
  | FitStmt
  | MetricStmt
  | ViewStmt
  | PreviewStmt;

export interface Comment {
  readonly text: string;
  readonly range: TextRange;
  readonly block: boolean;
}

export interface Spec {
  readonly kind: 'Spec';
  readonly decls: readonly Decl[];
  readonly comments: readonly Comment[];
  readonly range: TextRange;
}
