/** The real and synthetic weights of one retrain loop at one sweep point and generation. */
import type { IrRetrain } from '@ouro/dsl';
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
