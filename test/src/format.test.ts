import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { format, formatRange, parse } from '@ouro/dsl';

// This file runs as test/out/format.test.js: the repository root is two folders up.
const root = fileURLToPath(new URL('../../', import.meta.url));
const fixtureDir = join(root, 'test', 'fixtures', 'format');
const exampleDir = join(root, 'examples');

const read = (path: string): string => readFileSync(path, 'utf8');

const fixtureNames = readdirSync(fixtureDir)
  .filter((f) => f.endsWith('.in.ouro'))
  .map((f) => f.slice(0, -'.in.ouro'.length))
  .sort();
const exampleNames = readdirSync(exampleDir)
  .filter((f) => f.endsWith('.ouro'))
  .sort();

/** Every valid text the tests know: fixture inputs and outputs, and the examples. */
const corpus: { name: string; text: string }[] = [
  ...fixtureNames.flatMap((n) => [
    { name: `${n}.in.ouro`, text: read(join(fixtureDir, `${n}.in.ouro`)) },
    { name: `${n}.out.ouro`, text: read(join(fixtureDir, `${n}.out.ouro`)) },
  ]),
  ...exampleNames.map((n) => ({ name: n, text: read(join(exampleDir, n)) })),
];

const RANGE_KEYS = new Set(['range', 'argsRange', 'bodyRange', 'keywordRange']);

/** The declarations of a text's AST as JSON, without any source ranges. */
function astOf(text: string): string {
  const r = parse(text);
  assert.deepEqual(r.diagnostics, [], 'expected a text that parses cleanly');
  return JSON.stringify(r.spec.decls, (key, value: unknown) => (RANGE_KEYS.has(key) ? undefined : value));
}

/** The comments of a text, in order, as the formatter may write them (LF, no trailing blanks). */
function commentsOf(text: string): string[] {
  return parse(text).spec.comments.map((c) => c.text.replace(/\r\n?/g, '\n').replace(/[ \t]+$/gm, ''));
}

/** Checks the invariants every formatted text must meet. */
function checkFormatted(name: string, input: string, output: string): void {
  assert.equal(format(output).text, output, `${name}: format is not idempotent`);
  assert.equal(astOf(output), astOf(input), `${name}: the AST changed`);
  assert.deepEqual(commentsOf(output), commentsOf(input), `${name}: the comments changed`);
  if (output.length > 0) {
    assert.ok(output.endsWith('\n') && !output.endsWith('\n\n'), `${name}: must end with exactly one newline`);
  }
  assert.ok(!output.includes('\r'), `${name}: must use LF line ends`);
  assert.ok(!/[ \t]\n/.test(output), `${name}: trailing whitespace`);
  assert.ok(!output.includes('\n\n\n'), `${name}: more than one blank line in a row`);
}

test('fixtures: there are golden pairs to check', () => {
  assert.ok(fixtureNames.length >= 6, `found ${fixtureNames.length} fixtures`);
});

for (const name of fixtureNames) {
  test(`fixture ${name}: formats to the golden output`, () => {
    const input = read(join(fixtureDir, `${name}.in.ouro`));
    const expected = read(join(fixtureDir, `${name}.out.ouro`));
    const r = format(input);
    assert.deepEqual(r.diagnostics, []);
    assert.equal(r.text, expected);
    assert.equal(r.changed, input !== expected);
    assert.equal(format(expected).text, expected, 'the golden output is a fixed point');
    assert.equal(format(expected).changed, false);
  });
}

for (const name of exampleNames) {
  test(`example ${name} is a fixed point`, () => {
    const text = read(join(exampleDir, name));
    const r = format(text);
    assert.deepEqual(r.diagnostics, []);
    assert.equal(r.text, text);
    assert.equal(r.changed, false);
  });
}

test('idempotence, AST and comment preservation on every fixture and example', () => {
  for (const { name, text } of corpus) checkFormatted(name, text, format(text).text);
});

test('comments: every comment is kept, in order, including those between the tokens of an expression', () => {
  const text = 'const k = f( /* a */ x , // b\n y ) + /* c */ 2 // d\n/* e */\n';
  const out = format(text).text;
  assert.deepEqual(commentsOf(out), ['/* a */', '// b', '/* c */', '// d', '/* e */']);
  assert.equal(out, 'const k = f(/* a */ x, // b\n  y) + /* c */ 2 // d\n/* e */\n');
});

test('comments: a trailing line comment stays on its line after one space', () => {
  const out = format('experiment e {\n  seed 1      // the seed\n   // own line\n  replicates 2\n}\n').text;
  assert.equal(out, 'experiment e {\n  seed 1 // the seed\n  // own line\n  replicates 2\n}\n');
});

test('CRLF input gives LF output', () => {
  const r = format('data a = 1\r\n\r\nexperiment e {\r\n  seed 1 // s\r\n}\r\n');
  assert.equal(r.text, 'data a = 1\n\nexperiment e {\n  seed 1 // s\n}\n');
  assert.equal(r.changed, true);
});

test('empty and comment-only texts', () => {
  assert.deepEqual(format(''), { text: '', changed: false, diagnostics: [] });
  assert.equal(format('\n\n  \n').text, '');
  assert.equal(format('\n\n// only a comment   \n\n').text, '// only a comment\n');
});

test('options blocks: one line when written on one line and it fits, else one entry per line', () => {
  const short = 'experiment e {\n  preview {replicates:1,steps:2,}\n}\n';
  assert.equal(format(short).text, 'experiment e {\n  preview { replicates: 1, steps: 2 }\n}\n');
  const multi = 'experiment e {\n  preview { replicates: 1,\n steps: 2 }\n}\n';
  assert.equal(format(multi).text, 'experiment e {\n  preview {\n    replicates: 1\n    steps: 2\n  }\n}\n');
  // Exactly 100 columns fits; 101 does not.
  const entry = (width: number): string => `preview { a: "${'x'.repeat(width - 2 - 'preview { a: "" }'.length)}" }`;
  const fits = `experiment e {\n  ${entry(100)}\n}\n`;
  assert.equal(format(fits).text, fits);
  const long = `experiment e {\n  ${entry(101)}\n}\n`;
  assert.ok(format(long).text.includes('preview {\n    a: "'));
});

test('options blocks: a comma before a key that would continue the expression is kept', () => {
  const text =
    'experiment e {\n  fit m for 1 steps {\n    a: x,\n    and: y,\n    b: 0 .. 1,\n    step: 2,\n    c: 1\n  }\n}\n';
  const out = format(text).text;
  assert.equal(
    out,
    'experiment e {\n  fit m for 1 steps {\n    a: x,\n    and: y\n    b: 0 .. 1,\n    step: 2\n    c: 1\n  }\n}\n',
  );
  checkFormatted('infix keys', text, out);
});

test('the indent option sets the width of one level', () => {
  const out = format('experiment e { cycle for 2 generations { freeze m } }', { indent: 4 }).text;
  assert.equal(out, 'experiment e {\n    cycle for 2 generations {\n        freeze m\n    }\n}\n');
});

test('top-level declarations: one blank line between them; use, data and const may stay adjacent', () => {
  const out = format('use "a.ouro"\ndata d = 1\nconst c = 2\nmodule m(x) = x\nexperiment e {}\nconst z = 1\n').text;
  assert.equal(out, 'use "a.ouro"\ndata d = 1\nconst c = 2\n\nmodule m(x) = x\n\nexperiment e {}\n\nconst z = 1\n');
});

test('files with syntax errors are returned unchanged, with the diagnostics', () => {
  const broken = [
    'experiment   e {\n  seed\n}\n',
    'data x = (1 +\n',
    'data  x = "open\n',
    'data x = 1 /* never closed\n',
    'data x = 1 $ 2\n',
    'experiment e { seed 1 \r\n',
  ];
  for (const text of broken) {
    const r = format(text);
    assert.equal(r.text, text);
    assert.equal(r.changed, false);
    assert.ok(r.diagnostics.length > 0, `expected diagnostics for ${JSON.stringify(text)}`);
    assert.deepEqual(r.diagnostics, parse(text).diagnostics);
    assert.deepEqual(formatRange(text, { start: 0, end: text.length }).edits, []);
  }
});

/** Applies edits (non-overlapping) to a text. */
function applyEdits(
  text: string,
  edits: readonly { range: { start: number; end: number }; newText: string }[],
): string {
  let out = text;
  for (const e of [...edits].sort((a, b) => b.range.start - a.range.start)) {
    out = out.slice(0, e.range.start) + e.newText + out.slice(e.range.end);
  }
  return out;
}

test('formatRange formats only the selected statement', () => {
  const text = 'experiment e {\n      seed   1\n   model m=gaussian_fit( ) // m\n        replicates   2\n}\n';
  const at = text.indexOf('model');
  const { edits } = formatRange(text, { start: at + 2, end: at + 4 });
  assert.equal(edits.length, 1);
  assert.equal(
    applyEdits(text, edits),
    'experiment e {\n      seed   1\n  model m = gaussian_fit() // m\n        replicates   2\n}\n',
  );
  // Formatting the rest as well gives the full format.
  const all = formatRange(applyEdits(text, edits), { start: 0, end: text.length });
  assert.equal(applyEdits(applyEdits(text, edits), all.edits), format(text).text);
});

test('formatRange on a declaration header formats the whole declaration only', () => {
  const text = 'data  a=1\nexperiment   e {\n seed 1\n}\nconst   b=2\n';
  const { edits } = formatRange(text, { start: 3, end: 3 });
  assert.equal(applyEdits(text, edits), 'data a = 1\nexperiment   e {\n seed 1\n}\nconst   b=2\n');
  const at = text.indexOf('experiment');
  const second = formatRange(text, { start: at, end: at + 5 });
  assert.equal(applyEdits(text, second.edits), 'data  a=1\n\nexperiment e {\n  seed 1\n}\nconst   b=2\n');
});

test('formatRange: no edits when the selection is already formatted or touches nothing', () => {
  const text = read(join(exampleDir, 'golden-ratio.ouro'));
  assert.deepEqual(formatRange(text, { start: 0, end: text.length }).edits, []);
  const messy = 'experiment e {\n  seed 1\n\n\n  replicates   2\n}\n';
  const blank = messy.indexOf('\n\n') + 1;
  assert.deepEqual(formatRange(messy, { start: blank, end: blank }).edits, []);
});

test('formatRange keeps CRLF line ends and offsets of a CRLF document', () => {
  const text = 'experiment e {\r\n  seed 1 // s\r\n\r\n\r\n      replicates   2\r\n}\r\n';
  const at = text.indexOf('replicates');
  const { edits } = formatRange(text, { start: at, end: at + 1 });
  assert.equal(applyEdits(text, edits), 'experiment e {\r\n  seed 1 // s\r\n\r\n  replicates 2\r\n}\r\n');
});

/** A seeded pseudo-random generator (mulberry32), so that failures reproduce. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Rewrites the whitespace between the tokens and comments of a valid text. A gap that was empty
 * may stay empty; one that was not stays non-empty, and one after a line comment keeps a line
 * break, so the text lexes to the same tokens. With `lines` false, gaps with line breaks are kept;
 * with `comments`, new block and line comments are put into some gaps.
 */
function perturb(text: string, seed: number, lines: boolean, comments = false): string {
  const rnd = random(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const r = parse(text);
  const items = [
    ...r.tokens.map((t) => ({ start: t.startOffset, end: t.startOffset + t.image.length, line: false })),
    ...r.spec.comments.map((c) => ({ start: c.range.start, end: c.range.end, line: !c.block })),
  ].sort((a, b) => a.start - b.start);
  let out = '';
  let pos = 0;
  for (const it of [...items, { start: text.length, end: text.length, line: false }]) {
    const gap = text.slice(pos, it.start);
    let ws = gap;
    if (lines) {
      ws = pick(gap === '' ? ['', '', ' ', '\n'] : [' ', '  ', '\t', '\n', '\n\n', ' \n   ', '\n\n\n  ', '\r\n']);
      if (/\n/.test(gap) && !/\n/.test(ws) && items.some((x) => x.line && x.end === pos)) ws += '\n';
    } else if (!gap.includes('\n')) {
      ws = gap === '' ? pick(['', ' ']) : pick([' ', '   ', '\t']);
    }
    if (comments) {
      const roll = rnd();
      if (roll < 0.15) ws += ` /* b${out.length} */ `;
      else if (roll < 0.25) ws += ` // l${out.length}\n`;
      else if (roll < 0.28) ws += `\n/* m${out.length}\n   two lines */\n`;
    }
    out += ws + text.slice(it.start, it.end);
    pos = it.end;
  }
  return out;
}

test('property: reformatting a text with its spacing scrambled within lines gives the same result', () => {
  for (const { name, text } of corpus) {
    const expected = format(text).text;
    for (let seed = 1; seed <= 20; seed++) {
      const messy = perturb(text, seed * 7919 + name.length, false);
      assert.equal(format(messy).text, expected, `${name}, seed ${seed}`);
    }
  }
});

test('property: any re-spacing, line breaks included, formats idempotently and keeps AST and comments', () => {
  for (const { name, text } of corpus) {
    for (let seed = 1; seed <= 20; seed++) {
      const messy = perturb(text, seed * 104729 + name.length, true);
      const r = format(messy);
      assert.deepEqual(r.diagnostics, [], `${name}, seed ${seed}`);
      checkFormatted(`${name}, seed ${seed}`, messy, r.text);
    }
  }
});

test('property: comments put anywhere between tokens are kept in order, idempotently', () => {
  for (const { name, text } of corpus) {
    for (let seed = 1; seed <= 20; seed++) {
      const messy = perturb(text, seed * 15485863 + name.length, true, true);
      const r = format(messy);
      assert.deepEqual(r.diagnostics, [], `${name}, seed ${seed}`);
      assert.ok(commentsOf(messy).length > commentsOf(text).length);
      checkFormatted(`${name}, seed ${seed}`, messy, r.text);
    }
  }
});
