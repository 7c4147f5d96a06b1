import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { parse, analyze, diagnose } from '@ouro/dsl';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const base = readdirSync(join(root, 'examples'))
  .filter((f) => f.endsWith('.ouro'))
  .sort()
  .map((f) => readFileSync(join(root, 'examples', f), 'utf8'))
  .join('\n');

const plain = (x: unknown): unknown => JSON.parse(JSON.stringify(x));

test('incremental parsing gives exactly the result of a fresh parse, for random edits', () => {
  const snippets = [
    '',
    ' ',
    '\n',
    'x',
    '1',
    '}',
    '{',
    '(',
    'experiment e {',
    'data d = gaussian()\n',
    '// c\n',
    '"',
    '/*',
  ];
  fc.assert(
    fc.property(fc.nat({ max: base.length }), fc.nat({ max: 40 }), fc.constantFrom(...snippets), (at, del, ins) => {
      const edited = base.slice(0, at) + ins + base.slice(Math.min(base.length, at + del));
      const fresh = parse(edited);
      const reused = parse(edited, parse(base));
      assert.deepEqual(plain(reused.spec), plain(fresh.spec));
      assert.deepEqual(plain(reused.diagnostics), plain(fresh.diagnostics));
    }),
    { seed: 0x1c4e, numRuns: 150 },
  );
});

test('analysis with a previous parse equals a fresh analysis', () => {
  const edited = base.replace('replicates 400', 'replicates 300\n  // tuned');
  const fresh = analyze(edited, { uri: 'a.ouro' });
  const reused = analyze(edited, { uri: 'a.ouro', previous: analyze(base, { uri: 'a.ouro' }).parse });
  assert.deepEqual(plain(reused.diagnostics), plain(fresh.diagnostics));
  assert.deepEqual(
    reused.symbols.map((s) => [s.name, s.nameRange, s.detail]),
    fresh.symbols.map((s) => [s.name, s.nameRange, s.detail]),
  );
});

test('diagnose with the previous diagnosis reports exactly what a fresh analysis reports, for random edits', () => {
  const snippets = [
    '',
    ' ',
    '\n',
    'x',
    '1',
    '}',
    '{',
    'seed 2\n',
    '0.5',
    'data d = gaussian()\n',
    '// c\n',
    'synthetic 10 from m\n',
  ];
  const first = diagnose(base, { uri: 'a.ouro' });
  fc.assert(
    fc.property(fc.nat({ max: base.length }), fc.nat({ max: 30 }), fc.constantFrom(...snippets), (at, del, ins) => {
      const edited = base.slice(0, at) + ins + base.slice(Math.min(base.length, at + del));
      const fresh = analyze(edited, { uri: 'a.ouro' });
      const quick = diagnose(edited, { uri: 'a.ouro', previous: first });
      assert.deepEqual(plain(quick.diagnostics), plain(fresh.diagnostics));
      // And again from the quick one: chains of edits stay exact.
      const again = diagnose(edited + '\n', { uri: 'a.ouro', previous: quick });
      assert.deepEqual(plain(again.diagnostics), plain(analyze(edited + '\n', { uri: 'a.ouro' }).diagnostics));
    }),
    { seed: 0xd1a6, numRuns: 120 },
  );
});

test('diagnose reuses unchanged experiments with diagnostics, moved to their new place', () => {
  const unsafe = readFileSync(join(root, 'examples', 'unsafe', 'golden-ratio-collapse.ouro'), 'utf8').replace(
    /^\/\/\s*\^.*\n|^\/\/ @.*\n/gm,
    '',
  );
  const first = diagnose(unsafe, { uri: 'u.ouro' });
  const edited = `// a new first line\n${unsafe}`;
  const quick = diagnose(edited, { uri: 'u.ouro', previous: first });
  assert.deepEqual(plain(quick.diagnostics), plain(analyze(edited, { uri: 'u.ouro' }).diagnostics));
  assert.ok(quick.diagnostics.some((d) => d.code === 'model-collapse'));
});

test('diagnose re-checks an experiment when either of two declarations of a name it uses changes', () => {
  // A name declared twice is a duplicate-name error and resolves to one of the two; an edit of the other must
  // still re-check the experiments that use the name (found by the 150-edit chain below).
  const ex = readFileSync(join(root, 'examples', 'mixture-ucb.ouro'), 'utf8').replace(
    'select from g by',
    'select from d by',
  );
  const before = `data d = gaussian()\n${ex}\ndata d = gaussian()\n`;
  for (const after of [
    before.replace('data d = gaussian()', 'data d = ussian()'),
    before.replace(/data d = gaussian\(\)\n$/, 'data d = ussian()\n'),
  ]) {
    const quick = diagnose(after, { uri: 'd.ouro', previous: diagnose(before, { uri: 'd.ouro' }) });
    assert.deepEqual(plain(quick.diagnostics), plain(analyze(after, { uri: 'd.ouro' }).diagnostics));
  }
});

test('diagnose stays exact over a chain of 150 random edits of the examples and checker fixtures', () => {
  const dir = join(root, 'test', 'fixtures', 'check');
  const big = [
    base,
    ...readdirSync(dir)
      .filter((f) => f.endsWith('.ouro'))
      .sort()
      .map((f) => readFileSync(join(dir, f), 'utf8')),
  ].join('\n');
  const snippets = [
    '',
    ' ',
    '\n',
    'x',
    '1',
    '}',
    '{',
    'seed 2\n',
    '0.5',
    'data d = gaussian()\n',
    '// c\n',
    'const n = 3\n',
    'truth',
    'model q = kde()\n',
  ];
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.nat(), fc.nat({ max: 30 }), fc.constantFrom(...snippets)), {
        minLength: 150,
        maxLength: 150,
      }),
      (edits) => {
        let text = big;
        let previous = diagnose(text, { uri: 'b.ouro' });
        for (const [at, del, ins] of edits) {
          const p = at % (text.length + 1);
          text = text.slice(0, p) + ins + text.slice(Math.min(text.length, p + del));
          previous = diagnose(text, { uri: 'b.ouro', previous });
          assert.deepEqual(plain(previous.diagnostics), plain(analyze(text, { uri: 'b.ouro' }).diagnostics));
        }
      },
    ),
    { seed: 0xc4a1, numRuns: 1 },
  );
});
