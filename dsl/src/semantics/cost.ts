import type * as A from '../syntax/ast.js';
import type { ModelInfo, Value } from './symbols.js';
import { evaluate, num, type EvalCtx } from './evaluate.js';
import type { ExperimentInfo } from './experiment.js';

/** A static estimate of an experiment's work. */
export interface Cost {
  /** Independent runs: replicates × sweep points (× compared methods). */
  readonly runs: number;
  /** Samples drawn over all runs. */
  readonly samples: number;
  /** Trainable or fitted parameters over all models. */
  readonly params: number;
  /** Loop length of one run: generations, steps or rounds. */
  readonly steps: number;
  /** Floating-point operations over all runs (order of magnitude). */
  readonly flops: number;
}

export function estimateCost(
  info: Omit<ExperimentInfo, 'cost' | 'previewCost'>,
  ctx: EvalCtx,
  overrides: Readonly<Record<string, number>>,
): Cost {
  // Counts that depend on a sweep variable or on `t` are taken at the first sweep point and t = 1.
  const env = new Map<string, Value>([['t', { t: 'num', v: 1 }]]);
  for (const s of info.sweeps) if (s.values[0]) env.set(s.sym.name, s.values[0]);
  const quiet: EvalCtx = { ...ctx, report: false, inLoop: true, env };
  const val = (e: A.Expr | undefined): number => num(evaluate(e, quiet)) ?? 0;
  const cap = overrides['sweep'];
  let points = 1;
  for (const s of info.sweeps)
    points *= Math.max(1, cap !== undefined ? Math.min(cap, s.values.length) : s.values.length);
  const replicates = overrides['replicates'] ?? info.replicates;
  let runs = replicates * points;
  const params = info.models.reduce((a, m) => a + (m.params ?? 0), 0);
  const dimOf = (m: ModelInfo | undefined): number => m?.dim ?? 1;
  let samples = 0;
  let steps = 0;
  let flops = 0;
  const body = info.decl.body;
  switch (info.action) {
    case 'retrain':
    case 'cycle': {
      const g = overrides['generations'] ?? info.length ?? 0;
      steps = g;
      let perGen = 0;
      for (const s of body) {
        if (s.kind === 'Retrain') {
          for (const st of s.body) {
            if (st.kind === 'Source') perGen += val(st.count) / everyOf(st.every, quiet);
            else if (st.kind === 'Inject') perGen += val(st.amount) / everyOf(st.every, quiet);
          }
        } else if (s.kind === 'Cycle') {
          let learned = 0;
          let fraction = 0;
          for (const it of s.body) {
            if (it.kind === 'Learns') learned += val(it.samples);
            else if (it.kind === 'Inject') fraction += Math.min(0.99, val(it.amount)) / everyOf(it.every, quiet);
          }
          // A fresh fraction f of the training set adds f / (1 − f) fresh samples per generated one.
          perGen += learned * (1 + fraction / Math.max(0.01, 1 - fraction));
        }
      }
      const d = Math.max(1, ...info.models.map(dimOf));
      samples = runs * g * perGen;
      flops = samples * (d * d + 10);
      break;
    }
    case 'select': {
      const r = overrides['rounds'] ?? info.length ?? 0;
      const compare = body.find((s): s is A.CompareStmt => s.kind === 'Compare');
      runs *= 1 + (compare?.methods.length ?? 0);
      steps = r;
      samples = runs * r;
      // Online kernel sums: every new sample is compared with those drawn before.
      flops = runs * ((r * r) / 2) * 8;
      break;
    }
    case 'train': {
      const train = body.find((s): s is A.TrainStmt => s.kind === 'Train');
      let total = 0;
      let work = 0;
      for (const p of train?.phases ?? []) {
        const st = val(p.steps);
        const batch = optionNumber(p.options, 'batch', quiet) ?? 64;
        const langevin = p.phaseKind?.text === 'cooperative' ? (langevinSteps(p.options, quiet) ?? 30) : 0;
        total += st;
        samples += st * batch * 2;
        work += st * batch * 6 * params * (1 + langevin / 3);
      }
      if (overrides['steps'] !== undefined && total > 0) {
        const f = overrides['steps'] / total;
        samples *= f;
        work *= f;
        total = overrides['steps'];
      }
      steps = total;
      samples *= runs;
      flops = runs * work;
      break;
    }
    case 'fit': {
      const fit = body.find((s): s is A.FitStmt => s.kind === 'Fit');
      const st = overrides['steps'] ?? val(fit?.steps);
      const batch = optionNumber(fit?.options, 'batch', quiet) ?? 64;
      steps = st;
      samples = runs * st * batch * (fit?.models.length ?? 1);
      const tokens = Math.max(1, ...info.models.map((m) => m.dim ?? 1));
      flops = runs * st * batch * 6 * params * tokens;
      break;
    }
    default:
      break;
  }
  return { runs, samples: Math.round(samples), params, steps, flops: Math.round(flops) };
}

function everyOf(s: A.Schedule | undefined, ctx: EvalCtx): number {
  if (!s || s.kind === 'final') return 1;
  return Math.max(1, num(evaluate(s.count, ctx)) ?? 1);
}

function optionNumber(o: A.OptionsBlock | undefined, key: string, ctx: EvalCtx): number | undefined {
  const e = o?.entries.find((x) => x.key?.text === key);
  return e ? num(evaluate(e.value, ctx)) : undefined;
}

function langevinSteps(o: A.OptionsBlock | undefined, ctx: EvalCtx): number | undefined {
  const e = o?.entries.find((x) => x.key?.text === 'langevin');
  const a = e?.call?.args.find((x) => x.name?.text === 'steps');
  return a ? num(evaluate(a.value, ctx)) : undefined;
}
