// `compare` methods keep their own settings (the score and rounds stay the select loop's), and generators keep
// the names the generator list gives them: from the checker through the IR to the results.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, lower, type IrLoop } from '@ouro/dsl';
import { execute, type ExperimentResult, type MetricSeries } from '@ouro/runtime';
import { buildViews } from '@ouro/views';
import { irOf } from './harness/runtime.js';

const RING = 'data modes = ring(modes: 8, radius: 2, std: 0.05)';
const GENS = 'generators g = [subset(modes, [0, 1, 2]), subset(modes, [3, 4, 5]), subset(modes, [5, 6, 7])]';

const spec = (algorithm: string, compare: string): string => `${RING}
experiment pick {
  seed 5
  replicates 3
  ${GENS}
  select from g by ${algorithm}
  ${compare}
  metric score = rke(selected) every 50 rounds
  metric lost = regret(selected) every 50 rounds
}
`;

type SelectLoop = IrLoop & { kind: 'select' };
const loopOf = (text: string): SelectLoop => irOf(text).experiments[0]!.loop as SelectLoop;

async function run(text: string): Promise<ExperimentResult> {
  return (await execute(irOf(text), { backend: 'wasm' })).experiments[0]!;
}

function series(r: ExperimentResult, name: string, method: string): MetricSeries {
  const m = r.metrics.find((x) => x.name === name && x.method === method);
  assert.ok(m, `${name} of ${method} is in the result (methods: ${r.selection?.methods.join(', ')})`);
  return m;
}

const SCORE = 'score: rke(kernel: gaussian_kernel(bandwidth: 0.6)), rounds: 400';

test('IR: each compared method carries its own settings with defaults, never the shared score and rounds', () => {
  const loop = loopOf(
    spec(
      `mixture_ucb_cab(${SCORE}, bonus: 1.5)`,
      'compare mixture_ucb_ogd(lr: 0.05), vanilla_ucb(bonus: 2), oracle_mixture',
    ),
  );
  assert.deepEqual(
    loop.compare.map(({ call, args, label }) => ({ call, args, label })),
    [
      { call: 'mixture_ucb_ogd', args: { lr: 0.05, bonus: 1 }, label: 'mixture_ucb_ogd(lr: 0.05)' },
      { call: 'vanilla_ucb', args: { bonus: 2 }, label: 'vanilla_ucb(bonus: 2)' },
      { call: 'oracle_mixture', args: {}, label: 'oracle_mixture' },
    ],
  );
  assert.deepEqual(
    loop.compare.map((c) => c.id),
    [0, 1, 2].map((i) => `experiment:pick/select/compare:${i}`),
  );
  // A bare name is the method with its catalog defaults, not the main algorithm's settings.
  const bare = loopOf(spec(`mixture_ucb_cab(${SCORE}, bonus: 1.5)`, 'compare vanilla_ucb'));
  assert.deepEqual(bare.compare[0]!.args, { bonus: 1 });
  assert.deepEqual(loop.generatorLabels, [
    'subset(modes, [0, 1, 2])',
    'subset(modes, [3, 4, 5])',
    'subset(modes, [5, 6, 7])',
  ]);
});

test('the checker rejects score and rounds in a compared method, with a fix that removes them', () => {
  const text = spec(`mixture_ucb_cab(${SCORE})`, 'compare mixture_ucb_ogd(lr: 0.05, rounds: 50)');
  const a = analyze(text, { uri: '/virtual/spec.ouro' });
  const errs = a.diagnostics.filter((d) => d.severity === 'error');
  assert.deepEqual(
    errs.map((d) => [d.code, text.slice(d.range.start, d.range.end)]),
    [['invalid-option', 'rounds: 50']],
  );
  const edit = errs[0]!.fixes![0]!.edits[0]!;
  const fixed = text.slice(0, edit.range.start) + edit.newText + text.slice(edit.range.end);
  assert.match(fixed, /compare mixture_ucb_ogd\(lr: 0\.05\)\n/);
  assert.ok(lower(analyze(fixed, { uri: '/virtual/spec.ouro' })), 'the fixed spec lowers');
});

test('a compared OGD runs with its own lr: different numbers from the main lr, the same as running it as the main algorithm', async () => {
  const both = await run(
    spec(`mixture_ucb_cab(${SCORE})`, 'compare mixture_ucb_ogd(lr: 0.5), mixture_ucb_ogd(lr: 0.1)'),
  );
  assert.deepEqual(both.selection?.methods, [
    'mixture_ucb_cab',
    'mixture_ucb_ogd(lr: 0.5)',
    'mixture_ucb_ogd(lr: 0.1)',
  ]);
  const asMain = await run(spec(`mixture_ucb_ogd(${SCORE}, lr: 0.5)`, ''));
  const fast = series(both, 'score', 'mixture_ucb_ogd(lr: 0.5)');
  const slow = series(both, 'score', 'mixture_ucb_ogd(lr: 0.1)');
  // Same seed, same generator streams: the compared run is the main run, number for number.
  assert.deepEqual(fast.values, series(asMain, 'score', 'mixture_ucb_ogd').values);
  assert.deepEqual(
    series(both, 'lost', 'mixture_ucb_ogd(lr: 0.5)').values,
    series(asMain, 'lost', 'mixture_ucb_ogd').values,
  );
  assert.notDeepEqual(fast.values, slow.values, 'another lr gives other numbers');
  // The default-lr OGD compared under a CAB main equals the bare name (defaults, not the main's settings).
  const bare = await run(spec(`mixture_ucb_cab(${SCORE}, bonus: 3)`, 'compare mixture_ucb_ogd'));
  assert.deepEqual(series(bare, 'score', 'mixture_ucb_ogd').values, slow.values);
  assert.notDeepEqual(
    series(bare, 'score', 'mixture_ucb_cab').values,
    series(both, 'score', 'mixture_ucb_cab').values,
    'the main bonus still applies to the main algorithm',
  );
});

test('the same method twice with other settings: both labelled by their settings; the same settings run once', async () => {
  const r = await run(
    spec(`mixture_ucb_ogd(${SCORE}, lr: 0.5)`, 'compare mixture_ucb_ogd, mixture_ucb_ogd(lr: 0.5), vanilla_ucb'),
  );
  assert.deepEqual(r.selection?.methods, [
    'mixture_ucb_ogd(lr: 0.5, bonus: 1)',
    'mixture_ucb_ogd(lr: 0.1, bonus: 1)',
    'vanilla_ucb',
  ]);
});

test('generators are named as the list writes them, in the selection, the proportion series and the legend', async () => {
  const r = await run(spec(`mixture_ucb_cab(${SCORE})`, 'compare oracle_mixture'));
  const names = ['subset(modes, [0, 1, 2])', 'subset(modes, [3, 4, 5])', 'subset(modes, [5, 6, 7])'];
  assert.deepEqual(
    r.selection?.generators.map((g) => g.label),
    names,
  );
  const props = r.metrics.filter((m) => m.metric === 'proportion' && m.method === 'mixture_ucb_cab');
  assert.deepEqual(
    props.map((m) => [m.generator, m.label]),
    names.map((n, i) => [i, n]),
  );
  const view = buildViews(r).find((v) => v.kind === 'proportions');
  assert.ok(view, 'a proportions view');
  const legend = new Set(JSON.stringify(view.spec).match(/subset\(modes, \[[0-9, ]+\]\)/g));
  assert.deepEqual([...legend], names, 'the legend names the generators, in list order');
  // A list that is not written out (a module's result) falls back to g[i].
  const viaModule = loopOf(`${RING}
module pair(a, b) = [subset(modes, a), subset(modes, b)]
experiment pick {
  seed 5
  generators g = pair([0, 1], [2, 3])
  select from g by mixture_ucb_cab(${SCORE})
  metric score = rke(selected) every 50 rounds
}
`);
  assert.deepEqual(viaModule.generatorLabels, ['g[0]', 'g[1]']);
});
