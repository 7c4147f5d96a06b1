/**
 * The `cycle` loop for a co-evolving text (categorical_fit) and image (conditional_gaussian) pair, after
 * the reconstruction in shared/papers/reference-notes.md §1, all replicates and sweep points at once.
 *
 * Generation 0 fits the text model on N texts and the image model on N (text, image) pairs of the paired
 * ground truth (the model's `on` data, else the first inject's, else the spec's only paired data); N is
 * the model's `learns ... samples N` (the largest one if it learns nothing). A class with fewer than 2
 * samples at generation 0 takes the pooled fit of all samples.
 *
 * Generation t ≥ 1, from the generation t − 1 states:
 *  1. texts c ~ Categorical(π), images x ~ N(μ_c, Σ_c): one draw of max N pairs shared by the learners;
 *  2. `image learns from text samples N`: the image model refits class-wise by maximum likelihood on the
 *     first N pairs plus the fresh pairs injected into it; a class with fewer than 2 samples keeps its
 *     mean and covariance;
 *  3. `text learns from captions of image samples N`: each of the first N images is captioned by MAP under
 *     the joint model, argmax_k log π_k + log N(x; μ_k, Σ_k); the text model refits (counts) on the
 *     captions plus the fresh texts injected into it;
 *  4. `inject f from pairs [into M]`: f (in [0, 1)) is the fraction of fresh pairs in the learner's
 *     training set, round(f·N/(1 − f)) fresh samples beside the N generated. Without `into`, every learner
 *     gets its own fresh samples;
 *  5. `freeze M`: M keeps its generation-0 fit.
 */
import * as tf from '@tensorflow/tfjs';
import type { IrInject, IrLoop, IrModel, IrValue } from '@ouro/dsl';
import { resolveData, type PairedSource } from './data.js';
import { RuntimeError, unsupported } from './errors.js';
import { describeEnv, evalCount, evalNumber, dependsOnT } from './expr.js';
import { cholesky, classLogDensity, classwiseFit, jitter, trace, weightedFit } from './linalg.js';
import { read, type LoopCtx, type LoopRunner } from './loop.js';
import { countMask, due, envAt, repeatAxis } from './plan.js';
import { injectFraction } from './retrain.js';
import type { CategoricalState, ConditionalState, ModelState } from './state.js';

type CycleLoop = IrLoop & { kind: 'cycle' };

export function compileCycle(ctx: LoopCtx, loop: CycleLoop): LoopRunner {
  const { plan, states, models, ir } = ctx;
  const isPaired = (v: IrValue | null | undefined, nodeId: string): PairedSource | undefined => {
    if (v === null || v === undefined) return undefined;
    const ref = resolveData(ir, v, nodeId);
    return ref.source.kind === 'paired' ? ref.source : undefined;
  };

  // The pair of models.
  const textModel = [...models.values()].find((m) => m.kind === 'categorical_fit');
  const imageModel = [...models.values()].find((m) => m.kind === 'conditional_gaussian');
  for (const m of models.values())
    if (m.kind !== 'categorical_fit' && m.kind !== 'conditional_gaussian')
      throw unsupported(m.id, `a ${m.kind} model in a cycle`);
  if (!textModel || !imageModel)
    throw unsupported(loop.id, 'a cycle without one categorical_fit and one conditional_gaussian model');
  const text: IrModel = textModel;
  const image: IrModel = imageModel;
  const given = image.args['given'];
  const givenName =
    given && typeof given === 'object' && !Array.isArray(given) && 'model' in given ? given.model : undefined;
  if (givenName !== text.name)
    throw new RuntimeError(
      'invalid',
      image.id,
      `\`${image.name}\` must be conditioned on \`${text.name}\` (given: ${text.name})`,
    );

  // The learning statements.
  let imageLearns: (typeof loop.learns)[number] | undefined;
  let textLearns: (typeof loop.learns)[number] | undefined;
  for (const l of loop.learns) {
    if (l.learner === image.name && l.teacher === text.name && !l.captions) imageLearns = l;
    else if (l.learner === text.name && l.teacher === image.name && l.captions) textLearns = l;
    else
      throw unsupported(
        l.id,
        `\`${l.learner} learns from ${l.captions ? 'captions of ' : ''}${l.teacher}\` (a cycle runs \`${image.name} learns from ${text.name} samples N\` and \`${text.name} learns from captions of ${image.name} samples N\`)`,
      );
  }
  const frozen = new Set(loop.frozen);

  // The ground truth: `on` data, the first inject's data, or the only paired data of the spec.
  const allPaired = Object.values(ir.data).filter((d) => d.kind === 'paired');
  const truthFound =
    isPaired(image.on, image.id) ??
    isPaired(text.on, text.id) ??
    loop.injects.map((i) => isPaired(i.from, i.id)).find((x) => x) ??
    (allPaired.length === 1 ? isPaired({ data: allPaired[0]!.name }, loop.id) : undefined);
  if (!truthFound)
    throw new RuntimeError(
      'invalid',
      loop.id,
      `the cycle needs paired ground truth for its generation-0 fits: give \`${text.name}\` or \`${image.name}\` \`on\` paired data, or inject from one`,
    );
  const truth: PairedSource = truthFound;
  for (const inj of loop.injects) {
    const p = isPaired(inj.from, inj.id);
    if (!p) throw unsupported(inj.id, 'injecting anything but paired data into a cycle');
    if (p.name !== truth.name) throw unsupported(inj.id, 'injecting from a second paired source');
    if (inj.into !== null && inj.into !== text.name && inj.into !== image.name)
      throw new RuntimeError('invalid', inj.id, `\`${inj.into}\` is not a model of this cycle`);
  }
  const K = truth.text.probs.length;
  const d = truth.dim;
  if (text.classes !== null && text.classes !== K)
    throw new RuntimeError(
      'invalid',
      text.id,
      `\`${text.name}\` has ${text.classes} classes but \`${truth.name}\` ${K} texts`,
    );
  if (image.dim !== null && image.dim !== d)
    throw new RuntimeError(
      'invalid',
      image.id,
      `\`${image.name}\` is ${image.dim}-dimensional but \`${truth.name}\`'s images are ${d}-dimensional`,
    );

  // Per-point sample counts (possibly expressions of sweep variables and t).
  const perPoint = (v: IrValue, nodeId: string, f: (x: IrValue, env: ReturnType<typeof envAt>) => number) => {
    let cache: number[] | undefined;
    return (t: number): number[] => {
      if (cache) return cache;
      const out = plan.points.map((_, p) => f(v, envAt(plan, p, t)));
      if (!dependsOnT(v)) cache = out;
      return out;
    };
  };
  const samplesOf = (l: (typeof loop.learns)[number] | undefined) =>
    l ? perPoint(l.samples, l.id, (x, env) => evalCount(x, env, l.id, 'the sample count')) : undefined;
  const imageN = samplesOf(imageLearns);
  const textN = samplesOf(textLearns);
  const anyN = (t: number): number[] => {
    const a = imageN?.(t);
    const b = textN?.(t);
    if (a && b) return a.map((x, i) => Math.max(x, b[i]!));
    return a ?? b ?? plan.points.map(() => 0);
  };
  const injects = loop.injects.map((inj) => ({
    ir: inj,
    amount: perPoint(inj.amount, inj.id, (x, env) => evalNumber(x, env, inj.id, 'the injected amount')),
  }));
  if (anyN(0).some((n) => n < 2))
    throw new RuntimeError('invalid', loop.id, 'the cycle needs `learns ... samples N` with N of at least 2');

  // Constants of the truth, made in init() (compiling allocates nothing) and released by dispose().
  let probs: tf.Tensor1D = undefined as unknown as tf.Tensor1D;
  let classMeans: tf.Tensor2D = undefined as unknown as tf.Tensor2D;

  /** Texts `[B, n]` (int32) drawn from per-row probabilities `[B, K]` (or the truth's `[K]`). */
  const drawTexts = (pi: tf.Tensor, n: number, t: number, site: string): tf.Tensor2D =>
    tf.tidy(() => {
      const u = tf.tensor2d(plan.keys.uniforms(plan.rows, n, t, site), [plan.B, n]);
      const cdf = tf.cumsum(pi.rank === 1 ? pi.expandDims(0) : pi, 1); // [B|1, K]
      const total = cdf.slice([0, K - 1], [-1, 1]); // [B|1, 1]
      // c = #{k : cdf_k < u·total}: the first class whose cumulative probability reaches u (never a class of
      // probability 0, even after rounding). step(a − b) is 1 exactly where a > b; a broadcast subtraction
      // then a step is ~30× faster on wasm than a broadcast comparison.
      const s = u.mul(total).expandDims(2); // [B, n, 1]
      return tf
        .step(s.sub(cdf.expandDims(1)))
        .sum(2)
        .cast('int32') as tf.Tensor2D;
    });

  /** Fresh pairs from the truth: texts one-hot `[B, n, K]` and images `[B, n, d]`. */
  const drawPairs = (n: number, t: number, site: string): { C: tf.Tensor3D; X: tf.Tensor3D } =>
    tf.tidy(() => {
      const c = drawTexts(probs, n, t, `${site}/texts`);
      const C = tf.oneHot(c, K).cast('float32') as tf.Tensor3D;
      const z = tf.tensor3d(plan.keys.normals(plan.rows, n * d, t, `${site}/images`), [plan.B, n, d]);
      const mu = tf.matMul(C.reshape([plan.B * n, K]) as tf.Tensor2D, classMeans).reshape([plan.B, n, d]);
      return { C, X: mu.add(z.mul(truth.std)) as tf.Tensor3D };
    });

  /** Images for texts `C [B, n, K]` from the image model. */
  const render = (C: tf.Tensor3D, s: ConditionalState, t: number, site: string): tf.Tensor3D =>
    tf.tidy(() => {
      const [B, n] = C.shape;
      const z = tf.tensor3d(plan.keys.normals(plan.rows, n * d, t, site), [B, n, d]);
      const mu = tf.matMul(C, s.mean); // [B, n, d]
      const L = tf.matMul(C, s.chol.reshape([B, K, d * d]) as tf.Tensor3D).reshape([B * n, d, d]) as tf.Tensor3D;
      const Lz = tf.matMul(L, z.reshape([B * n, d, 1]) as tf.Tensor3D).reshape([B, n, d]);
      return mu.add(Lz) as tf.Tensor3D;
    });

  const site = (what: string) => `${loop.id}/${what}`;

  /** Fresh samples for one learner at generation t: per-point counts, given its N. */
  const freshCounts = (learner: string, N: number[], t: number): { inj: IrInject; counts: number[] }[] =>
    injects
      .filter((i) => (i.ir.into === null || i.ir.into === learner) && due(i.ir.every, t))
      .map((i) => ({
        inj: i.ir,
        counts: i.amount(t).map((a, p) => injectFraction(a, N[p]!, i.ir.id, describeEnv(envAt(plan, p, t)))),
      }))
      .filter((x) => x.counts.some((c) => c > 0));

  const cat = (): CategoricalState => states.get(text.name) as CategoricalState;
  const cond = (): ConditionalState => states.get(image.name) as ConditionalState;

  function init(): void {
    probs = tf.keep(tf.tensor1d([...truth.text.probs]));
    classMeans = tf.keep(
      tf.tensor2d(
        truth.means.map((m) => [...m]),
        [K, d],
      ),
    );
    const nT = (textN ?? anyN)(0);
    const nI = (imageN ?? anyN)(0);
    const pi = tf.tidy(() => {
      const w = Math.max(...nT);
      const c = drawTexts(probs, w, 0, `${text.id}/init`);
      const mask = countMask(plan, nT, w);
      const counts = tf.oneHot(c, K).cast('float32').mul(mask.expandDims(2)).sum(1);
      return counts.div(counts.sum(1, true)) as tf.Tensor2D;
    });
    states.set(text.name, { kind: 'categorical_fit', K, probs: pi });
    const fit = tf.tidy(() => {
      const w = Math.max(...nI);
      const { C, X } = drawPairs(w, 0, `${image.id}/init`);
      const mask = countMask(plan, nI, w);
      // Pooled fit first: the fallback of classes with fewer than 2 samples.
      const weights = mask.div(mask.sum(1, true)) as tf.Tensor2D;
      const pooled = weightedFit(X, weights, false);
      const prevMean = repeatAxis(pooled.mean, 1, K) as tf.Tensor3D;
      const prevCov = repeatAxis(pooled.cov, 1, K) as tf.Tensor4D;
      const f = classwiseFit(X, C.mul(mask.expandDims(2)) as tf.Tensor3D, prevMean, prevCov, 2);
      return { mean: f.mean, cov: f.cov, chol: cholesky(f.cov, d) as tf.Tensor4D, mean0: f.mean.clone() };
    });
    states.set(image.name, { kind: 'conditional_gaussian', K, d, given: text.name, ...fit });
  }

  function step(t: number): Map<string, ModelState> {
    const out = new Map<string, ModelState>();
    const learnImage = imageLearns && !frozen.has(image.name);
    const learnText = textLearns && !frozen.has(text.name);
    if (!learnImage && !learnText) return out;
    const NI = learnImage ? imageN!(t) : plan.points.map(() => 0);
    const NT = learnText ? textN!(t) : plan.points.map(() => 0);
    const W = Math.max(...NI, ...NT);
    const pi = cat();
    const img = cond();
    const next = tf.tidy(() => {
      // 1. The generated pairs, shared by both learners.
      const c = drawTexts(pi.probs, W, t, site('texts'));
      const C = tf.oneHot(c, K).cast('float32') as tf.Tensor3D;
      const X = render(C, img, t, site('images'));
      const result: { mean?: tf.Tensor3D; cov?: tf.Tensor4D; chol?: tf.Tensor4D; probs?: tf.Tensor2D } = {};
      if (learnImage) {
        const w = Math.max(...NI);
        const Cs: tf.Tensor3D[] = [C.slice([0, 0, 0], [-1, w, -1]).mul(countMask(plan, NI, w).expandDims(2))];
        const Xs: tf.Tensor3D[] = [X.slice([0, 0, 0], [-1, w, -1])];
        for (const { inj, counts } of freshCounts(image.name, NI, t)) {
          const n = Math.max(...counts);
          const f = drawPairs(n, t, `${inj.id}/${image.name}`);
          Cs.push(f.C.mul(countMask(plan, counts, n).expandDims(2)));
          Xs.push(f.X);
        }
        const fit = classwiseFit(tf.concat(Xs, 1), tf.concat(Cs, 1), img.mean, img.cov, 2);
        result.mean = fit.mean;
        result.cov = fit.cov;
        result.chol = cholesky(fit.cov, d) as tf.Tensor4D;
      }
      if (learnText) {
        const w = Math.max(...NT);
        const x = X.slice([0, 0, 0], [-1, w, -1]);
        const logp = classLogDensity(x, img.mean, cholesky(jitter(img.cov, d), d) as tf.Tensor4D).add(
          tf.log(pi.probs).expandDims(2),
        ); // [B, K, n]
        const captions = tf.oneHot(tf.argMax(logp, 1), K).cast('float32');
        let counts = captions.mul(countMask(plan, NT, w).expandDims(2)).sum(1);
        for (const { inj, counts: k } of freshCounts(text.name, NT, t)) {
          const n = Math.max(...k);
          const ct = drawTexts(probs, n, t, `${inj.id}/${text.name}`);
          counts = counts.add(
            tf
              .oneHot(ct, K)
              .cast('float32')
              .mul(countMask(plan, k, n).expandDims(2))
              .sum(1),
          );
        }
        result.probs = counts.div(counts.sum(1, true)) as tf.Tensor2D;
      }
      return result;
    });
    if (next.mean && next.cov && next.chol)
      out.set(image.name, { ...img, mean: next.mean, cov: next.cov, chol: next.chol });
    if (next.probs) out.set(text.name, { ...pi, probs: next.probs });
    return out;
  }

  async function diagnose(model: string, prev: ModelState | undefined): Promise<string> {
    if (prev?.kind === 'conditional_gaussian') {
      const min = tf.tidy(() => trace(prev.cov, d).min());
      const lo = await read(min);
      min.dispose();
      if (!Number.isFinite(lo[0]!)) return 'its previous state was already non-finite';
      if (lo[0]! <= 1e-30) return 'a class covariance collapsed to 0, so its densities and captions degenerated';
      return 'a class covariance became singular or overflowed';
    }
    if (prev?.kind === 'categorical_fit') return 'its probabilities became NaN: no texts were counted';
    return `\`${model}\` got a NaN or infinite sample`;
  }

  const dispose = (): void => {
    probs?.dispose();
    classMeans?.dispose();
  };
  return { kind: 'cycle', init, step, diagnose, dispose };
}
