import type { Analysis } from '../semantics/analyze.js';
import {
  lookup,
  allEntries,
  constants,
  mathFunctions,
  optionBlocks,
  type CatalogEntry,
  type ParamSpec,
} from '../catalog/catalog.js';
import { fmtCount } from '../semantics/experiment.js';
import { listWords } from '../semantics/suggest.js';
import type { Sym } from '../semantics/symbols.js';
import type { TextRange } from '../text/text-range.js';
import { keywordDocs, builtinNameDocs } from './keyword-docs.js';
import { symbolAt, tokenAt } from './navigation.js';
import { callAt } from './ast-walk.js';
import { moduleDecls } from '../semantics/evaluate.js';

export interface Hover {
  readonly markdown: string;
  readonly range: TextRange;
}

export const papers: Readonly<Record<string, string>> = {
  'golden-ratio.md': 'He, Xu, Cheng, "Golden Ratio Weighting Prevents Model Collapse", arXiv 2502.18049 (2025)',
  'coevolving.md':
    'Gao, Li, "Convergence Dynamics and Stabilization Strategies of Co-Evolving Generative Models", arXiv 2503.08117 (2025)',
  'mixture-ucb.md':
    'Rezaei, Farnia, Li, "Be More Diverse than the Most Diverse: Optimal Mixtures of Generative Models via Mixture-UCB Bandit Algorithms", arXiv 2412.17622 (2024)',
  'coopinit.md':
    'Zhao, Xie, Li, "CoopInit: Initializing Generative Adversarial Networks via Cooperative Learning", AAAI 2023, arXiv 2303.11649',
  'fractal.md': 'Li, Sun, Fan, He, "Fractal Generative Models", arXiv 2502.17437 (2025)',
};

export function paperLine(paper: string | undefined): string {
  return paper ? `\n\n*Paper:* ${papers[paper] ?? paper} — \`shared/papers/${paper}\`` : '';
}

function paramSig(p: ParamSpec): string {
  const d =
    p.default !== undefined
      ? ` = ${Array.isArray(p.default) ? `[${p.default.join(', ')}]` : String(p.default)}`
      : p.optional
        ? '?'
        : '';
  return `${p.name}${p.variadic ? '...' : ''}: ${p.type}${d}`;
}

export function signatureOf(e: CatalogEntry): string {
  return `${e.name}(${e.params.map(paramSig).join(', ')})`;
}

function paramLine(p: ParamSpec): string {
  const range: string[] = [];
  if (p.min !== undefined) range.push(`${p.exclusiveMin ? '>' : '≥'} ${p.min}`);
  if (p.max !== undefined) range.push(`${p.exclusiveMax ? '<' : '≤'} ${p.max}`);
  if (p.values) range.push(`one of ${p.values.join(', ')}`);
  return `- \`${p.name}\` (${p.type}${range.length ? `, ${range.join(', ')}` : ''}${p.default !== undefined ? `, default ${Array.isArray(p.default) ? `[${p.default.join(', ')}]` : String(p.default)}` : ''}) — ${p.doc}`;
}

export function entryMarkdown(e: CatalogEntry): string {
  const params = e.params.length ? `\n\n${e.params.map(paramLine).join('\n')}` : '';
  const loops = e.loops ? `\n\nMeasured in ${listWords(e.loops)} experiments.` : '';
  return `\`\`\`ouro\n${signatureOf(e)}\n\`\`\`\n*${e.category}* — ${e.doc}${params}${loops}\n\nExample: \`${e.example}\`${paperLine(e.paper)}`;
}

function symbolMarkdown(a: Analysis, s: Sym): string {
  const head = `\`\`\`ouro\n${s.kind} ${s.name}\n\`\`\``;
  let body = s.detail;
  if (s.kind === 'module') {
    const d = moduleDecls.get(s);
    if (d) body = `module ${s.name}(${d.params.map((p) => p.name.text).join(', ')})`;
  }
  if (s.kind === 'metric') {
    const m = /^metric (\w+)/.exec(s.detail);
    const e = m ? lookup(m[1]!).find((x) => x.category === 'metric') : undefined;
    if (e) body = `${s.detail} — ${e.doc}${paperLine(e.paper)}`;
  }
  if (s.kind === 'experiment') {
    const ex = a.experiments.find((x) => x.name === s.name && x.decl.name?.range.start === s.nameRange.start);
    if (ex) {
      const c = ex.cost;
      const p = ex.previewCost;
      const row = (label: string, x: typeof c): string =>
        `| ${label} | ${fmtCount(x.runs)} | ${fmtCount(x.samples)} | ${fmtCount(x.params)} | ${fmtCount(x.steps)} | ${fmtCount(x.flops)} |`;
      body = `experiment (${ex.action ?? 'no loop'}, seed ${ex.seed ?? 'none'})\n\nStatic cost estimate:\n\n| budget | runs | samples | parameters | ${ex.action === 'select' ? 'rounds' : ex.action === 'train' || ex.action === 'fit' ? 'steps' : 'generations'} | FLOPs |\n| --- | --- | --- | --- | --- | --- |\n${row('full', c)}${p ? `\n${row('preview', p)}` : ''}`;
    }
  }
  const where = s.uri !== a.uri ? `\n\n*from* \`${s.uri.split('/').pop()}\`` : '';
  return `${head}\n${body}${where}`;
}

/** Hover documentation for the name, keyword or built-in at `offset`. */
export function hover(a: Analysis, offset: number): Hover | undefined {
  const hit = symbolAt(a, offset);
  if (hit) return { markdown: symbolMarkdown(a, hit.symbol), range: hit.range };
  const tok = tokenAt(a, offset);
  if (!tok) return undefined;
  const range = { start: tok.startOffset, end: (tok.endOffset ?? tok.startOffset) + 1 };
  const word = tok.image;
  const toks = a.parse.tokens;
  const idx = toks.indexOf(tok);
  const next = toks[idx + 1];
  // A parameter name: `name:` inside a call's arguments.
  if (next?.image === ':') {
    const c = callAt(a.parse.spec, offset);
    if (c && c.call.callee.kind === 'Name') {
      const e = lookup(c.call.callee.name.text)[0];
      const p = e?.params.find((x) => x.name === word);
      if (p && e) return { markdown: `\`\`\`ouro\n${e.name}(${paramSig(p)})\n\`\`\`\n${paramLine(p).slice(2)}`, range };
      const opt = Object.values(optionBlocks)
        .flat()
        .flatMap((o) => [o, ...(o.call ?? [])])
        .find((o) => o.name === word);
      if (opt) return { markdown: paramLine(opt).slice(2), range };
    }
    const opt = Object.entries(optionBlocks).find(([, specs]) => specs.some((s) => s.name === word));
    if (opt) {
      const spec = opt[1].find((s) => s.name === word)!;
      return { markdown: `*${opt[0]} option* ${paramLine(spec).slice(2)}`, range };
    }
  }
  const entries = lookup(word);
  if (entries.length > 0) {
    const nextIsParen = next?.image === '(';
    const shown = nextIsParen
      ? entries
      : entries.filter((e) => e.category === 'baseline' || e.category === 'algorithm' || e.category === 'metric');
    if (shown.length > 0) return { markdown: shown.map(entryMarkdown).join('\n\n---\n\n'), range };
  }
  const c = constants.find((x) => x.name === word);
  if (c) return { markdown: `\`\`\`ouro\nconst ${c.name} = ${c.value}\n\`\`\`\n${c.doc}`, range };
  const f = mathFunctions.find((x) => x.name === word);
  if (f && next?.image === '(')
    return {
      markdown: `\`\`\`ouro\n${f.name}(${Array.from({ length: f.arity }, (_, i) => `x${i + 1}`).join(', ')})\n\`\`\`\n${f.doc}`,
      range,
    };
  if (keywordDocs[word] && tok.tokenType.name !== 'Identifier')
    return { markdown: `**${word}** — ${keywordDocs[word]}`, range };
  if (builtinNameDocs[word]) return { markdown: `**${word}** — ${builtinNameDocs[word]}`, range };
  return undefined;
}

export { allEntries };
