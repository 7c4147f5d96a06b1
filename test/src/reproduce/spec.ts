/**
 * Running the shipped example specs through the real pipeline (parse → analyse → lower → execute) for the
 * reproduction checks, with the replicate count of a budget. Not a finding module: it exports no `reproduce`.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { IrProgram } from '@ouro/dsl';
import { execute, type ExperimentResult } from '@ouro/runtime';
import { irOf } from '../harness/runtime.js';
import type { Reproduce } from './finding.js';

export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

/** The IR of `examples/<file>`. */
export function exampleIr(file: string): IrProgram {
  const path = `${repoRoot}examples/${file}`;
  return irOf(readFileSync(path, 'utf8'), path);
}

/** What a budget changes in an example: replicates, and a `select` loop's rounds. */
export interface Budget {
  readonly replicates?: number;
  readonly rounds?: number;
}

/**
 * Runs experiment `name` of `ir` on the embedded wasm backend with the budget's replicates (and rounds);
 * everything else, the seed included, is the spec's.
 */
export async function runExperiment(ir: IrProgram, name: string, budget: Budget = {}): Promise<ExperimentResult> {
  const exp = ir.experiments.find((e) => e.name === name);
  if (!exp) throw new Error(`${ir.uri} has no experiment \`${name}\``);
  const loop =
    budget.rounds !== undefined && exp.loop.kind === 'select' ? { ...exp.loop, rounds: budget.rounds } : exp.loop;
  const run: IrProgram = {
    ...ir,
    experiments: [{ ...exp, loop, replicates: budget.replicates ?? exp.replicates }],
  };
  const r = await execute(run, { backend: 'wasm' });
  return r.experiments[0]!;
}

/** A number with `digits` significant digits, for the measured/expected columns. */
export function fmt(x: number, digits = 3): string {
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  return a !== 0 && (a < 1e-3 || a >= 1e5) ? x.toExponential(digits - 1) : Number(x.toPrecision(digits)).toString();
}

/**
 * The upper α-quantile of χ² with k degrees of freedom, by the Wilson–Hilferty approximation (relative error
 * below 1% for k ≥ 10 at α ≥ 0.001).
 */
export function chiSquareCritical(k: number, zAlpha: number): number {
  const a = 2 / (9 * k);
  return k * (1 - a + zAlpha * Math.sqrt(a)) ** 3;
}

/** The body of a reproduce-<paper>.test.ts: every finding of `reproduce` at the ci budget passes. */
export async function assertReproduces(
  diagnostic: (message: string) => void,
  reproduce: Reproduce,
  paper: string,
): Promise<void> {
  const findings = await reproduce('ci');
  assert.ok(findings.length > 0);
  for (const f of findings) {
    assert.equal(f.paper, paper);
    diagnostic(`${f.pass ? 'PASS' : 'FAIL'} ${f.claim}: ${f.measured} (expected ${f.expected})`);
  }
  for (const f of findings) assert.ok(f.pass, `${f.claim}: measured ${f.measured}, expected ${f.expected}`);
}
