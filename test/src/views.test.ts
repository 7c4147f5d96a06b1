// The results views as data (views/src/specs.ts, theme.ts, html.ts): every view kind gives a Vega-Lite spec
// that vega-lite compiles, drawn from results recorded by `ouro run --preview` (test/fixtures/results/).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execute, type ExperimentResult } from '@ouro/runtime';
import {
  buildViews,
  jsonInScript,
  m4,
  MAX_POINTS_PER_LINE,
  paletteFrom,
  recordFromJson,
  reportHtml,
  resultFromJson,
  scriptSafe,
  summarise,
  tableCsv,
  themeKindOf,
  themed,
  vegaConfig,
  type ResultJson,
  type ResultView,
  type ThemeKind,
} from '@ouro/views';
import { compile } from 'vega-lite';
import { irOf, mean, stationaryError } from './harness/runtime.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const fixtures = join(root, 'test', 'fixtures', 'results');
const saved = Object.fromEntries(
  readdirSync(fixtures)
    .filter((f) => f.endsWith('.json'))
    .map((f) => [f.replace(/\.json$/, ''), JSON.parse(readFileSync(join(fixtures, f), 'utf8')) as ResultJson]),
);
const result = (name: string): ExperimentResult => {
  const j = saved[name];
  assert.ok(j, `fixture ${name}`);
  return resultFromJson(j);
};

const kinds: ThemeKind[] = ['light', 'dark', 'high-contrast', 'high-contrast-light'];

/** Compiles a view under each theme; returns the marks of the light one's Vega spec (recursively). */
function compiles(v: ResultView): string[] {
  let marks: string[] = [];
  for (const k of kinds) {
    const p = paletteFrom(() => '', k);
    const vg = compile(themed(v.spec, p), { config: vegaConfig(p) as never }).spec;
    const found: string[] = [];
    const walk = (node: unknown): void => {
      if (!node || typeof node !== 'object') return;
      const o = node as { marks?: unknown[]; type?: string };
      for (const m of o.marks ?? []) {
        const mm = m as { type?: string };
        if (mm.type && mm.type !== 'group') found.push(mm.type);
        walk(m);
      }
    };
    walk(vg);
    assert.ok(found.length > 0, `${v.id} under ${k} compiles to marks`);
    assert.ok(!JSON.stringify(vg).includes('var-'), `${v.id}: every palette placeholder is replaced`);
    if (k === 'light') marks = found;
  }
  return marks;
}

test('every recorded example gives its views, and each compiles with vega-lite under every theme', () => {
  const expected: Record<string, string[]> = {
    'golden-ratio': ['against'],
    coevolving: ['over', 'over'],
    'mixture-ucb': ['over', 'proportions'],
    coopinit: ['over', 'scatter'],
  };
  for (const [name, want] of Object.entries(expected)) {
    const views = buildViews(result(name));
    assert.deepEqual(
      views.map((v) => v.kind),
      want,
      `${name}: the views its spec's view statements ask for`,
    );
    for (const v of views) {
      const marks = compiles(v);
      if (v.kind === 'over')
        assert.ok(
          marks.includes('line') && marks.includes('area') === result(name).replicates > 1,
          `${name}: lines, with replicate bands when there are replicates`,
        );
      if (v.kind === 'proportions') assert.ok(marks.includes('area'), `${name}: stacked shares`);
      if (v.kind === 'scatter') assert.ok(marks.includes('symbol'), `${name}: samples and the truth's modes`);
      assert.ok(v.table.rows.length > 0 && v.table.rows.every((r) => r.length === v.table.columns.length));
    }
  }
});

test('the golden-ratio sweep: final mean per weight, the minimum marked where the data has it, V*(w) overlaid', () => {
  const r = result('golden-ratio');
  const [v] = buildViews(r);
  assert.ok(v);
  const layers = (v.spec as unknown as { layer: { data?: { values: Record<string, number | string>[] } }[] }).layer;
  const err = r.metrics.find((m) => m.name === 'err')!;
  const means = err.values.map((reps) => mean(reps.map((x) => x[x.length - 1]!)));
  const best = means.indexOf(Math.min(...means));
  // The line layer: one mean per sweep point, equal to the replicate mean computed here.
  const line = layers.find((l) => l.data?.values.length === means.length && 'mean' in l.data.values[0]!)!;
  line.data!.values.forEach((row, i) => assert.ok(Math.abs((row['mean'] as number) - means[i]!) < 1e-12));
  const marked = layers.find((l) => l.data?.values.some((x) => String(x['label'] ?? '').startsWith('min ')));
  assert.ok(marked, 'the minimum is marked');
  assert.equal(marked.data!.values[0]!['x'], r.points[best]!.values['w']);
  // The theory curve is the closed form with n = m = 100, σ = 1 (golden-ratio.md), its optimum 1/φ.
  const theory = r.theory?.[0];
  assert.ok(theory, 'the runtime put the theory curve in the result');
  assert.equal(theory.metric, 'err');
  assert.equal(theory.by, 'w');
  assert.ok(Math.abs(theory.optimum.x - (Math.sqrt(5) - 1) / 2) < 1e-12);
  theory.x.forEach((w, i) => assert.ok(Math.abs(theory.y[i]! - stationaryError(w, 100, 100)) < 1e-12));
  const curve = layers.find((l) => l.data?.values.length === theory.x.length);
  assert.ok(curve, 'the curve is a layer of the plot');
  assert.match(JSON.stringify(v.spec), /golden-ratio\.md/);
});

test('bands: ±1 standard error or the 10–90 % quantiles of the replicates', () => {
  const s = summarise([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  assert.equal(s.mean, 5.5);
  assert.ok(Math.abs(s.se - Math.sqrt(55 / 6) / Math.sqrt(10)) < 1e-12);
  assert.ok(Math.abs(s.q10 - 1.9) < 1e-12);
  assert.ok(Math.abs(s.q90 - 9.1) < 1e-12);
  const r = result('coevolving');
  const se = buildViews(r, { band: 'se' })[0]!;
  const q = buildViews(r, { band: 'quantile' })[0]!;
  const rows = (v: ResultView): { lo: number; hi: number; mean: number }[] =>
    (
      v.spec as unknown as {
        layer: { mark: { type: string }; data: { values: { lo: number; hi: number; mean: number }[] } }[];
      }
    ).layer.find((l) => l.mark.type === 'line')!.data.values;
  const div = r.metrics.find((m) => m.name === 'diversity')!;
  const last = div.t.length - 1;
  const reps = div.values[0]!.map((x) => x[last]!);
  const want = summarise(reps);
  const rowSe = rows(se)[last]!;
  const rowQ = rows(q)[last]!;
  assert.ok(Math.abs(rowSe.lo - (want.mean - want.se)) < 1e-12 && Math.abs(rowSe.hi - (want.mean + want.se)) < 1e-12);
  assert.ok(Math.abs(rowQ.lo - want.q10) < 1e-12 && Math.abs(rowQ.hi - want.q90) < 1e-12);
  assert.match(JSON.stringify(q.spec), /10–90 %/);
});

/** A small result built here for the kinds no recorded example has yet (images, views left implicit). */
function synthetic(): ExperimentResult {
  const img = (k: number): number[] => Array.from({ length: 16 }, (_, i) => ((i + k) % 3) / 2);
  return {
    id: 'experiment:s',
    name: 's',
    seed: 1,
    preview: true,
    loop: 'train',
    replicates: 3,
    generations: 10,
    sweeps: [{ id: 'experiment:s/sweep:init', name: 'init', values: ['random', 'coop'], indices: [0, 1] }],
    points: [
      { index: 0, values: { init: 'random' } },
      { index: 1, values: { init: 'coop' } },
    ],
    metrics: [
      {
        id: 'experiment:s/metric:nll',
        name: 'nll',
        metric: 'bits_per_dim',
        method: 'train',
        t: [10],
        values: [
          [[0.5], [0.6], [0.55]],
          [[0.4], [0.45], [0.42]],
        ],
      },
      {
        id: 'experiment:s/metric:q',
        name: 'q',
        metric: 'high_quality_fraction',
        method: 'train',
        t: [0, 5, 10],
        values: [
          [
            [0, 0.2, 0.4],
            [0, 0.3, 0.5],
            [0, 0.1, 0.3],
          ],
          [
            [0, 0.5, 0.9],
            [0, 0.6, 0.8],
            [0, 0.4, 0.7],
          ],
        ],
      },
    ],
    samples: [
      {
        view: 'experiment:s/view:0',
        model: 'g',
        point: 0,
        replicate: 0,
        t: 10,
        values: [
          [0.1, 0.2],
          [1.9, 0.1],
          [-2, 0.05],
        ],
        truth: {
          source: 'ring',
          centres: [
            [2, 0],
            [-2, 0],
          ],
          std: 0.02,
        },
      },
      {
        view: 'experiment:s/view:1',
        model: 'f',
        point: 0,
        replicate: 0,
        t: 10,
        values: [img(0), img(1), img(2)],
        shape: [4, 4],
      } as never,
    ],
    wallMs: 1,
  };
}

test('without view statements: every metric (over time, or final against the sweep), then the samples', () => {
  const views = buildViews(synthetic());
  assert.deepEqual(
    views.map((v) => [v.kind, v.title]),
    [
      ['against', 'nll by init'],
      ['over', 'q over steps'],
      ['scatter', 'samples of g'],
      ['grid', 'samples of f'],
    ],
  );
  for (const v of views) compiles(v);
});

test('view statements pick the views: scatter against the truth, an image grid, a bar per method', () => {
  const base = synthetic();
  const r: ExperimentResult = {
    ...base,
    views: [
      {
        id: 'experiment:s/view:0',
        kind: 'samples',
        metric: null,
        over: null,
        by: null,
        mark: null,
        model: 'g',
        as: 'scatter',
      },
      {
        id: 'experiment:s/view:1',
        kind: 'samples',
        metric: null,
        over: null,
        by: null,
        mark: null,
        model: 'f',
        as: 'grid',
      },
      {
        id: 'experiment:s/view:2',
        kind: 'against',
        metric: 'nll',
        over: null,
        by: 'model',
        mark: null,
        model: null,
        as: null,
      },
      {
        id: 'experiment:s/view:3',
        kind: 'against',
        metric: 'nll',
        over: null,
        by: 'init',
        mark: 'max',
        model: null,
        as: null,
      },
    ],
  };
  const views = buildViews(r);
  assert.deepEqual(
    views.map((v) => v.kind),
    ['scatter', 'grid', 'against', 'against'],
  );
  const scatter = JSON.stringify(views[0]!.spec);
  assert.match(scatter, /"kind":"truth"/, 'the truth modes are drawn');
  assert.equal((views[0]!.spec as unknown as { data: { values: unknown[] } }).data.values.length, 3 + 2);
  const grid = views[1]!;
  assert.equal(grid.table.rows.length, 3 * 16, 'every pixel of every image');
  assert.equal(new Set(grid.table.rows.map((row) => row[2])).size, 3);
  for (const v of views) compiles(v);
  // `mark max` on a categorical sweep marks nothing numeric, but the bar chart still draws.
  assert.ok(compiles(views[3]!).includes('rect'));
});

test('CSV of a view: a header, RFC 4180 quoting', () => {
  const csv = tableCsv({
    columns: ['a', 'b,c'],
    rows: [
      ['x "y"', 1],
      ['line\nbreak', 2.5],
    ],
  });
  assert.equal(csv, 'a,"b,c"\n"x ""y""",1\n"line\nbreak",2.5\n');
  const r = result('golden-ratio');
  const [v] = buildViews(r);
  const lines = tableCsv(v!.table).trimEnd().split('\n');
  assert.equal(lines[0], 'metric,method,w,replicate,t,value');
  assert.equal(lines.length, 1 + r.points.length * r.replicates);
});

test('theme: the body class picks the kind, --vscode-* variables the colours, with fallbacks', () => {
  assert.equal(themeKindOf(['vscode-body', 'vscode-dark']), 'dark');
  assert.equal(themeKindOf(['vscode-high-contrast']), 'high-contrast');
  assert.equal(themeKindOf(['vscode-high-contrast', 'vscode-high-contrast-light']), 'high-contrast-light');
  assert.equal(themeKindOf([]), 'light');
  const vars: Record<string, string> = { '--vscode-editor-foreground': ' #123456', '--vscode-charts-blue': '#0000ff' };
  const p = paletteFrom((n) => vars[n] ?? '', 'dark');
  assert.equal(p.foreground, '#123456');
  assert.equal(p.categories[0], '#0000ff');
  assert.equal(p.background, '#1f1f1f', 'a fallback where the variable is unset');
  const light = paletteFrom(() => '', 'light');
  const dark = paletteFrom(() => '', 'dark');
  assert.notEqual(light.foreground, dark.foreground);
  const cfg = vegaConfig(dark) as { axis: { labelColor: string } };
  assert.equal(cfg.axis.labelColor, dark.foreground);
});

test('report.html: the data and the app inlined, a nonce CSP, nothing that ends the script early', () => {
  const record = recordFromJson(saved['golden-ratio']!);
  const data = {
    title: 'golden <ratio>',
    uri: record.uri,
    experiments: [{ experiment: record.experiment, runs: [record] }],
  };
  const script = 'var s = "</script><!-- \u2028";';
  const html = reportHtml(data, { script, css: 'body{}' }, 'abc123');
  assert.match(
    html,
    /<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;; script-src &#39;nonce-abc123&#39;/,
  );
  assert.match(html, /<title>golden &lt;ratio&gt;<\/title>/);
  assert.equal(html.match(/<\/script>/g)?.length, 2, 'only the two closing tags');
  const json = /<script type="application\/json" id="ouro-data">(.*?)<\/script>/s.exec(html)![1]!;
  assert.deepEqual(JSON.parse(json), JSON.parse(JSON.stringify(data)));
  assert.equal(jsonInScript({ a: '</script>' }), '{"a":"\\u003c/script>"}');
  // The escaped script means the same in JavaScript.
  assert.equal(new Function(`${scriptSafe(script)}; return s;`)(), '</script><!-- \u2028');
});

test('the runtime puts the golden-ratio curve in a result only where the closed form holds', async () => {
  const spec = (
    weights: string,
    n = 100,
    m = 100,
    std = 1,
  ): string => `data truth = gaussian(mean: 0, std: ${std}, dim: 1)
experiment e {
  seed 1
  replicates 2
  sweep w in [0.3, 0.6, 0.9]
  model g = gaussian_fit()
  retrain g for 2 generations {
    real ${n} from truth
    synthetic ${m} from g
    weights ${weights}
  }
  metric err = mse(g.mean, truth.mean) at final
  view err by w mark min
}`;
  const run = async (text: string): Promise<ExperimentResult> =>
    (await execute(irOf(text), { backend: 'cpu' })).experiments[0]!;
  const r = await run(spec('real: w, synthetic: 1 - w', 100, 400, 2));
  const c = r.theory?.[0];
  assert.ok(c, 'a curve for real: w, synthetic: 1 − w');
  assert.equal(c.x[0], 0.3);
  assert.equal(c.x[c.x.length - 1], 0.9);
  // σ = 2, n = 100, m = 400: V*(w) = 4 (w²/100 + (1 − w)²/400) / (w (2 − w)), optimum (−c + √(c² + 4c))/2, c = 1/4.
  c.x.forEach((w, i) => assert.ok(Math.abs(c.y[i]! - stationaryError(w, 100, 400, 4)) < 1e-12));
  assert.ok(Math.abs(c.optimum.x - (-0.25 + Math.sqrt(0.0625 + 1)) / 2) < 1e-12);
  assert.deepEqual(
    r.views?.map((v) => v.kind),
    ['against'],
  );
  assert.equal((await run(spec('real: 0.5, synthetic: 0.5'))).theory, undefined, 'fixed weights: no curve in w');
  assert.equal((await run(spec('real: w * w, synthetic: 1 - w * w'))).theory, undefined, 'the weight is not w itself');
});

test('long series: M4 keeps per column the first, lowest, highest and last point; the band its envelope', () => {
  const T = 10_000;
  const rows = Array.from({ length: T }, (_, t) => {
    const mean = Math.sin(t / 37) + (t === 4321 ? 5 : 0) - (t === 8765 ? 5 : 0);
    return { t, mean, lo: mean - 0.1 - (t % 7) / 100, hi: mean + 0.1 + (t % 5) / 100 };
  });
  const { line, band } = m4(rows);
  assert.ok(line.length <= 4 * 1000 && line.length < T, `${line.length} points drawn of ${T}`);
  assert.deepEqual(line[0], rows[0]);
  assert.deepEqual(line[line.length - 1], rows[T - 1]);
  assert.ok(line.some((r) => r.t === 4321) && line.some((r) => r.t === 8765), 'spikes survive');
  for (let i = 1; i < line.length; i++) assert.ok(line[i]!.t > line[i - 1]!.t, 'in x order');
  // Every original band value lies inside the envelope of its column.
  const lo = Math.min(...rows.map((r) => r.lo));
  const hi = Math.max(...rows.map((r) => r.hi));
  assert.equal(Math.min(...band.map((r) => r.lo)), lo);
  assert.equal(Math.max(...band.map((r) => r.hi)), hi);
  const short = rows.slice(0, MAX_POINTS_PER_LINE);
  assert.equal(m4(short).line.length, MAX_POINTS_PER_LINE, 'short series are drawn whole');
});

test('result.json read back keeps the fitted models of a fit run', () => {
  const models = [
    {
      model: 'f',
      id: 'experiment:e/model:f',
      kind: 'fractal' as const,
      point: 0,
      replicate: 0,
      params: 22072,
      trainMs: 9300,
      sampleMs: 40,
      samplesDrawn: 64,
    },
  ];
  assert.deepEqual(resultFromJson({ ...saved['golden-ratio']!, models }).models, models);
  assert.equal(resultFromJson(saved['golden-ratio']!).models, undefined);
});
