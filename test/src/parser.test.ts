import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, LineIndex } from '@ouro/dsl';
import { dumpAst } from './harness/ast-dump.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dir = join(root, 'test', 'fixtures', 'parser');
const update = process.env['UPDATE_GOLDEN'] === '1';

/** The AST dump followed by the syntax diagnostics, as `error line:col code: message`. */
function render(text: string): string {
  const r = parse(text);
  const lines = new LineIndex(text);
  const diags = r.diagnostics.map((d) => {
    const s = lines.lineCol(d.range.start);
    return `${d.severity} ${s.line + 1}:${s.col + 1} ${d.code}: ${d.message}`;
  });
  return dumpAst(r.spec) + (diags.length ? `\ndiagnostics:\n${diags.join('\n')}\n` : '');
}

for (const kind of ['ok', 'err'] as const) {
  for (const f of readdirSync(join(dir, kind)).filter((x) => x.endsWith('.ouro'))) {
    test(`parser ${kind}/${f}`, () => {
      const text = readFileSync(join(dir, kind, f), 'utf8');
      const golden = join(dir, kind, f.replace(/\.ouro$/, '.ast.txt'));
      const actual = render(text);
      const diags = parse(text).diagnostics;
      if (kind === 'ok') assert.deepEqual(diags, [], 'an ok fixture parses without diagnostics');
      else assert.ok(diags.length > 0, 'an err fixture has syntax diagnostics');
      if (update || !existsSync(golden)) writeFileSync(golden, actual);
      else
        assert.equal(actual, readFileSync(golden, 'utf8'), 'AST differs from the golden (UPDATE_GOLDEN=1 rewrites it)');
    });
  }
}

test('the examples parse without diagnostics', () => {
  for (const f of readdirSync(join(root, 'examples')).filter((x) => x.endsWith('.ouro'))) {
    assert.deepEqual(parse(readFileSync(join(root, 'examples', f), 'utf8')).diagnostics, [], f);
  }
});

test('a spec with several mistakes reports each and keeps the rest', () => {
  const text = [
    'data truth = gaussian(mean: 0,, std: 1)',
    'experiment a {',
    '  seed',
    '  replicates 10',
    '  model m = gaussian_fit(',
    '  metric err = mse(m.mean, truth.) at final',
    '}',
    'experiment b { seed 3 }',
  ].join('\n');
  const r = parse(text);
  assert.ok(r.diagnostics.length >= 3, `expected several diagnostics, got ${r.diagnostics.length}`);
  const names = r.spec.decls.map((d) => (d.kind === 'Use' ? 'use' : (d.name?.text ?? '?')));
  assert.deepEqual(names, ['truth', 'a', 'b']);
  const b = r.spec.decls[2];
  assert.equal(b?.kind === 'Experiment' ? b.body.length : -1, 1);
  for (const d of r.diagnostics) {
    assert.equal(d.code, 'syntax-error');
    assert.match(d.message, /expected|unexpected/);
  }
});
