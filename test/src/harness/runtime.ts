import assert from 'node:assert/strict';
import { analyze, lower, type IrProgram } from '@ouro/dsl';
import type { ExperimentResult, MetricSeries } from '@ouro/runtime';

/** Lowers a spec written in a test; fails with its errors when it has any. */
export function irOf(text: string, uri = '/virtual/spec.ouro'): IrProgram {
  const a = analyze(text, { uri });
  const ir = lower(a);
  assert.ok(
    ir,
    `the spec lowers: ${a.diagnostics
      .filter((d) => d.severity === 'error')
      .map((d) => d.message)
      .join('; ')}`,
  );
  return ir;
}

export function metric(r: ExperimentResult, name: string): MetricSeries {
  const m = r.metrics.find((x) => x.name === name);
  assert.ok(m, `metric ${name} is in the result`);
  return m;
}

/** The values of a metric at generation t over replicates, at sweep point p. */
export function at(m: MetricSeries, t: number, p = 0): number[] {
  const i = m.t.indexOf(t);
  assert.ok(i >= 0, `${m.name} is recorded at t = ${t}`);
  return m.values[p]!.map((rep) => rep[i]!);
}

export function mean(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

export function sd(xs: readonly number[]): number {
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1));
}

/** Standard error of the mean, from the replicates. */
export function se(xs: readonly number[]): number {
  return sd(xs) / Math.sqrt(xs.length);
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const k = s.length >> 1;
  return s.length % 2 ? s[k]! : (s[k - 1]! + s[k]!) / 2;
}

/** V*(w) = σ²(w²/n + (1 − w)²/m)/(w(2 − w)) (golden-ratio.md). */
export function stationaryError(w: number, n: number, m: number, sigma2 = 1): number {
  return (sigma2 * ((w * w) / n + ((1 - w) * (1 - w)) / m)) / (w * (2 - w));
}
