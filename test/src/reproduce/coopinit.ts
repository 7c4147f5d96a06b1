/**
 * CoopInit (shared/papers/coopinit.md) from examples/coopinit-grid.ouro (25-mode grid) and
 * examples/coopinit.ouro (8-mode ring): the same GAN (G and D two hidden layers of 128) trained from
 * random weights (`init = random`) and after a cooperative phase (`init = coop`), the same total steps
 * for both.
 *
 * A paired design: the runtime keys every random draw by replicate, not by sweep point (common random
 * numbers, runtime/src/random.ts), so replicate r of both arms starts from the same initial G and D and sees
 * the same latents and data batches in the main adversarial phase (each arm's own first phase, cooperative
 * or warm-up, draws its own). Each claim is therefore judged on the per-replicate differences
 * d_r = coop_r − random_r, with their mean and its standard error se = sd(d)/√R:
 *
 * - pairing: at step 0 every metric is identical in both arms of every replicate (the same networks), and
 *   every recorded metric is finite;
 * - modes covered at the end (`mode_coverage`: modes with ≥ 31 of 2,500 samples within 3σ), "covers at least
 *   as many": mean(d) ≥ −2 se (not significantly fewer, one-sided) and at least one arm covers a mode (two
 *   arms at zero would pass vacuously);
 * - the high-quality fraction at the end (samples within 3σ of a mode), "higher": mean(d) > 2 se (one-sided;
 *   p ≈ 0.023 under a normal approximation, ≈ 0.03 with Student's t at 15 degrees of freedom);
 * - what the claim rests on (reference-notes.md §4, C1): at the switch the cooperative phase has spread G
 *   over the modes, coarse coverage (`coarse`: ≥ 31 of 2,500 samples within 0.6 of a centre) ≥ 90% of the
 *   modes in every seed;
 * - the cooperative phase moves G towards the modes: coarse coverage at the switch above the random arm's
 *   (whose networks are still the initial ones then), paired mean difference > 2 se.
 *
 * Both arms train the same total steps: the random arm runs an adversarial warm-up as long as the cooperative
 * phase (the specs' `phase adversarial 300 steps when init == random`), then both run the main adversarial
 * phase on the same batches.
 *
 * Budgets. `full`: both targets with 16 seeds and 20,000 steps in the main adversarial phase (at the specs'
 * 3,000 neither GAN has converged; the grid's random arm covers no mode there). `ci`: 2 seeds, the full
 * cooperative phase and warm-up, and a quarter of the spec's main phase: there pairing, finiteness and the
 * cooperative phase's effect at the switch are decidable, the claim's end-of-training comparisons are not
 * (marked `decidable: false`; the ci test reports them without gating on them).
 */
import type { IrProgram } from '@ouro/dsl';
import type { ExperimentResult } from '@ouro/runtime';
import { at, mean, metric, sd, se } from '../harness/runtime.js';
import type { Finding, Reproduce, ReproduceBudget } from './finding.js';
import { exampleIr, fmt, runExperiment } from './spec.js';

const PAPER = 'coopinit';

interface Target {
  readonly file: string;
  readonly experiment: string;
  readonly label: string;
  readonly modes: number;
}

const TARGETS: readonly Target[] = [
  { file: 'coopinit-grid.ouro', experiment: 'coopinit_grid', label: '25-mode grid', modes: 25 },
  { file: 'coopinit.ouro', experiment: 'coopinit', label: '8-mode ring', modes: 8 },
];

/** The full budget, for both targets: seeds, and the steps of the main adversarial phase. */
const FULL = { replicates: 16, adversarial: 20_000 } as const;

/**
 * The ci budget: seeds, and the fraction of the spec's main adversarial phase (the cooperative phase and the
 * warm-up run in full).
 */
const CI = { replicates: 2, adversarial: 0.25 } as const;

/** The share of modes coarsely covered at the switch that counts as a mode-covering initialisation. */
const C1_SHARE = 0.9;

/** One-sided significance threshold, in standard errors of the paired mean difference. */
const Z = 2;

/**
 * `ir` with the main adversarial phase of experiment `name` (the one without `when`) at `steps(spec's steps)`
 * steps; the random arm's warm-up, as long as the cooperative phase, stays as written (equal total steps).
 */
function withAdversarial(ir: IrProgram, name: string, steps: (n: number) => number): IrProgram {
  return {
    ...ir,
    experiments: ir.experiments.map((e) =>
      e.name !== name || e.loop.kind !== 'train'
        ? e
        : {
            ...e,
            loop: {
              ...e.loop,
              phases: e.loop.phases.map((p) =>
                p.kind === 'adversarial' && p.when === null
                  ? { ...p, steps: Math.max(1, Math.round(steps(p.steps))) }
                  : p,
              ),
            },
          },
    ),
  };
}

const meanSd = (xs: readonly number[], digits = 3): string => `${fmt(mean(xs), digits)} ± ${fmt(sd(xs), 2)}`;

function point(e: ExperimentResult, init: string): number {
  const p = e.points.findIndex((x) => x.values['init'] === init);
  if (p < 0) throw new Error(`${e.name} has no sweep point init = ${init}`);
  return p;
}

/** A finding, and whether its budget can decide it (the ci test gates only on decidable ones). */
export interface CoopFinding {
  readonly finding: Finding;
  readonly decidable: boolean;
}

/** Per-replicate values of metric `name` at time `t` in both arms, and their differences coop − random. */
function paired(e: ExperimentResult, name: string, t: number) {
  const m = metric(e, name);
  const coop = at(m, t, point(e, 'coop'));
  const random = at(m, t, point(e, 'random'));
  return { coop, random, d: coop.map((x, r) => x - random[r]!) };
}

function pairing(e: ExperimentResult, label: string): Finding {
  const [pc, pr] = [point(e, 'coop'), point(e, 'random')];
  const R = e.replicates;
  let same = 0;
  for (let r = 0; r < R; r++)
    if (e.metrics.every((m) => m.values[pc]![r]![0] === m.values[pr]![r]![0] && m.t[0] === 0)) same++;
  const finite = e.metrics.every((m) => m.values.every((reps) => reps.every((v) => v.every(Number.isFinite))));
  return {
    paper: PAPER,
    claim: `${label}: both arms of each replicate start from the same networks (paired), metrics finite`,
    measured: `every metric identical at step 0 in ${same} of ${R} replicates; ${finite ? 'all' : 'NOT all'} recorded values finite`,
    expected: `${R} of ${R}, all finite`,
    pass: same === R && finite,
  };
}

function modes(e: ExperimentResult, T: number, label: string): Finding {
  const { coop, random, d } = paired(e, 'modes', T);
  const covers = mean(coop) > 0 || mean(random) > 0;
  return {
    paper: PAPER,
    claim: `${label}: CoopInit covers at least as many modes as random initialisation`,
    measured:
      `coop ${meanSd(coop)}, random ${meanSd(random)} modes at step ${T} (mean ± sd over ${d.length} seeds); ` +
      `paired difference ${fmt(mean(d), 2)} ± ${fmt(se(d), 2)} (se)${covers ? '' : '; neither arm covers a mode'}`,
    expected: `paired coop − random ≥ −${Z} se, and an arm covers modes`,
    pass: covers && mean(d) >= -Z * se(d),
  };
}

function quality(e: ExperimentResult, T: number, label: string): Finding {
  const { coop, random, d } = paired(e, 'quality', T);
  return {
    paper: PAPER,
    claim: `${label}: CoopInit gives a higher fraction of high-quality samples than random initialisation`,
    measured:
      `coop ${meanSd(coop)}, random ${meanSd(random)} at step ${T} (mean ± sd over ${d.length} seeds); ` +
      `paired difference ${fmt(mean(d), 2)} ± ${fmt(se(d), 2)} (se)` +
      (se(d) > 0 ? `, ${fmt(mean(d) / se(d), 2)} se` : ''),
    expected: `paired coop − random > ${Z} se (one-sided, p ≈ 0.023)`,
    pass: mean(d) > Z * se(d),
  };
}

/** The step at which the cooperative phase ends (the specs record their metrics there). */
function switchStep(e: ExperimentResult, ir: IrProgram): number {
  const exp = ir.experiments.find((x) => x.name === e.name)!;
  const loop = exp.loop as IrProgram['experiments'][number]['loop'] & { kind: 'train' };
  const k = loop.phases.findIndex((p) => p.kind === 'cooperative');
  return loop.phases.slice(0, k + 1).reduce((a, p) => a + p.steps, 0);
}

function initialisation(e: ExperimentResult, t: number, modes: number, label: string): Finding[] {
  const { coop, random, d } = paired(e, 'coarse', t);
  const need = Math.ceil(C1_SHARE * modes);
  const perSeed = `${coop.join(', ')} of ${modes} modes at step ${t} (seeds); random arm (initial G): ${random.join(', ')}`;
  return [
    {
      paper: PAPER,
      claim: `${label}: the cooperative phase spreads G over the modes (C1: coarse coverage at the switch)`,
      measured: perSeed,
      expected: `≥ ${need} in every seed`,
      pass: coop.every((x) => x >= need),
    },
    {
      paper: PAPER,
      claim: `${label}: the cooperative phase moves G towards the modes (coarse coverage at the switch, paired)`,
      measured: `${perSeed}; paired difference ${fmt(mean(d), 2)} ± ${fmt(se(d), 2)} (se)`,
      expected: `paired coop − random > ${Z} se`,
      pass: mean(d) > Z * se(d),
    },
  ];
}

/** The findings of one target's result `e` (of `ir`); `claim`: whether the budget decides the claim. */
function targetFindings(e: ExperimentResult, ir: IrProgram, target: Target, claim: boolean): CoopFinding[] {
  const T = metric(e, 'modes').t.at(-1)!;
  const [c1, moves] = initialisation(e, switchStep(e, ir), target.modes, target.label);
  return [
    { finding: pairing(e, target.label), decidable: true },
    { finding: modes(e, T, target.label), decidable: claim },
    { finding: quality(e, T, target.label), decidable: claim },
    { finding: c1!, decidable: claim },
    { finding: moves!, decidable: true },
  ];
}

/** The ir of `target` at `budget` (adversarial steps), and its replicates. */
function targetRun(target: Target, budget: ReproduceBudget): { ir: IrProgram; replicates: number } {
  const ir = withAdversarial(exampleIr(target.file), target.experiment, (n) =>
    budget === 'full' ? FULL.adversarial : n * CI.adversarial,
  );
  return { ir, replicates: budget === 'full' ? FULL.replicates : CI.replicates };
}

/** Every finding at `budget`, each marked with whether that budget decides it. */
export async function coopinitFindings(budget: ReproduceBudget): Promise<CoopFinding[]> {
  const out: CoopFinding[] = [];
  for (const target of TARGETS) {
    const { ir, replicates } = targetRun(target, budget);
    const e = await runExperiment(ir, target.experiment, { replicates });
    out.push(...targetFindings(e, ir, target, budget === 'full'));
  }
  return out;
}

export const reproduce: Reproduce = async (budget) => (await coopinitFindings(budget)).map((f) => f.finding);
