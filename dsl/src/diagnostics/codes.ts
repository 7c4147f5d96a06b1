/**
 * Every diagnostic Ouro reports, in one table. Codes are stable kebab-case strings: tools and
 * tests branch on the code, never on the message. `paper` names the file in shared/papers that a
 * theory-backed diagnostic rests on.
 */
export type Severity = 'error' | 'warning' | 'info' | 'hint';

export interface CodeInfo {
  readonly severity: Severity;
  readonly title: string;
  readonly paper?: string;
}

export const codes = {
  // Syntax
  'unexpected-character': { severity: 'error', title: 'A character that no token starts with' },
  'unterminated-string': { severity: 'error', title: 'A string with no closing quote' },
  'unterminated-comment': { severity: 'error', title: 'A block comment with no closing */' },
  'syntax-error': { severity: 'error', title: 'The text does not follow the grammar' },
  'nesting-too-deep': { severity: 'error', title: 'Brackets nested deeper than the parser accepts' },
  // Names
  'unresolved-name': { severity: 'error', title: 'A name that is not declared' },
  'duplicate-name': { severity: 'error', title: 'A name declared twice in one scope' },
  'unused-declaration': { severity: 'warning', title: 'A declaration nothing uses' },
  'unresolved-import': { severity: 'error', title: 'A `use` of a file that cannot be read or checked' },
  'import-cycle': { severity: 'error', title: 'Files that `use` each other in a cycle' },
  'reserved-name': { severity: 'error', title: 'A declaration that shadows a built-in name' },
  // Kinds and types
  'unknown-function': {
    severity: 'error',
    title: 'A call of something that is not a known source, generator, metric or module',
  },
  'unknown-parameter': { severity: 'error', title: 'A named argument the callee does not take' },
  'missing-parameter': { severity: 'error', title: 'A required argument left out' },
  'duplicate-parameter': { severity: 'error', title: 'An argument given twice' },
  'too-many-arguments': { severity: 'error', title: 'More positional arguments than the callee takes' },
  'type-mismatch': { severity: 'error', title: 'A value of the wrong kind or type' },
  'unknown-member': { severity: 'error', title: 'A `.member` the value does not have' },
  'invalid-option': { severity: 'error', title: 'An option key not valid in its block' },
  'duplicate-statement': { severity: 'error', title: 'A statement that may appear once per experiment given twice' },
  'missing-statement': { severity: 'error', title: 'An experiment lacks a statement it needs' },
  'conflicting-statements': { severity: 'error', title: 'Statements that cannot be used together in one experiment' },
  'metric-kind-mismatch': { severity: 'error', title: 'A metric applied to a kind of model it cannot measure' },
  'invalid-schedule': { severity: 'error', title: "A metric schedule whose unit does not match the experiment's loop" },
  'invalid-view': { severity: 'error', title: 'A view that cannot be drawn from what the experiment measures' },
  // Shapes
  'dimension-mismatch': { severity: 'error', title: "A consumer's input dimension differs from its producer's output" },
  'fractal-size-mismatch': {
    severity: 'error',
    title: "A fractal's level sequence lengths do not multiply to the data size",
  },
  'infinite-recursion': { severity: 'error', title: 'A recursive module that never reaches a base case' },
  // Ranges
  'weight-out-of-range': { severity: 'error', title: 'A weight outside [0, 1]' },
  'weights-sum': { severity: 'error', title: 'Weights of one mix that do not sum to 1' },
  'non-positive-count': { severity: 'error', title: 'A count, size or width that must be a positive integer' },
  'value-out-of-range': { severity: 'error', title: 'A number outside the range its parameter accepts' },
  'invalid-range': { severity: 'error', title: 'A sweep range that is empty or has a non-positive step' },
  'division-by-zero': { severity: 'error', title: 'A constant expression divides by zero' },
  // Theory-backed
  'model-collapse': {
    severity: 'warning',
    title: 'A retraining loop with no fresh real data: model collapse expected',
    paper: 'golden-ratio.md',
  },
  'suboptimal-real-weight': {
    severity: 'warning',
    title: 'A real-data weight far from the optimum for the stated sample sizes',
    paper: 'golden-ratio.md',
  },
  'cycle-collapse': {
    severity: 'warning',
    title: 'A cycle between generators with no fresh data: diversity collapse expected',
    paper: 'coevolving.md',
  },
  'gan-random-init': {
    severity: 'info',
    title: 'A GAN trained from random initialisation: a cooperative phase stabilises early training',
    paper: 'coopinit.md',
  },
  // Cost and reproducibility
  'missing-seed': { severity: 'warning', title: 'An experiment with no seed is not reproducible' },
  'costly-without-preview': {
    severity: 'warning',
    title: 'A costly experiment with no preview budget for run-on-save',
  },
  'preview-not-smaller': { severity: 'warning', title: 'A preview budget that is not smaller than the full budget' },
} as const satisfies Record<string, CodeInfo>;

export type DiagnosticCode = keyof typeof codes;

export const allCodes = Object.keys(codes) as DiagnosticCode[];

export function codeInfo(code: DiagnosticCode): CodeInfo {
  return codes[code];
}
