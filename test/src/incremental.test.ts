import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { parse, analyze } from '@ouro/dsl';

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
