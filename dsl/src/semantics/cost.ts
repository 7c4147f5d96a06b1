import type * as A from '../syntax/ast.js';
import type { ModelInfo } from './symbols.js';
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
  const quiet: EvalCtx = { ...ctx, report: false, inLoop: true };
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
          for (const st of s.body) if (st.kind === 'Source') perGen += val(st.count);
        } else if (s.kind === 'Cycle') {
          for (const it of s.body) {
            if (it.kind === 'Learns') perGen += val(it.samples);
          }
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
  return { runs, samples, params, steps, flops };
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
