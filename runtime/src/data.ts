/**
 * Ground-truth data sources the runtime can draw from: gaussian, categorical, zipf, paired (a text
 * from a categorical or zipf source, then an image from gaussian_per_class), and the 2-D mixtures ring and
 * grid.
 */
import type { IrProgram, IrValue } from '@ouro/dsl';
import { RuntimeError, unsupported } from './errors.js';

export interface GaussianSource {
  readonly kind: 'gaussian';
  readonly name: string;
  readonly mean: readonly number[];
  readonly std: number;
  readonly dim: number;
}

export interface CategoricalSource {
  readonly kind: 'categorical';
  readonly name: string;
  readonly probs: readonly number[];
}

export interface PairedSource {
  readonly kind: 'paired';
  readonly name: string;
  readonly text: CategoricalSource;
  /** Class means `[K][d]` of the images, and the within-class standard deviation. */
  readonly means: readonly (readonly number[])[];
  readonly std: number;
  readonly dim: number;
}

/** ring and grid: equally weighted isotropic 2-D Gaussians at `centres` (the GAN benchmarks of coopinit.md). */
export interface MixtureSource {
  readonly kind: 'mixture';
  readonly name: string;
  readonly centres: readonly (readonly number[])[];
  readonly std: number;
  readonly dim: number;
}

/** `csv(path, columns?)`: rows of a file the host reads (ExecuteOptions.tables, keyed by `path`). */
export interface TableSource {
  readonly kind: 'table';
  readonly name: string;
  readonly path: string;
  /** The chosen columns; null: every numeric column. */
  readonly columns: readonly string[] | null;
}

export type TruthSource = GaussianSource | CategoricalSource | PairedSource | MixtureSource | TableSource;

/** A source, or the text or image half of a paired source. */
export interface DataRef {
  readonly source: TruthSource;
  readonly part: 'text' | 'image' | null;
  /** `data.train` / `data.test` (csv and images). */
  readonly split?: 'train' | 'test';
}

type Args = Readonly<Record<string, IrValue>>;

function numArg(args: Args, key: string, fallback: number, nodeId: string, what: string): number {
  const v = args[key];
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'number' || !Number.isFinite(v))
    throw new RuntimeError('invalid', nodeId, `${what}: \`${key}\` must be a number, got ${JSON.stringify(v)}`);
  return v;
}

/** The call `name(args)` that `v` is, if it is one. */
export function callOf(v: IrValue | undefined): { call: string; args: Args } | undefined {
  return v && typeof v === 'object' && !Array.isArray(v) && 'call' in v ? v : undefined;
}

/** Class means of gaussian_per_class: a line (d = 1), a circle (d = 2), a Fibonacci sphere (d ≥ 3). */
export function classMeans(K: number, dim: number, spread: number): number[][] {
  const out: number[][] = [];
  for (let k = 0; k < K; k++) {
    const m = new Array<number>(dim).fill(0);
    if (dim === 1) m[0] = K === 1 ? 0 : spread * (-1 + (2 * k) / (K - 1));
    else if (dim === 2) {
      m[0] = spread * Math.cos((2 * Math.PI * k) / K);
      m[1] = spread * Math.sin((2 * Math.PI * k) / K);
    } else {
      const z = K === 1 ? 0 : 1 - (2 * k + 1) / K;
      const r = Math.sqrt(Math.max(0, 1 - z * z));
      const phi = k * Math.PI * (3 - Math.sqrt(5));
      m[0] = spread * r * Math.cos(phi);
      m[1] = spread * r * Math.sin(phi);
      m[2] = spread * z;
    }
    out.push(m);
  }
  return out;
}

function fromCall(name: string, kind: string, args: Args, nodeId: string): TruthSource {
  const what = `data source \`${name}\``;
  switch (kind) {
    case 'gaussian': {
      const dim = numArg(args, 'dim', 1, nodeId, what);
      const mean = numArg(args, 'mean', 0, nodeId, what);
      return {
        kind: 'gaussian',
        name,
        mean: new Array<number>(dim).fill(mean),
        std: numArg(args, 'std', 1, nodeId, what),
        dim,
      };
    }
    case 'categorical': {
      const p = args['probs'];
      if (!Array.isArray(p) || p.length === 0 || p.some((x) => typeof x !== 'number' || x < 0))
        throw new RuntimeError('invalid', nodeId, `${what}: \`probs\` must be a list of non-negative numbers`);
      const probs = p as number[];
      const s = probs.reduce((a, b) => a + b, 0);
      if (!(s > 0)) throw new RuntimeError('invalid', nodeId, `${what}: the probabilities sum to 0`);
      return { kind: 'categorical', name, probs: probs.map((x) => x / s) };
    }
    case 'zipf': {
      const K = numArg(args, 'classes', NaN, nodeId, what);
      if (!Number.isInteger(K) || K < 1)
        throw new RuntimeError('invalid', nodeId, `${what}: \`classes\` must be a whole number of at least 1`);
      const s = numArg(args, 's', 1, nodeId, what);
      const w = Array.from({ length: K }, (_, k) => 1 / (k + 1) ** s);
      const z = w.reduce((a, b) => a + b, 0);
      return { kind: 'categorical', name, probs: w.map((x) => x / z) };
    }
    case 'paired': {
      const text = callOf(args['text'] ?? null);
      const image = callOf(args['image'] ?? null);
      if (!text || !image) throw new RuntimeError('invalid', nodeId, `${what}: give \`text\` and \`image\` sources`);
      const t = fromCall(name, text.call, text.args, nodeId);
      if (t.kind !== 'categorical') throw unsupported(nodeId, `a paired source whose text is \`${text.call}\``);
      if (image.call !== 'gaussian_per_class')
        throw unsupported(nodeId, `a paired source whose image is \`${image.call}\``);
      const dim = numArg(image.args, 'dim', 2, nodeId, what);
      const spread = numArg(image.args, 'spread', 3, nodeId, what);
      const std = numArg(image.args, 'std', 1, nodeId, what);
      return { kind: 'paired', name, text: t, means: classMeans(t.probs.length, dim, spread), std, dim };
    }
    case 'ring': {
      const K = numArg(args, 'modes', 8, nodeId, what);
      const radius = numArg(args, 'radius', 2, nodeId, what);
      if (!Number.isInteger(K) || K < 1)
        throw new RuntimeError('invalid', nodeId, `${what}: \`modes\` must be a whole number of at least 1`);
      const centres = Array.from({ length: K }, (_, k) => [
        radius * Math.cos((2 * Math.PI * k) / K),
        radius * Math.sin((2 * Math.PI * k) / K),
      ]);
      return { kind: 'mixture', name, centres, std: numArg(args, 'std', 0.05, nodeId, what), dim: 2 };
    }
    case 'grid': {
      const rows = numArg(args, 'rows', 5, nodeId, what);
      const cols = numArg(args, 'cols', 5, nodeId, what);
      const spacing = numArg(args, 'spacing', 2, nodeId, what);
      if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 1 || cols < 1)
        throw new RuntimeError('invalid', nodeId, `${what}: \`rows\` and \`cols\` must be whole numbers of at least 1`);
      const centres: number[][] = [];
      for (let i = 0; i < rows; i++)
        for (let j = 0; j < cols; j++) centres.push([spacing * (j - (cols - 1) / 2), spacing * (i - (rows - 1) / 2)]);
      return { kind: 'mixture', name, centres, std: numArg(args, 'std', 0.05, nodeId, what), dim: 2 };
    }
    case 'csv': {
      const path = args['path'];
      const cols = args['columns'];
      if (typeof path !== 'string' || path === '')
        throw new RuntimeError('invalid', nodeId, `${what}: give the CSV file's path, e.g. csv("data.csv")`);
      if (cols !== undefined && cols !== null && (!Array.isArray(cols) || cols.some((c) => typeof c !== 'string')))
        throw new RuntimeError('invalid', nodeId, `${what}: \`columns\` must be a list of column names (strings)`);
      return { kind: 'table', name, path, columns: (cols as string[] | null | undefined) ?? null };
    }
    default:
      throw unsupported(nodeId, `the data source \`${kind}\``);
  }
}

/** Resolves a data reference of the IR: `{data}`, `{data, split}`, `{member: text|image, of: {data}}` or an inline call. */
export function resolveData(ir: IrProgram, v: IrValue, nodeId: string): DataRef {
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    if ('data' in v) {
      const d = ir.data[v.data];
      if (!d) throw new RuntimeError('invalid', nodeId, `the data \`${v.data}\` is not in the program`);
      const source = fromCall(d.name, d.kind, d.args, d.id);
      return v.split ? { source, part: null, split: v.split } : { source, part: null };
    }
    if ('member' in v && (v.member === 'text' || v.member === 'image')) {
      const inner = resolveData(ir, v.of, nodeId);
      if (inner.source.kind !== 'paired')
        throw new RuntimeError('invalid', nodeId, `\`.${v.member}\` applies to paired data only`);
      return { source: inner.source, part: v.member };
    }
    if ('call' in v) return { source: fromCall(v.call, v.call, v.args, nodeId), part: null };
  }
  throw new RuntimeError('invalid', nodeId, `expected a data source here, got ${JSON.stringify(v)}`);
}

/** The text distribution of a categorical source or of a paired source's text half. */
export function textOf(ref: DataRef, nodeId: string): CategoricalSource {
  if (ref.source.kind === 'categorical') return ref.source;
  if (ref.source.kind === 'paired' && ref.part !== 'image') return ref.source.text;
  throw new RuntimeError(
    'invalid',
    nodeId,
    `\`${ref.source.name}\` gives no texts (classes) to fit a categorical model on`,
  );
}
