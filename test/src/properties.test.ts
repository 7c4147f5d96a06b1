// Property tests of the DSL front end: `parse`, `analyze` and the editor features never throw, always terminate, and
// report problems as well-formed diagnostics, whatever the input. Each property has a fixed seed,
// so a failure reproduces; fast-check shrinks it and prints the counterexample.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import {
  allCodes,
  analyze,
  codes,
  complete,
  documentSymbols,
  foldingRanges,
  format,
  formatRange,
  hover,
  inlayHints,
  keywordNames,
  lower,
  occurrences,
  parse,
  prepareRename,
  selectionRanges,
  semanticTokens,
  signatureHelp,
  symbolAt,
  symbolKey,
  type Analysis,
  type Diagnostic,
  type OutlineItem,
  type TextRange,
} from '@ouro/dsl';

// This file runs as test/out/properties.test.js: the repository root is two folders up.
const root = fileURLToPath(new URL('../../', import.meta.url));
const exampleDir = join(root, 'examples');
const examples = readdirSync(exampleDir)
  .filter((f) => f.endsWith('.ouro'))
  .sort()
  .map((name) => ({ name, text: readFileSync(join(exampleDir, name), 'utf8') }));

/** How long one analysis of a small input may take before we call it a hang (generous: slow CI). */
const SMALL_BUDGET_MS = 5_000;
/** The same for the megabyte-sized inputs of property 4. */
const LARGE_BUDGET_MS = 30_000;

const knownCodes = new Set<string>(allCodes);

/**
 * fast-check parameters: a fixed seed and run count, so that every run checks the same inputs. For a
 * longer local hunt, OURO_PROPERTY_SCALE multiplies the run counts and OURO_PROPERTY_SEED replaces
 * the seeds.
 */
function params(seed: number, numRuns: number): fc.Parameters<unknown> {
  const scale = Number(process.env['OURO_PROPERTY_SCALE'] ?? '1');
  const override = process.env['OURO_PROPERTY_SEED'];
  return {
    seed: override === undefined ? seed : Number(override),
    numRuns: Math.max(1, Math.round(numRuns * (Number.isFinite(scale) && scale > 0 ? scale : 1))),
  };
}

const show = (text: string): string =>
  text.length > 300 ? `${JSON.stringify(text.slice(0, 300))}…` : JSON.stringify(text);

/** Checks that every diagnostic is well formed for `text`: a known code, its severity, a range inside the text. */
function checkDiagnostics(text: string, ds: readonly Diagnostic[]): void {
  assert.ok(Array.isArray(ds as unknown), 'diagnostics must be an array');
  for (const d of ds) {
    const where = `${JSON.stringify(d)} for input ${show(text)}`;
    assert.ok(knownCodes.has(d.code), `unknown code in ${where}`);
    assert.equal(d.severity, codes[d.code].severity, `severity differs from the code table in ${where}`);
    const { start, end } = d.range;
    assert.ok(Number.isInteger(start) && Number.isInteger(end), `non-integer range in ${where}`);
    assert.ok(start >= 0 && start <= end && end <= text.length, `range outside [0, ${text.length}] in ${where}`);
  }
}

/** Checks that every quick-fix edit of every diagnostic lies inside the text it edits. */
function checkFixes(text: string, ds: readonly Diagnostic[]): void {
  for (const d of ds) {
    for (const f of d.fixes ?? []) {
      for (const e of f.edits) {
        assert.ok(
          e.range.start >= 0 && e.range.start <= e.range.end && e.range.end <= text.length,
          `fix edit ${JSON.stringify(e.range)} outside [0, ${text.length}] in ${JSON.stringify(d)} for input ${show(text)}`,
        );
      }
    }
  }
}

const isError = (d: Diagnostic): boolean => d.severity === 'error';

/** Analyses `text`, failing if it throws or takes longer than `budgetMs`. */
function analyseChecked(text: string, budgetMs = SMALL_BUDGET_MS): Analysis {
  const t0 = performance.now();
  let a: Analysis;
  try {
    a = analyze(text);
  } catch (e) {
    assert.fail(`analyze threw ${e instanceof Error ? e.stack : String(e)} for input ${show(text)}`);
  }
  const ms = performance.now() - t0;
  assert.ok(ms < budgetMs, `analyze took ${ms.toFixed(0)} ms (budget ${budgetMs} ms) for input ${show(text)}`);
  checkDiagnostics(text, a.diagnostics);
  return a;
}

/** If `parse` reports a syntax problem, `analyze` must report at least one error. */
function checkSyntaxErrorsSurface(text: string, a: Analysis): void {
  const syntax = parse(text).diagnostics.filter(isError);
  if (syntax.length === 0) return;
  assert.ok(
    a.diagnostics.some(isError),
    `parse reported ${JSON.stringify(syntax[0])} but analyze reported no error for input ${show(text)}`,
  );
}

// ---------- Token soup ----------

const keyword = fc.constantFrom(...keywordNames);
const punctuation = fc.constantFrom('(', ')', '[', ']', '{', '}', ',', ':', '.', '..', '=', ';');
const operator = fc.constantFrom('+', '-', '*', '/', '%', '^', '==', '!=', '<', '<=', '>', '>=', '!', '&&', '|', '->');
const number = fc.oneof(
  fc.nat().map(String),
  fc.double({ min: 0, noNaN: true, noDefaultInfinity: true }).map(String),
  fc.constantFrom('0', '1e3', '1e', '.5', '0.', '1.2.3', '1e-3', '007', '1e999', '2e+5', '0.618'),
);
const stringBody = fc.string({ maxLength: 8 }).map((s) => s.replace(/["\\\n\r]/g, ''));
const stringLiteral = fc.oneof(
  stringBody.map((s) => `"${s}"`),
  fc.constantFrom('""', '"a\\"b"', '"\\n"', '"\\\\"', '"digits"'),
);
const identifier = fc.oneof(
  fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,7}$/),
  // Names the catalog and the examples know, so that the soup reaches the semantic checks.
  fc.constantFrom(
    'gaussian',
    'ring',
    'mlp',
    'gan',
    'mse',
    'rke',
    'zipf',
    'paired',
    'images',
    'entropy',
    'gaussian_fit',
    'categorical',
    'ar',
    'x',
    'm',
    'g',
    'w',
    't',
    'mean',
    'test',
    'dim',
    'std',
  ),
);
const comment = fc.oneof(
  stringBody.map((s) => `// ${s}\n`),
  stringBody.map((s) => `/* ${s.replace(/\*\//g, '')} */`),
);
const unicode = fc.oneof(
  fc.string({ unit: 'binary', minLength: 1, maxLength: 3 }),
  fc.constantFrom('\u00e9', '\u00a0', '\ufeff', '\u2028', '\u2029', '\ud800', '\udfff', '😀', '\u0301', 'λ', '名前'),
);
const control = fc.oneof(
  fc.integer({ min: 0, max: 31 }).map((c) => String.fromCharCode(c)),
  fc.constant('\u007f'),
);
const unterminated = fc.oneof(
  stringBody.map((s) => `"${s}`),
  stringBody.map((s) => `/* ${s}`),
);

const soupToken = fc.oneof(
  { arbitrary: keyword, weight: 6 },
  { arbitrary: punctuation, weight: 5 },
  { arbitrary: operator, weight: 2 },
  { arbitrary: number, weight: 3 },
  { arbitrary: stringLiteral, weight: 2 },
  { arbitrary: identifier, weight: 5 },
  { arbitrary: comment, weight: 1 },
  { arbitrary: unicode, weight: 1 },
  { arbitrary: control, weight: 1 },
  { arbitrary: unterminated, weight: 1 },
);
const separator = fc.constantFrom('', ' ', ' ', ' ', '\n', '\t', '\r\n', '  ');
const soup = fc
  .array(fc.tuple(soupToken, separator), { maxLength: 60 })
  .map((parts) => parts.map(([t, s]) => t + s).join(''));

test('property 1: analyze survives token soup and reports well-formed diagnostics', () => {
  fc.assert(
    fc.property(soup, (text) => {
      const a = analyseChecked(text);
      checkSyntaxErrorsSurface(text, a);
    }),
    params(0x0e0a1, 3000),
  );
});

// ---------- Mutations of the examples ----------

type Mutation =
  | { op: 'delete'; a: number; b: number }
  | { op: 'duplicate'; a: number; b: number; at: number }
  | { op: 'swap'; i: number; j: number }
  | { op: 'insert'; at: number; token: string }
  | { op: 'truncate'; at: number };

const pos = fc.nat({ max: 1_000_000 });
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant('delete' as const), a: pos, b: fc.nat({ max: 40 }) }),
  fc.record({ op: fc.constant('duplicate' as const), a: pos, b: fc.nat({ max: 40 }), at: pos }),
  fc.record({ op: fc.constant('swap' as const), i: pos, j: pos }),
  fc.record({ op: fc.constant('insert' as const), at: pos, token: soupToken }),
  fc.record({ op: fc.constant('truncate' as const), at: pos }),
);

/** Applies one mutation; positions are taken modulo the text (or token count) so that every value is valid. */
function mutate(text: string, m: Mutation): string {
  const at = (n: number): number => n % (text.length + 1);
  switch (m.op) {
    case 'delete': {
      const a = at(m.a);
      return text.slice(0, a) + text.slice(Math.min(text.length, a + m.b + 1));
    }
    case 'duplicate': {
      const a = at(m.a);
      const span = text.slice(a, a + m.b + 1);
      const where = at(m.at);
      return text.slice(0, where) + span + text.slice(where);
    }
    case 'swap': {
      const tokens = parse(text).tokens;
      if (tokens.length < 2) return text;
      const ti = tokens[m.i % tokens.length]!;
      const tj = tokens[m.j % tokens.length]!;
      const [x, y] = ti.startOffset <= tj.startOffset ? [ti, tj] : [tj, ti];
      if (x === y) return text;
      const xEnd = x.startOffset + x.image.length;
      const yEnd = y.startOffset + y.image.length;
      return text.slice(0, x.startOffset) + y.image + text.slice(xEnd, y.startOffset) + x.image + text.slice(yEnd);
    }
    case 'insert': {
      const where = at(m.at);
      return `${text.slice(0, where)} ${m.token} ${text.slice(where)}`;
    }
    case 'truncate':
      return text.slice(0, at(m.at));
  }
}

const mutant = fc
  .record({
    example: fc.nat({ max: examples.length - 1 }),
    mutations: fc.array(mutation, { minLength: 1, maxLength: 4 }),
  })
  .map(({ example, mutations }) => mutations.reduce(mutate, examples[example]!.text));

test('property 2: analyze survives mutations of the examples; syntax problems surface as errors', () => {
  for (const paper of ['golden-ratio', 'coevolving', 'mixture-ucb', 'coopinit', 'fractal'])
    assert.ok(
      examples.some((e) => e.name === `${paper}.ouro`),
      `the ${paper} example is among the mutated specs`,
    );
  fc.assert(
    fc.property(mutant, (text) => {
      const a = analyseChecked(text);
      checkSyntaxErrorsSurface(text, a);
    }),
    params(0x0e0a2, 1000),
  );
});

// ---------- Quick fixes ----------

test('property 1b: quick-fix edits lie within the text', () => {
  fc.assert(
    fc.property(fc.oneof(soup, mutant), (text) => checkFixes(text, analyseChecked(text).diagnostics)),
    params(0x0e0a1b, 500),
  );
});

// ---------- Deep nesting ----------

const DEPTH = 10_000;

/** One level of nesting: text before and after the inner expression. */
const levels = {
  paren: ['(', ')'],
  bracket: ['[', ']'],
  brace: ['{', '}'],
  minus: ['-', ''],
  not: ['not ', ''],
  caret: ['2 ^ ', ''],
  ifThenElse: ['if true then 1 else ', ''],
  call: ['f(', ')'],
  list: ['[1, ', ']'],
} as const satisfies Record<string, readonly [string, string]>;
type Level = keyof typeof levels;
const levelNames = Object.keys(levels) as Level[];

/** A `DEPTH`-level expression whose level kinds are drawn from `kinds` by a seeded generator. */
function deepExpression(kinds: readonly Level[], seed: number): string {
  let s = seed >>> 0 || 1;
  const open: string[] = [];
  const close: string[] = [];
  for (let i = 0; i < DEPTH; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    const [o, c] = levels[kinds[(s >>> 0) % kinds.length]!];
    open.push(o);
    close.push(c);
  }
  return `${open.join('')}1${close.reverse().join('')}`;
}

/** Places a deep expression in one of the contexts an expression may appear in. */
const contexts = {
  const: (e: string) => `const deep = ${e}`,
  data: (e: string) => `data deep = gaussian(mean: ${e})`,
  module: (e: string) => `module deep(x) = mlp(out: ${e})`,
  seed: (e: string) => `experiment deep {\n  seed ${e}\n}`,
  metric: (e: string) => `experiment deep {\n  seed 1\n  metric m = ${e} at final\n}`,
} as const;
type Context = keyof typeof contexts;

function checkDeep(deepDecl: string): void {
  const text = `const before_deep = 1\n${deepDecl}\nconst after_deep = 2\n`;
  const a = analyseChecked(text);
  assert.ok(
    a.diagnostics.some((d) => isError(d) && (d.code === 'nesting-too-deep' || d.code === 'syntax-error')),
    `no nesting-too-deep or syntax-error for ${show(deepDecl)}; got ${JSON.stringify(a.diagnostics.slice(0, 3))}`,
  );
  const names = new Set(a.symbols.map((s) => s.name));
  assert.ok(names.has('before_deep'), `the declaration before ${show(deepDecl)} was lost`);
  assert.ok(names.has('after_deep'), `the declaration after ${show(deepDecl)} was lost`);
}

test('property 3: 10,000 levels of nesting of each kind are reported, and later declarations still parse', async (t) => {
  for (const kind of levelNames) {
    await t.test(kind, () => checkDeep(contexts.const(deepExpression([kind], 1))));
  }
});

test('property 3: 10,000 levels of mixed nesting in any context are reported, and later declarations still parse', () => {
  fc.assert(
    fc.property(
      fc.subarray(levelNames, { minLength: 1 }),
      fc.constantFrom(...(Object.keys(contexts) as Context[])),
      fc.integer(),
      (kinds, context, seed) => checkDeep(contexts[context](deepExpression(kinds, seed))),
    ),
    params(0x0e0a3, 12),
  );
});

// ---------- Very long lines ----------

test('property 4: megabyte-long single lines terminate without throwing', async (t) => {
  let s = 0x0e0a4;
  const random = (n: number): number => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) % n;
  };
  const numbers = Array.from({ length: 200_000 }, () => String(random(10_000_000))).join(', ');
  const names = Array.from({ length: 100_000 }, (_, i) => `n${i.toString(36)}_${random(1000)}`);
  const shapes: Record<string, string> = {
    'a const list of 200,000 numbers': `const big = [${numbers}]`,
    'a line of 100,000 identifiers': `const names = ${names.join(' ')}`,
    'a sum of 100,000 identifiers': `const total = ${names.join(' + ')}`,
    'a 1 MB string': `data d = images("${'x'.repeat(1_000_000)}", size: 8)`,
    'a 1 MB unterminated string': `const s = "${'x'.repeat(1_000_000)}`,
    'a 1 MB line comment': `// ${'x'.repeat(1_000_000)}`,
    'a 1 MB unterminated block comment': `/* ${'x'.repeat(1_000_000)}`,
  };
  for (const [name, line] of Object.entries(shapes)) {
    await t.test(name, () => {
      const text = `${line}\nconst after_long = 1\n`;
      assert.ok(!line.includes('\n'));
      assert.ok(line.length >= 500_000, `${name}: only ${line.length} characters`);
      analyseChecked(text, LARGE_BUDGET_MS);
    });
  }
});

// ---------- The examples ----------

test('property 5: the examples analyse with no errors and no warnings', async (t) => {
  for (const paper of ['golden-ratio', 'coevolving', 'mixture-ucb', 'coopinit', 'fractal'])
    assert.ok(
      examples.some((e) => e.name === `${paper}.ouro`),
      `the ${paper} example is among the mutated specs`,
    );
  for (const { name, text } of examples) {
    await t.test(name, () => {
      const a = analyseChecked(text);
      const bad = a.diagnostics.filter((d) => d.severity === 'error' || d.severity === 'warning');
      assert.deepEqual(bad, [], `${name} has errors or warnings`);
    });
  }
});

// ---------- Determinism ----------

test('property 6: analyze is deterministic, also after analysing something else', () => {
  const input = fc.oneof(soup, mutant);
  fc.assert(
    fc.property(input, input, (text, other) => {
      const first = JSON.stringify(analyseChecked(text).diagnostics);
      const second = JSON.stringify(analyseChecked(text).diagnostics);
      assert.equal(second, first, `two analyses in a row differ for input ${show(text)}`);
      analyseChecked(other);
      const third = JSON.stringify(analyseChecked(text).diagnostics);
      assert.equal(third, first, `analysing ${show(other)} in between changed the result for ${show(text)}`);
    }),
    params(0x0e0a6, 400),
  );
});

// ---------- Editor features ----------

/** Checks that `r` is a well-formed range inside `text`; `what` names it in the failure. */
function checkRange(text: string, r: TextRange, what: string): void {
  assert.ok(
    Number.isInteger(r.start) && Number.isInteger(r.end) && 0 <= r.start && r.start <= r.end && r.end <= text.length,
    `${what} ${JSON.stringify(r)} lies outside [0, ${text.length}] for input ${show(text)}`,
  );
}

/**
 * Runs every editor feature the language server offers on `a` (at `offsets` where it takes a position), the way
 * the server calls them, and checks that none throws and that every range it returns lies inside the text.
 */
function checkEditorFeatures(a: Analysis, offsets: readonly number[]): void {
  const text = a.text;
  const outline = (items: readonly OutlineItem[]): void => {
    for (const o of items) {
      checkRange(text, o.range, `outline item ${o.name}`);
      checkRange(text, o.selectionRange, `outline selection of ${o.name}`);
      outline(o.children);
    }
  };
  outline(documentSymbols(a));
  const lines = text.split(/\r\n?|\n/).length;
  for (const f of foldingRanges(a))
    assert.ok(0 <= f.startLine && f.startLine <= f.endLine && f.endLine < lines, `folding ${JSON.stringify(f)}`);
  for (const t of semanticTokens(a)) checkRange(text, { start: t.start, end: t.start + t.length }, 'semantic token');
  for (const h of inlayHints(a)) checkRange(text, { start: h.offset, end: h.offset }, `inlay hint ${h.label}`);
  for (const o of offsets) {
    const h = hover(a, o);
    if (h) checkRange(text, h.range, `hover at ${o}`);
    checkRange(text, complete(a, o).range, `completion range at ${o}`);
    const s = signatureHelp(a, o);
    if (s) assert.ok(s.activeParameter >= 0, `signature help at ${o}: active parameter ${s.activeParameter}`);
    for (const r of selectionRanges(a, o)) checkRange(text, r, `selection range at ${o}`);
    const hit = symbolAt(a, o);
    if (hit) {
      checkRange(text, hit.range, `symbol at ${o}`);
      for (const loc of occurrences(symbolKey(hit.symbol), [a], true)) checkRange(text, loc.range, `occurrence`);
    }
    const rename = prepareRename(a, o);
    if ('range' in rename) checkRange(text, rename.range, `rename at ${o}`);
  }
  const formatted = format(text);
  if (formatted.diagnostics.length === 0) {
    assert.equal(format(formatted.text).text, formatted.text, `format is not idempotent for input ${show(text)}`);
    const edits = formatRange(text, { start: offsets[0] ?? 0, end: offsets.at(-1) ?? text.length }).edits;
    for (const e of edits) checkRange(text, e.range, 'range-formatting edit');
  }
  if (!a.diagnostics.some(isError)) assert.ok(lower(a), `a spec without errors did not lower: ${show(text)}`);
}

test('property 7: every editor feature survives token soup and mutated examples, with ranges inside the text', () => {
  fc.assert(
    fc.property(
      fc
        .oneof(soup, mutant)
        .chain((text) =>
          fc.tuple(fc.constant(text), fc.array(fc.nat({ max: text.length }), { minLength: 1, maxLength: 12 })),
        ),
      ([text, offsets]) =>
        checkEditorFeatures(
          analyseChecked(text),
          [...offsets].sort((x, y) => x - y),
        ),
    ),
    params(0x0e0a7, 400),
  );
});
