import type { Analysis } from '../semantics/analyze.js';
import type { Sym } from '../semantics/symbols.js';
import type { TextRange } from '../text/text-range.js';
import type { IToken } from 'chevrotain';

/** A symbol's identity across analyses: the file and offset that declare it. */
export function symbolKey(s: Pick<Sym, 'uri' | 'nameRange' | 'name'>): string {
  return `${s.uri}#${s.nameRange.start}:${s.name}`;
}

export interface SymbolHit {
  readonly symbol: Sym;
  /** The range of the name under the cursor. */
  readonly range: TextRange;
  readonly isDeclaration: boolean;
}

function inside(r: TextRange, offset: number): boolean {
  return offset >= r.start && offset <= r.end;
}

/** The declared symbol named at `offset`: a reference or the declaration itself. */
export function symbolAt(a: Analysis, offset: number): SymbolHit | undefined {
  for (const r of a.references) {
    if (inside(r.range, offset)) return { symbol: r.symbol, range: r.range, isDeclaration: false };
  }
  for (const s of a.symbols) {
    if (s.uri === a.uri && inside(s.nameRange, offset)) return { symbol: s, range: s.nameRange, isDeclaration: true };
  }
  return undefined;
}

export interface Location {
  readonly uri: string;
  readonly range: TextRange;
}

/** Every occurrence of a symbol in the given analyses (declaration first when included). */
export function occurrences(
  key: string,
  analyses: Iterable<Analysis>,
  includeDeclaration: boolean,
): (Location & { isDeclaration: boolean })[] {
  const out: (Location & { isDeclaration: boolean })[] = [];
  const seen = new Set<string>();
  const add = (uri: string, range: TextRange, isDeclaration: boolean): void => {
    const k = `${uri}:${range.start}:${range.end}`;
    if (seen.has(k)) return;
    seen.add(k);
    out.push({ uri, range, isDeclaration });
  };
  for (const a of analyses) {
    if (includeDeclaration) {
      for (const s of a.symbols) if (s.uri === a.uri && symbolKey(s) === key) add(a.uri, s.nameRange, true);
    }
    for (const r of a.references) if (symbolKey(r.symbol) === key) add(a.uri, r.range, false);
  }
  return out.sort(
    (x, y) =>
      Number(y.isDeclaration) - Number(x.isDeclaration) || x.uri.localeCompare(y.uri) || x.range.start - y.range.start,
  );
}

/** The token at or just before `offset` (the word the cursor touches). */
export function tokenAt(a: Analysis, offset: number): IToken | undefined {
  const toks = a.parse.tokens;
  let lo = 0;
  let hi = toks.length - 1;
  let best: IToken | undefined;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const t = toks[mid]!;
    if (t.startOffset <= offset) {
      best = t;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  if (best && offset <= (best.endOffset ?? best.startOffset) + 1) return best;
  return undefined;
}

/** Index of the last token that ends at or before `offset`. */
export function tokenIndexBefore(tokens: readonly IToken[], offset: number): number {
  let lo = 0;
  let hi = tokens.length - 1;
  let best = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const t = tokens[mid]!;
    if ((t.endOffset ?? t.startOffset) + 1 <= offset) {
      best = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return best;
}

export const identifierPattern = /^[A-Za-z_][A-Za-z0-9_]*$/;
