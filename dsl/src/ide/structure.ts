import type * as A from '../syntax/ast.js';
import type { Analysis } from '../semantics/analyze.js';
import type { TextRange } from '../text/text-range.js';
import { LineIndex } from '../text/text-range.js';
import { nodesAt } from './ast-walk.js';

export type OutlineKind =
  'data' | 'const' | 'module' | 'experiment' | 'model' | 'generators' | 'sweep' | 'metric' | 'view' | 'loop' | 'use';

export interface OutlineItem {
  readonly name: string;
  readonly detail: string;
  readonly kind: OutlineKind;
  readonly range: TextRange;
  readonly selectionRange: TextRange;
  readonly children: readonly OutlineItem[];
}

/** The outline: top-level declarations, experiments with their statements. */
export function documentSymbols(a: Analysis): OutlineItem[] {
  const detailOf = (r: TextRange): string =>
    a.symbols.find((s) => s.uri === a.uri && s.nameRange.start === r.start)?.detail ?? '';
  const out: OutlineItem[] = [];
  for (const d of a.parse.spec.decls) {
    if (d.kind === 'Use') {
      if (d.path)
        out.push({
          name: `use "${d.path.value}"`,
          detail: '',
          kind: 'use',
          range: d.range,
          selectionRange: d.path.range,
          children: [],
        });
      continue;
    }
    if (!d.name) continue;
    const kind =
      d.kind === 'Data' ? 'data' : d.kind === 'Const' ? 'const' : d.kind === 'Module' ? 'module' : 'experiment';
    const children: OutlineItem[] = [];
    if (d.kind === 'Experiment') {
      for (const s of d.body) {
        const item = stmtItem(s, detailOf);
        if (item) children.push(item);
      }
    }
    out.push({
      name: d.name.text,
      detail: detailOf(d.name.range),
      kind,
      range: d.range,
      selectionRange: d.name.range,
      children,
    });
  }
  return out;
}

function stmtItem(s: A.Stmt, detailOf: (r: TextRange) => string): OutlineItem | undefined {
  const named = (name: A.Name | undefined, kind: OutlineKind): OutlineItem | undefined =>
    name
      ? {
          name: name.text,
          detail: detailOf(name.range),
          kind,
          range: s.range,
          selectionRange: name.range,
          children: [],
        }
      : undefined;
  const loop = (name: string): OutlineItem => ({
    name,
    detail: '',
    kind: 'loop',
    range: s.range,
    selectionRange: { start: s.range.start, end: s.range.start + name.split(' ')[0]!.length },
    children: [],
  });
  switch (s.kind) {
    case 'Model':
      return named(s.name, 'model');
    case 'Generators':
      return named(s.name, 'generators');
    case 'Sweep':
      return named(s.name, 'sweep');
    case 'Metric':
      return named(s.name, 'metric');
    case 'Retrain':
      return loop(`retrain ${s.model?.text ?? ''}`.trim());
    case 'Cycle':
      return loop('cycle');
    case 'Select':
      return loop(`select from ${s.from?.text ?? ''}`.trim());
    case 'Train':
      return loop('train');
    case 'Fit':
      return loop(`fit ${s.models.map((m) => m.text).join(', ')}`);
    case 'View': {
      const label = s.samples
        ? `samples ${s.samples.model?.text ?? ''}`
        : [s.subject?.text, s.over && `over ${s.over.text}`, s.by && `by ${s.by.text}`].filter(Boolean).join(' ');
      return {
        name: `view ${label}`,
        detail: '',
        kind: 'view',
        range: s.range,
        selectionRange: { start: s.range.start, end: s.range.start + 4 },
        children: [],
      };
    }
    default:
      return undefined;
  }
}

export interface FoldingRange {
  readonly startLine: number;
  readonly endLine: number;
  readonly kind: 'region' | 'comment';
}

/** Folding: braces spanning lines, block comments and runs of line comments. */
export function foldingRanges(a: Analysis): FoldingRange[] {
  const lines = new LineIndex(a.text);
  const out: FoldingRange[] = [];
  const stack: number[] = [];
  for (const t of a.parse.tokens) {
    if (t.image === '{' || t.image === '[' || t.image === '(') stack.push(t.startOffset);
    else if (t.image === '}' || t.image === ']' || t.image === ')') {
      const open = stack.pop();
      if (open === undefined) continue;
      const s = lines.lineCol(open).line;
      const e = lines.lineCol(t.startOffset).line;
      if (e > s) out.push({ startLine: s, endLine: e - 1, kind: 'region' });
    }
  }
  let runStart = -1;
  let runEnd = -1;
  const flush = (): void => {
    if (runStart >= 0 && runEnd > runStart) out.push({ startLine: runStart, endLine: runEnd, kind: 'comment' });
    runStart = -1;
  };
  for (const c of a.parse.spec.comments) {
    const s = lines.lineCol(c.range.start).line;
    const e = lines.lineCol(c.range.end).line;
    if (c.block) {
      flush();
      if (e > s) out.push({ startLine: s, endLine: e, kind: 'comment' });
      continue;
    }
    const lineStart = lines.lineStart(s);
    const own = a.text.slice(lineStart, c.range.start).trim() === '';
    if (!own) continue;
    if (runStart >= 0 && s === runEnd + 1) runEnd = s;
    else {
      flush();
      runStart = s;
      runEnd = s;
    }
  }
  flush();
  return out.sort((x, y) => x.startLine - y.startLine || y.endLine - x.endLine);
}

/** Ranges to grow a selection through, innermost first: the word, its expressions, statement, block, file. */
export function selectionRanges(a: Analysis, offset: number): TextRange[] {
  const chain = nodesAt(a.parse.spec, offset).map((n) => n.range);
  const word = /[A-Za-z0-9_.]/;
  let s = offset;
  let e = offset;
  while (s > 0 && /[A-Za-z0-9_]/.test(a.text[s - 1]!)) s--;
  while (e < a.text.length && /[A-Za-z0-9_]/.test(a.text[e]!)) e++;
  void word;
  const all = [...chain.reverse()];
  if (e > s) all.unshift({ start: s, end: e });
  all.push({ start: 0, end: a.text.length });
  // Keep strictly growing ranges only.
  const out: TextRange[] = [];
  for (const r of all) {
    const last = out[out.length - 1];
    if (!last || (r.start <= last.start && r.end >= last.end && (r.start < last.start || r.end > last.end)))
      out.push(r);
  }
  return out;
}
