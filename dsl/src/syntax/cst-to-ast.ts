import type { CstNode, IToken } from 'chevrotain';
import type * as A from './ast.js';
import type { TextRange } from '../text/text-range.js';

/* Turns Chevrotain's CST into the AST. Every child may be missing after error recovery,
 * so each accessor tolerates absence; nothing here throws on a partial tree. */

type Children = Record<string, (CstNode | IToken)[] | undefined>;

// The grammar never uses one key for both tokens and rules, so a key's children are all tokens or
// all nodes: the accessors need no per-element type test (this file is the parser's hot path).

function realToken(t: IToken | undefined): IToken | undefined {
  if (!t || t.isInsertedInRecovery || Number.isNaN(t.startOffset)) return undefined;
  return t;
}

function tok(ctx: Children, key: string, i = 0): IToken | undefined {
  return realToken(ctx[key]?.[i] as IToken | undefined);
}

const noTokens: IToken[] = [];
const noNodes: CstNode[] = [];

function toks(ctx: Children, key: string): IToken[] {
  const all = ctx[key] as IToken[] | undefined;
  if (!all) return noTokens;
  return all.some((t) => realToken(t) === undefined) ? all.filter((t) => realToken(t) !== undefined) : all;
}

function node(ctx: Children, key: string, i = 0): CstNode | undefined {
  return ctx[key]?.[i] as CstNode | undefined;
}

function nodes(ctx: Children, key: string): CstNode[] {
  return (ctx[key] as CstNode[] | undefined) ?? noNodes;
}

function tokRange(t: IToken): TextRange {
  return { start: t.startOffset, end: (t.endOffset ?? t.startOffset) + 1 };
}

function nodeRange(n: CstNode): TextRange {
  const loc = n.location;
  if (loc && !Number.isNaN(loc.startOffset)) {
    const end = loc.endOffset !== undefined && !Number.isNaN(loc.endOffset) ? loc.endOffset + 1 : loc.startOffset;
    return { start: loc.startOffset, end: Math.max(end, loc.startOffset) };
  }
  return { start: 0, end: 0 };
}

function nameOf(t: IToken | undefined): A.Name | undefined {
  return t ? { text: t.image, range: tokRange(t) } : undefined;
}

function spanOf(parts: (TextRange | undefined)[], fallback: TextRange): TextRange {
  let start = Infinity;
  let end = -Infinity;
  for (const p of parts) {
    if (!p) continue;
    start = Math.min(start, p.start);
    end = Math.max(end, p.end);
  }
  return Number.isFinite(start) ? { start, end } : fallback;
}

/** The text between the quotes (an unterminated string has no closing quote). */
function stringBody(image: string): string {
  return image.length >= 2 && image.endsWith('"') && !image.endsWith('\\"') ? image.slice(1, -1) : image.slice(1);
}

function unescape(s: string): string {
  return s.replace(/\\(.)/g, (_m, c: string) => (c === 'n' ? '\n' : c === 't' ? '\t' : c));
}

export function toSpec(cst: CstNode, comments: readonly A.Comment[], textLength: number): A.Spec {
  const decls: A.Decl[] = [];
  for (const d of nodes(cst.children, 'decl')) {
    const decl = toDecl(d);
    if (decl) decls.push(decl);
  }
  return { kind: 'Spec', decls, comments, range: { start: 0, end: textLength } };
}

function toDecl(d: CstNode): A.Decl | undefined {
  const c = d.children;
  const use = node(c, 'useDecl');
  if (use) {
    const s = tok(use.children, 'StringLiteral');
    return {
      kind: 'Use',
      range: nodeRange(use),
      path: s ? { kind: 'String', value: unescape(stringBody(s.image)), range: tokRange(s) } : undefined,
    };
  }
  const data = node(c, 'dataDecl') ?? node(c, 'constDecl');
  if (data) {
    return {
      kind: data.name === 'dataDecl' ? 'Data' : 'Const',
      range: nodeRange(data),
      name: nameOf(tok(data.children, 'Identifier')),
      value: expr(node(data.children, 'expression')),
    };
  }
  const mod = node(c, 'moduleDecl');
  if (mod) {
    const params: A.Param[] = [];
    for (const p of nodes(mod.children, 'param')) {
      const n = nameOf(tok(p.children, 'Identifier'));
      if (n) params.push({ name: n, default: expr(node(p.children, 'expression')), range: nodeRange(p) });
    }
    return {
      kind: 'Module',
      range: nodeRange(mod),
      name: nameOf(tok(mod.children, 'Identifier')),
      params,
      body: expr(node(mod.children, 'expression')),
    };
  }
  const exp = node(c, 'experimentDecl');
  if (exp) {
    const body: A.Stmt[] = [];
    for (const s of nodes(exp.children, 'stmt')) {
      const st = toStmt(s);
      if (st) body.push(st);
    }
    const lb = tok(exp.children, 'LBrace');
    const rb = tok(exp.children, 'RBrace');
    const r = nodeRange(exp);
    return {
      kind: 'Experiment',
      range: r,
      name: nameOf(tok(exp.children, 'Identifier')),
      body,
      bodyRange: { start: lb ? lb.startOffset : r.end, end: rb ? rb.endOffset! + 1 : r.end },
    };
  }
  return undefined;
}

function toSchedule(n: CstNode | undefined): A.Schedule | undefined {
  if (!n) return undefined;
  const c = n.children;
  if (tok(c, 'At')) return { kind: 'final', count: undefined, unit: undefined, range: nodeRange(n) };
  const u = node(c, 'unit');
  let unit: A.UnitWord | undefined;
  if (u) {
    const uc = u.children;
    if (uc.Generations || uc.Generation) unit = 'generation';
    else if (uc.Steps || uc.Step) unit = 'step';
    else if (uc.Rounds || uc.Round) unit = 'round';
  }
  return { kind: 'every', count: expr(node(c, 'expression')), unit, range: nodeRange(n) };
}

function toOptions(n: CstNode | undefined): A.OptionsBlock | undefined {
  if (!n) return undefined;
  const entries: A.OptionEntry[] = [];
  for (const e of nodes(n.children, 'optionEntry')) {
    const key = nameOf(tok(e.children, 'AnyName'));
    const argList = node(e.children, 'argList');
    let call: A.CallExpr | undefined;
    if (argList && key) {
      const callee: A.NameExpr = { kind: 'Name', name: key, range: key.range };
      const ar = nodeRange(argList);
      call = { kind: 'Call', callee, args: toArgs(argList), argsRange: ar, range: spanOf([key.range, ar], key.range) };
    }
    entries.push({ key, value: expr(node(e.children, 'expression')), call, range: nodeRange(e) });
  }
  return { entries, range: nodeRange(n) };
}

function toInject(n: CstNode): A.InjectStmt {
  const c = n.children;
  return {
    kind: 'Inject',
    range: nodeRange(n),
    amount: expr(node(c, 'amount')),
    from: expr(node(c, 'from')),
    into: nameOf(tok(c, 'Identifier')),
    every: toSchedule(node(c, 'schedule')),
  };
}

function toStmt(s: CstNode): A.Stmt | undefined {
  const key = Object.keys(s.children)[0];
  const n = key ? node(s.children, key) : undefined;
  if (!n) return undefined;
  const c = n.children;
  const range = nodeRange(n);
  switch (n.name) {
    case 'seedStmt':
      return { kind: 'Seed', range, value: expr(node(c, 'expression')) };
    case 'replicatesStmt':
      return { kind: 'Replicates', range, value: expr(node(c, 'expression')) };
    case 'sweepStmt':
      return { kind: 'Sweep', range, name: nameOf(tok(c, 'Identifier')), values: expr(node(c, 'expression')) };
    case 'modelStmt': {
      const fr = tok(c, 'Fractal');
      const levels: A.FractalLevel[] = [];
      for (const l of nodes(c, 'fractalLevel')) {
        levels.push({
          kind: tok(l.children, 'Pixel') ? 'pixel' : 'level',
          value: expr(node(l.children, 'expression')),
          range: nodeRange(l),
        });
      }
      return {
        kind: 'Model',
        range,
        name: nameOf(tok(c, 'Identifier')),
        value: expr(node(c, 'value')),
        on: expr(node(c, 'on')),
        fractal: fr ? { keywordRange: tokRange(fr), levels } : undefined,
      };
    }
    case 'generatorsStmt':
      return { kind: 'Generators', range, name: nameOf(tok(c, 'Identifier')), value: expr(node(c, 'expression')) };
    case 'retrainStmt': {
      const body: A.MixStmt[] = [];
      for (const m of nodes(c, 'mixStmt')) {
        const src = node(m.children, 'sourceStmt');
        const w = node(m.children, 'weightsStmt');
        const inj = node(m.children, 'injectStmt');
        if (src) {
          const sc = src.children;
          body.push({
            kind: 'Source',
            range: nodeRange(src),
            role: tok(sc, 'Real') ? 'real' : 'synthetic',
            count: expr(node(sc, 'count')),
            from: expr(node(sc, 'from')),
            every: toSchedule(node(sc, 'schedule')),
          });
        } else if (w) {
          const entries: A.WeightEntry[] = [];
          for (const e of nodes(w.children, 'weightEntry')) {
            entries.push({
              key: nameOf(tok(e.children, 'AnyName')),
              value: expr(node(e.children, 'expression')),
              range: nodeRange(e),
            });
          }
          body.push({ kind: 'Weights', range: nodeRange(w), rule: nameOf(tok(w.children, 'Identifier')), entries });
        } else if (inj) {
          body.push(toInject(inj));
        }
      }
      return {
        kind: 'Retrain',
        range,
        model: nameOf(tok(c, 'Identifier')),
        generations: expr(node(c, 'expression')),
        body,
      };
    }
    case 'cycleStmt': {
      const body: A.CycleItem[] = [];
      for (const it of nodes(c, 'cycleItem')) {
        const l = node(it.children, 'learnsStmt');
        const inj = node(it.children, 'injectStmt');
        const fz = node(it.children, 'freezeStmt');
        if (l) {
          const learner = nameOf(tok(l.children, 'learner'));
          if (!learner) continue;
          body.push({
            kind: 'Learns',
            range: nodeRange(l),
            learner,
            teacher: nameOf(tok(l.children, 'teacher')),
            captions: tok(l.children, 'Captions') !== undefined,
            samples: expr(node(l.children, 'expression')),
          });
        } else if (inj) body.push(toInject(inj));
        else if (fz) body.push({ kind: 'Freeze', range: nodeRange(fz), model: nameOf(tok(fz.children, 'Identifier')) });
      }
      return { kind: 'Cycle', range, generations: expr(node(c, 'expression')), body };
    }
    case 'selectStmt':
      return { kind: 'Select', range, from: nameOf(tok(c, 'Identifier')), by: expr(node(c, 'expression')) };
    case 'compareStmt':
      return {
        kind: 'Compare',
        range,
        methods: nodes(c, 'expression')
          .map(expr)
          .filter((x): x is A.Expr => x !== undefined),
      };
    case 'trainStmt': {
      const phases: A.PhaseStmt[] = [];
      for (const p of nodes(c, 'phaseStmt')) {
        const pc = p.children;
        phases.push({
          kind: 'Phase',
          range: nodeRange(p),
          phaseKind: nameOf(tok(pc, 'Identifier')),
          steps: expr(node(pc, 'steps')),
          when: expr(node(pc, 'when')),
          options: toOptions(node(pc, 'optionsBlock')),
        });
      }
      return { kind: 'Train', range, pair: expr(node(c, 'pair')), on: expr(node(c, 'on')), phases };
    }
    case 'fitStmt':
      return {
        kind: 'Fit',
        range,
        models: toks(c, 'Identifier').map((t) => nameOf(t)!),
        steps: expr(node(c, 'expression')),
        options: toOptions(node(c, 'optionsBlock')),
      };
    case 'metricStmt':
      return {
        kind: 'Metric',
        range,
        name: nameOf(tok(c, 'Identifier')),
        value: expr(node(c, 'expression')),
        schedule: toSchedule(node(c, 'schedule')),
      };
    case 'viewStmt': {
      const samples = tok(c, 'Samples');
      return {
        kind: 'View',
        range,
        samples: samples ? { model: nameOf(tok(c, 'model')), as: nameOf(tok(c, 'as')) } : undefined,
        subject: nameOf(tok(c, 'subject')),
        over: nameOf(tok(c, 'over')),
        by: nameOf(tok(c, 'by')),
        mark: nameOf(tok(c, 'mark')),
      };
    }
    case 'previewStmt':
      return { kind: 'Preview', range, options: toOptions(node(c, 'optionsBlock')) };
    default:
      return undefined;
  }
}

// ---------- Expressions ----------

function toArgs(argList: CstNode): A.Arg[] {
  const args: A.Arg[] = [];
  for (const a of nodes(argList.children, 'arg')) {
    const value = expr(node(a.children, 'expression'));
    const name = nameOf(tok(a.children, 'AnyName'));
    if (!value && !name) continue;
    args.push({ name, value, range: nodeRange(a) });
  }
  return args;
}

/** The operand of a prefixExpr node: its primary, then member accesses and calls in source order. */
function atomOf(n: CstNode): A.Expr | undefined {
  const c = n.children;
  let e: A.Expr | undefined;
  const num = tok(c, 'NumberLiteral');
  const str = tok(c, 'StringLiteral');
  const bool = tok(c, 'True') ?? tok(c, 'False');
  const id = tok(c, 'Identifier');
  const lb = tok(c, 'LBracket');
  const lp = tok(c, 'LParen');
  if (num) e = { kind: 'Number', value: Number(num.image), text: num.image, range: tokRange(num) };
  else if (str) e = { kind: 'String', value: unescape(stringBody(str.image)), range: tokRange(str) };
  else if (bool) e = { kind: 'Bool', value: bool.image === 'true', range: tokRange(bool) };
  else if (id) e = { kind: 'Name', name: nameOf(id)!, range: tokRange(id) };
  else if (lb) {
    const rb = tok(c, 'RBracket');
    const items: A.Expr[] = [];
    for (const x of nodes(c, 'items')) {
      const v = expr(x);
      if (v) items.push(v);
    }
    const last = items[items.length - 1];
    e = {
      kind: 'List',
      items,
      range: { start: lb.startOffset, end: rb ? rb.startOffset + 1 : (last?.range.end ?? lb.startOffset + 1) },
    };
  } else if (lp) {
    const rp = tok(c, 'RParen');
    const inner = expr(node(c, 'inner'));
    e = {
      kind: 'Paren',
      inner,
      range: { start: lp.startOffset, end: rp ? rp.startOffset + 1 : (inner?.range.end ?? lp.startOffset + 1) },
    };
  }
  if (!e) return undefined;
  // Member accesses and calls, applied in source order. A dot whose name is missing
  // (after recovery) still yields a member access with `member: undefined`.
  const dots = toks(c, 'Dot');
  const names = toks(c, 'AnyName');
  const calls = nodes(c, 'argList');
  if (dots.length === 0 && calls.length === 0) return e;
  type Piece = { offset: number; dot?: IToken; name?: IToken; args?: CstNode };
  const pieces: Piece[] = [
    ...dots.map((d) => ({ offset: d.startOffset, dot: d })),
    ...names.map((nm) => ({ offset: nm.startOffset, name: nm })),
    ...calls.map((al) => ({ offset: nodeRange(al).start, args: al })),
  ].sort((a, b) => a.offset - b.offset);
  for (let i = 0; i < pieces.length; i++) {
    const p = pieces[i]!;
    const x: A.Expr = e;
    if (p.dot) {
      const nm = pieces[i + 1]?.name;
      if (nm) i++;
      const last = nm ? tokRange(nm) : tokRange(p.dot);
      e = { kind: 'Member', object: x, member: nameOf(nm), range: spanOf([x.range, last], x.range) };
    } else if (p.args) {
      const ar = nodeRange(p.args);
      e = { kind: 'Call', callee: x, args: toArgs(p.args), argsRange: ar, range: spanOf([x.range, ar], x.range) };
    }
  }
  return e;
}

/** Binding powers of the binary operators; prefix `not` binds at 3, prefix `-` at 7. */
const binaryPower: Record<string, number> = {
  or: 1,
  and: 2,
  '==': 4,
  '!=': 4,
  '<': 4,
  '>': 4,
  '<=': 4,
  '>=': 4,
  '+': 5,
  '-': 5,
  '*': 6,
  '/': 6,
  '%': 6,
  '^': 8,
};

type Item = { op: IToken } | { prefix: IToken } | { atom: A.Expr | undefined; range: TextRange };

/**
 * Resolves a flat `operand (op operand)*` list, whose operands may carry prefix `-` / `not`, into a
 * tree by precedence climbing: `-x ^ 2` is `-(x ^ 2)`, `not a == b` is `not (a == b)`, `^` is
 * right-associative, the other operators left-associative.
 */
function binary(n: CstNode): A.Expr | undefined {
  const items: Item[] = [];
  const operands = nodes(n.children, 'operands');
  const ops = toks(n.children, 'ops');
  operands.forEach((o, i) => {
    for (const p of toks(o.children, 'prefix')) items.push({ prefix: p });
    items.push({ atom: atomOf(o), range: nodeRange(o) });
    const op = ops[i];
    if (op) items.push({ op });
  });
  if (ops.length >= operands.length && ops.length > 0) {
    // An operator with no right operand (after recovery).
    const last = ops[ops.length - 1]!;
    if (!items.some((x) => 'op' in x && x.op === last)) items.push({ op: last });
  }
  let i = 0;
  const parse = (minPower: number): A.Expr | undefined => {
    const it = items[i];
    let lhs: A.Expr | undefined;
    if (!it) return undefined;
    if ('prefix' in it) {
      i++;
      const op = it.prefix.image === 'not' ? 'not' : '-';
      const operand = parse(op === 'not' ? 3 : 7);
      lhs = { kind: 'Unary', op, operand, range: spanOf([tokRange(it.prefix), operand?.range], tokRange(it.prefix)) };
    } else if ('atom' in it) {
      i++;
      lhs = it.atom;
    } else return undefined;
    for (;;) {
      const next = items[i];
      if (!next || !('op' in next)) break;
      const power = binaryPower[next.op.image] ?? 0;
      if (power < minPower) break;
      i++;
      const right = parse(next.op.image === '^' ? power : power + 1);
      if (!lhs) {
        lhs = right;
        continue;
      }
      lhs = {
        kind: 'Binary',
        op: next.op.image as A.BinaryOp,
        left: lhs,
        right,
        range: spanOf([lhs.range, tokRange(next.op), right?.range], lhs.range),
      };
    }
    return lhs;
  };
  return parse(0);
}

function expr(n: CstNode | undefined): A.Expr | undefined {
  if (!n) return undefined;
  const c = n.children;
  switch (n.name) {
    case 'expression': {
      const ifx = node(c, 'ifExpr');
      if (ifx) return expr(ifx);
      const from = expr(node(c, 'from'));
      if (!from) return undefined;
      if (!tok(c, 'DotDot')) return from;
      return { kind: 'Range', range: nodeRange(n), from, to: expr(node(c, 'to')), step: expr(node(c, 'step')) };
    }
    case 'ifExpr':
      return {
        kind: 'If',
        range: nodeRange(n),
        cond: expr(node(c, 'cond')),
        then: expr(node(c, 'then')),
        else: expr(node(c, 'else')),
      };
    case 'binaryExpr':
      return binary(n);
    case 'prefixExpr':
      return binary({ name: 'binaryExpr', children: { operands: [n] } } as unknown as CstNode);
    default:
      return undefined;
  }
}
