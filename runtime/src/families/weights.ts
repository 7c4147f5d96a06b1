/** The real and synthetic weights of one retrain loop at one sweep point and generation, and the data a
 * retrained model's generation-0 fit draws from. */
import type { IrModel, IrRetrain, IrValue } from '@ouro/dsl';
import { RuntimeError } from '../errors.js';
import { describeEnv, evalNumber, optimalRealWeight, type Env } from '../expr.js';

/**
 * `(w_real, w_syn)` for nR real and nS synthetic samples: the `weights` line (expressions of sweep
 * variables and `t` evaluated in `env`), `optimal` = (w*(n/m), 1 − w*), `real_only` = (1, 0) or `pooled`
 * (n/(n + m), m/(n + m)). When one role has no samples the other gets all the weight; (0, 0) when neither
 * has any.
 */
export function roleWeights(
  weights: IrRetrain['weights'],
  env: () => Env,
  nodeId: string,
  nR: number,
  nS: number,
): [number, number] {
  if (nR === 0 && nS === 0) return [0, 0];
  if ('rule' in weights) {
    if (weights.rule === 'real_only') return [nR > 0 ? 1 : 0, 0];
    if (weights.rule === 'pooled') return [nR / (nR + nS), nS / (nR + nS)];
    if (nR === 0) return [0, 1];
    if (nS === 0) return [1, 0];
    const wr = optimalRealWeight(nR, nS);
    return [wr, 1 - wr];
  }
  const e = env();
  const wr = evalNumber(weights.real, e, nodeId, 'the real weight');
  const ws = evalNumber(weights.synthetic, e, nodeId, 'the synthetic weight');
  for (const [x, role] of [
    [wr, 'real'],
    [ws, 'synthetic'],
  ] as const)
    if (!(x >= -1e-9 && x <= 1 + 1e-9))
      throw new RuntimeError('invalid', nodeId, `the ${role} weight is ${x}${describeEnv(e)}; weights lie in [0, 1]`);
  if (nR > 0 && nS > 0 && Math.abs(wr + ws - 1) > 1e-6)
    throw new RuntimeError('invalid', nodeId, `the weights sum to ${wr + ws}${describeEnv(e)}; they must sum to 1`);
  if (nR === 0) return [0, 1];
  if (nS === 0) return [1, 0];
  return [wr, ws];
}

/**
 * What `model`'s generation-0 fit draws from: its `on DATA`, else `r`'s first real source, else its first
 * inject into `model`, else `only` (the spec's only fitting data source, as the checker's quick fix
 * assumes). Also returns that real source and inject, whose counts size the fit.
 */
export function generation0Data(
  model: IrModel,
  r: IrRetrain | undefined,
  only: IrValue | undefined,
): {
  firstReal: IrRetrain['sources'][number] | undefined;
  firstInject: IrRetrain['injects'][number] | undefined;
  dataValue: IrValue;
} {
  const firstReal = r?.sources.find((s) => s.role === 'real');
  const firstInject = r?.injects.find((i) => i.into === null || i.into === model.name);
  const dataValue = model.on ?? firstReal?.from ?? firstInject?.from ?? only;
  if (dataValue === undefined || dataValue === null)
    throw new RuntimeError(
      'invalid',
      model.id,
      `\`${model.name}\` has no data for its generation-0 fit: give it \`on DATA\` or a \`real N from DATA\` source`,
    );
  return { firstReal, firstInject, dataValue };
}
