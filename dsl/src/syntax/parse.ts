import { Lexer, type IToken, type IRecognitionException } from 'chevrotain';
import * as T from './tokens.js';
import { parserInstance } from './parser.js';
import { toSpec } from './cst-to-ast.js';
import type { Comment, Spec } from './ast.js';
import { diag, type Diagnostic } from '../diagnostics/diagnostic.js';
import type { TextRange } from '../text/text-range.js';

/** Deepest bracket nesting the parser accepts; deeper input is reported, not parsed. */
export const MAX_NESTING = 64;

export interface ParseResult {
  readonly spec: Spec;
  readonly tokens: readonly IToken[];
  readonly diagnostics: readonly Diagnostic[];
  /**
   * The top-level declarations parsed one by one, keyed by their text: a later parse of an edited
   * text (`parse(text, previous)`) reuses the unchanged ones, moved to their new offsets.
   */
  readonly chunks: readonly ParsedChunk[];
}

export interface ParsedChunk {
  readonly key: string;
  readonly start: number;
  readonly decls: readonly Spec['decls'][number][];
  readonly diagnostics: readonly Diagnostic[];
}

const lexer = new Lexer(T.allTokens, { positionTracking: 'full', ensureOptimizations: false });

const openers = new Set<unknown>([T.LParen, T.LBracket, T.LBrace]);
const closers = new Set<unknown>([T.RParen, T.RBracket, T.RBrace]);

function describe(t: IToken): string {
  if (t.tokenType.name === 'EOF') return 'the end of the file';
  return `'${t.image}'`;
}

/** Turns a Chevrotain recognition error into a message that names what was expected and where. */
function syntaxMessage(e: IRecognitionException): string {
  const got = describe(e.token);
  const stack = e.context?.ruleStack ?? [];
  const inner = stack[stack.length - 1] ?? '';
  const owner = [...stack].reverse().find((r) => /(Stmt|Decl)$/.test(r) || r === 'schedule' || r === 'optionsBlock');
  const where = owner ? ` in ${ownerWords(owner)}` : '';
  const m = /Expecting(?: token of type)? --> (\S+) <--/.exec(e.message);
  if (m) {
    const want = m[1] ?? '';
    if (want === 'EOF') return `unexpected ${got}: expected a declaration (data, const, module, experiment or use)`;
    if (want === 'RBrace') return `expected '}' to close the block${where}, or another statement, but found ${got}`;
    return `expected ${tokenWords(want)}${where} but found ${got}`;
  }
  if (e.name === 'NoViableAltException' || e.name === 'EarlyExitException') {
    if (expressionRules.has(inner))
      return `expected a value (a number, name, call, list or expression)${where} but found ${got}`;
    return `unexpected ${got}${where}; expected ${ruleWords[inner] ?? 'something else here'}`;
  }
  if (e.name === 'NotAllInputParsedException')
    return `unexpected ${got}: expected a declaration (data, const, module, experiment or use)`;
  return `unexpected ${got}${where}`;
}

const expressionRules = new Set(['expression', 'ifExpr', 'binaryExpr', 'prefixExpr', 'argList', 'arg']);

function ownerWords(rule: string): string {
  if (rule === 'schedule') return 'the schedule';
  if (rule === 'optionsBlock') return 'the options block';
  const word = rule.replace(/(Stmt|Decl)$/, '');
  const kw: Record<string, string> = {
    mix: 'the retrain block',
    source: 'the real/synthetic line',
    learns: 'the learns line',
    weightEntry: 'the weights',
    experiment: 'the experiment',
    phase: 'the phase',
  };
  return kw[word] ?? `the \`${word}\` ${rule.endsWith('Decl') ? 'declaration' : 'statement'}`;
}

const ruleWords: Record<string, string> = {
  decl: 'a declaration (data, const, module, experiment or use)',
  stmt: 'an experiment statement (seed, replicates, sweep, model, generators, retrain, cycle, select, compare, train, fit, metric, view, preview)',
  mixStmt: 'a retrain block (real, synthetic, weights, inject)',
  cycleItem: 'a cycle block (`a learns from b samples N`, inject, freeze)',
  phaseStmt: 'a training phase',
  fractalLevel: 'a fractal level (level, pixel)',
  optionsBlock: 'an options block',
  optionEntry: 'an option (`key: value`)',
  schedule: 'a schedule (`at final` or `every N generations|steps|rounds`)',
  unit: 'a unit (generations, steps, rounds)',
  expression: 'an expression',
  prefixExpr: 'an expression (a number, string, name, list or parenthesised expression)',
  viewStmt: 'a view',
  weightsStmt: 'weights',
  modelStmt: 'a model declaration',
};

const tokenNames: Record<string, string> = {
  Identifier: 'a name',
  AnyName: 'a name',
  NumberLiteral: 'a number',
  StringLiteral: 'a string',
  LParen: "'('",
  RParen: "')'",
  LBrace: "'{'",
  RBrace: "'}'",
  LBracket: "'['",
  RBracket: "']'",
  Comma: "','",
  Colon: "':'",
  Equals: "'='",
  Dot: "'.'",
  DotDot: "'..'",
};

function tokenWords(name: string): string {
  if (tokenNames[name]) return tokenNames[name];
  return `'${name.charAt(0).toLowerCase()}${name.slice(1)}'`;
}

/** Drops tokens nested deeper than MAX_NESTING (with their brackets) and reports each such region once. */
function limitNesting(tokens: IToken[], diagnostics: Diagnostic[], regions: TextRange[]): IToken[] {
  let depth = 0;
  let tooDeep = false;
  let regionStart = 0;
  const out: IToken[] = [];
  for (const t of tokens) {
    if (openers.has(t.tokenType)) {
      depth++;
      if (depth > MAX_NESTING) {
        if (!tooDeep) {
          diagnostics.push(
            diag(
              'nesting-too-deep',
              { start: t.startOffset, end: t.startOffset + 1 },
              `brackets nest deeper than ${MAX_NESTING} levels here; flatten the expression or name its parts with const`,
            ),
          );
          tooDeep = true;
          regionStart = out.length > 0 ? out[out.length - 1]!.startOffset : t.startOffset;
        }
        continue;
      }
    } else if (closers.has(t.tokenType)) {
      depth = Math.max(0, depth - 1);
      if (depth >= MAX_NESTING) continue;
      if (tooDeep) {
        regions.push({ start: regionStart, end: (t.endOffset ?? t.startOffset) + 1 });
        tooDeep = false;
      }
    } else if (depth > MAX_NESTING) continue;
    out.push(t);
  }
  return out;
}

const declStarts = new Set<unknown>([T.Use, T.Data, T.Const, T.Module, T.Experiment]);

/** Indices of the tokens that start top-level declarations: a declaration keyword outside any bracket. */
function declarationStarts(tokens: readonly IToken[]): number[] {
  const starts: number[] = [];
  let depth = 0;
  tokens.forEach((t, i) => {
    if (openers.has(t.tokenType)) depth++;
    else if (closers.has(t.tokenType)) depth = Math.max(0, depth - 1);
    else if (depth === 0 && declStarts.has(t.tokenType)) starts.push(i);
  });
  return starts;
}

/**
 * Parses a run of tokens. If the parser's recursion overflows the stack (a pathologically deep
 * expression such as ten thousand unary minus signs), the run is split at top-level declarations
 * and each is parsed alone, so that one bad declaration costs only itself.
 */
function parseChunk(
  tokens: IToken[],
  text: string,
  deep: TextRange[],
  decls: Spec['decls'][number][],
  diagnostics: Diagnostic[],
  comments: Comment[],
  follow?: IToken,
): void {
  const parser = parserInstance();
  parser.input = tokens;
  try {
    const cst = parser.spec();
    const found: Diagnostic[] = [];
    for (const err of parser.errors) {
      // The end of a declaration that is not the file's last is reported as the token that follows it.
      const atEnd = err.token.tokenType.name === 'EOF' || Number.isNaN(err.token.startOffset);
      const e =
        atEnd && follow
          ? Object.assign(Object.create(Object.getPrototypeOf(err) as object) as IRecognitionException, err, {
              token: follow,
            })
          : err;
      const t = e.token;
      const eof = t.tokenType.name === 'EOF' || Number.isNaN(t.startOffset);
      const prev = (e as { previousToken?: IToken }).previousToken;
      const at = eof
        ? prev && !Number.isNaN(prev.endOffset ?? NaN)
          ? (prev.endOffset ?? 0) + 1
          : text.length
        : t.startOffset;
      const end = eof ? at : (t.endOffset ?? t.startOffset) + 1;
      // Errors caused by cutting out an over-deep region are already reported as nesting-too-deep.
      if (deep.some((r) => at >= r.start && at <= r.end)) continue;
      found.push(diag('syntax-error', { start: at, end: Math.max(end, at) }, syntaxMessage(e)));
    }
    const spec = toSpec(cst, comments, text.length);
    decls.push(...spec.decls);
    diagnostics.push(...found);
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    const starts = declarationStarts(tokens);
    if (starts.length <= 1) {
      const first = tokens[0];
      const at = first ? first.startOffset : 0;
      diagnostics.push(
        diag(
          'nesting-too-deep',
          { start: at, end: at + (first?.image.length ?? 0) },
          'this declaration nests too deeply to parse (for example a very long chain of unary operators); simplify it or split it with const',
        ),
      );
      return;
    }
    if (starts[0] !== 0) starts.unshift(0);
    for (let i = 0; i < starts.length; i++) {
      parseChunk(
        tokens.slice(starts[i], starts[i + 1] ?? tokens.length),
        text,
        deep,
        decls,
        diagnostics,
        comments,
        tokens[starts[i + 1] ?? -1] ?? follow,
      );
    }
  }
}

/** Moves every range in a parsed declaration (or diagnostic) by `delta`; a copy, the input is kept. */
function shifted<T>(x: T, delta: number): T {
  if (delta === 0 || x === null || typeof x !== 'object') return x;
  if (Array.isArray(x)) return x.map((y: unknown) => shifted(y, delta)) as T;
  const o: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(x as Record<string, unknown>)) {
    if (
      v !== null &&
      typeof v === 'object' &&
      !Array.isArray(v) &&
      'start' in v &&
      'end' in v &&
      Object.keys(v).length === 2
    ) {
      const r = v as TextRange;
      o[k] = { start: r.start + delta, end: r.end + delta };
    } else o[k] = shifted(v, delta);
  }
  return o as T;
}

/**
 * Parses a spec. Never throws: every problem is a diagnostic, and the AST holds what could be read.
 * With `previous` (the parse of an earlier version of the text), top-level declarations whose text
 * is unchanged are reused instead of parsed again.
 */
export function parse(text: string, previous?: ParseResult): ParseResult {
  const diagnostics: Diagnostic[] = [];
  const lexed = lexer.tokenize(text);
  for (const e of lexed.errors) {
    const ch = text.slice(e.offset, e.offset + e.length);
    diagnostics.push(
      diag(
        'unexpected-character',
        { start: e.offset, end: e.offset + e.length },
        `unexpected character${e.length > 1 ? 's' : ''} '${ch}'; remove ${e.length > 1 ? 'them' : 'it'}`,
      ),
    );
  }
  const comments: Comment[] = [];
  for (const c of lexed.groups['comments'] ?? []) {
    const r = { start: c.startOffset, end: (c.endOffset ?? c.startOffset) + 1 };
    if (c.tokenType === T.UnterminatedComment) {
      diagnostics.push(
        diag(
          'unterminated-comment',
          { start: r.start, end: r.start + 2 },
          'block comment is not closed; add */ where it should end',
        ),
      );
    }
    comments.push({ text: c.image, range: r, block: c.tokenType !== T.LineComment });
  }
  const tokens: IToken[] = [];
  for (const t of lexed.tokens) {
    if (t.tokenType === T.UnterminatedString) {
      diagnostics.push(
        diag(
          'unterminated-string',
          { start: t.startOffset, end: (t.endOffset ?? t.startOffset) + 1 },
          'string is not closed; add a closing " on the same line',
        ),
      );
      // Keep it as a string so that the parser does not report a second error.
      tokens.push(Object.assign({}, t, { tokenType: T.StringLiteral, tokenTypeIdx: T.StringLiteral.tokenTypeIdx }));
      continue;
    }
    tokens.push(t);
  }
  const deep: TextRange[] = [];
  const parsed = limitNesting(tokens, diagnostics, deep);
  const decls: Spec['decls'][number][] = [];
  const chunks: ParsedChunk[] = [];
  const reusable = new Map<string, ParsedChunk>();
  for (const c of previous?.chunks ?? []) reusable.set(c.key, c);
  const starts = declarationStarts(parsed);
  if (starts[0] !== 0) starts.unshift(0);
  for (let i = 0; i < starts.length; i++) {
    const slice = parsed.slice(starts[i], starts[i + 1] ?? parsed.length);
    const first = slice[0];
    const last = slice[slice.length - 1];
    if (!first || !last) continue;
    const start = first.startOffset;
    const key = text.slice(start, (last.endOffset ?? last.startOffset) + 1);
    const old = reusable.get(key);
    let chunk: ParsedChunk | undefined;
    if (old && !deep.some((r) => r.end >= start && r.start <= start + key.length)) {
      try {
        chunk = {
          key,
          start,
          decls: shifted(old.decls, start - old.start),
          diagnostics: shifted(old.diagnostics, start - old.start),
        };
      } catch (e) {
        if (!(e instanceof RangeError)) throw e;
      }
    }
    if (!chunk) {
      const d: Spec['decls'][number][] = [];
      const ds: Diagnostic[] = [];
      parseChunk(slice, text, deep, d, ds, comments, parsed[starts[i + 1] ?? -1]);
      chunk = { key, start, decls: d, diagnostics: ds };
    }
    chunks.push(chunk);
    decls.push(...chunk.decls);
    diagnostics.push(...chunk.diagnostics);
  }
  const spec: Spec = { kind: 'Spec', decls, comments, range: { start: 0, end: text.length } };
  return { spec, tokens, diagnostics: dedupe(diagnostics), chunks };
}

function dedupe(ds: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return ds.filter((d) => {
    const k = `${d.code}:${d.range.start}:${d.range.end}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
