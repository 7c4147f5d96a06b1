/** One-line documentation for every keyword, shown on hover and in completion. */
export const keywordDocs: Readonly<Record<string, string>> = {
  use: 'Imports the data, const and module declarations of another spec: `use "shared.ouro"` (path relative to this file).',
  data: 'Declares ground truth to sample from: `data truth = gaussian(mean: 0, std: 1, dim: 1)`.',
  const: 'Names a constant value: `const n = 100`.',
  module:
    'Declares a reusable, possibly recursive model part: `module patch_ar(width, depth) = ar(tokens: 4, width: width, depth: depth)`.',
  experiment:
    'Declares an experiment: seeds, replicates, sweeps, models, one loop (retrain, cycle, select, train or fit), metrics, views and a preview budget.',
  seed: 'The random seed; every draw of the experiment derives from it, so a run is reproducible: `seed 7`.',
  replicates: 'Independent repetitions of the experiment (a batch dimension at run time): `replicates 400`.',
  sweep:
    'Runs the experiment for each value of a parameter: `sweep w in 0.05 .. 0.95 step 0.05` or `sweep init in [random, coop]`.',
  in: 'Introduces the values of a sweep.',
  model:
    'Declares a model: `model m = gaussian_fit()`, optionally with initial data `on truth`, or a fractal `model f = fractal on digits { ... }`.',
  on: 'The data a model is trained on, or the data a GAN trains on.',
  fractal:
    "A fractal generative model: one atomic autoregressive module per `level`, called recursively, ending in a `pixel` head; the levels' sequence lengths must multiply to the data size (Li, Sun, Fan, He 2025).",
  level: 'One level of a fractal: an autoregressive module such as `ar(tokens: 4, width: 64)`.',
  pixel: 'The pixel head of a fractal: `pixel categorical(levels: 2)`.',
  generators: 'A list of generators for an online mixture: `generators g = [subset(modes, [0, 1, 2]), ...]`.',
  retrain:
    'Refits a model every generation on fresh real data mixed with synthetic data: `retrain m for 100 generations { real 100 from truth; synthetic 100 from m; weights real: w, synthetic: 1 - w }` (He, Xu, Cheng 2025).',
  for: 'The length of a loop: `for 100 generations`, `for 2000 steps`.',
  real: 'Fresh real samples drawn each generation: `real 100 from truth` (optionally `every 5 generations`). As a weight key: the weight of real data.',
  synthetic:
    "Samples of a model's previous generation: `synthetic 100 from m`. As a weight key: the weight of synthetic data.",
  from: 'Where samples come from.',
  weights:
    'The weight of real and synthetic data in the fit: `weights real: golden, synthetic: 1 - golden`, or a rule: `weights optimal` (w* = (−c + √(c² + 4c))/2, c = n/m), `weights pooled`, `weights real_only`.',
  inject:
    'Fresh data injected into a loop: a count in a retrain, a fraction of the training set in a cycle: `inject 0.1 from pairs` (optionally `into text`, `every 5 generations`).',
  into: 'The model an injection feeds.',
  cycle:
    "Two generators trained on each other's output, generation by generation: `cycle for 60 generations { image learns from text samples 500; text learns from captions of image samples 500 }` (Gao, Li 2025).",
  learns: 'In a cycle: `a learns from b samples N` refits `a` on N samples of `b`.',
  captions:
    "In a cycle: `text learns from captions of image samples N` refits the text model on the texts assigned to the image model's samples (MAP captions).",
  of: 'See `captions`.',
  samples: 'A sample count in a cycle; in a view, `view samples g as scatter|grid` shows samples of a model.',
  freeze: 'In a cycle: keeps a model fixed (it still generates but is not refit).',
  select:
    'An online mixture: each round a bandit picks which generator draws the next sample: `select from g by mixture_ucb_cab(score: rke(), rounds: 2000)` (Rezaei, Farnia, Li 2024).',
  by: 'In select: the bandit algorithm. In a view: one line per value of a sweep, `method` or `model`, or a metric against a swept parameter.',
  compare:
    'Runs other bandit algorithms and baselines beside the selected one, each with its own settings (the score and rounds are shared): `compare mixture_ucb_ogd(lr: 0.05), vanilla_ucb, oracle_mixture`.',
  train:
    'Trains a generator–discriminator pair in phases: `train gan(g, d) on target { phase cooperative ...; phase adversarial ... }` (Zhao, Xie, Li 2023).',
  phase:
    'A training phase: `phase cooperative 300 steps { langevin(steps: 30, step: 0.05) }` or `phase adversarial 3000 steps { loss: nonsaturating }`; `when cond` runs it only for matching sweep values.',
  when: 'Runs a phase only when the condition holds for the current sweep values: `when init == coop`.',
  fit: 'Trains likelihood models (ar, fractal, bernoulli_pixels) by maximum likelihood: `fit f, flat for 2000 steps { lr: 1e-3, batch: 64 }`.',
  metric:
    'Declares a measurement: `metric err = mse(m.mean, truth.mean) at final` or `every N generations|steps|rounds`.',
  at: '`at final`: measure once, at the end of the loop.',
  final: '`at final`: measure once, at the end of the loop.',
  every: '`every N generations|steps|rounds`: measure (or inject) periodically.',
  view: 'What the results panel shows: `view err over t by w`, `view err by w mark min`, `view proportions over rounds`, `view samples g as scatter`.',
  over: 'The x axis of a view: `t` (generations), `steps` or `rounds`.',
  mark: 'Marks the optimum of a metric against a swept parameter: `mark min` or `mark max`.',
  as: 'How samples are shown: `as scatter` or `as grid`.',
  preview:
    'The smaller budget run on save: `preview { replicates: 50, generations: 30 }` (keys: replicates, generations, steps, rounds, sweep).',
  generations: 'The unit of retrain and cycle loops.',
  generation: 'The unit of retrain and cycle loops.',
  steps: 'The unit of train and fit loops.',
  step: 'The step of a range: `0.05 .. 0.95 step 0.05`; also the unit of train and fit loops.',
  rounds: 'The unit of select loops (one sample per round).',
  round: 'The unit of select loops (one sample per round).',
  if: 'A conditional expression: `if size == 1 then categorical(levels: 2) else ar(...)` — the base case of a recursive module.',
  then: 'See `if`.',
  else: 'See `if`.',
  and: 'Logical and.',
  or: 'Logical or.',
  not: 'Logical not.',
  true: 'The boolean true.',
  false: 'The boolean false.',
};

/** Built-in names that are not catalog entries. */
export const builtinNameDocs: Readonly<Record<string, string>> = {
  t: 'The generation index inside retrain and cycle blocks (1, 2, …): weights and counts may depend on it, e.g. `weights real: 1 / t, synthetic: 1 - 1 / t`.',
  selected:
    'In a select experiment: the samples the bandit chose (the online mixture), e.g. `metric score = rke(selected) every 100 rounds`.',
  proportions: "In a view: a bandit's choice proportions per generator over rounds.",
  scatter: 'Shows samples as a scatter plot against the truth.',
  grid: 'Shows samples as an image grid.',
  min: 'Marks the minimum.',
  max: 'Marks the maximum.',
  cooperative:
    'A cooperative phase: the discriminator is trained as an energy-based model by maximum likelihood, generator samples are revised by Langevin dynamics and the generator regresses onto them (Zhao, Xie, Li 2023).',
  adversarial: 'An adversarial phase: ordinary GAN training with the chosen loss.',
  optimal:
    'Weighting rule: the real-data weight w* = (−c + √(c² + 4c))/2 with c = n/m, the minimiser of the stationary error (1/φ when n = m).',
  pooled: 'Weighting rule: every sample weighs the same (real weight n/(n + m)).',
  real_only: 'Weighting rule: real data only (weight 1).',
  method: 'In a view: one line per bandit method (the selected one and those compared).',
};
