/**
 * What the editor shows of a run's results, as plain text: the inlay label after a metric definition
 * (`err min 0.0123 at w=0.6`), the hover's sparkline (an SVG data URI) and table of values. Pure functions
 * of an ExperimentResult; runs.ts decides where they go.
 */
import type { IrView } from '@ouro/dsl';
import type { ExperimentResult, MetricSeries, Scalar } from '@ouro/runtime';
import { count, meanSd } from '../stats.js';

/** Whether lower or higher is better, for the catalog's metrics; absent where neither is (variance, drift...). */
const better: Readonly<Record<string, 'min' | 'max'>> = {
  mse: 'min',
  kid: 'min',
  fid: 'min',
  regret: 'min',
  bits_per_dim: 'min',
  rke: 'max',
  precision: 'max',
  density: 'max',
  mode_coverage: 'max',
  high_quality_fraction: 'max',
  entropy: 'max',
  gini_simpson: 'max',
};

export const num = (x: number): string =>
  !Number.isFinite(x)
    ? String(x)
    : x !== 0 && (Math.abs(x) >= 1e5 || Math.abs(x) < 1e-3)
      ? x.toExponential(2)
      : String(Number(x.toPrecision(3)));

const scalar = (v: Scalar | undefined): string => (typeof v === 'number' ? num(v) : String(v));

export interface PointSummary {
  /** Index into the result's points. */
  readonly point: number;
  /** `w=0.6, n=40` (empty without sweeps). */
  readonly where: string;
  /** The metric's final value: mean and standard deviation over replicates. */
  readonly mean: number;
  readonly sd: number;
  /** The mean over replicates at each recorded t. */
  readonly trajectory: readonly number[];
}

export interface MetricSummary {
  readonly series: MetricSeries;
  readonly points: readonly PointSummary[];
  /** min or max: from the spec's `view <metric> by ... mark`, else the metric's direction; null if neither. */
  readonly direction: 'min' | 'max' | null;
  /** The best point by `direction` (the only one without sweeps). */
  readonly best: PointSummary | undefined;
}

/** The series of metric `name`: for a `select` loop, that of its algorithm (the first method). */
export function seriesOf(r: ExperimentResult, name: string): MetricSeries | undefined {
  const all = r.metrics.filter((m) => m.name === name);
  const first = r.selection?.methods[0];
  return all.find((m) => m.method === first) ?? all[0];
}

export function summarize(r: ExperimentResult, name: string, views: readonly IrView[] = []): MetricSummary | undefined {
  const series = seriesOf(r, name);
  if (!series || series.t.length === 0) return undefined;
  const last = series.t.length - 1;
  const points = r.points.map((p, pi): PointSummary => {
    const reps = series.values[pi] ?? [];
    const { mean, sd } = meanSd(reps.map((s) => s[last]!));
    const trajectory = series.t.map((_, ti) => meanSd(reps.map((s) => s[ti]!)).mean);
    const where = r.sweeps.map((s) => `${s.name}=${scalar(p.values[s.name])}`).join(', ');
    return { point: pi, where, mean, sd, trajectory };
  });
  const mark = views.find((v) => v.metric === name && v.mark)?.mark ?? better[series.metric] ?? null;
  const finite = points.filter((p) => Number.isFinite(p.mean));
  const best =
    points.length === 1
      ? points[0]
      : mark === null || finite.length === 0
        ? undefined
        : finite.reduce((a, b) => ((mark === 'min' ? b.mean < a.mean : b.mean > a.mean) ? b : a));
  return { series, points, direction: mark, best };
}

/** The inlay label: `err = 0.0123`, `err min 0.0123 at w=0.6`, or a range over the sweep. */
export function inlayLabel(s: MetricSummary): string {
  const name = s.series.name;
  if (s.points.length === 1) return `${name} = ${num(s.points[0]!.mean)}`;
  if (s.best && s.direction) return `${name} ${s.direction} ${num(s.best.mean)} at ${s.best.where}`;
  const means = s.points.map((p) => p.mean).filter(Number.isFinite);
  return means.length
    ? `${name} ${num(Math.min(...means))} … ${num(Math.max(...means))} over ${s.points.length} points`
    : `${name} = ${num(s.points[0]!.mean)}`;
}

/** A small line chart as an SVG data URI: one line per series, the highlighted one drawn last and thicker. */
export function sparkline(lines: readonly (readonly number[])[], highlight = 0, width = 200, height = 44): string {
  const all = lines.flat().filter(Number.isFinite);
  const lo = Math.min(...all);
  const hi = Math.max(...all);
  const span = hi - lo || 1;
  const pad = 3;
  const path = (ys: readonly number[]): string => {
    const n = ys.length;
    return ys
      .map((y, i) => {
        const x = n === 1 ? width / 2 : pad + (i * (width - 2 * pad)) / (n - 1);
        const v = Number.isFinite(y) ? y : lo;
        return `${x.toFixed(1)},${(height - pad - ((v - lo) / span) * (height - 2 * pad)).toFixed(1)}`;
      })
      .join(' ');
  };
  const shapes = lines
    .map((ys, i) => ({ ys, i }))
    .sort((a, b) => Number(a.i === highlight) - Number(b.i === highlight))
    .map(({ ys, i }) =>
      ys.length === 1
        ? `<circle cx="${path(ys).split(',')[0]}" cy="${path(ys).split(',')[1]}" r="2.5" fill="#3794ff"/>`
        : `<polyline fill="none" stroke="${i === highlight ? '#3794ff' : '#8888'}" stroke-width="${i === highlight ? 2 : 1}" points="${path(ys)}"/>`,
    )
    .join('');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">${shapes}</svg>`;
  return `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`;
}

/** The hover's markdown for a metric: a sparkline of its trajectory (or of its final value over the sweep), then the values. */
export function hoverMarkdown(s: MetricSummary, r: ExperimentResult, header: string): string {
  const { series, points, best } = s;
  const overT = series.t.length > 1;
  const bestIndex = best ? points.indexOf(best) : 0;
  // Over t: one line per sweep point (at most 12, the best among them); else the final value across the sweep.
  const shown = overT ? points.slice(0, 12) : [];
  if (overT && best && !shown.includes(best)) shown.push(best);
  const lines = overT ? shown.map((p) => p.trajectory) : [points.map((p) => p.mean)];
  const highlight = overT ? Math.max(0, shown.indexOf(best ?? shown[0]!)) : 0;
  const what = overT
    ? `mean over ${count(r.replicates, 'replicate')}, t = ${series.t[0]} … ${series.t.at(-1)}${points.length > 1 ? `, one line per sweep point${best ? ` (highlighted: ${best.where})` : ''}` : ''}`
    : `final value over ${r.sweeps.map((x) => x.name).join(' × ')}`;
  const out = [header, '', `![${series.name}](${sparkline(lines, highlight)})`, '', `*${what}*`, ''];
  const finals = points.map((p) => p.mean).filter(Number.isFinite);
  if (points.length === 1) {
    const p = points[0]!;
    const spread = r.replicates > 1 ? ` ± ${num(p.sd)}` : ' (one replicate: no spread)';
    out.push(`final (t = ${series.t.at(-1)}): **${num(p.mean)}**${spread}`);
    const traj = p.trajectory.filter(Number.isFinite);
    if (overT && traj.length) out.push('', `min ${num(Math.min(...traj))} · max ${num(Math.max(...traj))} over t`);
  } else {
    if (best && s.direction) out.push(`${s.direction} **${num(best.mean)}** at ${best.where}`, '');
    if (finals.length) out.push(`final values from ${num(Math.min(...finals))} to ${num(Math.max(...finals))}`, '');
    const cap = 25;
    out.push(`| ${r.sweeps.map((x) => x.name).join(' | ')} | final | ± sd |`);
    out.push(`|${r.sweeps.map(() => ' ---: |').join('')} ---: | ---: |`);
    for (const p of points.slice(0, cap)) {
      const cells = r.sweeps.map((x) => scalar(r.points[p.point]!.values[x.name]));
      const mean = p.point === points[bestIndex]?.point && best ? `**${num(p.mean)}**` : num(p.mean);
      out.push(`| ${cells.join(' | ')} | ${mean} | ${r.replicates > 1 ? num(p.sd) : '—'} |`);
    }
    if (points.length > cap) out.push('', `(${points.length - cap} more points in the results view)`);
  }
  return out.join('\n');
}
