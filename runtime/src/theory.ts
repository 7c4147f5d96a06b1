/**
 * Closed-form predictions the results views overlay on a metric against a swept parameter. Today: the
 * golden-ratio case (golden-ratio.md) — a `retrain` loop refitting one `gaussian_fit` on `real n` samples of
 * a Gaussian source and `synthetic m` samples of itself, weighted `real: w, synthetic: 1 − w` with `w` a
 * sweep variable, measured by `mse(model.mean, truth.mean)`. The stationary error of the weighted mean is
 *
 *     V*(w) = d σ² (w²/n + (1 − w)²/m) / (w (2 − w))
 *
 * (per coordinate σ², summed over the d coordinates as `mse` sums them). Anything else gets no curve.
 */
import type { IrExperiment, IrExpr, IrProgram, IrValue } from '@ouro/dsl';
import type { Env } from './expr.js';
import { evalExpr, optimalRealWeight } from './expr.js';
import type { SweepResult, TheoryCurve } from './types.js';

/** Stationary error of the weighted mean estimator, in units of σ²: (w²/n + (1 − w)²/m) / (w (2 − w)). */
export function stationaryError(w: number, n: number, m: number): number {
  return ((w * w) / n + ((1 - w) * (1 - w)) / m) / (w * (2 - w));
}

const isObj = (v: IrValue): v is Exclude<IrValue, readonly IrValue[]> & object =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

function memberOf(v: IrValue | undefined, member: string): IrValue | undefined {
  return v !== undefined && isObj(v) && 'member' in v && v.member === member ? v.of : undefined;
}

/** The value of a weight expression at w (and any t), or undefined when it is not a function of w alone. */
function weightAt(v: IrValue, w: string, x: number, nodeId: string): number | undefined {
  if (typeof v === 'number') return v;
  if (!isObj(v) || !('expr' in v)) return undefined;
  try {
    const r = evalExpr(v.expr as IrExpr, new Map([[w, x]]) as Env, nodeId);
    return typeof r === 'number' ? r : undefined;
  } catch {
    return undefined;
  }
}

/** The theory curves of one experiment run over the given (possibly preview-thinned) sweeps. */
export function theoryCurves(ir: IrProgram, exp: IrExperiment, sweeps: readonly SweepResult[]): TheoryCurve[] {
  const loop = exp.loop;
  if (loop.kind !== 'retrain' || loop.loops.length !== 1) return [];
  const rt = loop.loops[0]!;
  const model = exp.models.find((m) => m.name === rt.model);
  if (model?.kind !== 'gaussian_fit' || rt.injects.length > 0 || rt.sources.length !== 2) return [];
  const real = rt.sources.find((s) => s.role === 'real');
  const syn = rt.sources.find((s) => s.role === 'synthetic');
  if (!real || !syn || typeof real.count !== 'number' || typeof syn.count !== 'number') return [];
  if (real.every !== null || syn.every !== null) return [];
  if (!isObj(syn.from) || !('model' in syn.from) || syn.from.model !== rt.model) return [];
  if (!isObj(real.from) || !('data' in real.from) || real.from.split !== undefined) return [];
  const data = ir.data[real.from.data];
  const std = data?.args['std'] ?? 1;
  if (data?.kind !== 'gaussian' || typeof std !== 'number' || data.dim === null) return [];
  if (!('real' in rt.weights)) return [];
  const weights = rt.weights;
  const n = real.count;
  const m = syn.count;
  const scale = data.dim * std * std;
  const out: TheoryCurve[] = [];
  for (const sweep of sweeps) {
    const xs = sweep.values.filter((v): v is number => typeof v === 'number');
    if (xs.length < 2 || xs.length !== sweep.values.length) continue;
    // The real weight must be the sweep variable itself and the synthetic one its complement.
    const ok = [0.25, 0.5, 0.75].every(
      (x) =>
        weightAt(weights.real, sweep.name, x, rt.id) === x &&
        Math.abs((weightAt(weights.synthetic, sweep.name, x, rt.id) ?? NaN) - (1 - x)) < 1e-12,
    );
    if (!ok) continue;
    const lo = Math.max(Math.min(...xs), 1e-3);
    const hi = Math.min(Math.max(...xs), 1);
    const dataName = real.from.data;
    const metrics = exp.metrics.filter((mt) => {
      const est = memberOf(mt.args['estimate'], 'mean');
      const tru = memberOf(mt.args['truth'], 'mean');
      return (
        mt.metric === 'mse' &&
        est !== undefined &&
        isObj(est) &&
        'model' in est &&
        est.model === rt.model &&
        tru !== undefined &&
        isObj(tru) &&
        'data' in tru &&
        tru.data === dataName
      );
    });
    const K = 181;
    const x = Array.from({ length: K }, (_, i) => (i === K - 1 ? hi : lo + ((hi - lo) * i) / (K - 1)));
    const y = x.map((w) => scale * stationaryError(w, n, m));
    const wOpt = optimalRealWeight(n, m);
    const opt = wOpt >= lo && wOpt <= hi ? wOpt : x[y.indexOf(Math.min(...y))]!;
    const s2 = scale === 1 ? '' : `${+scale.toPrecision(6)} · `;
    for (const mt of metrics)
      out.push({
        metric: mt.name,
        by: sweep.name,
        label: `V*(${sweep.name}) = ${s2}(${sweep.name}²/${n} + (1 − ${sweep.name})²/${m}) / (${sweep.name} (2 − ${sweep.name}))`,
        paper: 'golden-ratio.md',
        x,
        y,
        optimum: { x: opt, y: scale * stationaryError(opt, n, m) },
      });
  }
  return out;
}
