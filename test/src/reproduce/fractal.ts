/**
 * Fractal generative models (fractal.md): examples/fractal.ouro trains a three-level fractal of masked
 * autoregressive modules, a flat autoregressive model of comparable size and independent pixels on 8×8
 * binarised digits, and compares their exact test negative log-likelihoods in bits per pixel.
 *
 * `full` runs the spec's own budget (1,500 steps); `ci` runs 600 steps of the same spec and seed.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { analyze, lower, type IrProgram } from '@ouro/dsl';
import { execute, type ExperimentResult } from '@ouro/runtime';
import type { Finding, Reproduce, ReproduceBudget } from './finding.js';

const specPath = fileURLToPath(new URL('../../../examples/fractal.ouro', import.meta.url));
const CI_STEPS = 600;

function program(budget: ReproduceBudget): IrProgram {
  const ir = lower(analyze(readFileSync(specPath, 'utf8'), { uri: specPath }));
  if (!ir) throw new Error(`${specPath} does not lower: run \`ouro check\` on it`);
  if (budget === 'full') return ir;
  return {
    ...ir,
    experiments: ir.experiments.map((e) =>
      e.loop.kind === 'fit' ? { ...e, loop: { ...e.loop, steps: Math.min(CI_STEPS, e.loop.steps) } } : e,
    ),
  };
}

function final(r: ExperimentResult, model: string): number {
  const s = r.metrics.find((m) => m.metric === 'bits_per_dim' && m.method === model);
  if (!s) throw new Error(`no bits_per_dim for ${model}`);
  return s.values[0]![0]![s.t.length - 1]!;
}

export const reproduce: Reproduce = async (budget) => {
  const run = await execute(program(budget), { backend: 'wasm' });
  const r = run.experiments[0]!;
  const bpd = { f: final(r, 'f'), flat: final(r, 'flat'), independent: final(r, 'independent') };
  const info = (name: string) => r.models!.find((m) => m.model === name)!;
  const describe = (name: 'f' | 'flat' | 'independent'): string => {
    const m = info(name);
    const sample = m.sampleMs === null ? '' : `, ${m.samplesDrawn} samples in ${(m.sampleMs / 1000).toFixed(2)} s`;
    return `${name}: ${bpd[name].toFixed(4)} bits/dim, ${m.params} params, trained in ${(m.trainMs / 1000).toFixed(1)} s${sample}`;
  };
  const vsFlat = bpd.f / bpd.flat;
  const vsIndependent = bpd.f / bpd.independent;
  const paramRatio = info('f').params / info('flat').params;
  const steps = `${r.generations} steps, seed ${r.seed}, one run; test set of 1,996 images`;
  const findings: Finding[] = [
    {
      paper: 'fractal',
      claim:
        'a fractal of one atomic AR module called recursively is within 5% of, or better than, a flat AR model of comparable size (test bits/dim)',
      measured: `f / flat = ${vsFlat.toFixed(3)} (params ratio ${paramRatio.toFixed(2)}); ${describe('f')}; ${describe('flat')} (${steps})`,
      expected: 'f / flat ≤ 1.05 with params ratio within 0.5–2',
      pass: vsFlat <= 1.05 && paramRatio >= 0.5 && paramRatio <= 2,
    },
    {
      paper: 'fractal',
      claim: 'the fractal model is far better than independent pixels (test bits/dim)',
      measured: `f / independent = ${vsIndependent.toFixed(3)}; ${describe('independent')}`,
      expected: 'f / independent ≤ 0.90',
      pass: vsIndependent <= 0.9,
    },
  ];
  return findings;
};
