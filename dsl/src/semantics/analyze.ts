import type * as A from '../syntax/ast.js';
import { parse, type ParseResult } from '../syntax/parse.js';
import type { TextRange } from '../text/text-range.js';
import { sortDiagnostics, type Diagnostic } from '../diagnostics/diagnostic.js';
import { unknown, type ModelInfo, type Reference, type Sym, type SymbolKind, type Value } from './symbols.js';
import {
  evaluate,
  moduleDecls,
  moduleParamScopes,
  reservedNames,
  Sink,
  scopeLookup,
  type EvalCtx,
  type Scope,
} from './evaluate.js';
import { checkExperiment, type ExperimentInfo } from './experiment.js';
import { currentText } from './theory.js';

/** How the analysis reads files named by `use`: the host does the IO. */
export interface Host {
  /** The text of the file at `uri`, or undefined if it cannot be read. */
  read(uri: string): string | undefined;
}

export interface AnalyzeOptions {
  readonly uri?: string;
  readonly host?: Host;
  /** The parse of an earlier version of this text: its unchanged declarations are reused. */
  readonly previous?: ParseResult;
}

export interface ImportInfo {
  readonly uri: string;
  readonly range: TextRange;
  readonly analysis: Analysis | undefined;
}

export interface Analysis {
  readonly uri: string;
  readonly text: string;
  readonly parse: ParseResult;
  readonly diagnostics: readonly Diagnostic[];
  /** Every symbol declared in this file. */
  readonly symbols: readonly Sym[];
  /** Every resolved use of a name in this file (possibly of a symbol in another file). */
  readonly references: readonly Reference[];
  readonly experiments: readonly ExperimentInfo[];
  readonly imports: readonly ImportInfo[];
  /** The file-level scope (declarations and imports), for completion. */
  readonly scope: Scope;
  readonly hasErrors: boolean;
}

/** Resolves `rel` against the directory of `base` (both `/`-separated URIs or paths); pure string work. */
export function resolveUri(base: string, rel: string): string {
  if (/^[a-z][a-z0-9+.-]*:/i.test(rel) || rel.startsWith('/')) return rel;
  const schemeMatch = /^([a-z][a-z0-9+.-]*:\/\/[^/]*)?(.*)$/i.exec(base);
  const prefix = schemeMatch?.[1] ?? '';
  const path = schemeMatch?.[2] ?? base;
  const parts = path.split('/');
  parts.pop();
  for (const seg of rel.split('/')) {
    if (seg === '..') {
      if (parts.length > 1) parts.pop();
    } else if (seg !== '.' && seg !== '') parts.push(seg);
  }
  return prefix + parts.join('/');
}

let nextSymbolId = 1;

const kindWords: Record<SymbolKind, string> = {
  data: 'data',
  const: 'a constant',
  module: 'a module',
  experiment: 'an experiment',
  model: 'a model',
  generators: 'a generator list',
  sweep: 'a sweep',
  enum: 'a sweep value',
  metric: 'a metric',
  param: 'a parameter',
};

export function newSymbol(
  name: A.Name,
  kind: SymbolKind,
  uri: string,
  declRange: TextRange,
  value: Value = unknown,
  experiment?: string,
): Sym {
  const s: Sym = {
    id: nextSymbolId++,
    name: name.text,
    kind,
    uri,
    nameRange: name.range,
    declRange,
    detail: kind,
    value,
    used: false,
  };
  if (experiment !== undefined) (s as { experiment?: string }).experiment = experiment;
  return s;
}

/** Declares `sym` in `scope`, reporting a duplicate or a reserved name. */
export function declare(scope: Scope, sym: Sym, sink: Sink, kindWord: string): boolean {
  if (reservedNames.has(sym.name)) {
    sink.report(
      'reserved-name',
      sym.nameRange,
      `\`${sym.name}\` is a built-in name; choose another name for this ${kindWord}`,
    );
    // Still declared, so later uses resolve to it and report nothing more.
    if (!scope.names.has(sym.name)) scope.names.set(sym.name, sym);
    return true;
  }
  const prev = scope.names.get(sym.name) ?? scopeLookup(scope.parent, sym.name);
  if (prev) {
    const where = prev.uri === sym.uri ? '' : ` in ${prev.uri.split('/').pop()}`;
    sink.diagnostics.push({
      code: 'duplicate-name',
      severity: 'error',
      message: `\`${sym.name}\` is already declared${where} (as ${kindWords[prev.kind]}); rename one of them`,
      range: sym.nameRange,
      related: [{ range: prev.nameRange, message: `first declaration of \`${sym.name}\``, uri: prev.uri }],
    });
    sym.used = true; // reported as a duplicate; not reported unused too
    return false;
  }
  scope.names.set(sym.name, sym);
  return true;
}

/**
 * Analyses a spec: parse, resolve names (following `use` through the host), check kinds, shapes,
 * ranges and the theory-backed rules, and estimate each experiment's cost. Never throws.
 */
export function analyze(text: string, options: AnalyzeOptions = {}): Analysis {
  const uri = options.uri ?? 'untitled.ouro';
  return analyzeFile(uri, text, options.host, [], new Map(), options.previous);
}

/** What an experiment's check produced, kept to answer the next edit quickly. */
interface CachedExperiment {
  readonly start: number;
  readonly end: number;
  readonly diagnostics: readonly Diagnostic[];
  /** The file-level names the experiment uses (they are not unused). */
  readonly uses: readonly string[];
  /** Every file-level declaration it depends on, directly or through others, with its text. */
  readonly depends: readonly (readonly [string, string])[];
}

/** The diagnostics of each experiment, valid while everything outside the experiments is unchanged. */
export interface ExperimentCache {
  readonly fingerprint: string;
  readonly entries: ReadonlyMap<string, CachedExperiment>;
}

/** The diagnostics of a spec, computed with the least work for an edit (see `diagnose`). */
export interface Diagnosis {
  readonly diagnostics: readonly Diagnostic[];
  readonly parse: ParseResult;
  readonly cache: ExperimentCache;
  readonly hasErrors: boolean;
  /** Every file this one uses, directly or through other files. */
  readonly uses: readonly string[];
}

function usedFiles(a: Analysis, out = new Set<string>()): Set<string> {
  for (const imp of a.imports) {
    if (out.has(imp.uri)) continue;
    out.add(imp.uri);
    if (imp.analysis) usedFiles(imp.analysis, out);
  }
  return out;
}

/**
 * The diagnostics `analyze` would report, computed incrementally: declarations whose text is
 * unchanged are not parsed again (`previous.parse`), and experiments whose text is unchanged, while
 * everything outside the experiments is unchanged too, keep their earlier diagnostics (moved to their
 * new offsets) instead of being checked again. For editors: publish diagnostics fast after an edit.
 */
export function diagnose(
  text: string,
  options: Omit<AnalyzeOptions, 'previous'> & { previous?: Diagnosis } = {},
): Diagnosis {
  const uri = options.uri ?? 'untitled.ouro';
  const next = new Map<string, CachedExperiment>();
  const a = analyzeFile(uri, text, options.host, [], new Map(), options.previous?.parse, {
    previous: options.previous?.cache,
    next,
  });
  return {
    diagnostics: a.diagnostics,
    parse: a.parse,
    cache: { fingerprint: a.fingerprint, entries: next },
    hasErrors: a.hasErrors,
    uses: [...usedFiles(a)],
  };
}

/** Moves a cached diagnostic's ranges that lie inside its experiment's old span. */
function moveDiagnostic(d: Diagnostic, from: CachedExperiment, delta: number, uri: string): Diagnostic {
  if (delta === 0) return d;
  const move = (r: TextRange): TextRange =>
    r.start >= from.start && r.end <= from.end ? { start: r.start + delta, end: r.end + delta } : r;
  const out: Diagnostic = { ...d, range: move(d.range) };
  if (d.related)
    (out as { related?: Diagnostic['related'] }).related = d.related.map((r) =>
      r.uri && r.uri !== uri ? r : { ...r, range: move(r.range) },
    );
  if (d.fixes)
    (out as { fixes?: Diagnostic['fixes'] }).fixes = d.fixes.map((f) => ({
      ...f,
      edits: f.edits.map((e) => ({ ...e, range: move(e.range) })),
    }));
  return out;
}

function analyzeFile(
  uri: string,
  text: string,
  host: Host | undefined,
  stack: string[],
  cache: Map<string, Analysis>,
  previous?: ParseResult,
  experimentCache?: { readonly previous: ExperimentCache | undefined; readonly next: Map<string, CachedExperiment> },
): Analysis & { fingerprint: string } {
  const parsed = parse(text, previous);
  const sink = new Sink(uri);
  const fileScope: Scope = { names: new Map(), parent: undefined };
  const symbols: Sym[] = [];
  const imports: ImportInfo[] = [];
  const experiments: ExperimentInfo[] = [];
  const spec = parsed.spec;
  // Everything outside the experiments, with its position: experiments' results depend on it.
  let fingerprint = '';

  try {
    // 1. Imports: their data, const and module declarations join this file's scope.
    const importScope: Scope = { names: new Map(), parent: undefined };
    for (const d of spec.decls) {
      if (d.kind !== 'Use' || !d.path) continue;
      const target = resolveUri(uri, d.path.value);
      if (stack.includes(target) || target === uri) {
        sink.report(
          'import-cycle',
          d.path.range,
          `\`${d.path.value}\` uses this file back (${[...stack, uri, target].map((x) => x.split('/').pop()).join(' → ')}); files cannot use each other in a cycle, so remove this \`use\` or move what both need into a third file`,
        );
        imports.push({ uri: target, range: d.path.range, analysis: undefined });
        continue;
      }
      const otherText = host?.read(target);
      if (otherText === undefined) {
        sink.report(
          'unresolved-import',
          d.path.range,
          `cannot read \`${d.path.value}\` (paths are relative to this file's folder); check the name and that the file exists`,
        );
        imports.push({ uri: target, range: d.path.range, analysis: undefined });
        continue;
      }
      const other = cache.get(target) ?? analyzeFile(target, otherText, host, [...stack, uri], cache);
      cache.set(target, other);
      imports.push({ uri: target, range: d.path.range, analysis: other });
      const errors = other.diagnostics.filter((x) => x.severity === 'error').length;
      const cycle = other.imports.some((x) => x.uri === uri || x.analysis?.imports.some((y) => y.uri === uri));
      if (cycle) {
        sink.report(
          'import-cycle',
          d.path.range,
          `\`${d.path.value}\` uses this file back; files cannot use each other in a cycle, so move what both need into a third file`,
        );
      } else if (errors > 0) {
        sink.report(
          'unresolved-import',
          d.path.range,
          `\`${d.path.value}\` has ${errors} error${errors === 1 ? '' : 's'}; fix ${errors === 1 ? 'it' : 'them'} there first`,
        );
      }
      for (const s of other.symbols) {
        if (s.kind !== 'data' && s.kind !== 'const' && s.kind !== 'module') continue;
        const prev = importScope.names.get(s.name);
        if (prev && prev !== s) {
          sink.report(
            'duplicate-name',
            d.path.range,
            `\`${s.name}\` is declared both in ${prev.uri.split('/').pop()} and in ${s.uri.split('/').pop()}; rename one`,
          );
          continue;
        }
        importScope.names.set(s.name, s);
      }
    }
    currentText.value = text;
    (fileScope as { parent: Scope | undefined }).parent = importScope.names.size > 0 ? importScope : undefined;

    // For the experiment cache: which names the file declares (their values are tracked per experiment,
    // through `dependsOn`), and what the used files say.
    const outside: string[] = [];
    const declText = new Map<string, string>();
    const declMentions = new Map<string, string[]>();
    for (const d of spec.decls) {
      if (d.kind === 'Experiment') continue;
      if (d.kind === 'Use') {
        outside.push(`use ${d.path?.value ?? ''}`);
        continue;
      }
      const name = d.name?.text ?? '';
      outside.push(`${d.kind} ${name}`);
      // A name declared twice (a duplicate-name error) resolves to one of them: track every declaration's
      // text and mentions, so that an edit of either re-checks the experiments that use the name.
      const own = text.slice(d.range.start, d.range.end);
      const earlier = declText.get(name);
      declText.set(name, earlier === undefined ? own : `${earlier}\u0002${own}`);
      declMentions.set(name, [...(declMentions.get(name) ?? []), ...namesIn(d.kind === 'Module' ? d.body : d.value)]);
    }
    for (const imp of imports) outside.push(`${imp.uri}\u0000${imp.analysis?.text ?? ''}`);
    fingerprint = outside.join('\u0001');
    /** The file-level declarations `names` depend on, transitively, with their texts. */
    const dependsOn = (names: readonly string[]): [string, string][] => {
      const seen = new Set<string>();
      const stack = [...names];
      while (stack.length) {
        const n = stack.pop()!;
        if (seen.has(n) || !declText.has(n)) continue;
        seen.add(n);
        stack.push(...(declMentions.get(n) ?? []));
      }
      return [...seen].map((n) => [n, declText.get(n)!]);
    };
    // Unchanged when each of those declarations has the same text (then they mention the same names).
    const unchanged = (depends: CachedExperiment['depends']): boolean =>
      depends.every(([n, t]) => declText.get(n) === t);

    // 2. Declare every top-level name first, so declarations may refer to later ones.
    const pending: { decl: A.DataDecl | A.ConstDecl | A.ModuleDecl; sym: Sym }[] = [];
    const experimentNames = new Map<string, A.Name>();
    for (const d of spec.decls) {
      if (d.kind === 'Use') continue;
      if (!d.name) continue;
      if (d.kind === 'Experiment') {
        const prev = experimentNames.get(d.name.text);
        if (prev) {
          sink.diagnostics.push({
            code: 'duplicate-name',
            severity: 'error',
            message: `experiment \`${d.name.text}\` is already declared; rename one (results are stored by experiment name)`,
            range: d.name.range,
            related: [{ range: prev.range, message: 'first declaration' }],
          });
        } else experimentNames.set(d.name.text, d.name);
        const sym = newSymbol(d.name, 'experiment', uri, d.range);
        sym.used = true;
        symbols.push(sym);
        continue;
      }
      const kind: SymbolKind = d.kind === 'Data' ? 'data' : d.kind === 'Const' ? 'const' : 'module';
      const sym = newSymbol(d.name, kind, uri, d.range);
      symbols.push(sym);
      if (declare(fileScope, sym, sink, kind)) pending.push({ decl: d, sym });
      if (d.kind === 'Module') {
        moduleDecls.set(sym, d);
        const paramScope: Scope = { names: new Map(), parent: fileScope };
        for (const p of d.params) {
          const ps = newSymbol(p.name, 'param', uri, p.range);
          ps.used = true;
          ps.detail = 'module parameter';
          symbols.push(ps);
          declare(paramScope, ps, sink, 'parameter');
        }
        moduleParamScopes.set(sym, paramScope);
      }
    }

    // 3. Evaluate data, const and module declarations, in dependency order (cycles reported).
    const evaluating = new Set<Sym>();
    const done = new Set<Sym>();
    const byName = new Map(pending.map((p) => [p.sym, p]));
    const evalDecl = (p: { decl: A.DataDecl | A.ConstDecl | A.ModuleDecl; sym: Sym }): void => {
      if (done.has(p.sym)) return;
      if (evaluating.has(p.sym)) return;
      evaluating.add(p.sym);
      // Evaluate dependencies first: names this declaration's expression mentions.
      for (const dep of namesIn(p.decl.kind === 'Module' ? undefined : p.decl.value)) {
        const s = fileScope.names.get(dep);
        const q = s ? byName.get(s) : undefined;
        if (q === p) {
          sink.report(
            'infinite-recursion',
            p.decl.name!.range,
            `\`${p.sym.name}\` is defined in terms of itself; give it a value that does not mention \`${p.sym.name}\``,
          );
          continue;
        }
        if (q) {
          if (evaluating.has(q.sym) && !done.has(q.sym)) {
            sink.report(
              'infinite-recursion',
              p.decl.name!.range,
              `\`${p.sym.name}\` is defined in terms of itself (through \`${q.sym.name}\`); break the cycle`,
            );
            continue;
          }
          evalDecl(q);
        }
      }
      const ctx: EvalCtx = { sink, scope: fileScope, report: true };
      if (p.decl.kind === 'Module') {
        const scope = moduleParamScopes.get(p.sym) ?? fileScope;
        // Check the body once with unknown parameters: names resolve, kinds are known.
        // Module calls inside the body are not expanded here: recursion is checked where the module is used.
        evaluate(p.decl.body, { sink, scope, report: true, moduleDepth: 0, noRecurse: true }, [
          'generator',
          'head',
          'data',
        ]);
        p.sym.detail = `module(${p.decl.params.map((x) => x.name.text).join(', ')})`;
      } else if (p.decl.kind === 'Data') {
        const v = evaluate(p.decl.value, ctx, ['data']);
        if (v.t === 'call' && v.entry.category !== 'data') {
          sink.report(
            'type-mismatch',
            p.decl.value!.range,
            `\`data\` needs a data source, not ${v.entry.category === 'generator' ? 'a generator' : `a ${v.entry.category}`}; use \`model\` inside an experiment for generators`,
          );
        } else if (v.t !== 'call' && v.t !== 'unknown' && v.t !== 'split' && p.decl.value) {
          sink.report(
            'type-mismatch',
            p.decl.value.range,
            'a data declaration needs a data source such as gaussian(...), ring(...) or images(...)',
          );
        }
        p.sym.value = v.t === 'split' ? v.data : v;
        p.sym.detail = describeData(v);
      } else {
        const v = evaluate(p.decl.value, ctx);
        p.sym.value = v;
        p.sym.detail = v.t === 'num' ? `const = ${v.v}` : 'const';
      }
      evaluating.delete(p.sym);
      done.add(p.sym);
    };
    for (const p of pending) evalDecl(p);

    // 4. Experiments. With an experiment cache (diagnose), an experiment whose text is unchanged keeps
    // its diagnostics, provided nothing outside the experiments changed (the fingerprint).
    const reuse = experimentCache?.previous?.fingerprint === fingerprint ? experimentCache.previous : undefined;
    for (const d of spec.decls) {
      if (d.kind !== 'Experiment') continue;
      const key = experimentCache ? text.slice(d.range.start, d.range.end) : '';
      const cached = reuse?.entries.get(key);
      // Reusable when the declarations it depends on are unchanged, and each of its diagnostics lies
      // wholly inside the experiment (a place outside it may have moved).
      const inside = (r: TextRange): boolean => cached !== undefined && r.start >= cached.start && r.end <= cached.end;
      const old =
        cached &&
        unchanged(cached.depends) &&
        cached.diagnostics.every(
          (x) =>
            inside(x.range) &&
            (x.related ?? []).every((r) => (r.uri !== undefined && r.uri !== uri) || inside(r.range)) &&
            (x.fixes ?? []).every((f) => f.edits.every((e) => inside(e.range))),
        )
          ? cached
          : undefined;
      if (old && experimentCache) {
        const delta = d.range.start - old.start;
        const moved = old.diagnostics.map((x) => moveDiagnostic(x, old, delta, uri));
        sink.diagnostics.push(...moved);
        for (const name of old.uses) {
          const s = scopeLookup(fileScope, name);
          if (s) s.used = true;
        }
        experimentCache.next.set(key, {
          start: d.range.start,
          end: d.range.end,
          diagnostics: moved,
          uses: old.uses,
          depends: old.depends,
        });
        continue;
      }
      const before = sink.diagnostics.length;
      const refsBefore = sink.references.length;
      experiments.push(checkExperiment(d, uri, fileScope, sink, symbols));
      if (experimentCache) {
        const uses = new Set<string>();
        for (const r of sink.references.slice(refsBefore))
          if (r.symbol.experiment === undefined && r.symbol.kind !== 'param') uses.add(r.symbol.name);
        experimentCache.next.set(key, {
          start: d.range.start,
          end: d.range.end,
          diagnostics: sink.diagnostics.slice(before),
          uses: [...uses],
          depends: dependsOn([...uses]),
        });
      }
    }

    // 5. Unused top-level declarations (a file without experiments is a library: nothing to report).
    if (spec.decls.some((d) => d.kind === 'Experiment')) {
      for (const s of symbols) {
        if ((s.kind === 'data' || s.kind === 'const' || s.kind === 'module') && !s.used && s.uri === uri) {
          sink.diagnostics.push({
            code: 'unused-declaration',
            severity: 'warning',
            message: `${s.kind} \`${s.name}\` is never used; remove it or use it in an experiment`,
            range: s.nameRange,
            unnecessary: true,
            fixes: [
              {
                title: `Remove unused ${s.kind} \`${s.name}\``,
                edits: [{ range: lineSpan(text, s.declRange), newText: '' }],
              },
            ],
          });
        }
      }
    }
  } catch (e) {
    // Defensive: analysis is written not to throw; if it does, the user still gets parse results.
    if (!(e instanceof RangeError)) {
      sink.report(
        'syntax-error',
        { start: 0, end: 0 },
        `internal error while checking this file (${e instanceof Error ? e.message : String(e)}); please report it`,
      );
    } else {
      sink.report(
        'nesting-too-deep',
        { start: 0, end: 0 },
        'this file nests too deeply to check; simplify its expressions',
      );
    }
  }

  const diagnostics = sortDiagnostics(dedupe([...parsed.diagnostics, ...sink.diagnostics]));
  return {
    fingerprint,
    uri,
    text,
    parse: parsed,
    diagnostics,
    symbols,
    references: sink.references,
    experiments,
    imports,
    scope: fileScope,
    hasErrors: diagnostics.some((d) => d.severity === 'error'),
  };
}

function dedupe(ds: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return ds.filter((d) => {
    const k = `${d.code}:${d.range.start}:${d.range.end}:${d.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** The whole lines a range covers, including the line break, for deletions. */
export function lineSpan(text: string, r: TextRange): TextRange {
  let start = r.start;
  while (start > 0 && text[start - 1] !== '\n') start--;
  let end = r.end;
  while (end < text.length && text[end] !== '\n') end++;
  if (end < text.length) end++;
  return { start, end };
}

/** The names an expression mentions (iterative: long operator chains do not exhaust the stack). */
function namesIn(root: A.Expr | undefined): string[] {
  const out: string[] = [];
  const stack: (A.Expr | undefined)[] = [root];
  while (stack.length) {
    const e = stack.pop();
    if (!e) continue;
    switch (e.kind) {
      case 'Name':
        out.push(e.name.text);
        break;
      case 'Member':
        stack.push(e.object);
        break;
      case 'Call':
        stack.push(e.callee, ...e.args.map((a) => a.value));
        break;
      case 'List':
        stack.push(...e.items);
        break;
      case 'Binary':
        stack.push(e.left, e.right);
        break;
      case 'Unary':
        stack.push(e.operand);
        break;
      case 'Range':
        stack.push(e.from, e.to, e.step);
        break;
      case 'If':
        stack.push(e.cond, e.then, e.else);
        break;
      case 'Paren':
        stack.push(e.inner);
        break;
      default:
        break;
    }
  }
  return out;
}

export function dataDim(v: Value): number | undefined {
  const d = v.t === 'split' ? v.data : v;
  if (d.t !== 'call') return undefined;
  const n = (k: string): number | undefined => (d.args[k]?.t === 'num' ? (d.args[k] as { v: number }).v : undefined);
  switch (d.entry.name) {
    case 'gaussian':
      return n('dim') ?? 1;
    case 'ring':
    case 'grid':
      return 2;
    case 'categorical':
    case 'zipf':
      return 1;
    case 'images': {
      const s = n('size');
      return s !== undefined ? s * s : undefined;
    }
    case 'gaussian_per_class':
      return n('dim');
    case 'paired': {
      const img = d.args['image'];
      return img ? dataDim(img) : undefined;
    }
    case 'csv': {
      const c = d.args['columns'];
      return c?.t === 'list' ? c.items.length : undefined;
    }
    default:
      return undefined;
  }
}

export function dataClasses(v: Value): number | undefined {
  const d = v.t === 'split' ? v.data : v;
  if (d.t !== 'call') return undefined;
  if (d.entry.name === 'zipf') return d.args['classes']?.t === 'num' ? d.args['classes'].v : undefined;
  if (d.entry.name === 'categorical') {
    const p = d.args['probs'];
    return p?.t === 'list' ? p.items.length : undefined;
  }
  if (d.entry.name === 'paired') return d.args['text'] ? dataClasses(d.args['text']) : undefined;
  return undefined;
}

export function describeData(v: Value): string {
  if (v.t !== 'call') return 'data';
  const dim = dataDim(v);
  const classes = dataClasses(v);
  const bits = [`data ${v.entry.name}`];
  if (v.entry.name === 'images') {
    const s = v.args['size'];
    if (s?.t === 'num') bits.push(`${s.v}×${s.v} = ${s.v * s.v} pixels`);
  } else if (classes !== undefined && v.entry.name !== 'paired') bits.push(`${classes} classes`);
  else if (dim !== undefined) bits.push(`dim ${dim}`);
  if (v.entry.name === 'paired' && classes !== undefined) bits.push(`${classes} texts`);
  if ((v.entry.name === 'ring' || v.entry.name === 'grid') && v.args['modes']?.t === 'num')
    bits.push(`${v.args['modes'].v} modes`);
  if (v.entry.name === 'grid') {
    const r = v.args['rows'];
    const c = v.args['cols'];
    if (r?.t === 'num' && c?.t === 'num') bits.push(`${r.v * c.v} modes`);
  }
  return bits.join(', ');
}

export type { ModelInfo };
