/**
 * The `retrain` loop for every family fitted to samples (families/models.ts), and for Gaussian fits on
 * anything but a single Gaussian source (ring and grid mixtures, paired images, CSV tables). retrain.ts
 * keeps the sufficient-statistics path for gaussian_fit on gaussian data and hands everything else here.
 *
 * Generation 0 fits each model on n₀ samples of its `on` data, else of its loop's first real source, else
 * its first inject's, else the spec's only data source; n₀ is the first real source's count (else the
 * first inject's dose, else the first source's count), evaluated at t = 1 when it depends on t.
 * Generation t ≥ 1 draws every source due at t — real ones from the data, synthetic ones from the models'
 * generation t − 1 states, so a model can learn from another (a chain), from several (fan-in), or from
 * each other (a cycle of retrain loops) — and refits with each real (and injected) sample weighted
 * w_real / n_real and each synthetic one w_syn / n_syn (families/weights.ts). A sweep point that gets no
 * sample at t keeps its model.
 */
import * as tf from '@tensorflow/tfjs';
import type { IrLoop, IrModel, IrValue } from '@ouro/dsl';
import { resolveData } from '../data.js';
import { RuntimeError } from '../errors.js';
import { dependsOnT, describeEnv, evalCount, evalNumber } from '../expr.js';
import type { LoopCtx, LoopRunner } from '../loop.js';
import { due, envAt, rowsOf } from '../plan.js';
import { tensorsOf, type ModelState } from '../state.js';
import { familyOf, type Family } from './models.js';
import { sampleSource, type SampleSource } from './sources.js';
import { generation0Data, roleWeights } from './weights.js';

type RetrainLoop = IrLoop & { kind: 'retrain' };

function modelRef(v: IrValue | null | undefined): string | undefined {
  return v && typeof v === 'object' && !Array.isArray(v) && 'model' in v ? v.model : undefined;
}

/** Does this retrain loop need the sample-level runner (anything but gaussian_fit on gaussian data)? */
export function needsSampledRetrain(ctx: LoopCtx, loop: RetrainLoop): boolean {
  const names = new Set<string>();
  const data: { v: IrValue; id: string }[] = [];
  for (const r of loop.loops) {
    names.add(r.model);
    for (const s of r.sources) {
      const m = modelRef(s.from);
      if (m) names.add(m);
      else data.push({ v: s.from, id: s.id });
    }
    for (const i of r.injects) data.push({ v: i.from, id: i.id });
  }
  for (const n of names) {
    const m = ctx.models.get(n);
    if (!m) continue;
    if (m.kind !== 'gaussian_fit') return true;
    if (m.on !== null) data.push({ v: m.on, id: m.id });
  }
  const only = Object.values(ctx.ir.data);
  if (only.length === 1 && only[0]!.kind !== 'gaussian') return true;
  return data.some(({ v, id }) => {
    const ref = resolveData(ctx.ir, v, id);
    return ref.source.kind !== 'gaussian' || ref.part !== null || ref.split !== undefined;
  });
}

interface Group {
  readonly id: string;
  readonly role: 'real' | 'synthetic';
  readonly every: { readonly every: number } | null;
  readonly counts: (t: number) => number[];
  readonly draw: (n: number, t: number) => tf.Tensor3D;
  readonly dim: () => number;
}

export function compileSampledRetrain(ctx: LoopCtx, loop: RetrainLoop): LoopRunner {
  const { plan, states, models, ir } = ctx;
  const tables = ctx.tables ?? {};
  const exp = plan.exp;
  const modelOf = (name: string, nodeId: string): IrModel => {
    const m = models.get(name);
    if (!m) throw new RuntimeError('invalid', nodeId, `\`${name}\` is not a model of this experiment`);
    return m;
  };
  const source = (v: IrValue, nodeId: string): SampleSource => {
    const ref = resolveData(ir, v, nodeId);
    return sampleSource(ref, tables, nodeId, ref.split ?? null);
  };
  /** Per-point values of a count, evaluated at t (at 1 for generation 0 when it depends on t). */
  const perPoint = (v: IrValue, f: (x: IrValue, env: ReturnType<typeof envAt>) => number) => {
    let cache: number[] | undefined;
    return (t: number): number[] => {
      if (cache) return cache;
      const at = t === 0 && dependsOnT(v) ? 1 : t;
      const out = plan.points.map((_, p) => f(v, envAt(plan, p, at)));
      if (!dependsOnT(v)) cache = out;
      return out;
    };
  };
  const countOf = (v: IrValue, nodeId: string, what: string) =>
    perPoint(v, (x, env) => evalCount(x, env, nodeId, what));
  const doseOf = (v: IrValue, nodeId: string) =>
    perPoint(v, (x, env) => {
      const a = evalNumber(x, env, nodeId, 'the injected amount');
      if (!(a >= 0) || !Number.isInteger(a))
        throw new RuntimeError(
          'invalid',
          nodeId,
          `the injected dose is ${a}${describeEnv(env)}; it must be a whole number of samples (0 or more)`,
        );
      return a;
    });

  // The models the loops touch, their generation-0 data and families.
  const needed: string[] = [];
  const need = (n: string): void => void (needed.includes(n) || needed.push(n));
  for (const r of loop.loops) {
    need(r.model);
    for (const s of r.sources) {
      const m = modelRef(s.from);
      if (m) need(m);
    }
  }
  const allData = Object.keys(ir.data);
  const families = new Map<string, Family>();
  const initial = new Map<string, { src: SampleSource; n0: (t: number) => number[] }>();
  for (const name of needed) {
    const model = modelOf(name, exp.id);
    const r = loop.loops.find((x) => x.model === name);
    const only = allData.length === 1 ? { data: allData[0]! } : undefined;
    const { firstReal, firstInject, dataValue } = generation0Data(model, r, only);
    const src = source(dataValue, model.id);
    let n0: (t: number) => number[];
    if (firstReal) n0 = countOf(firstReal.count, firstReal.id, `the generation-0 sample count of \`${name}\``);
    else if (firstInject) n0 = doseOf(firstInject.amount, firstInject.id);
    else if (r?.sources[0])
      n0 = countOf(r.sources[0].count, r.sources[0].id, `the generation-0 sample count of \`${name}\``);
    else {
      // A teacher no loop retrains: as many samples as its largest consumer draws.
      const uses = loop.loops.flatMap((x) => x.sources.filter((s) => modelRef(s.from) === name));
      const cs = uses.map((s) => countOf(s.count, s.id, 'the synthetic sample count'));
      n0 = (t) => plan.points.map((_, p) => Math.max(...cs.map((c) => c(t)[p]!)));
    }
    initial.set(name, { src, n0 });
    families.set(name, familyOf(model, src.dim, src.classes));
  }

  const compiled = loop.loops.map((r) => {
    const model = modelOf(r.model, r.id);
    const fam = families.get(r.model)!;
    const groups: Group[] = [];
    for (const s of r.sources) {
      const from = modelRef(s.from);
      const c = countOf(s.count, s.id, `the ${s.role} sample count`);
      if (from) {
        const f = families.get(from)!;
        groups.push({
          id: s.id,
          role: s.role,
          every: s.every,
          counts: c,
          dim: () => f.d,
          draw: (n, t) => f.sample(states.get(from)!, plan, n, t, s.id),
        });
      } else {
        const src = source(s.from, s.id);
        groups.push({
          id: s.id,
          role: s.role,
          every: s.every,
          counts: c,
          dim: () => src.dim,
          draw: (n, t) => src.draw(plan, n, t, s.id),
        });
      }
    }
    for (const inj of r.injects) {
      if (inj.into !== null && inj.into !== r.model) continue;
      const src = source(inj.from, inj.id);
      groups.push({
        id: inj.id,
        role: 'real',
        every: inj.every,
        counts: doseOf(inj.amount, inj.id),
        dim: () => src.dim,
        draw: (n, t) => src.draw(plan, n, t, inj.id),
      });
    }
    for (const g of groups)
      if (g.dim() !== fam.d)
        throw new RuntimeError(
          'invalid',
          g.id,
          `these samples have ${g.dim()} values each, but \`${model.name}\` was fitted on ${fam.d}-value samples`,
        );
    return { ir: r, model, fam, groups };
  });

  /** Weights `[B, N]` for groups of per-point counts, each sample `per[g][p]` (0 beyond the count). */
  const weightRows = (counts: number[][], per: Float32Array[], widths: number[]): tf.Tensor2D => {
    const N = widths.reduce((a, b) => a + b, 0);
    const w = new Float32Array(plan.P * N);
    for (let p = 0; p < plan.P; p++) {
      let off = 0;
      counts.forEach((c, g) => {
        w.fill(per[g]![p]!, p * N + off, p * N + off + c[p]!);
        off += widths[g]!;
      });
    }
    return rowsOf(plan, w, N);
  };

  function init(): void {
    for (const [name, { src, n0 }] of initial) {
      const counts = n0(0);
      if (counts.some((c) => c < 1))
        throw new RuntimeError(
          'invalid',
          modelOf(name, exp.id).id,
          `\`${name}\` has no samples for its generation-0 fit`,
        );
      const n = Math.max(...counts);
      const X = src.draw(plan, n, 0, `${modelOf(name, exp.id).id}/init`);
      const w = weightRows([counts], [Float32Array.from(counts, (c) => 1 / c)], [n]);
      const s = families.get(name)!.fit(X, w, undefined);
      X.dispose();
      w.dispose();
      states.set(name, s);
    }
  }

  /** The next state where `keep [B]` is 0, the previous one where it is 1. */
  const keepRows = (prev: ModelState, next: ModelState, keep: Float32Array): ModelState => {
    if (next.kind === 'kde' && prev.kind === 'kde')
      return tf.tidy(() => {
        const k = tf.tensor1d(keep).expandDims(1);
        return {
          ...next,
          points: tf.concat([next.points, prev.points], 1) as tf.Tensor3D,
          weights: tf.concat([next.weights.mul(tf.scalar(1).sub(k)), prev.weights.mul(k)], 1) as tf.Tensor2D,
        };
      });
    const out: Record<string, unknown> = { ...next };
    const old = prev as unknown as Record<string, unknown>;
    tf.tidy(() => {
      const k = tf.tensor1d(keep).greater(0);
      for (const [key, x] of Object.entries(next))
        if (x instanceof tf.Tensor && old[key] instanceof tf.Tensor) {
          const mask = k.reshape([plan.B, ...x.shape.slice(1).map(() => 1)]).broadcastTo(x.shape);
          out[key] = tf.keep(tf.where(mask, old[key], x));
        }
    });
    return out as unknown as ModelState;
  };

  function step(t: number): Map<string, ModelState> {
    const out = new Map<string, ModelState>();
    for (const c of compiled) {
      const active = c.groups.filter((g) => due(g.every, t));
      const counts = active.map((g) => g.counts(t));
      const used = active.map((_, i) => i).filter((i) => Math.max(...counts[i]!) > 0);
      if (used.length === 0) continue;
      const per = used.map(() => new Float32Array(plan.P));
      const keep = new Float32Array(plan.P);
      for (let p = 0; p < plan.P; p++) {
        let nR = 0;
        let nS = 0;
        for (const i of used) {
          if (active[i]!.role === 'real') nR += counts[i]![p]!;
          else nS += counts[i]![p]!;
        }
        const [wr, ws] = roleWeights(c.ir.weights, () => envAt(plan, p, t), c.ir.weights.id ?? c.ir.id, nR, nS);
        if (wr + ws <= 0) keep[p] = 1;
        used.forEach((i, k) => {
          per[k]![p] = active[i]!.role === 'real' ? (nR > 0 ? wr / nR : 0) : nS > 0 ? ws / nS : 0;
        });
      }
      const widths = used.map((i) => Math.max(...counts[i]!));
      const parts = used.map((i, k) => active[i]!.draw(widths[k]!, t));
      const X = parts.length === 1 ? parts[0]! : (tf.concat(parts, 1) as tf.Tensor3D);
      const w = weightRows(
        used.map((i) => counts[i]!),
        per,
        widths,
      );
      const prev = states.get(c.model.name);
      let next = c.fam.fit(X, w, prev);
      for (const x of new Set([...parts, X, w])) x.dispose();
      if (prev && keep.some((k) => k > 0)) {
        const merged = keepRows(
          prev,
          next,
          Float32Array.from({ length: plan.B }, (_, b) => keep[Math.floor(b / plan.R)]!),
        );
        const live = new Set([...tensorsOf(merged), ...tensorsOf(prev)]);
        for (const x of tensorsOf(next)) if (!live.has(x)) x.dispose();
        next = merged;
      }
      out.set(c.model.name, next);
    }
    return out;
  }

  async function diagnose(model: string, prev: ModelState | undefined): Promise<string> {
    if (prev === undefined) return `the generation-0 fit of \`${model}\` got a NaN or infinite sample: check its data`;
    const kind = models.get(model)?.kind;
    if (kind === 'linear_regression')
      return 'its least-squares fit became singular or overflowed (covariates collapsed to a point, or the data scale is too large)';
    if (kind === 'categorical_fit') return 'its probabilities became NaN: no samples were counted';
    return 'a sample or weight was NaN or infinite, or the fit overflowed float32: check the data sources and weights';
  }

  return { kind: 'retrain', init, step, diagnose };
}
