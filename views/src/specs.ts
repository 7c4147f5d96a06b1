/**
 * The results views as data: from one experiment's result, the Vega-Lite specs the webview and the report
 * draw, and each view's data as a table (CSV export). Pure: no DOM, no IO. Colours come from the theme
 * (theme.ts) at render time, so these specs carry none.
 *
 * Which views: the spec's `view` statements (carried in the result), else defaults — each metric over
 * time, or its final value against the first sweep, bandit choice proportions, samples.
 */
import type { ExperimentResult, MetricSeries, SampleSet, TheoryCurve } from '@ouro/runtime';
import type { TopLevelSpec } from 'vega-lite';

/** A view statement as the IR carries it (IrView). */
export type ViewStatement = NonNullable<ExperimentResult['views']>[number];

/** The band around a replicate mean: ±1 standard error, or the 10–90 % quantiles of the replicates. */
export type BandKind = 'se' | 'quantile';

export interface ViewOptions {
  readonly band: BandKind;
}

export type ViewKind = 'over' | 'against' | 'final' | 'proportions' | 'scatter' | 'grid';

export interface Table {
  readonly columns: readonly string[];
  readonly rows: readonly (readonly (string | number)[])[];
}

export interface ResultView {
  /** Stable key: the view statement's IR node id, or `default:<kind>:<metric>`. */
  readonly id: string;
  readonly kind: ViewKind;
  readonly title: string;
  /** One sentence for screen readers and the export file name's context. */
  readonly description: string;
  readonly spec: TopLevelSpec;
  /** The view's data in tidy long form. */
  readonly table: Table;
}

/** Images drawn by a grid view at most (per sweep point). */
export const MAX_GRID_IMAGES = 32;

type Row = Record<string, string | number>;

const num = (x: number): number => (Number.isFinite(x) ? x : NaN);

/** A number as people read it in a label: 4 significant digits, exponent form when tiny or huge. */
export function formatNumber(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (x !== 0 && (Math.abs(x) >= 1e5 || Math.abs(x) < 1e-3)) return x.toExponential(2);
  return String(Number(x.toPrecision(4)));
}

/** Mean, standard error and 10 % / 90 % quantiles (linear interpolation) of replicate values. */
export function summarise(xs: readonly number[]): { mean: number; se: number; q10: number; q90: number } {
  const v = xs.filter(Number.isFinite);
  const n = v.length;
  if (n === 0) return { mean: NaN, se: NaN, q10: NaN, q90: NaN };
  let mean = 0;
  for (const x of v) mean += x;
  mean /= n;
  let ss = 0;
  for (const x of v) ss += (x - mean) ** 2;
  const se = n > 1 ? Math.sqrt(ss / (n - 1) / n) : 0;
  const sorted = [...v].sort((a, b) => a - b);
  const q = (p: number): number => {
    const h = (n - 1) * p;
    const lo = Math.floor(h);
    return sorted[lo]! + (h - lo) * ((sorted[Math.min(lo + 1, n - 1)] ?? sorted[lo]!) - sorted[lo]!);
  };
  return { mean, se, q10: q(0.1), q90: q(0.9) };
}

/** Above this many points per line, lines and bands are reduced per column of the x range (see m4). */
export const MAX_POINTS_PER_LINE = 2000;
/** Columns of the x range for the reduction: more than a plot's width in pixels. */
const COLUMNS = 1000;

/**
 * M4 reduction of a line sorted by x: per column of the x range, the first, lowest, highest and last point,
 * in x order — the line drawn through them covers the same pixels as through all points at up to COLUMNS
 * pixels wide. The band keeps, per column, the lowest `lo` and the highest `hi` (its envelope).
 */
export function m4<R extends { t: number; mean: number; lo: number; hi: number }>(
  rows: readonly R[],
): { line: R[]; band: R[] } {
  if (rows.length <= MAX_POINTS_PER_LINE) return { line: [...rows], band: [...rows] };
  const t0 = rows[0]!.t;
  const span = rows[rows.length - 1]!.t - t0 || 1;
  const line: R[] = [];
  const bandRows: R[] = [];
  let i = 0;
  while (i < rows.length) {
    const col = Math.min(COLUMNS - 1, Math.floor(((rows[i]!.t - t0) / span) * COLUMNS));
    let j = i;
    let lo = i;
    let hi = i;
    let bandLo = rows[i]!.lo;
    let bandHi = rows[i]!.hi;
    while (j < rows.length && Math.min(COLUMNS - 1, Math.floor(((rows[j]!.t - t0) / span) * COLUMNS)) === col) {
      const r = rows[j]!;
      if (r.mean < rows[lo]!.mean) lo = j;
      if (r.mean > rows[hi]!.mean) hi = j;
      if (r.lo < bandLo) bandLo = r.lo;
      if (r.hi > bandHi) bandHi = r.hi;
      j++;
    }
    for (const k of [...new Set([i, lo, hi, j - 1])].sort((a, b) => a - b)) line.push(rows[k]!);
    bandRows.push({ ...rows[i]!, lo: bandLo, hi: bandHi }, { ...rows[j - 1]!, lo: bandLo, hi: bandHi });
    i = j;
  }
  return { line, band: bandRows };
}

function band(s: ReturnType<typeof summarise>, kind: BandKind): { lo: number; hi: number } {
  return kind === 'se' ? { lo: s.mean - s.se, hi: s.mean + s.se } : { lo: s.q10, hi: s.q90 };
}

const bandLabel = (kind: BandKind, replicates: number): string =>
  replicates <= 1
    ? '1 replicate'
    : kind === 'se'
      ? `mean ± 1 SE of ${replicates} replicates`
      : `mean, 10–90 % of ${replicates} replicates`;

function timeUnit(r: ExperimentResult): string {
  return r.loop === 'train' || r.loop === 'fit' ? 'step' : r.loop === 'select' ? 'round' : 'generation';
}

function pointLabel(r: ExperimentResult, pi: number, only?: readonly string[]): string {
  const p = r.points[pi]!;
  const names = r.sweeps.map((s) => s.name).filter((n) => !only || only.includes(n));
  return names.map((n) => `${n} = ${String(p.values[n])}`).join(', ');
}

/** Who draws one line: the series' method (several methods), the sweep point, or both. */
function groupLabel(r: ExperimentResult, m: MetricSeries, pi: number, multiMethod: boolean): string {
  const parts = [multiMethod ? m.method : '', pointLabel(r, pi)].filter((x) => x !== '');
  return parts.join(' · ') || m.name;
}

/** Tidy rows of the raw values of some series: experiment columns, replicate, t, value. */
function rawTable(r: ExperimentResult, series: readonly MetricSeries[], finalOnly = false): Table {
  const sweepNames = r.sweeps.map((s) => s.name);
  const columns = ['metric', 'method', ...sweepNames, 'replicate', 't', 'value'];
  const rows: (string | number)[][] = [];
  for (const m of series) {
    const last = m.t.length - 1;
    m.values.forEach((reps, pi) => {
      const sweepVals = sweepNames.map((n) => String(r.points[pi]?.values[n] ?? ''));
      reps.forEach((vals, rep) => {
        vals.forEach((v, ti) => {
          if (!finalOnly || ti === last) rows.push([m.name, m.method, ...sweepVals, rep, m.t[ti]!, v]);
        });
      });
    });
  }
  return { columns, rows };
}

const baseSpec = {
  $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
  width: 'container',
  height: 260,
  autosize: { type: 'fit-x', contains: 'padding' },
} as const;

function withTitle(title: string, subtitle?: string): { title: { text: string; subtitle?: string } } {
  return { title: subtitle ? { text: title, subtitle } : { text: title } };
}

/** `view METRIC over t by X`: the replicate mean over time, one line per group, with its band. */
function overView(
  r: ExperimentResult,
  v: ViewStatement | undefined,
  metric: string,
  opts: ViewOptions,
): ResultView | undefined {
  const series = r.metrics.filter((m) => m.name === metric);
  if (series.length === 0) return undefined;
  const multiMethod = new Set(series.map((m) => m.method)).size > 1;
  type OverRow = { t: number; mean: number; lo: number; hi: number; group: string };
  const rows: OverRow[] = [];
  const bandRows: OverRow[] = [];
  let reduced = false;
  for (const m of series)
    m.values.forEach((reps, pi) => {
      const group = groupLabel(r, m, pi, multiMethod);
      const line: OverRow[] = m.t.map((t, ti) => {
        const s = summarise(reps.map((x) => x[ti]!));
        const b = band(s, opts.band);
        return { t, mean: num(s.mean), lo: num(b.lo), hi: num(b.hi), group };
      });
      const small = m4(line);
      reduced ||= small.line.length < line.length;
      rows.push(...small.line);
      bandRows.push(...small.band);
    });
  const unit = timeUnit(r);
  const groups = new Set(rows.map((x) => x.group)).size;
  const showBand = r.replicates > 1;
  const color = {
    field: 'group',
    type: 'nominal',
    title: multiMethod ? 'method' : (v?.by ?? 'series'),
    sort: null,
    legend: { symbolOpacity: 1, symbolType: 'stroke' },
  };
  const x = { field: 't', type: 'quantitative', title: `${unit}s`, scale: { nice: false } };
  const tooltipOver = [
    { field: 'group', title: color.title },
    { field: 't', title: unit },
    { field: 'mean', format: '.4~g' },
    { field: 'lo', format: '.4~g' },
    { field: 'hi', format: '.4~g' },
  ];
  const spec = {
    ...baseSpec,
    ...withTitle(
      `${metric} over ${unit}s`,
      bandLabel(opts.band, r.replicates) + (reduced ? ` · long series drawn per pixel column (M4)` : ''),
    ),
    encoding: groups > 1 ? { x, color } : { x },
    layer: [
      ...(showBand
        ? [
            {
              data: { values: bandRows },
              mark: { type: 'area', opacity: 0.18 },
              encoding: { y: { field: 'lo', type: 'quantitative', title: metric }, y2: { field: 'hi' } },
            },
          ]
        : []),
      {
        data: { values: rows },
        mark: { type: 'line', strokeWidth: 1.75, point: rows.length <= 200 },
        encoding: {
          y: { field: 'mean', type: 'quantitative', title: metric, scale: { zero: false } },
          // Per-point tooltips cost a scenegraph field per point: only where points are few enough to hover.
          ...(rows.length > MAX_POINTS_PER_LINE ? {} : { tooltip: tooltipOver }),
        },
      },
    ],
  };
  return {
    id: v?.id ?? `default:over:${metric}`,
    kind: 'over',
    title: `${metric} over ${unit}s`,
    description: `${metric} of ${r.name} over ${unit}s, ${groups} line${groups === 1 ? '' : 's'}, ${bandLabel(opts.band, r.replicates)}`,
    spec: spec as unknown as TopLevelSpec,
    table: rawTable(r, series),
  };
}

/** The final values of a metric as summaries, keyed by what `by` names: a sweep, the method, or nothing. */
function finals(r: ExperimentResult, series: readonly MetricSeries[], by: string | null, opts: ViewOptions): Row[] {
  const multiMethod = new Set(series.map((m) => m.method)).size > 1;
  const isSweep = by !== null && r.sweeps.some((s) => s.name === by);
  const others = r.sweeps.map((s) => s.name).filter((n) => n !== by);
  const rows: Row[] = [];
  for (const m of series) {
    const last = m.t.length - 1;
    m.values.forEach((reps, pi) => {
      const s = summarise(reps.map((x) => x[last]!));
      const b = band(s, opts.band);
      const p = r.points[pi]!;
      const x: string | number = isSweep
        ? (p.values[by] as string | number)
        : by === 'method' || by === 'model' || multiMethod
          ? m.method
          : pointLabel(r, pi) || m.name;
      const group =
        [isSweep && multiMethod ? m.method : '', pointLabel(r, pi, isSweep ? others : [])]
          .filter(Boolean)
          .join(' · ') || m.name;
      rows.push({ x, mean: num(s.mean), lo: num(b.lo), hi: num(b.hi), group, t: m.t[last]! });
    });
  }
  return rows;
}

/** `view METRIC by SWEEP [mark min|max]` (final value against a parameter) and `view METRIC [by method]`. */
function againstView(
  r: ExperimentResult,
  v: ViewStatement | undefined,
  metric: string,
  by: string | null,
  opts: ViewOptions,
): ResultView | undefined {
  const series = r.metrics.filter((m) => m.name === metric);
  if (series.length === 0) return undefined;
  const rows = finals(r, series, by, opts);
  const numeric = rows.every((x) => typeof x['x'] === 'number');
  const groups = [...new Set(rows.map((x) => String(x['group'])))];
  const xTitle = by ?? 'run';
  const mark = v?.mark ?? null;
  const theory: TheoryCurve | undefined = numeric
    ? r.theory?.find((c) => c.metric === metric && c.by === by)
    : undefined;
  const layers: unknown[] = [];
  const subtitle: string[] = [
    `final value (${timeUnit(r)} ${String(rows[0]?.['t'] ?? '')}), ${bandLabel(opts.band, r.replicates)}`,
  ];
  const colour = groups.length > 1 ? { color: { field: 'group', type: 'nominal', title: 'series', sort: null } } : {};
  const tooltip = [
    { field: 'x', title: xTitle },
    ...(groups.length > 1 ? [{ field: 'group', title: 'series' }] : []),
    { field: 'mean', format: '.4~g' },
    { field: 'lo', format: '.4~g' },
    { field: 'hi', format: '.4~g' },
  ];
  if (numeric) {
    const x = { field: 'x', type: 'quantitative', title: xTitle, scale: { zero: false, nice: false } };
    const y = { field: 'mean', type: 'quantitative', title: metric, scale: { zero: false } };
    if (r.replicates > 1)
      layers.push({
        data: { values: rows },
        mark: { type: 'errorbar', ticks: true },
        encoding: { x, y: { field: 'lo', type: 'quantitative', title: metric }, y2: { field: 'hi' }, ...colour },
      });
    layers.push({
      data: { values: rows },
      mark: { type: 'line', point: { filled: true, size: 36 }, strokeWidth: 1.5 },
      encoding: { x, y, ...colour, tooltip },
    });
    if (theory) {
      const curve = theory.x.map((xv, i) => ({ x: xv, theory: theory.y[i]! }));
      layers.push({
        data: { values: curve },
        mark: { type: 'line', strokeDash: [6, 4], strokeWidth: 1.5, opacity: 0.9 },
        encoding: {
          x,
          y: { field: 'theory', type: 'quantitative' },
          color: { value: 'var-theory' },
          tooltip: [
            { field: 'x', title: xTitle, format: '.3~g' },
            { field: 'theory', title: 'theory', format: '.4~g' },
          ],
        },
      });
      layers.push({
        data: { values: [{ x: theory.optimum.x, label: `theory ${by}* = ${formatNumber(theory.optimum.x)}` }] },
        layer: [
          { mark: { type: 'rule', strokeDash: [2, 3] }, encoding: { x, color: { value: 'var-theory' } } },
          {
            mark: { type: 'text', align: 'left', dx: 4, dy: 2, baseline: 'top' },
            encoding: { x, y: { value: 0 }, text: { field: 'label' }, color: { value: 'var-theory' } },
          },
        ],
      });
      subtitle.push(`dashed: ${theory.label} (${theory.paper})`);
    }
    if (mark) {
      const best: Row[] = [];
      for (const g of groups) {
        const gr = rows.filter((x) => x['group'] === g && Number.isFinite(x['mean'] as number));
        if (gr.length === 0) continue;
        const b = gr.reduce((a, c) =>
          mark === 'min'
            ? (c['mean'] as number) < (a['mean'] as number)
              ? c
              : a
            : (c['mean'] as number) > (a['mean'] as number)
              ? c
              : a,
        );
        best.push({
          ...b,
          label: `${mark} ${formatNumber(b['mean'] as number)} at ${xTitle} = ${formatNumber(b['x'] as number)}`,
        });
      }
      layers.push({
        data: { values: best },
        layer: [
          {
            mark: { type: 'point', shape: 'diamond', size: 160, filled: true, strokeWidth: 1 },
            encoding: { x, y, color: { value: 'var-mark' }, tooltip: [{ field: 'label', title: 'optimum' }] },
          },
          {
            mark: { type: 'text', align: 'center', dy: -14, fontWeight: 'bold' },
            encoding: { x, y, text: { field: 'label' }, color: { value: 'var-mark' } },
          },
        ],
      });
      subtitle.push(best.map((b) => b['label']).join('; '));
    }
  } else {
    const x = { field: 'x', type: 'nominal', title: xTitle, sort: null, axis: { labelAngle: 0 } };
    const xOffset = groups.length > 1 ? { xOffset: { field: 'group', sort: null } } : {};
    layers.push({
      data: { values: rows },
      mark: { type: 'bar', opacity: 0.85 },
      encoding: { x, y: { field: 'mean', type: 'quantitative', title: metric }, ...xOffset, ...colour, tooltip },
    });
    if (r.replicates > 1)
      layers.push({
        data: { values: rows },
        mark: { type: 'errorbar', ticks: true },
        encoding: {
          x,
          ...xOffset,
          y: { field: 'lo', type: 'quantitative', title: metric },
          y2: { field: 'hi' },
          color: { value: 'var-fg' },
        },
      });
  }
  const kind: ViewKind = by === null && !numeric && r.sweeps.length === 0 && series.length === 1 ? 'final' : 'against';
  const title = by ? `${metric} by ${by}` : `${metric}, final value`;
  return {
    id: v?.id ?? `default:${kind}:${metric}`,
    kind,
    title,
    description: `${title} for ${r.name}${theory ? ', with the theoretical curve' : ''}${mark ? `, ${mark} marked` : ''}`,
    spec: { ...baseSpec, ...withTitle(title, subtitle.join(' · ')), layer: layers } as unknown as TopLevelSpec,
    table: rawTable(r, series, true),
  };
}

/** `view proportions over rounds`: each method's share of rounds given to each generator (stacked). */
function proportionsView(r: ExperimentResult, v: ViewStatement | undefined): ResultView | undefined {
  const series = r.metrics.filter((m) => m.metric === 'proportion');
  if (series.length === 0) return undefined;
  const rows: Row[] = [];
  const gens = r.selection?.generators;
  // The name the generator list gives it (`subset(modes, [0, 1, 2])`); results without one show its modes.
  const genLabel = (m: MetricSeries): string => {
    const g = m.generator ?? 0;
    const info = gens?.[g];
    return m.label ?? info?.label ?? (info ? `g${g} (modes ${info.modes.join(', ')})` : `g${g}`);
  };
  for (const m of series)
    m.values.forEach((reps, pi) => {
      const panel = [m.method, pointLabel(r, pi)].filter(Boolean).join(' · ');
      m.t.forEach((t, ti) => {
        rows.push({
          t,
          share: num(summarise(reps.map((x) => x[ti]!)).mean),
          generator: genLabel(m),
          gi: m.generator ?? 0,
          panel,
        });
      });
    });
  const panels = new Set(rows.map((x) => x['panel'])).size;
  const oracle = r.selection?.oracleWeights[0];
  const unit = timeUnit(r);
  const spec = {
    $schema: baseSpec.$schema,
    ...withTitle(
      'choice proportions',
      `share of ${unit}s per generator, mean of ${r.replicates} replicate${r.replicates === 1 ? '' : 's'}${oracle ? ` · optimal mixture ${oracle.map((w) => formatNumber(w)).join(' / ')}` : ''}`,
    ),
    data: { values: rows },
    facet: { field: 'panel', type: 'nominal', title: null, sort: null },
    columns: Math.min(panels, 3),
    spec: {
      width: 220,
      height: 150,
      mark: { type: 'area', opacity: 0.85 },
      encoding: {
        x: { field: 't', type: 'quantitative', title: `${unit}s`, scale: { nice: false } },
        y: { field: 'share', type: 'quantitative', stack: 'zero', title: 'share', scale: { domain: [0, 1] } },
        color: { field: 'generator', type: 'nominal', title: 'generator', sort: null },
        order: { field: 'gi' },
        tooltip: [{ field: 'generator' }, { field: 't', title: unit }, { field: 'share', format: '.3f' }],
      },
    },
    resolve: { scale: { x: 'shared' } },
  };
  return {
    id: v?.id ?? 'default:proportions',
    kind: 'proportions',
    title: 'choice proportions',
    description: `the share of ${unit}s each method gave each generator in ${r.name}`,
    spec: spec as unknown as TopLevelSpec,
    table: rawTable(r, series),
  };
}

/** A sample set with image shape (fit loops add `shape: [h, w]`; values are then flattened images). */
type MaybeImages = SampleSet & { readonly shape?: readonly number[] };

function samplesFor(r: ExperimentResult, v: ViewStatement | undefined): MaybeImages[] {
  const all = (r.samples ?? []) as MaybeImages[];
  return v ? all.filter((s) => s.view === v.id || (s.view === undefined && s.model === v.model)) : all;
}

/** `view samples M as scatter`: the model's samples (2-D, else the first two coordinates) and the truth's modes. */
function scatterView(
  r: ExperimentResult,
  v: ViewStatement | undefined,
  sets: readonly MaybeImages[],
): ResultView | undefined {
  if (sets.length === 0) return undefined;
  const rows: Row[] = [];
  const truth: Row[] = [];
  const tableRows: (string | number)[][] = [];
  const sweepNames = r.sweeps.map((s) => s.name);
  for (const s of sets) {
    const panel = pointLabel(r, s.point) || s.model;
    s.values.forEach((xs, i) => {
      rows.push({ x: xs[0]!, y: xs.length > 1 ? xs[1]! : 0, panel });
      tableRows.push([
        s.model,
        ...sweepNames.map((n) => String(r.points[s.point]?.values[n] ?? '')),
        i,
        ...xs.slice(0, 2),
      ]);
    });
    for (const c of s.truth?.centres ?? []) truth.push({ x: c[0]!, y: c.length > 1 ? c[1]! : 0, panel });
  }
  const model = sets[0]!.model;
  const panels = new Set(rows.map((x) => x['panel'])).size;
  const truthSource = sets[0]!.truth?.source;
  const x = { field: 'x', type: 'quantitative', title: 'x₁', scale: { zero: false } };
  const y = { field: 'y', type: 'quantitative', title: 'x₂', scale: { zero: false } };
  const spec = {
    $schema: baseSpec.$schema,
    ...withTitle(
      `samples of ${model}`,
      `${sets[0]!.values.length} samples at ${timeUnit(r)} ${sets[0]!.t}, replicate ${sets[0]!.replicate}${truthSource ? ` · crosses: modes of ${truthSource} (std ${formatNumber(sets[0]!.truth!.std)})` : ''}`,
    ),
    facet: { field: 'panel', type: 'nominal', title: null, sort: null },
    columns: Math.min(panels, 3),
    data: {
      values: [...rows.map((r0) => ({ ...r0, kind: 'sample' })), ...truth.map((t) => ({ ...t, kind: 'truth' }))],
    },
    spec: {
      width: 240,
      height: 240,
      layer: [
        {
          transform: [{ filter: "datum.kind === 'sample'" }],
          mark: { type: 'circle', size: 9, opacity: 0.55 },
          encoding: { x, y, color: { value: 'var-accent' } },
        },
        {
          transform: [{ filter: "datum.kind === 'truth'" }],
          mark: { type: 'point', shape: 'cross', size: 120, filled: true, opacity: 0.95 },
          encoding: { x, y, color: { value: 'var-mark' } },
        },
      ],
    },
  };
  return {
    id: v?.id ?? `default:scatter:${model}`,
    kind: 'scatter',
    title: `samples of ${model}`,
    description: `a scatter plot of ${model}'s samples${truthSource ? ` against the modes of ${truthSource}` : ''} in ${r.name}`,
    spec: spec as unknown as TopLevelSpec,
    table: { columns: ['model', ...sweepNames, 'sample', 'x1', 'x2'], rows: tableRows },
  };
}

/** `view samples M as grid`: generated images (sets with `shape: [h, w]`) as a grid of grey-level tiles. */
function gridView(
  r: ExperimentResult,
  v: ViewStatement | undefined,
  sets: readonly MaybeImages[],
): ResultView | undefined {
  const images = sets.filter((s) => s.shape && s.shape.length >= 2);
  if (images.length === 0) return sets.length ? scatterView(r, v, sets) : undefined;
  const rows: Row[] = [];
  const tableRows: (string | number)[][] = [];
  const perSet = Math.max(1, Math.floor(MAX_GRID_IMAGES / images.length));
  let drawn = 0;
  for (const s of images) {
    const [h, w] = s.shape as [number, number];
    const panel = pointLabel(r, s.point);
    s.values.slice(0, perSet).forEach((px, i) => {
      const image = `${panel ? `${panel} · ` : ''}#${i + 1}`;
      // The panels' order: sets in turn, images in drawing order (not the labels' text order: #10 after #9).
      const order = drawn++;
      for (let k = 0; k < h * w; k++) {
        const value = px[k] ?? NaN;
        rows.push({ image, order, col: k % w, row: Math.floor(k / w), value });
        tableRows.push([s.model, panel, i, Math.floor(k / w), k % w, value]);
      }
    });
  }
  const [h, w] = images[0]!.shape as [number, number];
  const model = images[0]!.model;
  const count = new Set(rows.map((x) => x['image'])).size;
  const px = Math.max(3, Math.min(8, Math.floor(96 / Math.max(h, w))));
  const spec = {
    $schema: baseSpec.$schema,
    ...withTitle(`samples of ${model}`, `${count} generated ${h}×${w} images at ${timeUnit(r)} ${images[0]!.t}`),
    data: { values: rows },
    facet: {
      field: 'image',
      type: 'nominal',
      title: null,
      sort: { field: 'order', op: 'min' },
      header: { labelFontSize: 9 },
    },
    columns: 8,
    spacing: 6,
    spec: {
      width: w * px,
      height: h * px,
      mark: { type: 'rect' },
      encoding: {
        x: { field: 'col', type: 'ordinal', axis: null },
        y: { field: 'row', type: 'ordinal', axis: null },
        color: { field: 'value', type: 'quantitative', scale: { scheme: 'greys', domain: [0, 1] }, legend: null },
      },
    },
  };
  return {
    id: v?.id ?? `default:grid:${model}`,
    kind: 'grid',
    title: `samples of ${model}`,
    description: `a grid of ${count} images generated by ${model} in ${r.name}`,
    spec: spec as unknown as TopLevelSpec,
    table: { columns: ['model', 'point', 'image', 'row', 'col', 'value'], rows: tableRows },
  };
}

/** The views a spec's `view` statements ask for, in order; those that name nothing in the result are skipped. */
function fromStatements(r: ExperimentResult, views: readonly ViewStatement[], opts: ViewOptions): ResultView[] {
  const out: ResultView[] = [];
  for (const v of views) {
    let view: ResultView | undefined;
    switch (v.kind) {
      case 'over':
        view = v.metric ? overView(r, v, v.metric, opts) : undefined;
        break;
      case 'against':
      case 'final':
        view = v.metric ? againstView(r, v, v.metric, v.by, opts) : undefined;
        break;
      case 'proportions':
        view = proportionsView(r, v);
        break;
      case 'samples': {
        const sets = samplesFor(r, v);
        view = v.as === 'grid' ? gridView(r, v, sets) : scatterView(r, v, sets);
        break;
      }
    }
    if (view) out.push(view);
  }
  return out;
}

/** Views for a result without `view` statements: every metric, proportions, samples. */
function defaults(r: ExperimentResult, opts: ViewOptions): ResultView[] {
  const out: ResultView[] = [];
  const names = [...new Set(r.metrics.filter((m) => m.metric !== 'proportion').map((m) => m.name))];
  const firstSweep = r.sweeps.find((s) => s.values.length > 1)?.name ?? null;
  for (const name of names) {
    const long = r.metrics.some((m) => m.name === name && m.t.length > 1);
    const view = long ? overView(r, undefined, name, opts) : againstView(r, undefined, name, firstSweep, opts);
    if (view) out.push(view);
  }
  const prop = proportionsView(r, undefined);
  if (prop) out.push(prop);
  const byModel = new Map<string, MaybeImages[]>();
  for (const s of (r.samples ?? []) as MaybeImages[]) byModel.set(s.model, [...(byModel.get(s.model) ?? []), s]);
  for (const sets of byModel.values()) {
    const view = sets.some((s) => s.shape) ? gridView(r, undefined, sets) : scatterView(r, undefined, sets);
    if (view) out.push(view);
  }
  return out;
}

/** The views of one experiment's result: its `view` statements' (with sensible defaults when it has none). */
export function buildViews(r: ExperimentResult, opts: ViewOptions = { band: 'se' }): ResultView[] {
  const stated = r.views?.length ? fromStatements(r, r.views, opts) : [];
  return stated.length ? stated : defaults(r, opts);
}

function csvField(v: string | number): string {
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** A table as CSV (RFC 4180 quoting), header first. */
export function tableCsv(t: Table): string {
  return [t.columns, ...t.rows].map((row) => row.map(csvField).join(',')).join('\n') + '\n';
}
