// Generates the built-in reference (section 6 of docs/language.md) from the compiled catalog, so the tables
// cannot drift from dsl/src/catalog/catalog.ts. Run after `npx tsc -b`:
//   node docs/gen-reference.mjs          rewrite the generated part of docs/language.md
//   node docs/gen-reference.mjs --check  exit 1 if the generated part is out of date
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as prettier from 'prettier';
import { catalog, listWords } from '../dsl/out/index.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const docPath = join(root, 'docs', 'language.md');
const BEGIN =
  '<!-- BEGIN GENERATED: node docs/gen-reference.mjs writes everything up to END GENERATED from the catalog; do not edit by hand -->';
const END = '<!-- END GENERATED -->';

const papers = {
  'golden-ratio.md': 'He, Xu, Cheng 2025, arXiv 2502.18049',
  'coevolving.md': 'Gao, Li 2025, arXiv 2503.08117',
  'mixture-ucb.md': 'Rezaei, Farnia, Li 2024, arXiv 2412.17622',
  'coopinit.md': 'Zhao, Xie, Li 2023, arXiv 2303.11649',
  'fractal.md': 'Li, Sun, Fan, He 2025, arXiv 2502.17437',
};

const categories = [
  ['data', 'Data sources', 'Ground truth to sample from: `data x = ...`, `real N from x`, `model m = ... on x`.'],
  [
    'generator',
    'Generator kinds',
    'What a `model m = ...` is, and `subset(...)`, a fixed generator for `generators g = [...]`.',
  ],
  ['head', 'Pixel heads', 'The last line of a fractal: `pixel ...`, or the base case of a recursive module.'],
  [
    'metric',
    'Metrics',
    'What `metric name = ...` measures; `rke`, `kid`, `precision` and `density` are also bandit scores.',
  ],
  ['algorithm', 'Bandit algorithms', 'What `select from g by ...` runs.'],
  [
    'baseline',
    'Bandit baselines',
    'What `compare ...` runs next to the algorithm, with the same generators, score and rounds; each with its own other settings (`vanilla_ucb(bonus: 2)`).',
  ],
  ['kernel', 'Kernels', 'The `kernel:` argument of `rke` and `kid`.'],
  ['gan', 'Model pairs', 'What `train ... on data { ... }` trains.'],
];

const typeWords = {
  number: 'number',
  int: 'whole number',
  string: 'string',
  bool: '`true` / `false`',
  numbers: 'list of numbers',
  ints: 'list of whole numbers',
  data: 'data source',
  model: 'model',
  generator: 'generator',
  kernel: 'kernel',
  score: 'score: `rke`, `kid`, `precision` or `density` call',
  module: '`ar(...)`, a module call or a pixel head',
  head: 'pixel head',
  name: 'word',
  any: 'any value',
};

const familyWords = {
  gaussian: 'Gaussian',
  categorical: 'categorical',
  conditional: 'conditional Gaussian',
  regression: 'regression',
  sampler: 'sampling',
  likelihood: 'likelihood',
  'gan-generator': 'GAN generator',
};

const cell = (s) => String(s).replace(/\|/g, '\\|').replace(/\n/g, ' ');
const code = (s) => '`' + s + '`';
const num = (x) => (Number.isInteger(x) || Math.abs(x) >= 1e-3 ? String(x) : x.toExponential());

function fmtDefault(p) {
  if (p.variadic) return 'required (one or more, positional)';
  if (p.default === undefined) return p.optional ? 'optional' : 'required';
  if (Array.isArray(p.default)) return code(`[${p.default.join(', ')}]`);
  if (typeof p.default === 'number') return code(num(p.default));
  return code(String(p.default));
}

function fmtRange(p) {
  const parts = [];
  if (p.values) parts.push(`one of ${p.values.map((v) => code(p.type === 'string' ? `"${v}"` : v)).join(', ')}`);
  const each = p.type === 'numbers' || p.type === 'ints' ? 'each ' : '';
  if (p.min !== undefined && p.max !== undefined) parts.push(`${each}${num(p.min)} … ${num(p.max)}`);
  else if (p.min !== undefined) parts.push(`${each}${p.exclusiveMin ? '>' : '≥'} ${num(p.min)}`);
  else if (p.max !== undefined) parts.push(`${each}≤ ${num(p.max)}`);
  return parts.join('; ') || '—';
}

function paramTable(params) {
  if (params.length === 0) return 'Takes no parameters.\n';
  const rows = params.map(
    (p) =>
      `| ${code(p.name)} | ${cell(typeWords[p.type] ?? p.type)} | ${cell(fmtDefault(p))} | ${cell(fmtRange(p))} | ${cell(p.doc)} |`,
  );
  return ['| parameter | type | default | range | meaning |', '| --- | --- | --- | --- | --- |', ...rows, ''].join(
    '\n',
  );
}

/** `name(required, optional?, withDefault: value)`: the quick-reference form of a call. */
function signature(e) {
  const ps = e.params.map((p) => {
    if (p.variadic) return `${p.name}...`;
    if (p.default !== undefined) {
      const d = Array.isArray(p.default)
        ? `[${p.default.join(', ')}]`
        : typeof p.default === 'number'
          ? num(p.default)
          : p.default;
      return `${p.name}: ${d}`;
    }
    return p.optional ? `${p.name}?` : p.name;
  });
  return `${e.name}(${ps.join(', ')})`;
}

function firstSentence(doc) {
  const m = /^.*?\.(?=\s+[A-Z`"(]|$)/.exec(doc);
  return m ? m[0] : doc;
}

function paperLine(paper) {
  return paper ? `Paper: ${code(paper)} (${papers[paper] ?? 'shared/papers'}).` : '';
}

function entrySection(e) {
  const out = [`#### ${code(e.name)} (${categoryTitle(e.category).toLowerCase().replace(/s$/, '')})`, '', e.doc, ''];
  if (e.accepts) out.push(`Applies to: ${e.accepts.map((f) => familyWords[f] ?? f).join(' or ')} models.`, '');
  if (e.loops) out.push(`Measured in ${listWords(e.loops.map(code))} experiments.`, '');
  out.push(paramTable(e.params));
  out.push(`Example: ${code(e.example)}`, '');
  const p = paperLine(e.paper);
  if (p) out.push(p, '');
  return out.join('\n');
}

function categoryTitle(c) {
  return categories.find((x) => x[0] === c)?.[1] ?? c;
}

function generate() {
  const out = [BEGIN, ''];
  let i = 1;
  for (const [cat, title, intro] of categories) {
    const entries = catalog.allEntries.filter((e) => e.category === cat);
    out.push(`### 6.${i++} ${title}`, '', intro, '');
    out.push('| signature | what it is |', '| --- | --- |');
    for (const e of entries) out.push(`| ${code(signature(e))} | ${cell(firstSentence(e.doc))} |`);
    out.push('');
    for (const e of entries) out.push(entrySection(e));
  }

  out.push(`### 6.${i++} Constants`, '', 'Usable in any expression; their names are reserved.', '');
  out.push('| name | value | meaning |', '| --- | --- | --- |');
  for (const c of catalog.constants) out.push(`| ${code(c.name)} | ${c.value.toPrecision(10)} | ${cell(c.doc)} |`);
  out.push('');

  out.push(
    `### 6.${i++} Math functions`,
    '',
    'Called with positional arguments only; their names are reserved.',
    '',
    '| function | arguments | meaning |',
    '| --- | --- | --- |',
  );
  for (const f of catalog.mathFunctions) {
    const args = f.arity === 1 ? 'x' : f.name === 'optimal_weight' ? 'n, m' : 'a, b';
    out.push(`| ${code(`${f.name}(${args})`)} | ${f.arity} | ${cell(f.doc)} |`);
  }
  out.push('');

  out.push(
    `### 6.${i++} Option blocks`,
    '',
    'The keys each `{ ... }` block accepts; every key may be left out. `key: value` entries may be separated by commas or line breaks; `langevin(...)` is written as a call.',
    '',
  );
  const blockTitles = {
    preview: '`preview { ... }`',
    fit: '`fit ... for N steps { ... }`',
    cooperative: '`phase cooperative N steps { ... }`',
    adversarial: '`phase adversarial N steps { ... }`',
  };
  for (const [block, specs] of Object.entries(catalog.optionBlocks)) {
    out.push(`#### ${blockTitles[block] ?? block}`, '');
    out.push('| key | type | default | range | meaning |', '| --- | --- | --- | --- | --- |');
    for (const p of specs) {
      const type = p.call ? `call: ${code(`${p.name}(${p.call.map((c) => c.name).join(', ')})`)}` : typeWords[p.type];
      const dflt = p.call
        ? '—'
        : p.default !== undefined
          ? fmtDefault(p)
          : block === 'preview'
            ? 'the full budget'
            : '—';
      out.push(`| ${code(p.name)} | ${cell(type)} | ${cell(dflt)} | ${cell(fmtRange(p))} | ${cell(p.doc)} |`);
    }
    out.push('');
    for (const p of specs) {
      if (!p.call) continue;
      out.push(`Arguments of ${code(`${p.name}(...)`)} (by name):`, '', paramTable(p.call));
    }
  }

  out.push(
    `### 6.${i++} Phase kinds`,
    '',
    `A \`phase\` of \`train\` is one of: ${catalog.phaseKinds.map(code).join(', ')}.`,
    '',
  );

  out.push(`### 6.${i} Views`, '', '| form | what it shows | example |', '| --- | --- | --- |');
  for (const v of catalog.viewDocs) out.push(`| ${code(v.name)} | ${cell(v.doc)} | ${code(v.example)} |`);
  out.push('', END);
  return out.join('\n');
}

const doc = readFileSync(docPath, 'utf8');
const a = doc.indexOf(BEGIN);
const b = doc.indexOf(END);
if (a < 0 || b < a) {
  console.error(`docs/language.md lacks the markers ${BEGIN} ... ${END}`);
  process.exit(2);
}
const options = { ...((await prettier.resolveConfig(docPath)) ?? {}), filepath: docPath };
const next = await prettier.format(doc.slice(0, a) + generate() + doc.slice(b + END.length), options);
if (process.argv.includes('--check')) {
  if (next !== doc) {
    console.error('docs/language.md is out of date with the catalog: run `node docs/gen-reference.mjs`');
    process.exit(1);
  }
  console.log('docs/language.md is up to date with the catalog');
} else {
  writeFileSync(docPath, next);
  console.log('wrote docs/language.md');
}
