import { parse, type ParseResult } from '../syntax/parse.js';
import type { Decl, OptionsBlock, Spec, Stmt } from '../syntax/ast.js';
import type { Diagnostic, TextEdit } from '../diagnostics/diagnostic.js';

/**
 * The Ouro formatter. It re-emits the lexer's tokens and the comments in source order with
 * canonical spacing; the AST says where statements, blocks and option blocks start, which `-`
 * is unary and which `(` opens an argument list. Only whitespace changes, plus the separating
 * commas of option blocks: `, ` between entries on one line, none between entries on their own
 * lines. Every other token and every comment is kept, in order.
 */

type TextRange = Diagnostic['range'];
type Token = ParseResult['tokens'][number];

export interface FormatOptions {
  /** Spaces per indentation level (default 2). */
  readonly indent?: number;
}

export interface FormatResult {
  readonly text: string;
  readonly changed: boolean;
  readonly diagnostics: readonly Diagnostic[];
}

/** Widest line a one-line options block may make. */
const MAX_WIDTH = 100;

/** A token or a comment, in the (LF-normalised) text. */
interface Item {
  readonly start: number;
  readonly end: number;
  readonly text: string;
  /** The token type's name ('LBrace', 'Identifier', ...), or 'LineComment' / 'BlockComment'. */
  readonly type: string;
}

interface Layout {
  readonly text: string;
  readonly items: readonly Item[];
  /** Where each item starts and ends in the output (a dropped comma: an empty span). */
  readonly outStart: readonly number[];
  readonly outEnd: readonly number[];
}

const NO_SPACE_BEFORE = new Set(['Comma', 'RParen', 'RBracket', 'Colon', 'Dot']);
const NO_SPACE_AFTER = new Set(['LParen', 'LBracket', 'Dot']);
const OPENERS = new Set(['LParen', 'LBracket']);
const CLOSERS = new Set(['RParen', 'RBracket']);
/** Declarations that may stay on adjacent lines. */
const ADJACENT_KINDS = new Set<Decl['kind']>(['Use', 'Data', 'Const']);
/** Option keys that would continue the previous entry's expression if the comma before them went. */
const INFIX_WORDS = new Set(['and', 'or', 'step']);

function isComment(it: Item): boolean {
  return it.type === 'LineComment' || it.type === 'BlockComment';
}

function countNewlines(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) if (text.charCodeAt(i) === 10) n++;
  return n;
}

/** A comment's text with trailing whitespace removed from each of its lines. */
function cleanComment(text: string): string {
  return text.replace(/[ \t\f\v\u00a0\ufeff]+$/gm, '');
}

/** What the AST tells the layout. */
interface Shape {
  /** Offsets of tokens that start a line: declarations, statements, block items. */
  readonly lineStarts: Set<number>;
  /** Options blocks by the offset of their `{`. */
  readonly optionBlocks: Map<number, OptionsBlock>;
  /** Offsets of unary minus signs. */
  readonly unaryMinus: Set<number>;
  /** Offsets of `(` that open an argument or parameter list (no space before). */
  readonly callParens: Set<number>;
  /** Declaration index by the offset where the declaration ends. */
  readonly declEnds: Map<number, number>;
}

function shapeOf(spec: Spec, items: readonly Item[]): Shape {
  const shape: Shape = {
    lineStarts: new Set(),
    optionBlocks: new Map(),
    unaryMinus: new Set(),
    callParens: new Set(),
    declEnds: new Map(),
  };
  const addOptions = (o: OptionsBlock | undefined): void => {
    if (o) shape.optionBlocks.set(o.range.start, o);
  };
  const addStmt = (s: Stmt): void => {
    shape.lineStarts.add(s.range.start);
    switch (s.kind) {
      case 'Retrain':
        for (const m of s.body) shape.lineStarts.add(m.range.start);
        break;
      case 'Cycle':
        for (const c of s.body) shape.lineStarts.add(c.range.start);
        break;
      case 'Train':
        for (const p of s.phases) {
          shape.lineStarts.add(p.range.start);
          addOptions(p.options);
        }
        break;
      case 'Model':
        for (const l of s.fractal?.levels ?? []) shape.lineStarts.add(l.range.start);
        break;
      case 'Fit':
      case 'Preview':
        addOptions(s.options);
        break;
      default:
        break;
    }
  };
  const byStart = new Map<number, number>();
  items.forEach((it, i) => byStart.set(it.start, i));
  spec.decls.forEach((d, k) => {
    shape.lineStarts.add(d.range.start);
    shape.declEnds.set(d.range.end, k);
    if (d.kind === 'Experiment') d.body.forEach(addStmt);
    if (d.kind === 'Module' && d.name) {
      // The parameter list's `(` follows the module's name.
      let i = (byStart.get(d.name.range.start) ?? items.length) + 1;
      while (i < items.length && isComment(items[i]!)) i++;
      const p = items[i];
      if (p?.type === 'LParen') shape.callParens.add(p.start);
    }
  });
  // Unary minus signs and argument lists, anywhere in an expression. Iterative: expressions may be deep.
  const stack: unknown[] = [spec.decls];
  while (stack.length > 0) {
    const v = stack.pop();
    if (Array.isArray(v)) {
      for (const x of v) stack.push(x);
      continue;
    }
    if (v === null || typeof v !== 'object') continue;
    const o = v as Record<string, unknown>;
    if (o['kind'] === 'Unary' && o['op'] === '-') shape.unaryMinus.add((o['range'] as TextRange).start);
    if (o['kind'] === 'Call') shape.callParens.add((o['argsRange'] as TextRange).start);
    for (const key of Object.keys(o)) {
      if (key !== 'range' && !key.endsWith('Range')) stack.push(o[key]);
    }
  }
  return shape;
}

function itemsOf(spec: Spec, tokens: readonly Token[]): Item[] {
  const items: Item[] = tokens.map((t) => ({
    start: t.startOffset,
    end: t.startOffset + t.image.length,
    text: t.image,
    type: t.tokenType.name,
  }));
  for (const c of spec.comments) {
    items.push({
      start: c.range.start,
      end: c.range.end,
      text: cleanComment(c.text),
      type: c.block ? 'BlockComment' : 'LineComment',
    });
  }
  return items.sort((a, b) => a.start - b.start);
}

interface Frame {
  readonly kind: 'block' | 'multi';
  /** Bracket depth at the `{`: a comma at this depth separates option entries. */
  readonly parens: number;
}

/** Lays out a text that parsed without diagnostics (`spec` and `tokens` are its parse). */
function layout(src: string, spec: Spec, tokens: readonly Token[], indentWidth: number): Layout {
  const items = itemsOf(spec, tokens);
  const shape = shapeOf(spec, items);
  const n = items.length;
  const match = new Array<number>(n).fill(-1);
  {
    const open: number[] = [];
    items.forEach((it, i) => {
      if (it.type === 'LBrace') open.push(i);
      else if (it.type === 'RBrace') {
        const o = open.pop();
        if (o !== undefined) match[o] = i;
      }
    });
  }
  const outStart = new Array<number>(n).fill(0);
  const outEnd = new Array<number>(n).fill(0);
  let out = '';
  let col = 0;
  const write = (s: string): void => {
    out += s;
    const nl = s.lastIndexOf('\n');
    col = nl < 0 ? col + s.length : s.length - nl - 1;
  };
  const emit = (i: number, text: string): void => {
    outStart[i] = out.length;
    write(text);
    outEnd[i] = out.length;
  };
  const drop = (i: number): void => {
    outStart[i] = out.length;
    outEnd[i] = out.length;
  };

  const inlineSep = (a: Item, b: Item): string => {
    if (b.type === 'LineComment') return ' ';
    if (NO_SPACE_AFTER.has(a.type)) return '';
    if (a.type === 'Minus' && shape.unaryMinus.has(a.start)) return '';
    if (b.type === 'BlockComment') return ' ';
    if (NO_SPACE_BEFORE.has(b.type)) return '';
    if (b.type === 'LParen' && a.type !== 'BlockComment' && shape.callParens.has(b.start)) return '';
    return ' ';
  };

  const frames: Frame[] = [];
  let parens = 0;
  /** Index of the declaration whose last token was the last emitted, until the next line break. */
  let pendingDecl = -1;
  let last = -1;

  /** Whether the comma at index i separates entries of a multi-line options block and goes. */
  const dropsComma = (i: number): boolean => {
    const top = frames[frames.length - 1];
    if (items[i]?.type !== 'Comma' || top?.kind !== 'multi' || top.parens !== parens) return false;
    let j = i + 1;
    while (j < n && isComment(items[j]!)) j++;
    const next = items[j];
    return !(next && INFIX_WORDS.has(next.text));
  };
  /** The next token after index i that will be printed, skipping comments and dropped commas. */
  const nextToken = (i: number): Item | undefined => {
    for (let j = i + 1; j < n; j++) {
      const it = items[j]!;
      if (isComment(it) || dropsComma(j)) continue;
      return it;
    }
    return undefined;
  };
  const afterToken = (i: number): void => {
    const it = items[i]!;
    if (OPENERS.has(it.type)) parens++;
    else if (CLOSERS.has(it.type)) parens = Math.max(0, parens - 1);
    const d = shape.declEnds.get(it.end);
    if (d !== undefined && frames.length === 0) pendingDecl = d;
  };

  /** The pieces (item index or -1 for an added comma, separator, text) of options block i..j laid out on one line. */
  const flatOptions = (
    i: number,
    j: number,
    block: OptionsBlock,
  ): { piece: [number, string, string][]; width: number } => {
    const entryEnds = new Set(block.entries.slice(0, -1).map((e) => e.range.end));
    const piece: [number, string, string][] = [[i, '', '{']];
    let prev: Item | undefined;
    let depth = 0;
    for (let k = i + 1; k < j; k++) {
      const it = items[k]!;
      if (it.type === 'Comma' && depth === 0) {
        piece.push([k, '', '']);
        continue;
      }
      piece.push([k, prev ? inlineSep(prev, it) : ' ', it.text]);
      prev = it;
      if (OPENERS.has(it.type)) depth++;
      else if (CLOSERS.has(it.type)) depth--;
      if (!isComment(it) && entryEnds.has(it.end)) {
        piece.push([-1, '', ',']);
        prev = { start: it.end, end: it.end, text: ',', type: 'Comma' };
      }
    }
    piece.push([j, ' ', '}']);
    return { piece, width: piece.reduce((w, [, sep, text]) => w + sep.length + text.length, 0) };
  };

  for (let i = 0; i < n; i++) {
    const it = items[i]!;
    if (dropsComma(i)) {
      drop(i);
      continue;
    }
    const prev = last >= 0 ? items[last] : undefined;
    const comment = isComment(it);
    const close = it.type === 'RBrace';
    const lineStart = !comment && shape.lineStarts.has(it.start);
    const nl = prev ? countNewlines(src, prev.end, it.start) : 0;
    if (close) frames.pop();
    const depth = frames.length;

    if (prev) {
      const breakLine =
        prev.type === 'LineComment' || lineStart || close || (nl > 0 && (comment || prev.type === 'BlockComment'));
      if (breakLine) {
        let level = depth + 1;
        let stmtLevel = false;
        if (lineStart || close) {
          level = depth;
          stmtLevel = lineStart;
        } else if (comment && nl > 0) {
          const next = nextToken(i);
          if (!next || next.type === 'RBrace' || shape.lineStarts.has(next.start)) {
            level = depth;
            stmtLevel = true;
          }
        }
        let blank = stmtLevel && nl >= 2 && prev.type !== 'LBrace';
        if (pendingDecl >= 0) {
          const a = spec.decls[pendingDecl];
          const b = spec.decls[pendingDecl + 1];
          if (a && b && !(ADJACENT_KINDS.has(a.kind) && ADJACENT_KINDS.has(b.kind))) blank = true;
          pendingDecl = -1;
        }
        write(blank ? '\n\n' : '\n');
        // A comment on its own line in column 1 stays there (commented-out code, fixture annotations).
        const columnOne = comment && nl > 0 && (it.start === 0 || src[it.start - 1] === '\n');
        write(' '.repeat(columnOne ? 0 : level * indentWidth));
      } else {
        write(inlineSep(prev, it));
      }
    }

    if (it.type === 'LBrace') {
      const j = match[i] ?? -1;
      if (j === i + 1) {
        emit(i, '{');
        emit(j, '}');
        last = j;
        afterToken(j);
        i = j;
        continue;
      }
      const block = shape.optionBlocks.get(it.start);
      if (block) {
        const end = items[j]?.end ?? it.end;
        const flat = src.slice(it.start, end).includes('\n') ? undefined : flatOptions(i, j, block);
        if (flat && col + flat.width <= MAX_WIDTH) {
          for (const [k, sep, text] of flat.piece) {
            write(sep);
            if (k >= 0) emit(k, text);
            else write(text);
          }
          last = j;
          i = j;
          continue;
        }
        frames.push({ kind: 'multi', parens });
        for (const e of block.entries) shape.lineStarts.add(e.range.start);
      } else {
        frames.push({ kind: 'block', parens });
      }
    }
    emit(i, it.text);
    last = i;
    if (!comment) afterToken(i);
  }
  if (out.length > 0) write('\n');
  return { text: out, items, outStart, outEnd };
}

/** Text with every CRLF (or lone CR) made LF, and where the dropped CRs were. */
function normalize(text: string): { text: string; dropped: number[] } {
  if (!text.includes('\r')) return { text, dropped: [] };
  const dropped: number[] = [];
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) === 13 && text.charCodeAt(i + 1) === 10) dropped.push(i);
  }
  return { text: text.replace(/\r\n?/g, '\n'), dropped };
}

/**
 * Formats an Ouro spec. A text with lex or parse errors is returned unchanged, with the parse's
 * diagnostics. The result ends with exactly one newline and uses LF line ends.
 */
export function format(text: string, options: FormatOptions = {}): FormatResult {
  const first = parse(text);
  if (first.diagnostics.length > 0) return { text, changed: false, diagnostics: first.diagnostics };
  const norm = normalize(text);
  const parsed = norm.text === text ? first : parse(norm.text);
  if (parsed.diagnostics.length > 0) return { text, changed: false, diagnostics: parsed.diagnostics };
  const out = layout(norm.text, parsed.spec, parsed.tokens, indentOf(options)).text;
  return { text: out, changed: out !== text, diagnostics: [] };
}

function indentOf(options: FormatOptions): number {
  const i = options.indent ?? 2;
  return Number.isInteger(i) && i >= 0 ? Math.min(i, 16) : 2;
}

function overlaps(u: TextRange, r: TextRange): boolean {
  if (r.start === r.end) return u.start <= r.start && r.start <= u.end;
  return u.start < r.end && r.start < u.end;
}

/**
 * Formats only the top-level declarations (or, for a range inside an experiment's braces, the
 * experiment's statements) that overlap `range`, for an editor's range formatting. Returns at
 * most one edit, covering the whitespace before the first such piece through the end of the last
 * (and the comments on its last line). A text with errors gets no edits.
 */
export function formatRange(text: string, range: TextRange, options: FormatOptions = {}): { edits: TextEdit[] } {
  const first = parse(text);
  if (first.diagnostics.length > 0) return { edits: [] };
  const norm = normalize(text);
  const parsed = norm.text === text ? first : parse(norm.text);
  if (parsed.diagnostics.length > 0) return { edits: [] };
  const dropped = norm.dropped;
  // Offsets: original -> normalised counts the CRs before; normalised -> original adds them back.
  const toNorm = (o: number): number => o - dropped.filter((k) => k < o).length;
  const toOrig = (o: number): number => o + dropped.filter((k, idx) => k - idx < o).length;
  const r = {
    start: toNorm(Math.max(0, range.start)),
    end: toNorm(Math.min(text.length, Math.max(range.start, range.end))),
  };

  const units: TextRange[] = [];
  for (const d of parsed.spec.decls) {
    if (!overlaps(d.range, r)) continue;
    if (d.kind === 'Experiment' && r.start > d.bodyRange.start && r.end < d.bodyRange.end) {
      for (const s of d.body) if (overlaps(s.range, r)) units.push(s.range);
    } else {
      units.push(d.range);
    }
  }
  const firstUnit = units[0];
  const lastUnit = units[units.length - 1];
  if (!firstUnit || !lastUnit) return { edits: [] };

  const lay = layout(norm.text, parsed.spec, parsed.tokens, indentOf(options));
  const items = lay.items;
  const a = items.findIndex((it) => it.start === firstUnit.start);
  let b = items.findIndex((it) => !isComment(it) && it.end === lastUnit.end);
  if (a < 0 || b < 0) return { edits: [] };
  // Comments on the last line of the piece go with it.
  while (
    b + 1 < items.length &&
    isComment(items[b + 1]!) &&
    !norm.text.slice(items[b]!.end, items[b + 1]!.start).includes('\n')
  )
    b++;

  const srcStart = a > 0 ? items[a - 1]!.end : 0;
  const srcEnd = items[b]!.end;
  const outStart = a > 0 ? lay.outEnd[a - 1]! : 0;
  const outEnd = lay.outEnd[b]!;
  let newText = lay.text.slice(outStart, outEnd);
  if (dropped.length > 0) newText = newText.replace(/\n/g, '\r\n');
  const start = toOrig(srcStart);
  const end = toOrig(srcEnd);
  if (text.slice(start, end) === newText) return { edits: [] };
  return { edits: [{ range: { start, end }, newText }] };
}
