import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { analyze, lower, IR_VERSION, type IrProgram } from '@ouro/dsl';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const examples = readdirSync(join(root, 'examples')).filter((f) => f.endsWith('.ouro'));

function irOf(text: string, uri = 'spec.ouro'): IrProgram | undefined {
  return lower(analyze(text, { uri }));
}

/** Every `id` field anywhere in the program. */
function ids(x: unknown, out: string[] = []): string[] {
  if (Array.isArray(x)) for (const y of x) ids(y, out);
  else if (x && typeof x === 'object') {
    for (const [k, v] of Object.entries(x)) {
      if (k === 'id' && typeof v === 'string') out.push(v);
      else if (k !== 'sourceMap') ids(v, out);
    }
  }
  return out;
}

for (const f of examples) {
  test(`IR of ${f}: JSON round trip, unique ids, every id in the source map`, () => {
    const text = readFileSync(join(root, 'examples', f), 'utf8');
    const ir = irOf(text, join(root, 'examples', f));
    assert.ok(ir, 'an example lowers');
    assert.equal(ir.version, IR_VERSION);
    assert.deepEqual(JSON.parse(JSON.stringify(ir)), ir);
    const all = ids(ir);
    assert.equal(new Set(all).size, all.length, 'ids are unique');
    for (const id of all) {
      const src = ir.sourceMap[id];
      assert.ok(src, `${id} is in the source map`);
      assert.ok(src.start >= 0 && src.end <= text.length && src.start < src.end);
    }
  });
}

test('node ids are stable under edits that do not change structure', () => {
  const text = readFileSync(join(root, 'examples', 'golden-ratio.ouro'), 'utf8');
  const a = irOf(text)!;
  const b = irOf(`// a new comment\n\n${text.replace('replicates 400', 'replicates 300')}`)!;
  assert.deepEqual(ids(a), ids(b));
  assert.equal(b.experiments[0]!.replicates, 300);
  assert.equal(b.sourceMap[b.experiments[0]!.id]!.line, a.sourceMap[a.experiments[0]!.id]!.line + 2);
});

test('the golden-ratio IR carries the sweep and a weight expression of w', () => {
  const ir = irOf(readFileSync(join(root, 'examples', 'golden-ratio.ouro'), 'utf8'))!;
  const e = ir.experiments[0]!;
  assert.equal(e.name, 'golden_weight');
  assert.equal(e.seed, 7);
  assert.equal(e.sweeps[0]!.values.length, 19);
  assert.equal(e.loop.kind, 'retrain');
  if (e.loop.kind !== 'retrain') return;
  assert.equal(e.loop.generations, 100);
  const loop = e.loop.loops[0]!;
  assert.deepEqual(
    loop.sources.map((s) => [s.role, s.count, s.from]),
    [
      ['real', 100, { data: 'truth' }],
      ['synthetic', 100, { model: 'm' }],
    ],
  );
  assert.deepEqual(loop.weights, {
    real: { expr: { op: 'var', name: 'w' } },
    synthetic: { expr: { op: 'bin', fn: '-', a: { op: 'num', value: 1 }, b: { op: 'var', name: 'w' } } },
    id: 'experiment:golden_weight/retrain:m/weights',
  });
  // The weights line has its own node, so errors in a weight point at it.
  assert.ok(ir.sourceMap['experiment:golden_weight/retrain:m/weights']);
  assert.deepEqual(e.preview, { replicates: 50, generations: 30 });
  assert.equal(ir.data['truth']!.kind, 'gaussian');
  assert.equal(ir.data['truth']!.dim, 1);
});

test('injects say what their amount counts: a dose in a retrain loop, a fraction in a cycle', () => {
  const spec = (loop: string): string => `data truth = gaussian(dim: 1)
data pairs = paired(text: zipf(classes: 3), image: gaussian_per_class(dim: 2))
experiment e {
  seed 1
  ${loop}
  metric v = ${loop.includes('retrain') ? 'variance(m)' : 'entropy(text)'}
}`;
  const r = irOf(
    spec('model m = gaussian_fit()\n retrain m for 5 generations { synthetic 10 from m  inject 10 from truth }'),
  )!;
  const c = irOf(
    spec(`model text = categorical_fit()
  model image = conditional_gaussian(given: text)
  cycle for 5 generations { image learns from text samples 50  text learns from captions of image samples 50  inject 0.1 from pairs }`),
  )!;
  const injectsOf = (l: (typeof r.experiments)[number]['loop']) =>
    l.kind === 'retrain' ? l.loops[0]!.injects : l.kind === 'cycle' ? l.injects : [];
  assert.equal(injectsOf(r.experiments[0]!.loop)[0]!.amountKind, 'dose');
  assert.equal(injectsOf(c.experiments[0]!.loop)[0]!.amountKind, 'fraction');
});

test('the fractal IR lists its levels and head', () => {
  const ir = irOf(readFileSync(join(root, 'examples', 'fractal.ouro'), 'utf8'))!;
  const f = ir.experiments[0]!.models.find((m) => m.name === 'f')!;
  assert.deepEqual(f.fractal, {
    levels: [
      { tokens: 4, width: 64, depth: 2 },
      { tokens: 4, width: 32, depth: 1 },
      { tokens: 4, width: 16, depth: 1 },
    ],
    head: 2,
  });
  assert.equal(f.dim, 64);
});

test('a spec with errors has no IR', () => {
  assert.equal(irOf('experiment e { seed 1 model m = nonsense() }'), undefined);
});
