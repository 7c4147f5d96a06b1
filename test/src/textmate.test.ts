// The TextMate grammar (syntaxes/ouro.tmLanguage.json) colours .ouro files before the language server starts.
// These tests load it the way VS Code does (vscode-textmate + the oniguruma wasm), tokenize every example spec
// and check concrete scopes for concrete tokens, plus the language configuration next to it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import vsctm from 'vscode-textmate';
import oniguruma from 'vscode-oniguruma';
import type { IGrammar, StateStack } from 'vscode-textmate';
import { keywordNames } from '@ouro/dsl';

// The compiled test lives in test/out/, so the repository root is two levels up.
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const grammarPath = join(root, 'syntaxes', 'ouro.tmLanguage.json');
const configPath = join(root, 'syntaxes', 'language-configuration.json');
const examplesDir = join(root, 'examples');
const exampleFiles = readdirSync(examplesDir)
  .filter((f) => f.endsWith('.ouro'))
  .sort();

interface Token {
  readonly text: string;
  readonly scopes: readonly string[];
  readonly line: number;
}

let onigReady: Promise<void> | undefined;
function loadOniguruma(): Promise<void> {
  onigReady ??= (async () => {
    const wasmPath = createRequire(import.meta.url).resolve('vscode-oniguruma/release/onig.wasm');
    const wasm = readFileSync(wasmPath);
    await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  })();
  return onigReady;
}

let grammarPromise: Promise<IGrammar> | undefined;
function loadGrammar(): Promise<IGrammar> {
  grammarPromise ??= (async () => {
    const registry = new vsctm.Registry({
      onigLib: loadOniguruma().then(() => ({
        createOnigScanner: (patterns: string[]) => oniguruma.createOnigScanner(patterns),
        createOnigString: (s: string) => oniguruma.createOnigString(s),
      })),
      loadGrammar: async (scopeName: string) =>
        scopeName === 'source.ouro' ? vsctm.parseRawGrammar(readFileSync(grammarPath, 'utf8'), grammarPath) : null,
    });
    const grammar = await registry.loadGrammar('source.ouro');
    assert.ok(grammar, 'the grammar source.ouro loads');
    return grammar;
  })();
  return grammarPromise;
}

async function tokenize(text: string): Promise<Token[][]> {
  const grammar = await loadGrammar();
  let state: StateStack = vsctm.INITIAL;
  return text.split(/\r?\n/).map((lineText, line) => {
    const result = grammar.tokenizeLine(lineText, state);
    state = result.ruleStack;
    return result.tokens.map((t) => ({ text: lineText.slice(t.startIndex, t.endIndex), scopes: t.scopes, line }));
  });
}

const exampleCache = new Map<string, Promise<Token[][]>>();
function tokenizeExample(file: string): Promise<Token[][]> {
  let tokens = exampleCache.get(file);
  if (!tokens) {
    tokens = tokenize(readFileSync(join(examplesDir, file), 'utf8'));
    exampleCache.set(file, tokens);
  }
  return tokens;
}

/**
 * The scopes of the `occurrence`-th token whose text is exactly `tokenText` on the first line of `lines`
 * that contains `lineContext`.
 */
function scopesOf(lines: Token[][], lineContext: string, tokenText: string, occurrence = 0): readonly string[] {
  const line = lines.find((l) =>
    l
      .map((t) => t.text)
      .join('')
      .includes(lineContext),
  );
  assert.ok(line, `a line containing ${JSON.stringify(lineContext)}`);
  const matches = line.filter((t) => t.text === tokenText);
  const token = matches[occurrence];
  assert.ok(
    token,
    `token ${JSON.stringify(tokenText)} #${occurrence} in ${JSON.stringify(lineContext)}; tokens: ${JSON.stringify(
      line.map((t) => t.text),
    )}`,
  );
  return token.scopes;
}

function hasScope(scopes: readonly string[], prefix: RegExp): boolean {
  return scopes.some((s) => prefix.test(s));
}

function assertScope(scopes: readonly string[], prefix: RegExp, what: string): void {
  assert.ok(hasScope(scopes, prefix), `${what}: expected a scope matching ${prefix}, got ${JSON.stringify(scopes)}`);
}

function assertNoScope(scopes: readonly string[], prefix: RegExp, what: string): void {
  assert.ok(!hasScope(scopes, prefix), `${what}: expected no scope matching ${prefix}, got ${JSON.stringify(scopes)}`);
}

const KEYWORD = /^keyword\./;
const DECLARATION_KEYWORD = /^(keyword\.other|storage\.type)\b/;
const ENTITY_NAME = /^entity\.name\./;
const DEFINITION = /^(entity\.name\.|variable\.other\.(definition|constant\.definition)\b)/;
const NUMBER = /^constant\.numeric\./;
const COMMENT_LINE = /^comment\.line\.double-slash\.ouro$/;
const COMMENT_BLOCK = /^comment\.block\.ouro$/;
const STRING = /^string\.quoted\.double\.ouro$/;
const FUNCTION = /^(entity\.name\.function|support\.function)\b/;
const PARAMETER = /^variable\.parameter\b/;
const PROPERTY = /^variable\.other\.property\b/;
const BUILTIN_CONSTANT = /^(constant\.language|variable\.language)\b/;
const CONTROL = /^(keyword\.control|keyword\.operator\.logical)\b/;
const INVALID = /^invalid\./;

test('textmate: both JSON files parse and the grammar is source.ouro', () => {
  const grammar = JSON.parse(readFileSync(grammarPath, 'utf8')) as { scopeName?: unknown; patterns?: unknown };
  assert.equal(grammar.scopeName, 'source.ouro');
  assert.ok(Array.isArray(grammar.patterns) && grammar.patterns.length > 0);
  const config = JSON.parse(readFileSync(configPath, 'utf8')) as Record<string, unknown>;
  assert.ok(config);
});

test('textmate: every regular expression in the grammar compiles with oniguruma', async () => {
  await loadOniguruma();
  const grammar: unknown = JSON.parse(readFileSync(grammarPath, 'utf8'));
  const regexes: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      for (const [key, value] of Object.entries(node)) {
        if ((key === 'match' || key === 'begin' || key === 'end') && typeof value === 'string') regexes.push(value);
        else walk(value);
      }
    }
  };
  walk(grammar);
  assert.ok(regexes.length > 20, `found ${regexes.length} regular expressions`);
  for (const source of regexes) {
    assert.doesNotThrow(() => oniguruma.createOnigScanner([source]).dispose(), `compiles: ${source}`);
  }
});

test('textmate: language configuration (comments, brackets, pairs, folding, words, indentation)', () => {
  const config = JSON.parse(readFileSync(configPath, 'utf8')) as {
    comments: { lineComment: string; blockComment: [string, string] };
    brackets: [string, string][];
    autoClosingPairs: { open: string; close: string; notIn?: string[] }[];
    surroundingPairs: [string, string][];
    folding: { markers: { start: string; end: string } };
    wordPattern: string;
    indentationRules: { increaseIndentPattern: string; decreaseIndentPattern: string };
  };
  assert.equal(config.comments.lineComment, '//');
  assert.deepEqual(config.comments.blockComment, ['/*', '*/']);
  assert.deepEqual(config.brackets, [
    ['{', '}'],
    ['[', ']'],
    ['(', ')'],
  ]);

  const closing = new Map(config.autoClosingPairs.map((p) => [p.open, p]));
  for (const [open, close] of config.brackets) assert.equal(closing.get(open)?.close, close);
  const quote = closing.get('"');
  assert.equal(quote?.close, '"');
  assert.deepEqual([...(quote?.notIn ?? [])].sort(), ['comment', 'string']);
  const surrounding = config.surroundingPairs.map(([a, b]) => a + b);
  for (const pair of ['{}', '[]', '()', '""']) assert.ok(surrounding.includes(pair), `surrounds with ${pair}`);

  const foldStart = new RegExp(config.folding.markers.start);
  const foldEnd = new RegExp(config.folding.markers.end);
  assert.ok(foldStart.test('experiment golden_weight {'));
  assert.ok(foldStart.test('  retrain m for 100 generations { // comment'));
  assert.ok(!foldStart.test('  preview { replicates: 50, generations: 30 }'));
  assert.ok(foldEnd.test('  }'));
  assert.ok(foldEnd.test('  } // 4 * 4 * 4 = 64'));

  const word = new RegExp(`^(?:${config.wordPattern})$`);
  for (const w of ['golden_weight', '_x1', 'steps', '0.05', '1e-3', '.5', '400']) assert.ok(word.test(w), w);
  for (const w of ['a-b', 'x.y', '1x']) assert.ok(!word.test(w), w);

  const increase = new RegExp(config.indentationRules.increaseIndentPattern);
  const decrease = new RegExp(config.indentationRules.decreaseIndentPattern);
  for (const line of ['experiment e {', '  sweep w in [', '  model m = mlp(', '  train gan(g, d) on target { // x']) {
    assert.ok(increase.test(line), `indent after ${JSON.stringify(line)}`);
  }
  for (const line of ['  preview { steps: 200 }', '  model m = mlp(in: 2)', '  seed 1']) {
    assert.ok(!increase.test(line), `no indent after ${JSON.stringify(line)}`);
  }
  for (const line of ['}', '  ]', '\t)', '  } // end'])
    assert.ok(decrease.test(line), `outdent ${JSON.stringify(line)}`);
  assert.ok(!decrease.test('  seed 1 }'));
});

test('textmate: golden-ratio.ouro', async () => {
  const lines = await tokenizeExample('golden-ratio.ouro');
  assertScope(scopesOf(lines, 'experiment golden_weight', 'experiment'), KEYWORD, 'experiment');
  assertScope(scopesOf(lines, 'experiment golden_weight', 'experiment'), DECLARATION_KEYWORD, 'experiment');
  assertScope(scopesOf(lines, 'experiment golden_weight', 'golden_weight'), ENTITY_NAME, 'golden_weight');
  assertScope(scopesOf(lines, 'data truth', 'data'), DECLARATION_KEYWORD, 'data');
  assertScope(scopesOf(lines, 'data truth', 'truth'), DEFINITION, 'truth after data');
  assertScope(scopesOf(lines, 'data truth', '='), /^keyword\.operator\.assignment\b/, '=');
  assertScope(scopesOf(lines, 'data truth', 'gaussian'), FUNCTION, 'gaussian(');
  assertScope(scopesOf(lines, 'data truth', 'mean'), PARAMETER, 'mean:');
  assertScope(scopesOf(lines, 'data truth', ':'), /^punctuation\.separator\.key-value\b/, ':');
  assertScope(scopesOf(lines, 'data truth', 'dim'), PARAMETER, 'dim:');
  assertScope(scopesOf(lines, 'data truth', '0'), NUMBER, '0');
  assertScope(scopesOf(lines, 'data truth', ','), /^punctuation\.separator\.comma\b/, ',');
  assertScope(scopesOf(lines, 'data truth', '('), /^punctuation\./, '(');

  assertScope(scopesOf(lines, '// Golden-ratio weighting', '//'), COMMENT_LINE, 'leading // of a comment line');
  assertScope(
    scopesOf(lines, '// Golden-ratio weighting', ' Golden-ratio weighting (He, Xu, Cheng 2025, arXiv 2502.18049).'),
    COMMENT_LINE,
    'comment text',
  );
  const trailing = lines.find((l) => l.some((t) => t.text.includes("the previous generation's fit")));
  assert.ok(trailing);
  assertScope(scopesOf(lines, 'synthetic 100 from m //', 'synthetic'), KEYWORD, 'synthetic');
  for (const t of trailing.filter((t) => t.text.includes('fit') || t.text === '//')) {
    assertScope(t.scopes, COMMENT_LINE, 'trailing comment');
  }

  assertScope(scopesOf(lines, 'seed 7', 'seed'), KEYWORD, 'seed');
  assertScope(scopesOf(lines, 'seed 7', '7'), /^constant\.numeric\.integer\b/, '7');
  assertScope(scopesOf(lines, 'sweep w in', 'sweep'), KEYWORD, 'sweep');
  assertScope(scopesOf(lines, 'sweep w in', 'w'), DEFINITION, 'w after sweep');
  assertScope(scopesOf(lines, 'sweep w in', 'in'), KEYWORD, 'in');
  assertScope(scopesOf(lines, 'sweep w in', '0.05'), NUMBER, '0.05');
  assertScope(scopesOf(lines, 'sweep w in', '0.05', 1), NUMBER, 'second 0.05');
  assertScope(scopesOf(lines, 'sweep w in', '0.95'), /^constant\.numeric\.decimal\b/, '0.95');
  assertScope(scopesOf(lines, 'sweep w in', '..'), /^keyword\.operator\.range\b/, '..');
  assertScope(scopesOf(lines, 'sweep w in', 'step'), KEYWORD, 'step in a range');
  assertNoScope(scopesOf(lines, 'sweep w in', 'step'), PARAMETER, 'step in a range');
  assertScope(scopesOf(lines, 'model m = gaussian_fit()', 'm'), DEFINITION, 'm after model');
  assertScope(scopesOf(lines, 'model m = gaussian_fit()', 'gaussian_fit'), FUNCTION, 'gaussian_fit(');
  assertScope(scopesOf(lines, 'retrain m for 100', 'generations'), /^keyword\.other\.unit\b/, 'generations');
  assertScope(scopesOf(lines, 'real 100 from truth', 'real'), KEYWORD, 'real as a statement');
  assertScope(scopesOf(lines, 'weights real: w', 'real'), PARAMETER, 'real: in weights');
  assertNoScope(scopesOf(lines, 'weights real: w', 'real'), KEYWORD, 'real: in weights');
  assertScope(scopesOf(lines, 'weights real: w', 'synthetic'), PARAMETER, 'synthetic: in weights');
  assertScope(scopesOf(lines, 'weights real: w', '-'), /^keyword\.operator\.arithmetic\b/, '-');
  assertScope(scopesOf(lines, 'metric err = mse', 'err'), DEFINITION, 'err after metric');
  assertScope(scopesOf(lines, 'metric err = mse', 'mse'), FUNCTION, 'mse(');
  assertScope(scopesOf(lines, 'metric err = mse', 'mean'), PROPERTY, '.mean');
  assertScope(scopesOf(lines, 'metric err = mse', '.'), /^punctuation\.accessor\b/, '.');
  assertScope(scopesOf(lines, 'metric err = mse', 'final'), KEYWORD, 'final');
  assertScope(scopesOf(lines, 'preview { replicates: 50', 'replicates'), PARAMETER, 'replicates: in preview');
  assertScope(scopesOf(lines, 'preview { replicates: 50', 'generations'), PARAMETER, 'generations: in preview');
  assertScope(scopesOf(lines, 'preview { replicates: 50', '{'), /^punctuation\.section\.block\.begin\b/, '{');
});

test('textmate: coopinit.ouro (keyword names as named arguments)', async () => {
  const lines = await tokenizeExample('coopinit.ouro');
  for (const [context, word] of [
    ['langevin(steps: 20', 'steps'],
    ['langevin(steps: 20', 'step'],
    ['model d = mlp(in: 2', 'in'],
    ['preview { replicates: 1, steps: 400 }', 'steps'],
    ['preview { replicates: 1, steps: 400 }', 'replicates'],
  ] as const) {
    const scopes = scopesOf(lines, context, word);
    assertScope(scopes, PARAMETER, `${word}: in ${context}`);
    assertNoScope(scopes, KEYWORD, `${word}: in ${context}`);
  }
  assertScope(scopesOf(lines, 'langevin(steps: 20', 'langevin'), FUNCTION, 'langevin(');
  assertScope(scopesOf(lines, 'lr: 1e-3', 'lr'), PARAMETER, 'lr:');
  assertScope(scopesOf(lines, 'lr: 1e-3', '1e-3'), NUMBER, '1e-3');
  assertScope(scopesOf(lines, 'loss: nonsaturating, lr: 1e-3', '1e-3'), NUMBER, '1e-3 in an options line');
  assertScope(scopesOf(lines, 'phase cooperative', 'phase'), KEYWORD, 'phase');
  assertScope(scopesOf(lines, 'phase cooperative', 'cooperative'), ENTITY_NAME, 'phase name');
  assertScope(scopesOf(lines, 'phase cooperative', 'steps'), KEYWORD, 'steps as a unit');
  assertScope(scopesOf(lines, 'phase cooperative', 'when'), CONTROL, 'when');
  assertScope(scopesOf(lines, 'phase cooperative', '=='), /^keyword\.operator\.comparison\b/, '==');
  assertScope(scopesOf(lines, 'train gan(g, d) on target', 'train'), KEYWORD, 'train');
  assertScope(scopesOf(lines, 'train gan(g, d) on target', 'gan'), FUNCTION, 'gan(');
  assertScope(scopesOf(lines, 'train gan(g, d) on target', 'on'), KEYWORD, 'on');
  assertScope(scopesOf(lines, 'metric modes = mode_coverage', 'steps'), KEYWORD, 'every 250 steps');
  assertScope(scopesOf(lines, 'view modes over steps', 'steps'), KEYWORD, 'over steps');
  assertScope(scopesOf(lines, 'sweep init in [random, coop]', '['), /^punctuation\.section\.brackets\.begin\b/, '[');
  assertScope(scopesOf(lines, 'sweep init in [random, coop]', 'random'), /^variable\.other\b/, 'random');
});

test('textmate: fractal.ouro, mixture-ucb.ouro and coevolving.ouro', async () => {
  const fractal = await tokenizeExample('fractal.ouro');
  assertScope(scopesOf(fractal, 'images("digits"', '"'), STRING, 'string quote');
  assertScope(scopesOf(fractal, 'images("digits"', 'digits', 1), STRING, 'string contents');
  assertScope(scopesOf(fractal, 'images("digits"', 'digits'), DEFINITION, 'digits after data');
  assertScope(scopesOf(fractal, 'images("digits"', ' 8x8, binarised'), COMMENT_LINE, 'trailing comment');
  assertScope(scopesOf(fractal, 'module patch_ar', 'module'), DECLARATION_KEYWORD, 'module');
  assertScope(scopesOf(fractal, 'module patch_ar', 'patch_ar'), ENTITY_NAME, 'module name');
  assertScope(scopesOf(fractal, 'module patch_ar', 'width'), PARAMETER, 'module parameter');
  assertScope(scopesOf(fractal, 'module patch_ar', 'depth'), PARAMETER, 'module parameter');
  assertScope(scopesOf(fractal, 'module patch_ar', 'ar'), FUNCTION, 'ar(');
  assertScope(scopesOf(fractal, 'model f = fractal on digits', 'fractal'), KEYWORD, 'fractal');
  assertScope(scopesOf(fractal, 'level patch_ar(width: 64', 'level'), KEYWORD, 'level');
  assertScope(scopesOf(fractal, 'level patch_ar(width: 64', 'patch_ar'), FUNCTION, 'patch_ar(');
  assertScope(scopesOf(fractal, 'pixel categorical', 'pixel'), KEYWORD, 'pixel');
  assertScope(scopesOf(fractal, 'on: digits.test', 'on'), PARAMETER, 'on:');
  assertScope(scopesOf(fractal, 'on: digits.test', 'test'), PROPERTY, '.test');
  assertScope(scopesOf(fractal, 'view nll by model', 'model'), KEYWORD, 'by model');

  const mixture = await tokenizeExample('mixture-ucb.ouro');
  assertScope(scopesOf(mixture, 'generators g =', 'g'), DEFINITION, 'g after generators');
  assertScope(scopesOf(mixture, 'generators g =', 'subset'), FUNCTION, 'subset(');
  assertScope(scopesOf(mixture, 'select from g by', 'select'), KEYWORD, 'select');
  assertScope(scopesOf(mixture, 'select from g by', 'rounds'), PARAMETER, 'rounds:');
  assertScope(scopesOf(mixture, 'select from g by', 'gaussian_kernel'), FUNCTION, 'nested call');
  assertScope(scopesOf(mixture, 'compare mixture_ucb_ogd', 'compare'), KEYWORD, 'compare');
  assertScope(scopesOf(mixture, 'every 100 rounds', 'rounds'), KEYWORD, 'every 100 rounds');

  const coevolving = await tokenizeExample('coevolving.ouro');
  assertScope(scopesOf(coevolving, 'sweep fresh in', 'fresh'), DEFINITION, 'fresh after sweep');
  assertScope(scopesOf(coevolving, 'text learns from captions', 'learns'), KEYWORD, 'learns');
  assertScope(scopesOf(coevolving, 'text learns from captions', 'captions'), KEYWORD, 'captions');
  assertScope(scopesOf(coevolving, 'inject fresh from pairs', 'inject'), KEYWORD, 'inject');
  assertScope(scopesOf(coevolving, 'cycle for 60 generations', 'cycle'), KEYWORD, 'cycle');
  assertScope(scopesOf(coevolving, 'image: gaussian_per_class', 'image'), PARAMETER, 'image:');
  assertScope(scopesOf(coevolving, 'view diversity over t', 't'), BUILTIN_CONSTANT, 't');
});

test('textmate: every token of every example is classified', async () => {
  for (const file of ['coevolving.ouro', 'coopinit.ouro', 'fractal.ouro', 'golden-ratio.ouro', 'mixture-ucb.ouro']) {
    assert.ok(exampleFiles.includes(file), `examples/${file} exists`);
  }
  for (const file of exampleFiles) {
    const lines = await tokenizeExample(file);
    for (const token of lines.flat()) {
      const where = `${file}:${token.line + 1} ${JSON.stringify(token.text)} ${JSON.stringify(token.scopes)}`;
      assert.equal(token.scopes[0], 'source.ouro', where);
      if (/\S/.test(token.text)) assert.ok(token.scopes.length > 1, `unclassified: ${where}`);
      assertNoScope(token.scopes, INVALID, where);
    }
  }
});

test('textmate: every keyword of the lexer is a keyword, and a parameter before a colon', async () => {
  assert.ok(keywordNames.length > 50);
  for (const kw of keywordNames) {
    const [alone] = await tokenize(kw);
    assert.ok(alone);
    const word = alone.find((t) => t.text === kw);
    assert.ok(word, kw);
    if (kw === 'true' || kw === 'false') assertScope(word.scopes, /^constant\.language\.boolean\b/, kw);
    else assertScope(word.scopes, KEYWORD, kw);

    for (const source of [`f(${kw}: 1)`, `preview { ${kw}: 1 }`]) {
      const [line] = await tokenize(source);
      assert.ok(line);
      const named = line.filter((t) => t.text === kw).at(-1);
      assert.ok(named, source);
      assertScope(named.scopes, PARAMETER, source);
      assertNoScope(named.scopes, KEYWORD, source);
    }
  }
  // A name that is an identifier and not a keyword is not coloured as one.
  const [plain] = await tokenize('inject_rate injection stepsize');
  assert.ok(plain);
  for (const t of plain.filter((t) => t.text.trim() !== '')) assertScope(t.scopes, /^variable\.other\b/, t.text);
});

test('textmate: expressions, constants, strings and comments', async () => {
  const [cond] = await tokenize('const k = if a and not b or c then golden else phi * pi ^ e % 2 / 1 + -x');
  assert.ok(cond);
  const scope = (text: string): readonly string[] => {
    const token = cond.find((t) => t.text === text);
    assert.ok(token, text);
    return token.scopes;
  };
  assertScope(scope('const'), DECLARATION_KEYWORD, 'const');
  assertScope(scope('k'), DEFINITION, 'k after const');
  for (const word of ['if', 'then', 'else']) assertScope(scope(word), /^keyword\.control\b/, word);
  for (const word of ['and', 'or', 'not']) assertScope(scope(word), CONTROL, word);
  for (const word of ['golden', 'phi', 'pi', 'e']) assertScope(scope(word), BUILTIN_CONSTANT, word);
  for (const op of ['*', '^', '%', '/', '+', '-']) assertScope(scope(op), /^keyword\.operator\.arithmetic\b/, op);

  const [cmp] = await tokenize('a == b != c <= d >= e < f > g');
  assert.ok(cmp);
  for (const op of ['==', '!=', '<=', '>=', '<', '>']) {
    const token = cmp.find((t) => t.text === op);
    assert.ok(token, op);
    assertScope(token.scopes, /^keyword\.operator\.comparison\b/, op);
  }

  const [bools] = await tokenize('x(flag: true, other: false)');
  assert.ok(bools);
  for (const word of ['true', 'false']) {
    const token = bools.find((t) => t.text === word);
    assert.ok(token, word);
    assertScope(token.scopes, /^constant\.language\.boolean\b/, word);
  }

  const [numbers] = await tokenize('n(a: 10, b: 1.5, c: .5, d: 1e-3, e: 2.5E+10, f: 0..5)');
  assert.ok(numbers);
  for (const n of ['10', '1.5', '.5', '1e-3', '2.5E+10', '0', '5']) {
    const token = numbers.find((t) => t.text === n);
    assert.ok(token, `${n} in ${JSON.stringify(numbers.map((t) => t.text))}`);
    assertScope(token.scopes, NUMBER, n);
  }
  assertScope(numbers.find((t) => t.text === '..')?.scopes ?? [], /^keyword\.operator\.range\b/, '0..5');

  const [str] = await tokenize('use "lib/a \\"quoted\\" \\\\ b.ouro" // done');
  assert.ok(str);
  assertScope(str.find((t) => t.text === 'use')?.scopes ?? [], DECLARATION_KEYWORD, 'use');
  const escapes = str.filter((t) => hasScope(t.scopes, /^constant\.character\.escape\b/)).map((t) => t.text);
  assert.deepEqual(escapes, ['\\"', '\\"', '\\\\']);
  for (const t of str.slice(
    str.findIndex((t) => t.text === '"'),
    str.findIndex((t) => t.text === ' b.ouro') + 2,
  )) {
    assertScope(t.scopes, STRING, t.text);
  }
  assertScope(str.find((t) => t.text === ' done')?.scopes ?? [], COMMENT_LINE, 'comment after a string');

  // A string does not run past the end of its line.
  const [open, next] = await tokenize('data d = images("unterminated\nseed 1');
  assert.ok(open && next);
  assertScope(next.find((t) => t.text === 'seed')?.scopes ?? [], KEYWORD, 'seed after an unterminated string');

  // Block comments span lines; `//` inside one is part of it.
  const block = await tokenize('seed /* one\n two // still\n three */ 4');
  const blockTokens = block.flat();
  for (const text of [' one', ' two // still', ' three ', '/*', '*/']) {
    assertScope(blockTokens.find((t) => t.text === text)?.scopes ?? [], COMMENT_BLOCK, text);
  }
  assertScope(blockTokens.find((t) => t.text === '4')?.scopes ?? [], NUMBER, 'number after a block comment');
  assertScope(blockTokens.find((t) => t.text === 'seed')?.scopes ?? [], KEYWORD, 'seed before a block comment');

  // Characters the lexer rejects are marked; a lone `!` is one of them, `!=` is not.
  const [bad] = await tokenize('a @ b ! c ; d != e');
  assert.ok(bad);
  const invalid = bad.filter((t) => hasScope(t.scopes, INVALID)).map((t) => t.text);
  assert.deepEqual(invalid, ['@', '!', ';']);
});
