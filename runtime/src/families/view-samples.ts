/**
 * `view samples M as scatter` in `retrain` and `cycle` experiments: after the last generation, each viewed
 * model draws samples from its final state (replicate 0 of each sweep point, from the stream of
 * (row, last generation, `VIEW/samples`), so they never change the run's other draws), with the data it
 * learns as the truth when that is a mixture of isotropic Gaussians (ring, grid, paired data's image classes) or
 * one isotropic Gaussian.
 */
import * as tf from '@tensorflow/tfjs';
import type { IrView } from '@ouro/dsl';
import { resolveData, type DataRef } from '../data.js';
import { RuntimeError } from '../errors.js';
import type { LoopCtx } from '../loop.js';
import type { States } from '../state.js';
import type { SampleSet } from '../types.js';
import { modelData, sampleModel } from './sample-metrics.js';

/** Samples drawn per viewed model and sweep point (as for a `train` loop's generator). */
export const VIEW_SAMPLES = 1000;

/** Draws the final samples of every `view samples` of the experiment; validated when compiled. */
export type SampleViews = (states: States, t: number) => Promise<SampleSet[]>;

/** The truth a scatter draws: the modes of a ring or grid, a Gaussian's mean, or paired data's image classes
 * (for a model of the images: anything but a categorical_fit, which learns the texts). */
function truthOf(ref: DataRef | undefined, kind: string): SampleSet['truth'] {
  const s = ref?.source;
  if (!s) return undefined;
  if (s.kind === 'paired' && (ref.part === 'image' || (ref.part === null && kind !== 'categorical_fit')))
    return { source: s.name, centres: s.means, std: s.std };
  if (ref.part !== null) return undefined;
  if (s.kind === 'mixture') return { source: s.name, centres: s.centres, std: s.std };
  if (s.kind === 'gaussian') return { source: s.name, centres: [s.mean], std: s.std };
  return undefined;
}

export function compileSampleViews(ctx: LoopCtx): SampleViews {
  const { ir, plan, models } = ctx;
  const views = plan.exp.views.filter((v): v is IrView & { model: string } => v.kind === 'samples' && !!v.model);
  const jobs = views.map((v) => {
    const model = models.get(v.model);
    if (!model)
      throw new RuntimeError('invalid', v.id, `\`view samples ${v.model}\` names no model of this experiment`);
    const data = modelData(ir, plan.exp, model);
    return { view: v, model, truth: truthOf(data === undefined ? undefined : resolveData(ir, data, v.id), model.kind) };
  });
  return async (states, t) => {
    const out: SampleSet[] = [];
    for (const { view, model, truth } of jobs) {
      // Replicate 0 of each sweep point: rows p·R.
      const X = tf.tidy(() => {
        const all = sampleModel(plan, states, model, VIEW_SAMPLES, t, `${view.id}/samples`);
        return tf.gather(all, tf.range(0, plan.B, plan.R, 'int32'));
      });
      const [, n, d] = X.shape as [number, number, number];
      const flat = await X.data();
      X.dispose();
      for (let p = 0; p < plan.P; p++) {
        const values: number[][] = [];
        for (let i = 0; i < n; i++) {
          const o = (p * n + i) * d;
          values.push(Array.from(flat.subarray(o, o + d), (x) => Number(x.toPrecision(6))));
        }
        out.push({ view: view.id, model: model.name, point: p, replicate: 0, t, values, ...(truth ? { truth } : {}) });
      }
    }
    return out;
  };
}
