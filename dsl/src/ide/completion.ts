import type { IToken } from 'chevrotain';
import type { Analysis } from '../semantics/analyze.js';
import { scopeNames, moduleDecls } from '../semantics/evaluate.js';
import type { Scope } from '../semantics/evaluate.js';
import type { Sym, SymbolKind } from '../semantics/symbols.js';
import type { TextRange } from '../text/text-range.js';
import {
  dataSources,
  generatorKinds,
  metrics,
  algorithms,
  kernels,
  heads,
  constants,
  mathFunctions,
  optionBlocks,
  lookup,
  type CatalogEntry,
  type ParamSpec,
  type EntryCategory,
} from '../catalog/catalog.js';
import { keywordDocs, builtinNameDocs } from './keyword-docs.js';
import { tokenIndexBefore } from './navigation.js';
import { experimentAt } from './ast-walk.js';
import { entryMarkdown, signatureOf } from './hover.js';

export type CompletionKind =
  | 'keyword'
  | 'function'
  | 'variable'
  | 'constant'
  | 'module'
  | 'enum'
  | 'property'
  | 'snippet'
  | 'class'
  | 'field'
  | 'value';

export interface CompletionItem {
  readonly label: string;
  readonly kind: CompletionKind;
  readonly detail?: string;
  readonly documentation?: string;
  /** Text to insert; a snippet with ${1:placeholders} when `snippet` is true. */
  readonly insertText: string;
  readonly snippet: boolean;
  readonly sortText?: string;
}

export interface Completions {
  readonly items: readonly CompletionItem[];
  /** The range the accepted item replaces (the word being typed). */
  readonly range: TextRange;
}

const statementSnippets: [string, string, string][] = [
  ['seed', 'seed ${1:1}', 'seed'],
  ['replicates', 'replicates ${1:100}', 'replicates'],
  ['sweep', 'sweep ${1:w} in ${2:0.05} .. ${3:0.95} step ${4:0.05}', 'sweep'],
  ['model', 'model ${1:m} = ${2:gaussian_fit}()', 'model'],
  [
    'model fractal',
    'model ${1:f} = fractal on ${2:digits} {\n\tlevel ar(tokens: ${3:4}, width: ${4:64})\n\tpixel categorical(levels: 2)\n}',
    'fractal',
  ],
  ['generators', 'generators ${1:g} = [${2}]', 'generators'],
  [
    'retrain',
    'retrain ${1:m} for ${2:100} generations {\n\treal ${3:100} from ${4:truth}\n\tsynthetic ${5:100} from ${1:m}\n\tweights real: ${6:golden}, synthetic: 1 - ${6:golden}\n}',
    'retrain',
  ],
  [
    'cycle',
    'cycle for ${1:60} generations {\n\t${2:image} learns from ${3:text} samples ${4:500}\n\t${3:text} learns from captions of ${2:image} samples ${4:500}\n\tinject ${5:0.1} from ${6:pairs}\n}',
    'cycle',
  ],
  [
    'select',
    'select from ${1:g} by ${2:mixture_ucb_cab}(score: rke(kernel: gaussian_kernel(bandwidth: ${3:0.6})), rounds: ${4:2000})',
    'select',
  ],
  ['compare', 'compare ${1:vanilla_ucb}, ${2:oracle_best_single}, ${3:oracle_mixture}', 'compare'],
  [
    'train',
    'train gan(${1:g}, ${2:d}) on ${3:target} {\n\tphase cooperative ${4:300} steps { langevin(steps: 30, step: 0.05) }\n\tphase adversarial ${5:3000} steps { loss: nonsaturating, lr: 2e-4, batch: 256 }\n}',
    'train',
  ],
  ['fit', 'fit ${1:f} for ${2:2000} steps { lr: ${3:1e-3}, batch: ${4:64} }', 'fit'],
  ['metric', 'metric ${1:err} = ${2:mse}(${3}) ${4:at final}', 'metric'],
  ['view', 'view ${1:err} over ${2:t}', 'view'],
  ['preview', 'preview { replicates: ${1:10}, ${2:generations}: ${3:20} }', 'preview'],
];

const declarationSnippets: [string, string, string][] = [
  ['data', 'data ${1:truth} = ${2:gaussian}(${3})', 'data'],
  ['const', 'const ${1:n} = ${2:100}', 'const'],
  ['module', 'module ${1:name}(${2:width}) = ${3:ar}(${4})', 'module'],
  ['experiment', 'experiment ${1:name} {\n\tseed ${2:1}\n\t$0\n}', 'experiment'],
  ['use', 'use "${1:shared.ouro}"', 'use'],
];

const blockSnippets: Record<string, [string, string, string][]> = {
  retrain: [
    ['real', 'real ${1:100} from ${2:truth}', 'real'],
    ['synthetic', 'synthetic ${1:100} from ${2:m}', 'synthetic'],
    ['weights', 'weights real: ${1:golden}, synthetic: 1 - ${1:golden}', 'weights'],
    ['weights optimal', 'weights optimal', 'weights'],
    ['inject', 'inject ${1:10} from ${2:truth} every ${3:5} generations', 'inject'],
  ],
  cycle: [
    ['learns from', '${1:image} learns from ${2:text} samples ${3:500}', 'learns'],
    ['learns from captions', '${1:text} learns from captions of ${2:image} samples ${3:500}', 'captions'],
    ['inject', 'inject ${1:0.1} from ${2:pairs}', 'inject'],
    ['freeze', 'freeze ${1:text}', 'freeze'],
  ],
  train: [
    ['phase cooperative', 'phase cooperative ${1:300} steps { langevin(steps: ${2:30}, step: ${3:0.05}) }', 'phase'],
    [
      'phase adversarial',
      'phase adversarial ${1:3000} steps { loss: ${2:nonsaturating}, lr: ${3:2e-4}, batch: ${4:256} }',
      'phase',
    ],
  ],
  fractal: [
    ['level', 'level ar(tokens: ${1:4}, width: ${2:64}, depth: ${3:1})', 'level'],
    ['pixel', 'pixel categorical(levels: ${1:2})', 'pixel'],
  ],
};

function kw(label: string, insert: string, doc: string, sort = '1'): CompletionItem {
  return {
    label,
    kind: insert.includes('$') ? 'snippet' : 'keyword',
    insertText: insert,
    snippet: insert.includes('$'),
    documentation: keywordDocs[doc] ?? doc,
    sortText: sort + label,
  };
}

/** A snippet calling a catalog entry with its required parameters as placeholders. */
export function callSnippet(e: CatalogEntry): string {
  const req = e.params.filter((p) => p.default === undefined && !p.optional && !p.variadic);
  const args = req.map((p, i) => `${p.name}: \${${i + 1}}`);
  return `${e.name}(${args.join(', ')})`;
}

function entryItem(e: CatalogEntry, sort = '2'): CompletionItem {
  return {
    label: e.name,
    kind: 'function',
    detail: signatureOf(e),
    documentation: entryMarkdown(e),
    insertText: callSnippet(e),
    snippet: true,
    sortText: sort + e.name,
  };
}

const symKind: Record<SymbolKind, CompletionKind> = {
  data: 'variable',
  const: 'constant',
  module: 'module',
  experiment: 'class',
  model: 'variable',
  generators: 'variable',
  sweep: 'variable',
  enum: 'enum',
  metric: 'field',
  param: 'variable',
};

function symItem(s: Sym, sort = '0'): CompletionItem {
  if (s.kind === 'module') {
    const d = moduleDecls.get(s);
    const params = d?.params ?? [];
    return {
      label: s.name,
      kind: 'module',
      detail: s.detail,
      insertText: `${s.name}(${params.map((p, i) => `${p.name.text}: \${${i + 1}}`).join(', ')})`,
      snippet: true,
      sortText: sort + s.name,
    };
  }
  return {
    label: s.name,
    kind: symKind[s.kind],
    detail: s.detail,
    insertText: s.name,
    snippet: false,
    sortText: sort + s.name,
  };
}

function namesOf(scope: Scope, kinds: readonly SymbolKind[]): CompletionItem[] {
  return scopeNames(scope)
    .filter((s) => kinds.includes(s.kind))
    .map((s) => symItem(s));
}

function words(list: readonly string[], doc?: (w: string) => string | undefined): CompletionItem[] {
  return list.map((w) => ({
    label: w,
    kind: 'value' as const,
    insertText: w,
    snippet: false,
    documentation: doc?.(w) ?? builtinNameDocs[w],
    sortText: '0' + w,
  }));
}

function expressionItems(scope: Scope, extra: readonly string[] = []): CompletionItem[] {
  return [
    ...namesOf(scope, ['data', 'const', 'model', 'sweep', 'enum', 'module', 'generators', 'param']),
    ...constants.map((c) => ({
      label: c.name,
      kind: 'constant' as const,
      insertText: c.name,
      snippet: false,
      documentation: c.doc,
      sortText: '3' + c.name,
    })),
    ...mathFunctions.map((f) => ({
      label: f.name,
      kind: 'function' as const,
      insertText: `${f.name}(\${1})`,
      snippet: true,
      documentation: f.doc,
      sortText: '4' + f.name,
    })),
    ...words(extra),
  ];
}

type BlockKind =
  | 'top'
  | 'experiment'
  | 'retrain'
  | 'cycle'
  | 'train'
  | 'fractal'
  | 'options:preview'
  | 'options:fit'
  | 'options:cooperative'
  | 'options:adversarial'
  | 'options';

/** What each open `{` belongs to, from the keyword that introduced it. */
function blockStack(tokens: readonly IToken[], upto: number): { kind: BlockKind; open: number }[] {
  const stack: { kind: BlockKind; open: number }[] = [];
  let parens = 0;
  for (let i = 0; i <= upto; i++) {
    const t = tokens[i]!;
    const img = t.image;
    if (img === '(' || img === '[') parens++;
    else if (img === ')' || img === ']') parens = Math.max(0, parens - 1);
    else if (img === '{') {
      let kind: BlockKind = 'options';
      for (let j = i - 1; j >= 0; j--) {
        const w = tokens[j]!.image;
        if (w === '{' || w === '}') break;
        if (w === 'experiment') kind = 'experiment';
        else if (w === 'retrain') kind = 'retrain';
        else if (w === 'cycle') kind = 'cycle';
        else if (w === 'train') kind = 'train';
        else if (w === 'fractal') kind = 'fractal';
        else if (w === 'preview') kind = 'options:preview';
        else if (w === 'fit') kind = 'options:fit';
        else if (w === 'phase') {
          const pk = tokens[j + 1]?.image;
          kind =
            pk === 'cooperative' ? 'options:cooperative' : pk === 'adversarial' ? 'options:adversarial' : 'options';
        } else continue;
        break;
      }
      stack.push({ kind, open: i });
    } else if (img === '}') stack.pop();
  }
  return stack;
}

/** Completion items at `offset`, chosen by the syntactic context. */
export function complete(a: Analysis, offset: number): Completions {
  const text = a.text;
  // Nothing to complete inside a comment or a string (a line comment runs to the end of its line, so the
  // cursor right after it is still inside; a block comment's end is not).
  const inComment = a.parse.spec.comments.some(
    (c) => c.range.start < offset && (offset < c.range.end || (!c.block && offset === c.range.end)),
  );
  const inString = a.parse.tokens.some(
    (t) => t.tokenType.name === 'StringLiteral' && t.startOffset < offset && offset <= (t.endOffset ?? t.startOffset),
  );
  if (inComment || inString) return { items: [], range: { start: offset, end: offset } };
  let start = offset;
  while (start > 0 && /[A-Za-z0-9_]/.test(text[start - 1]!)) start--;
  const range = { start, end: offset };
  const toks = a.parse.tokens;
  const i = tokenIndexBefore(toks, start);
  const prev = toks[i];
  const prev2 = toks[i - 1];
  const pw = prev?.image ?? '';
  const exp = experimentAt(a.parse.spec, offset);
  const info = exp ? a.experiments.find((x) => x.decl === exp) : undefined;
  const scope = info?.scope ?? a.scope;
  const stack = blockStack(toks, i);
  const block: BlockKind = stack.length ? stack[stack.length - 1]!.kind : 'top';
  const lineStart = text.lastIndexOf('\n', start - 1) + 1;
  const atLineStart = text.slice(lineStart, start).trim() === '' || pw === '{' || pw === '}';
  const items = (xs: CompletionItem[]): Completions => ({ items: xs, range });

  // Inside a call's parentheses.
  const call = openCall(toks, i);
  if (call) {
    const e = call.callee ? (lookup(call.callee)[0] as CatalogEntry | undefined) : undefined;
    const params: readonly ParamSpec[] = e?.params ?? optionCallParams(call.callee);
    if (pw === '(' || pw === ',') {
      const given = new Set(call.named);
      const paramItems: CompletionItem[] = params
        .filter((p) => !given.has(p.name))
        .map((p) => ({
          label: `${p.name}:`,
          kind: 'property' as const,
          detail: `${p.type}${p.default !== undefined ? ` = ${String(p.default)}` : ''}`,
          documentation: p.doc,
          insertText: `${p.name}: `,
          snippet: false,
          sortText: '0' + String(params.indexOf(p)).padStart(2, '0'),
        }));
      const firstParam = call.named.length === 0 ? params[call.positional] : undefined;
      return items([...paramItems, ...(firstParam ? valueItems(firstParam, scope) : expressionItems(scope))]);
    }
    if (pw === ':' && prev2) {
      const p = params.find((x) => x.name === prev2.image);
      if (p) return items(valueItems(p, scope));
    }
    return items(expressionItems(scope));
  }

  if (block === 'top') {
    if (atLineStart) return items(declarationSnippets.map(([l, s, d]) => kw(l, s, d)));
    if (pw === '=' && prev2 && toks[i - 2]?.image === 'data')
      return items(dataSources.filter((x) => x.category === 'data').map((x) => entryItem(x)));
    return items(expressionItems(scope));
  }

  if (block.startsWith('options')) {
    const which = block.split(':')[1] as keyof typeof optionBlocks | undefined;
    const specs = which ? optionBlocks[which] : [];
    if (pw === '{' || pw === ',' || (atLineStart && pw !== ':')) {
      return items(
        specs.map((s) => ({
          label: s.call ? `${s.name}(...)` : `${s.name}:`,
          kind: 'property' as const,
          documentation: s.doc,
          insertText: s.call
            ? `${s.name}(${s.call
                .filter((c) => c.default !== undefined)
                .map((c, k) => `${c.name}: \${${k + 1}:${String(c.default)}}`)
                .join(', ')})`
            : `${s.name}: `,
          snippet: Boolean(s.call),
          sortText: '0' + s.name,
        })),
      );
    }
    if (pw === ':' && prev2) {
      const s = specs.find((x) => x.name === prev2.image);
      if (s) return items(valueItems(s, scope));
    }
    return items(expressionItems(scope));
  }

  // Keyword-driven positions inside experiments.
  const after = (w: string): boolean => pw === w;
  const p2 = prev2?.image;
  if (after('=')) {
    const decl = toks[i - 2]?.image;
    if (decl === 'model') {
      return items([
        ...generatorKinds.map((x) => entryItem(x)),
        {
          label: 'fractal',
          kind: 'snippet',
          insertText:
            'fractal on ${1:digits} {\n\tlevel ar(tokens: ${2:4}, width: ${3:64})\n\tpixel categorical(levels: 2)\n}',
          snippet: true,
          documentation: keywordDocs['fractal'],
          sortText: '1fractal',
        },
        ...namesOf(scope, ['module']),
      ]);
    }
    if (decl === 'metric') return items(metrics.map((x) => entryItem(x)));
    if (decl === 'generators')
      return items([
        {
          label: '[subset(...)]',
          kind: 'snippet',
          insertText: '[subset(${1:modes}, [${2:0, 1, 2}]), subset(${1:modes}, [${3:3, 4, 5}])]',
          snippet: true,
          sortText: '0',
        },
      ]);
  }
  if (after('from')) {
    const head = lineHead(toks, i, text);
    if (head === 'synthetic' || head === 'Identifier' || p2 === 'of') return items(namesOf(scope, ['model']));
    if (head === 'select') return items(namesOf(scope, ['generators']));
    return items(namesOf(scope, ['data']));
  }
  if (after('of')) return items(namesOf(scope, ['model']));
  if (after('on')) return items(namesOf(scope, ['data']));
  if (
    after('retrain') ||
    after('freeze') ||
    after('into') ||
    after('fit') ||
    (after(',') && lineHead(toks, i, text) === 'fit')
  )
    return items(namesOf(scope, ['model']));
  if (after('by')) {
    if (lineHead(toks, i, text) === 'select')
      return items(algorithms.filter((x) => x.category === 'algorithm').map((x) => entryItem(x)));
    const sweeps = info?.sweeps.map((s) => s.sym.name) ?? [];
    return items(words([...sweeps, 'method', 'model']));
  }
  if (after('compare') || (after(',') && lineHead(toks, i, text) === 'compare'))
    return items(
      algorithms.map((x) => ({
        label: x.name,
        kind: 'function' as const,
        insertText: x.name,
        snippet: false,
        documentation: entryMarkdown(x),
        sortText: '0' + x.name,
      })),
    );
  if (after('view'))
    return items([
      ...(info?.metrics.map((m) => symItem(m.sym)) ?? []),
      ...words(['proportions']),
      kw('samples', 'samples ${1:g} as ${2:scatter}', 'samples'),
    ]);
  if (after('over')) {
    const axis =
      info?.action === 'select' ? ['rounds'] : info?.action === 'train' || info?.action === 'fit' ? ['steps'] : ['t'];
    return items(words(axis));
  }
  if (after('mark')) return items(words(['min', 'max']));
  if (after('as')) return items(words(['scatter', 'grid']));
  if (after('phase')) return items(words(['cooperative', 'adversarial']));
  if (after('at')) return items([kw('final', 'final', 'final')]);
  if (after('every'))
    return items([
      kw('generation', 'generation', 'generation'),
      kw('N generations', '${1:5} generations', 'generations'),
      kw('N steps', '${1:250} steps', 'steps'),
      kw('N rounds', '${1:100} rounds', 'rounds'),
    ]);
  if (after('weights'))
    return items([
      kw('real: w, synthetic: 1 - w', 'real: ${1:golden}, synthetic: 1 - ${1:golden}', 'weights'),
      ...words(['optimal', 'pooled', 'real_only']),
    ]);
  if (after('level'))
    return items([...namesOf(scope, ['module']), entryItem(generatorKinds.find((x) => x.name === 'ar')!)]);
  if (after('pixel')) return items(heads.map((x) => entryItem(x)));
  if (after('samples') && lineHead(toks, i, text) === 'view') return items(namesOf(scope, ['model']));

  if (atLineStart) {
    if (block === 'experiment') return items(statementSnippets.map(([l, s, d]) => kw(l, s, d)));
    const snippets = blockSnippets[block];
    if (snippets) return items(snippets.map(([l, s, d]) => kw(l, s, d)));
  }
  if (block === 'cycle' && prev?.tokenType.name === 'Identifier')
    return items([kw('learns from', 'learns from ${1:text} samples ${2:500}', 'learns')]);
  return items(
    expressionItems(
      scope,
      info?.action === 'retrain' || info?.action === 'cycle' ? ['t'] : info?.action === 'select' ? ['selected'] : [],
    ),
  );
}

/** The first token of the statement holding token `i` (statement keywords start lines). */
function lineHead(toks: readonly IToken[], i: number, text: string): string {
  let j = i;
  while (j > 0) {
    const t = toks[j - 1]!;
    const between = text.slice((t.endOffset ?? t.startOffset) + 1, toks[j]!.startOffset);
    if (t.image === '{' || t.image === '}' || between.includes('\n')) break;
    j--;
  }
  const t = toks[j];
  if (!t) return '';
  return t.tokenType.name === 'Identifier' ? 'Identifier' : t.image;
}

/** The innermost unclosed `(` before token i, if it opens a call: its callee and the arguments so far. */
function openCall(
  toks: readonly IToken[],
  i: number,
): { callee: string; named: string[]; positional: number } | undefined {
  let depth = 0;
  for (let j = i; j >= 0; j--) {
    const w = toks[j]!.image;
    if (w === ')' || w === ']' || w === '}') depth++;
    else if (w === '[' || w === '{') {
      if (depth === 0) return undefined;
      depth--;
    } else if (w === '(') {
      if (depth > 0) {
        depth--;
        continue;
      }
      const callee = toks[j - 1];
      if (!callee || !/^[A-Za-z_]/.test(callee.image)) return undefined;
      // Arguments so far: names given and positional count at depth 0.
      const named: string[] = [];
      let positional = 0;
      let d = 0;
      let sawValue = false;
      for (let k = j + 1; k <= i; k++) {
        const t = toks[k]!.image;
        if (t === '(' || t === '[' || t === '{') d++;
        else if (t === ')' || t === ']' || t === '}') d--;
        else if (d === 0 && t === ':') named.push(toks[k - 1]!.image);
        else if (d === 0 && t === ',') {
          if (sawValue && !named.length) positional++;
          sawValue = false;
          continue;
        }
        sawValue = true;
      }
      return { callee: callee.image, named, positional };
    }
  }
  return undefined;
}

function optionCallParams(name: string): readonly ParamSpec[] {
  for (const specs of Object.values(optionBlocks)) {
    const s = specs.find((x) => x.name === name && x.call);
    if (s?.call) return s.call;
  }
  return [];
}

const byCategory = (cats: readonly EntryCategory[]): CatalogEntry[] =>
  [...dataSources, ...generatorKinds, ...heads, ...metrics, ...algorithms, ...kernels].filter((e) =>
    cats.includes(e.category),
  );

function valueItems(p: ParamSpec, scope: Scope): CompletionItem[] {
  switch (p.type) {
    case 'name':
      return words(p.values ?? []);
    case 'data':
      return [...namesOf(scope, ['data']), ...byCategory(['data']).map((x) => entryItem(x, '5'))];
    case 'model':
      return namesOf(scope, ['model']);
    case 'kernel':
      return kernels.map((x) => entryItem(x));
    case 'score':
      return metrics
        .filter((x) => ['rke', 'kid', 'precision', 'density'].includes(x.name))
        .map((x) => ({
          ...entryItem(x),
          insertText: `${x.name}(kernel: gaussian_kernel(bandwidth: \${1:0.6}))`,
          snippet: true,
        }));
    case 'module':
      return [
        ...namesOf(scope, ['module']),
        ...byCategory(['head']).map((x) => entryItem(x)),
        entryItem(generatorKinds.find((x) => x.name === 'ar')!),
      ];
    case 'bool':
      return words(['true', 'false']);
    case 'string':
      return (p.values ?? []).map((v) => ({
        label: `"${v}"`,
        kind: 'value' as const,
        insertText: `"${v}"`,
        snippet: false,
      }));
    default:
      return expressionItems(scope);
  }
}
