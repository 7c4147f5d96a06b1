import type { TextRange } from '../text/text-range.js';
import { codes, type DiagnosticCode, type Severity } from './codes.js';

export interface RelatedInfo {
  readonly range: TextRange;
  readonly message: string;
  /** Another file, for cross-file information; undefined means the same file. */
  readonly uri?: string;
}

/** A machine-applicable edit that fixes a diagnostic (quick fixes in editors). */
export interface TextEdit {
  readonly range: TextRange;
  readonly newText: string;
}

export interface Fix {
  readonly title: string;
  readonly edits: readonly TextEdit[];
}

export interface Diagnostic {
  readonly code: DiagnosticCode;
  readonly severity: Severity;
  readonly message: string;
  readonly range: TextRange;
  /** The paper (file in shared/papers) a theory-backed diagnostic rests on. */
  readonly paper?: string;
  readonly related?: readonly RelatedInfo[];
  readonly fixes?: readonly Fix[];
  /** Marks code nothing uses (editors fade it). */
  readonly unnecessary?: boolean;
}

export function diag(
  code: DiagnosticCode,
  range: TextRange,
  message: string,
  extra: Partial<Pick<Diagnostic, 'related' | 'fixes' | 'unnecessary'>> = {},
): Diagnostic {
  const info = codes[code];
  const d: Diagnostic = { code, severity: info.severity, message, range, ...extra };
  return 'paper' in info ? { ...d, paper: info.paper } : d;
}

const order: Record<Severity, number> = { error: 0, warning: 1, info: 2, hint: 3 };

export function sortDiagnostics(ds: readonly Diagnostic[]): Diagnostic[] {
  return [...ds].sort(
    (a, b) => a.range.start - b.range.start || order[a.severity] - order[b.severity] || a.code.localeCompare(b.code),
  );
}
