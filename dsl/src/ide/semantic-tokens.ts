import type { Analysis } from '../semantics/analyze.js';
import { lookup, constants, mathFunctions } from '../catalog/catalog.js';
import type { SymbolKind } from '../semantics/symbols.js';

/** Token types, in the order of the legend the server announces. */
export const semanticTokenTypes = [
  'keyword',
  'variable',
  'parameter',
  'function',
  'property',
  'enumMember',
  'number',
  'string',
  'comment',
  'operator',
  'class',
  'namespace',
  'type',
] as const;
export const semanticTokenModifiers = ['declaration', 'readonly', 'defaultLibrary'] as const;

export type SemanticTokenType = (typeof semanticTokenTypes)[number];

export interface SemanticToken {
  readonly start: number;
  readonly length: number;
  readonly type: SemanticTokenType;
  readonly modifiers: readonly (typeof semanticTokenModifiers)[number][];
}

const bySymbol: Record<SymbolKind, SemanticTokenType> = {
  data: 'variable',
  const: 'variable',
  module: 'function',
  experiment: 'namespace',
  model: 'class',
  generators: 'class',
  sweep: 'parameter',
  enum: 'enumMember',
  metric: 'property',
  param: 'parameter',
};

/** Classifies every token: keywords, declared names by kind, built-ins, literals, comments. */
export function semanticTokens(a: Analysis): SemanticToken[] {
  const out: SemanticToken[] = [];
  const refs = new Map<number, (typeof a.references)[number]>();
  for (const r of a.references) refs.set(r.range.start, r);
  const decls = new Map<number, (typeof a.symbols)[number]>();
  for (const s of a.symbols) if (s.uri === a.uri) decls.set(s.nameRange.start, s);
  const toks = a.parse.tokens;
  toks.forEach((t, i) => {
    const start = t.startOffset;
    const length = t.image.length;
    const name = t.tokenType.name;
    const next = toks[i + 1]?.image;
    const push = (type: SemanticTokenType, modifiers: SemanticToken['modifiers'] = []): void => {
      out.push({ start, length, type, modifiers });
    };
    if (name === 'NumberLiteral') return push('number');
    if (name === 'StringLiteral') return push('string');
    const isWord = /^[A-Za-z_]/.test(t.image);
    if (!isWord) {
      if (/^[-+*/%^<>=!.]+$/.test(t.image) && t.image !== '.') push('operator');
      return;
    }
    if (next === ':' && toks[i - 1]?.image !== '?') return push('parameter');
    const decl = decls.get(start);
    if (decl)
      return push(
        bySymbol[decl.kind],
        decl.kind === 'const' || decl.kind === 'data' ? ['declaration', 'readonly'] : ['declaration'],
      );
    const ref = refs.get(start);
    if (ref)
      return push(
        bySymbol[ref.symbol.kind],
        ref.symbol.kind === 'const' || ref.symbol.kind === 'data' ? ['readonly'] : [],
      );
    if (name !== 'Identifier') return push('keyword');
    if (next === '(' && (lookup(t.image).length > 0 || mathFunctions.some((f) => f.name === t.image)))
      return push('function', ['defaultLibrary']);
    if (constants.some((c) => c.name === t.image) || t.image === 't' || t.image === 'selected')
      return push('variable', ['readonly', 'defaultLibrary']);
    if (lookup(t.image).length > 0) return push('function', ['defaultLibrary']);
    push('enumMember');
  });
  for (const c of a.parse.spec.comments) {
    // Multi-line block comments are split per line by the server (LSP tokens cannot span lines).
    out.push({ start: c.range.start, length: c.range.end - c.range.start, type: 'comment', modifiers: [] });
  }
  return out.sort((x, y) => x.start - y.start);
}
