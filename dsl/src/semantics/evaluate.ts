import type * as A from '../syntax/ast.js';
import type { TextRange } from '../text/text-range.js';
import { diag, type Diagnostic, type Fix } from '../diagnostics/diagnostic.js';
import type { DiagnosticCode } from '../diagnostics/codes.js';
import {
  constants,
  lookup,
  mathFunctions,
  type CatalogEntry,
  type EntryCategory,
  type ParamSpec,
  allEntries,
} from '../catalog/catalog.js';
import { unknown, dynamic, type Sym, type Value, type CallValue, type Reference } from './symbols.js';
import { closest, didYouMean } from './suggest.js';

/** Deepest chain of module calls before a recursion is declared infinite. */
export const MAX_MODULE_DEPTH = 32;

const categoryWords: Record<EntryCategory, string> = {
  data: 'a data source',
  generator: 'a generator kind',
  metric: 'a metric',
  algorithm: 'a bandit algorithm',
  baseline: 'a bandit baseline',
  kernel: 'a kernel',
  score: 'a score',
  head: 'a pixel head',
  gan: 'a model pair',
};

export interface Scope {
  readonly names: Map<string, Sym>;
  readonly parent: Scope | undefined;
}

export function scopeLookup(scope: Scope | undefined, name: string): Sym | undefined {
  for (let s = scope; s; s = s.parent) {
    const x = s.names.get(name);
    if (x) return x;
  }
  return undefined;
}

export function scopeNames(scope: Scope | undefined): Sym[] {
  const out: Sym[] = [];
  const seen = new Set<string>();
  for (let s = scope; s; s = s.parent) {
    for (const [k, v] of s.names) {
      if (!seen.has(k)) {
        seen.add(k);
        out.push(v);
      }
    }
  }
  return out;
}

/** Shared state of one file's analysis. */
export class Sink {
  readonly diagnostics: Diagnostic[] = [];
  readonly references: Reference[] = [];
  constructor(readonly uri: string) {}

  report(code: DiagnosticCode, range: TextRange, message: string, fixes?: readonly Fix[]): void {
    this.diagnostics.push(diag(code, range, message, fixes ? { fixes } : {}));
  }
}

export interface EvalCtx {
  readonly sink: Sink;
  readonly scope: Scope;
  /** Report diagnostics and record references (false while re-evaluating for values). */
  readonly report: boolean;
  /** Values of sweep variables (and `t`) for this evaluation; absent ones are dynamic. */
  readonly env?: ReadonlyMap<string, Value>;
  /** `t`, the generation index, is defined here. */
  readonly inLoop?: boolean;
  /** `selected` (the bandit's chosen samples) is defined here. */
  readonly hasSelected?: boolean;
  readonly moduleDepth?: number;
  /** Inside a module body called from here: value problems are reported at this call site. */
  readonly callSite?: { readonly range: TextRange; readonly module: string };
  /** Resolve names and check arguments of module calls, but do not expand their bodies. */
  readonly noRecurse?: boolean;
  /** Set when an infinite module recursion was already reported. */
  recursionReported?: { done: boolean };
}

function emit(ctx: EvalCtx, code: DiagnosticCode, range: TextRange, message: string, fixes?: readonly Fix[]): void {
  if (ctx.callSite) {
    // Name problems inside a module body are reported at its definition; value problems here.
    if (code === 'unresolved-name' || code === 'unknown-function' || code === 'unknown-parameter') return;
    ctx.sink.report(code, ctx.callSite.range, `in module \`${ctx.callSite.module}\`: ${message}`);
    return;
  }
  if (ctx.report) ctx.sink.report(code, range, message, fixes);
}

export function fmtNum(v: number): string {
  if (Number.isInteger(v)) return String(v);
  const r = Number(v.toPrecision(4));
  return String(r);
}

export function describeValue(v: Value): string {
  switch (v.t) {
    case 'num':
      return `the number ${fmtNum(v.v)}`;
    case 'str':
      return 'a string';
    case 'bool':
      return 'a boolean';
    case 'list':
      return 'a list';
    case 'range':
      return 'a range';
    case 'enum':
      return `the value \`${v.name}\``;
    case 'word':
      return `the word \`${v.name}\``;
    case 'call':
      return `${categoryWords[v.entry.category]} (\`${v.entry.name}\`)`;
    case 'model':
      return `the model \`${v.sym.name}\``;
    case 'generators':
      return `the generator list \`${v.sym.name}\``;
    case 'split':
      return `the ${v.split} split of a data source`;
    case 'member':
      return `\`.${v.member}\``;
    case 'selected':
      return '`selected`';
    default:
      return 'a value';
  }
}

const builtinConstants = new Map(constants.map((c) => [c.name, c.value]));
const mathByName = new Map(mathFunctions.map((f) => [f.name, f]));

/** Names that are always defined; declaring them is an error. */
export const reservedNames = new Set<string>([
  ...constants.map((c) => c.name),
  ...mathFunctions.map((f) => f.name),
  ...allEntries.map((e) => e.name),
  't',
  'selected',
]);

export function isKnown(v: Value): boolean {
  return v.t !== 'unknown' && v.t !== 'dynamic';
}

export function num(v: Value | undefined): number | undefined {
  return v && v.t === 'num' ? v.v : undefined;
}

export function evaluate(e: A.Expr | undefined, ctx: EvalCtx, expected?: readonly EntryCategory[]): Value {
  if (!e) return unknown;
  switch (e.kind) {
    case 'Number':
      return { t: 'num', v: e.value };
    case 'String':
      return { t: 'str', v: e.value };
    case 'Bool':
      return { t: 'bool', v: e.value };
    case 'Paren':
      return evaluate(e.inner, ctx, expected);
    case 'List':
      return { t: 'list', items: e.items.map((x) => evaluate(x, ctx, expected)) };
    case 'Name':
      return evalName(e, ctx, expected);
    case 'Member':
      return evalMember(e, ctx);
    case 'Call':
      return evalCall(e, ctx, expected);
    case 'Unary': {
      const v = evaluate(e.operand, ctx);
      if (e.op === '-') {
        if (v.t === 'num') return { t: 'num', v: -v.v };
        if (isKnown(v)) emit(ctx, 'type-mismatch', e.range, `\`-\` needs a number, not ${describeValue(v)}`);
        return v.t === 'dynamic' ? dynamic : unknown;
      }
      if (v.t === 'bool') return { t: 'bool', v: !v.v };
      return v.t === 'dynamic' ? dynamic : unknown;
    }
    case 'Binary':
      return evalBinary(e, ctx);
    case 'Range': {
      const from = evaluate(e.from, ctx);
      const to = evaluate(e.to, ctx);
      const step = e.step ? evaluate(e.step, ctx) : undefined;
      if (from.t === 'num' && to.t === 'num' && (!step || step.t === 'num')) {
        const st = step?.t === 'num' ? step.v : 1;
        return { t: 'range', from: from.v, to: to.v, step: st };
      }
      return unknown;
    }
    case 'If': {
      const c = evaluate(e.cond, ctx);
      if (c.t === 'bool') {
        // Only the branch taken is evaluated, so recursive modules terminate at their base case.
        if (ctx.report && !ctx.callSite) {
          // Still resolve names in the other branch, once, for diagnostics and references.
          evaluate(c.v ? e.else : e.then, { ...ctx, env: undefined, noRecurse: true }, expected);
        }
        return evaluate(c.v ? e.then : e.else, ctx, expected);
      }
      if (isKnown(c))
        emit(
          ctx,
          'type-mismatch',
          e.cond?.range ?? e.range,
          `the condition of \`if\` must be true or false, not ${describeValue(c)}`,
        );
      evaluate(e.then, { ...ctx, noRecurse: true }, expected);
      evaluate(e.else, { ...ctx, noRecurse: true }, expected);
      return c.t === 'dynamic' ? dynamic : unknown;
    }
  }
}

/**
 * Evaluates a binary expression. Left-deep chains (`1 + 1 + ... + 1`, thousands of terms) are
 * walked iteratively, so their length is not limited by the call stack.
 */
function evalBinary(e: A.BinaryExpr, ctx: EvalCtx): Value {
  const spine: A.BinaryExpr[] = [];
  let cur: A.Expr = e;
  while (cur.kind === 'Binary') {
    spine.push(cur);
    cur = cur.left;
  }
  let acc = evaluate(cur, ctx);
  for (let i = spine.length - 1; i >= 0; i--) acc = applyBinary(spine[i]!, acc, ctx);
  return acc;
}

function applyBinary(e: A.BinaryExpr, l: Value, ctx: EvalCtx): Value {
  const r = evaluate(e.right, ctx);
  if (!e.right) return unknown;
  if (e.op === '==' || e.op === '!=') {
    if (isKnown(l) && isKnown(r)) {
      const eq = sameValue(l, r);
      return { t: 'bool', v: e.op === '==' ? eq : !eq };
    }
    return l.t === 'dynamic' || r.t === 'dynamic' ? dynamic : unknown;
  }
  if (e.op === 'and' || e.op === 'or') {
    if (l.t === 'bool' && r.t === 'bool') return { t: 'bool', v: e.op === 'and' ? l.v && r.v : l.v || r.v };
    for (const [v, x] of [
      [l, e.left],
      [r, e.right],
    ] as const) {
      if (isKnown(v) && v.t !== 'bool')
        emit(ctx, 'type-mismatch', x.range, `\`${e.op}\` needs true or false, not ${describeValue(v)}`);
    }
    return l.t === 'dynamic' || r.t === 'dynamic' ? dynamic : unknown;
  }
  if (l.t === 'num' && r.t === 'num') {
    const a = l.v;
    const b = r.v;
    switch (e.op) {
      case '+':
        return { t: 'num', v: a + b };
      case '-':
        return { t: 'num', v: a - b };
      case '*':
        return { t: 'num', v: a * b };
      case '/':
      case '%':
        if (b === 0) {
          emit(ctx, 'division-by-zero', e.right.range, 'this divides by zero; use a non-zero divisor');
          return unknown;
        }
        return { t: 'num', v: e.op === '/' ? a / b : a % b };
      case '^':
        return { t: 'num', v: Math.pow(a, b) };
      case '<':
        return { t: 'bool', v: a < b };
      case '>':
        return { t: 'bool', v: a > b };
      case '<=':
        return { t: 'bool', v: a <= b };
      case '>=':
        return { t: 'bool', v: a >= b };
    }
  }
  for (const [v, x] of [
    [l, e.left],
    [r, e.right],
  ] as const) {
    if (isKnown(v) && v.t !== 'num')
      emit(ctx, 'type-mismatch', x.range, `\`${e.op}\` needs numbers, not ${describeValue(v)}`);
  }
  return l.t === 'dynamic' || r.t === 'dynamic' ? dynamic : unknown;
}

export function sameValue(a: Value, b: Value): boolean {
  if (a.t !== b.t) return false;
  switch (a.t) {
    case 'num':
    case 'str':
    case 'bool':
      return a.v === (b as typeof a).v;
    case 'enum':
    case 'word':
      return a.name === (b as typeof a).name;
    default:
      return false;
  }
}

function reference(ctx: EvalCtx, range: TextRange, sym: Sym): void {
  sym.used = true;
  if (ctx.report && !ctx.callSite) ctx.sink.references.push({ uri: ctx.sink.uri, range, symbol: sym });
}

function evalName(e: A.NameExpr, ctx: EvalCtx, expected?: readonly EntryCategory[]): Value {
  const name = e.name.text;
  const sym = scopeLookup(ctx.scope, name);
  if (sym) {
    reference(ctx, e.name.range, sym);
    switch (sym.kind) {
      case 'sweep':
      case 'param':
        return ctx.env?.get(name) ?? (sym.kind === 'param' && sym.value.t !== 'unknown' ? sym.value : dynamic);
      case 'model':
        return { t: 'model', sym };
      case 'generators':
        return sym.value;
      case 'enum':
        return { t: 'enum', name };
      case 'metric':
        emit(
          ctx,
          'type-mismatch',
          e.range,
          `\`${name}\` is a metric; a metric's value is known only after a run, so it cannot be used in an expression`,
        );
        return unknown;
      case 'module':
        emit(ctx, 'type-mismatch', e.range, `\`${name}\` is a module; call it: \`${name}(...)\``);
        return unknown;
      case 'experiment':
        emit(ctx, 'type-mismatch', e.range, `\`${name}\` is an experiment, not a value`);
        return unknown;
      default:
        return sym.value;
    }
  }
  const c = builtinConstants.get(name);
  if (c !== undefined) return { t: 'num', v: c };
  if (name === 't') {
    if (ctx.env?.has('t')) return ctx.env.get('t')!;
    if (ctx.inLoop) return dynamic;
    emit(ctx, 'unresolved-name', e.range, '`t` (the generation index) is defined only inside retrain and cycle blocks');
    return unknown;
  }
  if (name === 'selected') {
    if (ctx.hasSelected) return { t: 'selected' };
    emit(
      ctx,
      'unresolved-name',
      e.range,
      '`selected` (the samples a bandit chose) is defined only in an experiment with `select from ... by ...`',
    );
    return unknown;
  }
  const entries = lookup(name);
  if (expected && entries.length > 0 && !entries.some((x) => expected.includes(x.category))) {
    emit(
      ctx,
      'type-mismatch',
      e.range,
      `\`${name}\` is ${categoryWords[entries[0]!.category]}; here ${expected.map((c) => categoryWords[c]).join(' or ')} is expected`,
    );
    return unknown;
  }
  if (entries.length > 0 || mathByName.has(name)) {
    emit(
      ctx,
      'type-mismatch',
      e.range,
      `\`${name}\` is ${entries[0] ? categoryWords[entries[0].category] : 'a function'}; call it: \`${name}(...)\``,
      [{ title: `Call \`${name}()\``, edits: [{ range: { start: e.range.end, end: e.range.end }, newText: '()' }] }],
    );
    return unknown;
  }
  const candidates = [...scopeNamesOf(ctx.scope), ...builtinConstants.keys()];
  const sugg = closest(name, candidates);
  emit(
    ctx,
    'unresolved-name',
    e.range,
    `unknown name \`${name}\`${didYouMean(sugg)}${sugg.length === 0 ? '; declare it (data, const, model, sweep ...) or fix the spelling' : ''}`,
    sugg.map((s) => ({ title: `Change to \`${s}\``, edits: [{ range: e.name.range, newText: s }] })),
  );
  void expected;
  return unknown;
}

function scopeNamesOf(scope: Scope): string[] {
  return scopeNames(scope)
    .filter((s) => s.kind !== 'experiment')
    .map((s) => s.name);
}

const members: Record<string, { readonly members: readonly string[] }> = {
  gaussian: { members: ['mean', 'std'] },
  images: { members: ['train', 'test'] },
  csv: { members: ['train', 'test'] },
  paired: { members: ['text', 'image'] },
  ring: { members: ['modes'] },
  grid: { members: ['modes'] },
  gaussian_fit: { members: ['mean', 'cov'] },
  categorical_fit: { members: ['probs'] },
  conditional_gaussian: { members: ['means', 'covs'] },
  linear_regression: { members: ['coef', 'noise'] },
};

export function membersOf(v: Value, modelKind?: (s: Sym) => string | undefined): readonly string[] {
  if (v.t === 'call') return members[v.entry.name]?.members ?? [];
  if (v.t === 'model') {
    const k = modelKind?.(v.sym);
    return k ? (members[k]?.members ?? []) : [];
  }
  return [];
}

/** The kind name of a declared model, registered by the experiment checker. */
export const modelKinds = new WeakMap<Sym, string>();

function evalMember(e: A.MemberExpr, ctx: EvalCtx): Value {
  const obj = evaluate(e.object, ctx);
  const m = e.member?.text;
  if (!m || !isKnown(obj)) return obj.t === 'dynamic' ? dynamic : unknown;
  // A model whose kind could not be checked (already reported) has members we cannot know.
  if (obj.t === 'model' && (modelKinds.get(obj.sym) ?? 'unknown') === 'unknown') return unknown;
  const available = membersOf(obj, (s) => modelKinds.get(s));
  if (!available.includes(m)) {
    const sugg = closest(m, available);
    emit(
      ctx,
      'unknown-member',
      e.member!.range,
      `${describeValue(obj)} has no member \`${m}\`${available.length ? `${didYouMean(sugg)}${sugg.length ? '' : `; it has ${available.map((x) => `\`.${x}\``).join(', ')}`}` : ''}`,
      sugg.map((s) => ({ title: `Change to \`${s}\``, edits: [{ range: e.member!.range, newText: s }] })),
    );
    return unknown;
  }
  if (obj.t === 'call' && (m === 'train' || m === 'test')) return { t: 'split', data: obj, split: m };
  if (obj.t === 'call' && obj.entry.name === 'paired' && (m === 'text' || m === 'image')) return obj.args[m] ?? unknown;
  let d: number | undefined;
  if (obj.t === 'call' && obj.entry.name === 'gaussian' && m === 'mean') d = num(obj.args['dim']) ?? 1;
  return { t: 'member', of: obj, member: m, dim: d };
}

function evalCall(e: A.CallExpr, ctx: EvalCtx, expected?: readonly EntryCategory[]): Value {
  if (e.callee.kind !== 'Name') {
    evaluate(e.callee, ctx);
    emit(ctx, 'type-mismatch', e.callee.range, 'only named functions can be called');
    return unknown;
  }
  const name = e.callee.name.text;
  const sym = scopeLookup(ctx.scope, name);
  if (sym) {
    reference(ctx, e.callee.name.range, sym);
    if (sym.kind === 'module') return callModule(e, sym, ctx, expected);
    emit(
      ctx,
      'type-mismatch',
      e.callee.range,
      `\`${name}\` is ${sym.kind === 'model' ? 'a model' : `a ${sym.kind}`}, not something to call`,
    );
    return unknown;
  }
  const math = mathByName.get(name);
  if (math) {
    const args = e.args.map((a) => evaluate(a.value, ctx));
    for (const a of e.args)
      if (a.name) emit(ctx, 'unknown-parameter', a.name.range, `\`${name}\` takes positional arguments only`);
    if (args.length !== math.arity) {
      emit(
        ctx,
        args.length > math.arity ? 'too-many-arguments' : 'missing-parameter',
        e.argsRange,
        `\`${name}\` takes ${math.arity} argument${math.arity > 1 ? 's' : ''}, not ${args.length}`,
      );
      return unknown;
    }
    const xs = args.map((a) => num(a));
    if (xs.every((x): x is number => x !== undefined)) return { t: 'num', v: math.fn(...xs) };
    args.forEach((a, i) => {
      if (isKnown(a) && a.t !== 'num')
        emit(ctx, 'type-mismatch', e.args[i]!.range, `\`${name}\` needs numbers, not ${describeValue(a)}`);
    });
    return args.some((a) => a.t === 'dynamic') ? dynamic : unknown;
  }
  const entries = lookup(name);
  // Prefer the entry of the first expected category: `categorical` is a pixel head in a fractal, a data source elsewhere.
  const entry = expected
    ? expected.map((c) => entries.find((x) => x.category === c)).find((x) => x !== undefined)
    : entries[0];
  if (!entry) {
    if (entries[0] && expected) {
      emit(
        ctx,
        'type-mismatch',
        e.callee.range,
        `\`${name}\` is ${categoryWords[entries[0].category]}; here ${expected.map((c) => categoryWords[c]).join(' or ')} is expected`,
      );
    } else {
      const pool = allEntries.filter((x) => !expected || expected.includes(x.category)).map((x) => x.name);
      const modules = scopeNames(ctx.scope)
        .filter((s) => s.kind === 'module')
        .map((s) => s.name);
      const sugg = closest(name, [...pool, ...modules, ...mathByName.keys()]);
      emit(
        ctx,
        'unknown-function',
        e.callee.range,
        `unknown ${expected ? expected.map((c) => categoryWords[c].replace(/^an? /, '')).join(' or ') : 'function'} \`${name}\`${didYouMean(sugg)}`,
        sugg.map((s) => ({ title: `Change to \`${s}\``, edits: [{ range: e.callee.range, newText: s }] })),
      );
    }
    for (const a of e.args) evaluate(a.value, ctx);
    return unknown;
  }
  return bindCall(e, entry, ctx);
}

function callModule(e: A.CallExpr, sym: Sym, ctx: EvalCtx, expected?: readonly EntryCategory[]): Value {
  const mod = moduleDecls.get(sym);
  const args = new Map<string, Value>();
  if (!mod) return unknown;
  const depth = (ctx.moduleDepth ?? 0) + 1;
  const params = mod.params;
  let pos = 0;
  const meant = new Set<string>();
  for (const a of e.args) {
    const v = evaluate(a.value, ctx);
    if (a.name) {
      const p = params.find((x) => x.name.text === a.name!.text);
      if (!p) {
        const sugg = closest(
          a.name.text,
          params.map((x) => x.name.text),
        );
        if (sugg[0]) meant.add(sugg[0]);
        emit(
          ctx,
          'unknown-parameter',
          a.name.range,
          `module \`${sym.name}\` has no parameter \`${a.name.text}\`${sugg.length ? didYouMean(sugg) : `; it takes ${params.map((x) => `\`${x.name.text}\``).join(', ') || 'none'}`}`,
          sugg.map((x) => ({ title: `Change to \`${x}\``, edits: [{ range: a.name!.range, newText: x }] })),
        );
        continue;
      }
      if (args.has(p.name.text)) emit(ctx, 'duplicate-parameter', a.range, `\`${p.name.text}\` is given twice`);
      args.set(p.name.text, v);
    } else {
      const p = params[pos++];
      if (!p) {
        emit(
          ctx,
          'too-many-arguments',
          a.range,
          `module \`${sym.name}\` takes ${params.length} argument${params.length === 1 ? '' : 's'}`,
        );
        continue;
      }
      args.set(p.name.text, v);
    }
  }
  const env = new Map<string, Value>();
  for (const p of params) {
    let v = args.get(p.name.text);
    if (v === undefined) {
      if (p.default) v = evaluate(p.default, { ...ctx, report: false });
      else if (meant.has(p.name.text)) v = unknown;
      else {
        emit(
          ctx,
          'missing-parameter',
          e.argsRange,
          `module \`${sym.name}\` needs \`${p.name.text}\`; add \`${p.name.text}: ...\``,
        );
        v = unknown;
      }
    }
    env.set(p.name.text, v);
  }
  if (ctx.noRecurse) return unknown;
  if (depth > MAX_MODULE_DEPTH) {
    const flag = ctx.recursionReported ?? { done: false };
    if (!flag.done && ctx.report) {
      flag.done = true;
      ctx.sink.report(
        'infinite-recursion',
        ctx.callSite?.range ?? e.range,
        mod.body?.kind === 'If'
          ? `module \`${sym.name}\` calls itself more than ${MAX_MODULE_DEPTH} levels deep without reaching a base case; make its \`if\` condition become true for the arguments it recurses with`
          : `module \`${sym.name}\` calls itself on every path; give it a base case: \`if condition then base else ...\``,
      );
    }
    return unknown;
  }
  const bodyScope = moduleParamScopes.get(sym) ?? ctx.scope;
  return evaluate(
    mod.body,
    {
      sink: ctx.sink,
      scope: bodyScope,
      report: ctx.report,
      env,
      moduleDepth: depth,
      callSite: ctx.callSite ?? { range: e.range, module: sym.name },
      recursionReported: ctx.recursionReported ?? { done: false },
    },
    expected,
  );
}

/** The declaration behind each module symbol, and the scope its body sees (its parameters, then the file). */
export const moduleDecls = new WeakMap<Sym, A.ModuleDecl>();
export const moduleParamScopes = new WeakMap<Sym, Scope>();

function expectedFor(p: ParamSpec): readonly EntryCategory[] | undefined {
  switch (p.type) {
    case 'data':
      return ['data'];
    case 'kernel':
      return ['kernel'];
    case 'score':
      return ['metric'];
    case 'module':
      return ['generator', 'head'];
    case 'generator':
      return ['generator'];
    default:
      return undefined;
  }
}

function bindCall(e: A.CallExpr, entry: CatalogEntry, ctx: EvalCtx): CallValue {
  const args: Record<string, Value> = {};
  const given = new Map<string, A.Arg>();
  const params = entry.params;
  const variadic = params.find((p) => p.variadic);
  let pos = 0;
  const variadicItems: Value[] = [];
  // Parameters a misspelt argument name probably meant: not reported missing as well.
  const meant = new Set<string>();
  for (const a of e.args) {
    let p: ParamSpec | undefined;
    if (a.name) {
      p = params.find((x) => x.name === a.name!.text);
      if (!p) {
        const sugg = closest(
          a.name.text,
          params.map((x) => x.name),
        );
        if (sugg[0]) meant.add(sugg[0]);
        emit(
          ctx,
          'unknown-parameter',
          a.name.range,
          `\`${entry.name}\` has no parameter \`${a.name.text}\`${didYouMean(sugg)}${sugg.length ? '' : params.length ? `; it takes ${params.map((x) => `\`${x.name}\``).join(', ')}` : '; it takes none'}`,
          sugg.map((s) => ({ title: `Change to \`${s}\``, edits: [{ range: a.name!.range, newText: s }] })),
        );
        evaluate(a.value, ctx);
        continue;
      }
    } else if (variadic && pos >= params.indexOf(variadic)) {
      const v = evaluate(a.value, ctx, expectedFor(variadic));
      checkParam(variadic, v, a.value?.range ?? a.range, entry, ctx);
      variadicItems.push(v);
      given.set(variadic.name, a);
      continue;
    } else {
      p = params[pos++];
      if (!p) {
        emit(
          ctx,
          'too-many-arguments',
          a.range,
          `\`${entry.name}\` takes ${params.length === 0 ? 'no arguments' : `at most ${params.length} argument${params.length === 1 ? '' : 's'}`}; remove this one`,
        );
        evaluate(a.value, ctx);
        continue;
      }
    }
    if (given.has(p.name)) {
      emit(ctx, 'duplicate-parameter', a.range, `\`${p.name}\` is given twice; remove one`);
    }
    given.set(p.name, a);
    const v =
      p.type === 'name' && a.value?.kind === 'Name'
        ? { t: 'word' as const, name: a.value.name.text }
        : evaluate(a.value, ctx, expectedFor(p));
    args[p.name] = v;
    checkParam(p, v, a.value?.range ?? a.range, entry, ctx);
  }
  if (variadic) args[variadic.name] = { t: 'list', items: variadicItems };
  for (const p of params) {
    if (given.has(p.name)) continue;
    if (p.default !== undefined) {
      args[p.name] = fromDefault(p.default);
    } else if (!p.optional && !meant.has(p.name)) {
      const insertAt = e.argsRange.end - 1;
      const sep = e.args.length > 0 ? ', ' : '';
      emit(
        ctx,
        'missing-parameter',
        e.argsRange,
        `\`${entry.name}\` needs \`${p.name}\` (${p.doc}); add \`${p.name}: ...\``,
        [
          {
            title: `Add \`${p.name}:\``,
            edits: [{ range: { start: insertAt, end: insertAt }, newText: `${sep}${p.name}: ` }],
          },
        ],
      );
    }
  }
  return { t: 'call', entry, args, range: e.range };
}

function fromDefault(d: number | string | boolean | readonly number[]): Value {
  if (typeof d === 'number') return { t: 'num', v: d };
  if (typeof d === 'string') return { t: 'word', name: d };
  if (typeof d === 'boolean') return { t: 'bool', v: d };
  return { t: 'list', items: d.map((x) => ({ t: 'num', v: x })) };
}

const typeWords: Record<string, string> = {
  number: 'a number',
  int: 'a whole number',
  string: 'a string',
  bool: 'true or false',
  numbers: 'a list of numbers',
  ints: 'a list of whole numbers',
  data: 'a data source',
  model: 'a model',
  generator: 'a generator',
  kernel: 'a kernel such as gaussian_kernel(bandwidth: 0.6)',
  score: 'a score such as rke(...) or kid(...)',
  module: 'a module such as ar(...) or a pixel head',
  head: 'a pixel head',
  name: 'one of the listed words',
};

/** Checks a value against a parameter's type and range; reports problems at `range`. */
export function checkParam(
  p: ParamSpec,
  v: Value,
  range: TextRange,
  entry: CatalogEntry | undefined,
  ctx: EvalCtx,
): void {
  if (!isKnown(v)) return;
  const owner = entry ? `\`${entry.name}\`'s \`${p.name}\`` : `\`${p.name}\``;
  const bad = (): void =>
    emit(ctx, 'type-mismatch', range, `${owner} must be ${typeWords[p.type] ?? p.type}, not ${describeValue(v)}`);
  switch (p.type) {
    case 'number':
    case 'int':
      if (v.t !== 'num') return bad();
      checkNumber(p, v.v, range, owner, ctx);
      return;
    case 'numbers':
    case 'ints':
      if (v.t !== 'list') return bad();
      v.items.forEach((x) => {
        if (!isKnown(x)) return;
        if (x.t !== 'num') bad();
        else
          checkNumber(
            { ...p, type: p.type === 'ints' ? 'int' : 'number', min: p.min ?? (p.type === 'ints' ? 0 : undefined) },
            x.v,
            range,
            owner,
            ctx,
          );
      });
      return;
    case 'string':
      if (v.t !== 'str') return bad();
      if (p.values && !p.values.includes(v.v))
        emit(ctx, 'value-out-of-range', range, `${owner} must be one of ${p.values.map((x) => `"${x}"`).join(', ')}`);
      return;
    case 'bool':
      if (v.t !== 'bool') return bad();
      return;
    case 'data':
      if (!(v.t === 'call' && v.entry.category === 'data') && v.t !== 'split') return bad();
      return;
    case 'model':
      if (v.t !== 'model') return bad();
      return;
    case 'kernel':
      if (!(v.t === 'call' && v.entry.category === 'kernel')) return bad();
      return;
    case 'score':
      if (!(
        v.t === 'call' &&
        (v.entry.name === 'rke' || v.entry.name === 'kid' || v.entry.name === 'precision' || v.entry.name === 'density')
      ))
        return bad();
      return;
    case 'module':
      if (!(v.t === 'call' && (v.entry.name === 'ar' || v.entry.category === 'head' || v.entry.name === 'categorical')))
        return bad();
      return;
    case 'name':
      if (v.t !== 'word') return bad();
      if (p.values && !p.values.includes(v.name)) {
        const sugg = closest(v.name, p.values);
        emit(ctx, 'value-out-of-range', range, `${owner} must be one of ${p.values.join(', ')}${didYouMean(sugg)}`);
      }
      return;
    default:
      return;
  }
}

/**
 * Why `x` does not fit number parameter `p` (its type and range): the diagnostic code and the words after the
 * parameter's name ("must be at least 1, not 0"), or undefined when it fits.
 */
export function numberProblem(p: ParamSpec, x: number): { code: DiagnosticCode; words: string } | undefined {
  if (!Number.isFinite(x)) return { code: 'value-out-of-range', words: 'must be a finite number' };
  const count = p.type === 'int' && p.min !== undefined && p.min >= 1;
  if (p.type === 'int' && !Number.isInteger(x))
    return { code: count ? 'non-positive-count' : 'type-mismatch', words: `must be a whole number, not ${fmtNum(x)}` };
  if (p.min !== undefined && (x < p.min || (p.exclusiveMin && x === p.min)))
    return {
      code: count ? 'non-positive-count' : 'value-out-of-range',
      words: `must be ${p.exclusiveMin ? 'greater than' : 'at least'} ${fmtNum(p.min)}, not ${fmtNum(x)}`,
    };
  if (p.max !== undefined && (x > p.max || (p.exclusiveMax && x === p.max)))
    return {
      code: 'value-out-of-range',
      words: `must be ${p.exclusiveMax ? 'below' : 'at most'} ${fmtNum(p.max)}, not ${fmtNum(x)}`,
    };
  return undefined;
}

function checkNumber(p: ParamSpec, x: number, range: TextRange, owner: string, ctx: EvalCtx): void {
  const problem = numberProblem(p, x);
  if (problem) emit(ctx, problem.code, range, `${owner} ${problem.words}`);
}
