import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { analyze, allCodes, type Host } from '@ouro/dsl';
import { renderAnnotated, stripAnnotations } from './harness/annotations.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const update = process.env['UPDATE_FIXTURES'] === '1';

function ouroFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...ouroFiles(p));
    else if (e.name.endsWith('.ouro')) out.push(p);
  }
  return out.sort();
}

/** Reads sibling fixtures for `use`, without their annotation lines. */
const host: Host = {
  read(uri) {
    try {
      return stripAnnotations(readFileSync(uri, 'utf8'));
    } catch {
      return undefined;
    }
  },
};

const fixtures = [
  ...ouroFiles(join(root, 'test', 'fixtures', 'check')),
  ...ouroFiles(join(root, 'examples', 'unsafe')),
];
const covered = new Set<string>();

for (const file of fixtures) {
  test(`checker fixture ${file.slice(root.length + 1)}`, () => {
    const text = readFileSync(file, 'utf8');
    const source = stripAnnotations(text);
    const analysis = analyze(source, { uri: file, host });
    for (const d of analysis.diagnostics) covered.add(d.code);
    const rendered = renderAnnotated(source, analysis.diagnostics);
    if (update && rendered !== text) writeFileSync(file, rendered);
    else assert.equal(rendered, text, 'diagnostics differ from the annotations (UPDATE_FIXTURES=1 rewrites the file)');
  });
}

test('every diagnostic code has a checker fixture', () => {
  const missing = allCodes.filter((c) => !covered.has(c));
  assert.deepEqual(missing, [], `codes with no fixture: ${missing.join(', ')}`);
});

test('the examples (one or more per paper) check clean', () => {
  const examples = readdirSync(join(root, 'examples')).filter((f) => f.endsWith('.ouro'));
  for (const paper of ['coevolving', 'coopinit', 'fractal', 'golden-ratio', 'mixture-ucb'])
    assert.ok(examples.includes(`${paper}.ouro`), `examples/${paper}.ouro`);
  for (const f of examples) {
    const a = analyze(readFileSync(join(root, 'examples', f), 'utf8'), { uri: join(root, 'examples', f) });
    assert.deepEqual(
      a.diagnostics.map((d) => `${d.code}: ${d.message}`),
      [],
      f,
    );
  }
});

test('the unsafe variants of the examples carry the theory-backed warnings', () => {
  const codes = new Set<string>();
  for (const f of ouroFiles(join(root, 'examples', 'unsafe'))) {
    const a = analyze(stripAnnotations(readFileSync(f, 'utf8')), { uri: f, host });
    assert.equal(a.hasErrors, false, `${f} should have warnings, not errors`);
    for (const d of a.diagnostics) codes.add(d.code);
  }
  for (const c of ['model-collapse', 'suboptimal-real-weight', 'cycle-collapse', 'gan-random-init'])
    assert.ok(codes.has(c), c);
});
