/**
 * Small multilayer perceptrons on raw `tf.variable` weights, with their own Adam (so that moments can be
 * reset between training phases and everything is disposed explicitly). Initial weights come from the
 * caller's seeded normals (random.ts), so a network is a pure function of the seed and its draw site.
 */
import * as tf from '@tensorflow/tfjs';
import type { IrModel, IrValue } from '@ouro/dsl';
import { RuntimeError } from './errors.js';

/** A variable holding `init`'s values; `init` itself is disposed (tf.variable keeps it alive otherwise). */
function own(init: tf.Tensor, trainable: boolean): tf.Variable {
  const v = tf.variable(init, trainable);
  init.dispose();
  return v;
}

export type Activation = 'relu' | 'leaky_relu' | 'tanh' | 'swish';

export interface MlpSpec {
  readonly name: string;
  readonly id: string;
  /** Input width: `latent` for a generator, `in` for a discriminator. */
  readonly input: number;
  readonly hidden: readonly number[];
  readonly out: number;
  readonly activation: Activation;
  /** A generator G(z) (it has `latent`) or a discriminator / energy f(x) (it has `in`). */
  readonly role: 'generator' | 'discriminator';
}

const activations: readonly Activation[] = ['relu', 'leaky_relu', 'tanh', 'swish'];

function intArg(m: IrModel, key: string, v: IrValue | undefined): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1)
    throw new RuntimeError('invalid', m.id, `\`${m.name}\`: \`${key}\` must be a whole number of at least 1`);
  return v;
}

/** Reads and checks an `mlp(...)` model of the IR. */
export function mlpSpec(m: IrModel): MlpSpec {
  if (m.kind !== 'mlp')
    throw new RuntimeError(
      'unsupported',
      m.id,
      `training a ${m.kind} model in a \`train\` loop is not supported by this runtime yet`,
    );
  const latent = intArg(m, 'latent', m.args['latent']);
  const input = intArg(m, 'in', m.args['in']);
  const out = intArg(m, 'out', m.args['out']);
  if (out === undefined) throw new RuntimeError('invalid', m.id, `\`${m.name}\` needs \`out\``);
  if ((latent === undefined) === (input === undefined))
    throw new RuntimeError(
      'invalid',
      m.id,
      `\`${m.name}\` needs exactly one of \`latent\` (a generator) and \`in\` (a discriminator)`,
    );
  const h = m.args['hidden'] ?? [128, 128];
  if (!Array.isArray(h) || h.some((x) => typeof x !== 'number' || !Number.isInteger(x) || x < 1))
    throw new RuntimeError('invalid', m.id, `\`${m.name}\`: \`hidden\` must be a list of whole numbers`);
  const act = m.args['activation'] ?? 'relu';
  if (typeof act !== 'string' || !activations.includes(act as Activation))
    throw new RuntimeError('invalid', m.id, `\`${m.name}\`: unknown activation ${JSON.stringify(act)}`);
  return {
    name: m.name,
    id: m.id,
    input: (latent ?? input)!,
    hidden: h as number[],
    out,
    activation: act as Activation,
    role: latent !== undefined ? 'generator' : 'discriminator',
  };
}

/** Number of weights (all layers' matrices and biases). */
export function paramCount(s: MlpSpec): number {
  const widths = [s.input, ...s.hidden, s.out];
  let n = 0;
  for (let i = 0; i + 1 < widths.length; i++) n += widths[i]! * widths[i + 1]! + widths[i + 1]!;
  return n;
}

function activate(x: tf.Tensor2D, a: Activation): tf.Tensor2D {
  switch (a) {
    case 'relu':
      return tf.relu(x);
    case 'leaky_relu':
      return tf.leakyRelu(x, 0.2);
    case 'tanh':
      return tf.tanh(x);
    case 'swish':
      return x.mul(tf.sigmoid(x));
  }
}

/**
 * x·W + b with a gradient that transposes explicitly: the wasm backend's MatMul with transposeA or
 * transposeB (what the built-in gradient uses) is about 10× slower than a Transpose then a plain MatMul.
 */
const dense = tf.customGrad((...args: unknown[]) => {
  const [x, w, b, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D, tf.GradSaveFunc];
  save([x, w]);
  return {
    value: x.matMul(w).add(b),
    gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
      const g = dy as tf.Tensor2D;
      const [xs, ws] = saved as [tf.Tensor2D, tf.Tensor2D];
      return [g.matMul(ws.transpose()), xs.transpose().matMul(g), g.sum(0)];
    },
  };
}) as (x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D) => tf.Tensor2D;

export class Mlp {
  /** W₀, b₀, W₁, b₁, …: matrices `[in, out]` and biases `[out]`. */
  readonly weights: tf.Variable[];

  /**
   * `normals` holds at least paramCount(spec) standard normals: matrices are He-scaled (√(2/fan_in)) for
   * relu-like activations, Glorot-like (√(1/fan_in)) for tanh and for the output layer; biases start at 0.
   */
  constructor(
    readonly spec: MlpSpec,
    normals: Float32Array,
  ) {
    const widths = [spec.input, ...spec.hidden, spec.out];
    this.weights = [];
    let off = 0;
    for (let i = 0; i + 1 < widths.length; i++) {
      const fin = widths[i]!;
      const fout = widths[i + 1]!;
      const last = i + 2 === widths.length;
      const gain = last || spec.activation === 'tanh' ? 1 : 2;
      const scale = Math.sqrt(gain / fin);
      const w = new Float32Array(fin * fout);
      for (let j = 0; j < w.length; j++) w[j] = normals[off + j]! * scale;
      off += fin * fout;
      this.weights.push(own(tf.tensor2d(w, [fin, fout]), true));
      this.weights.push(own(tf.zeros([fout]), true));
    }
  }

  /** The network on a batch `[n, input]` → `[n, out]`. */
  apply(x: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => {
      let h = x;
      const L = this.weights.length / 2;
      for (let i = 0; i < L; i++) {
        h = dense(h, this.weights[2 * i] as tf.Tensor2D, this.weights[2 * i + 1] as tf.Tensor1D);
        if (i + 1 < L) h = activate(h, this.spec.activation);
      }
      return h;
    });
  }

  /** Sum of all weights: non-finite when any weight is. */
  checksum(): tf.Scalar {
    return tf.tidy(() => tf.addN(this.weights.map((w) => w.sum())) as tf.Scalar);
  }

  dispose(): void {
    for (const w of this.weights) w.dispose();
  }
}

/** Adam (Kingma & Ba) over a list of variables, with β₁ = 0.5 as usual for GANs (CoopNets' default too). */
export class Adam {
  private readonly m: tf.Variable[];
  private readonly v: tf.Variable[];
  private t = 0;

  constructor(
    private readonly vars: readonly tf.Variable[],
    /** The learning rate; a phase that keeps the moments may change it. */
    public lr: number,
    private readonly beta1 = 0.5,
    private readonly beta2 = 0.999,
    private readonly eps = 1e-8,
  ) {
    this.m = vars.map((x) => own(tf.zerosLike(x), false));
    this.v = vars.map((x) => own(tf.zerosLike(x), false));
  }

  /** One update with gradients in the order of the variables. */
  step(grads: readonly tf.Tensor[]): void {
    this.t++;
    const c1 = 1 - this.beta1 ** this.t;
    const c2 = 1 - this.beta2 ** this.t;
    tf.tidy(() => {
      this.vars.forEach((x, i) => {
        const g = grads[i]!;
        const m = this.m[i]!;
        const v = this.v[i]!;
        m.assign(m.mul(this.beta1).add(g.mul(1 - this.beta1)));
        v.assign(v.mul(this.beta2).add(g.square().mul(1 - this.beta2)));
        x.assign(x.sub(m.div(c1).div(v.div(c2).sqrt().add(this.eps)).mul(this.lr)));
      });
    });
  }

  dispose(): void {
    for (const x of [...this.m, ...this.v]) x.dispose();
  }
}
