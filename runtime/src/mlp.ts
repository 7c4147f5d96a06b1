/**
 * Small multilayer perceptrons on one flat `tf.variable` of weights, trained by explicit backpropagation, with their own Adam (so that moments can be
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

/** One layer's place in the flat parameter vector: the matrix `[fin, fout]` at `w`, then the bias at `b`. */
interface Layer {
  readonly fin: number;
  readonly fout: number;
  readonly w: number;
  readonly b: number;
}

/** A layer's weights for one pass (slices of the flat vector, valid until the next update). */
export interface LayerWeights {
  readonly w: tf.Tensor2D;
  readonly b: tf.Tensor1D;
  /** wᵀ, when the caller backpropagates through these weights many times (Langevin revision). */
  readonly wt?: tf.Tensor2D;
}

/** What a forward pass keeps for its backward pass. */
export interface Pass {
  readonly out: tf.Tensor2D;
  /** The input, then each hidden layer's output (after the activation). */
  readonly inputs: readonly tf.Tensor2D[];
  /** Each hidden layer's pre-activation (kept only where the derivative needs it: swish). */
  readonly pre: readonly (tf.Tensor2D | null)[];
  readonly weights: readonly LayerWeights[];
}

const LEAKY_SLOPE = 0.2;

/** wᵀ; for a single column, a reshape (no copy). */
const transposed = (w: tf.Tensor2D): tf.Tensor2D => (w.shape[1] === 1 ? w.reshape([1, -1]) : w.transpose());

/**
 * A multilayer perceptron whose weights live in one flat variable (W₀, b₀, W₁, b₁, … with matrices
 * `[in, out]` row-major), trained by explicit backpropagation: a forward pass returns what the backward
 * pass needs, and the backward pass computes only what is asked for (the weights' gradient, the input's
 * gradient, or both). Hidden layers are fused matmul + bias + activation where the backend fuses them
 * (relu, leaky relu). This does far fewer kernel launches than TF.js's tape, and no work for gradients
 * nobody asked for (the discriminator's weights in the generator's step and in Langevin revision).
 */
export class Mlp {
  readonly params: tf.Variable<tf.Rank.R1>;
  readonly size: number;
  private readonly layers: readonly Layer[];
  /** Lengths of W₀, b₀, W₁, b₁, … in the flat vector. */
  private readonly sizes: readonly number[];

  /**
   * `normals` holds at least paramCount(spec) standard normals: matrices are He-scaled (√(2/fan_in)) for
   * relu-like activations, Glorot-like (√(1/fan_in)) for tanh and for the output layer; biases start at 0.
   */
  constructor(
    readonly spec: MlpSpec,
    normals: Float32Array,
  ) {
    const widths = [spec.input, ...spec.hidden, spec.out];
    const layers: Layer[] = [];
    this.size = paramCount(spec);
    const flat = new Float32Array(this.size);
    let off = 0;
    for (let i = 0; i + 1 < widths.length; i++) {
      const fin = widths[i]!;
      const fout = widths[i + 1]!;
      const last = i + 2 === widths.length;
      const gain = last || spec.activation === 'tanh' ? 1 : 2;
      const scale = Math.sqrt(gain / fin);
      for (let j = 0; j < fin * fout; j++) flat[off + j] = normals[off + j]! * scale;
      layers.push({ fin, fout, w: off, b: off + fin * fout });
      off += fin * fout + fout; // biases stay 0
    }
    this.layers = layers;
    this.sizes = layers.flatMap((l) => [l.fin * l.fout, l.fout]);
    this.params = own(tf.tensor1d(flat), true) as tf.Variable<tf.Rank.R1>;
  }

  /** The current weights, layer by layer (call inside a tidy). */
  weights(): LayerWeights[] {
    // One split (a single kernel) rather than a slice per matrix and bias.
    const parts = tf.split(this.params, [...this.sizes]);
    return this.layers.map((l, i) => ({
      w: parts[2 * i]!.reshape([l.fin, l.fout]) as tf.Tensor2D,
      b: parts[2 * i + 1] as tf.Tensor1D,
    }));
  }

  /** The current weights with their transposes precomputed, for many backward passes (call inside a tidy). */
  weightsForBackward(): LayerWeights[] {
    return this.weights().map((l) => ({ ...l, wt: transposed(l.w) }));
  }

  /** The network on a batch `[n, input]` → `[n, out]`, keeping what `backward` needs (call inside a tidy). */
  forward(x: tf.Tensor2D, weights: readonly LayerWeights[] = this.weights()): Pass {
    const inputs: tf.Tensor2D[] = [];
    const pre: (tf.Tensor2D | null)[] = [];
    const act = this.spec.activation;
    let h = x;
    const fused = (a: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D, activation?: 'relu' | 'leakyrelu'): tf.Tensor2D =>
      tf.fused.matMul({ a, b: w, bias: b, activation, leakyreluAlpha: LEAKY_SLOPE }) as tf.Tensor2D;
    weights.forEach(({ w, b }, i) => {
      inputs.push(h);
      if (i + 1 === weights.length) h = fused(h, w, b);
      else if (act === 'relu' || act === 'leaky_relu') {
        h = fused(h, w, b, act === 'relu' ? 'relu' : 'leakyrelu');
        pre.push(null);
      } else {
        const z = fused(h, w, b);
        pre.push(act === 'swish' ? z : null);
        h = act === 'tanh' ? tf.tanh(z) : (z.mul(tf.sigmoid(z)) as tf.Tensor2D);
      }
    });
    return { out: h, inputs, pre, weights };
  }

  /** The network on a batch, nothing kept. */
  apply(x: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => this.forward(x).out);
  }

  /**
   * Backpropagates `dOut` (∂loss/∂out, `[n, out]`) through `pass`: the flat gradient of the weights (when
   * `params`) and ∂loss/∂input (when `input`). Call inside a tidy.
   */
  backward(
    pass: Pass,
    dOut: tf.Tensor2D,
    want: { readonly params: boolean; readonly input: boolean },
  ): { grad: tf.Tensor1D | null; dInput: tf.Tensor2D | null } {
    const L = pass.weights.length;
    const parts: tf.Tensor[] = new Array<tf.Tensor>(2 * L);
    let d = dOut;
    let dInput: tf.Tensor2D | null = null;
    for (let i = L - 1; i >= 0; i--) {
      const h = pass.inputs[i]!;
      const { w, wt } = pass.weights[i]!;
      if (want.params) {
        // ∂W = hᵀ·d, ∂b = Σ d. A transpose then a plain matmul: the wasm backend's matmul with a
        // transposed operand is several times slower. With one output, d is a column and dᵀ a reshape.
        parts[2 * i] = d.shape[1] === 1 ? d.reshape([1, -1]).matMul(h).reshape([-1]) : h.transpose().matMul(d);
        parts[2 * i + 1] = d.sum(0);
      }
      if (i === 0 && !want.input) break;
      let dh = d.matMul(wt ?? transposed(w)) as tf.Tensor2D;
      if (i > 0) dh = this.activationGrad(dh, h, pass.pre[i - 1] ?? null);
      if (i === 0) dInput = dh;
      d = dh;
    }
    const grad = want.params ? (tf.concat(parts.map((g) => g.reshape([-1]))) as tf.Tensor1D) : null;
    return { grad, dInput };
  }

  /** ∂loss/∂pre-activation from ∂loss/∂h, h = act(pre). */
  private activationGrad(dh: tf.Tensor2D, h: tf.Tensor2D, pre: tf.Tensor2D | null): tf.Tensor2D {
    switch (this.spec.activation) {
      case 'relu':
        return dh.mul(tf.step(h)) as tf.Tensor2D;
      case 'leaky_relu':
        // step(h, α) is 1 where h > 0 and α elsewhere (no broadcast scalars: tf.where tiles them, slowly on wasm).
        return dh.mul(tf.step(h, LEAKY_SLOPE)) as tf.Tensor2D;
      case 'tanh':
        return dh.mul(tf.scalar(1).sub(h.square())) as tf.Tensor2D;
      case 'swish': {
        const s = tf.sigmoid(pre!);
        return dh.mul(s.add(h.mul(tf.scalar(1).sub(s)))) as tf.Tensor2D;
      }
    }
  }

  /** Sum of all weights: non-finite when any weight is. */
  checksum(): tf.Scalar {
    return this.params.sum();
  }

  /** Clips every weight to [−c, c] (WGAN's Lipschitz constraint). */
  clip(c: number): void {
    tf.tidy(() => this.params.assign(tf.clipByValue(this.params, -c, c)));
  }

  dispose(): void {
    this.params.dispose();
  }
}

/**
 * Adam (Kingma & Ba) over a network's flat weights, with β₁ = 0.5 as usual for GANs (CoopNets' default
 * too). The bias corrections fold into the step size: θ ← θ − lr·(√c₂/c₁)·m / (√v + ε√c₂), which equals
 * θ − lr·m̂ / (√v̂ + ε).
 */
export class Adam {
  private readonly m: tf.Variable;
  private readonly v: tf.Variable;
  /** β₁, 1 − β₁, β₂, 1 − β₂ as tensors, made once. */
  private readonly k: readonly [tf.Scalar, tf.Scalar, tf.Scalar, tf.Scalar];
  private t = 0;

  constructor(
    private readonly net: Mlp,
    /** The learning rate; a phase that keeps the moments may change it. */
    public lr: number,
    private readonly beta1 = 0.5,
    private readonly beta2 = 0.999,
    private readonly eps = 1e-8,
  ) {
    this.m = own(tf.zeros([net.size]), false);
    this.v = own(tf.zeros([net.size]), false);
    this.k = [tf.scalar(beta1), tf.scalar(1 - beta1), tf.scalar(beta2), tf.scalar(1 - beta2)];
  }

  /** One update with the flat gradient of the network's weights. */
  step(grad: tf.Tensor1D): void {
    this.t++;
    const c1 = 1 - this.beta1 ** this.t;
    const c2 = 1 - this.beta2 ** this.t;
    tf.tidy(() => {
      const [b1, c1m, b2, c2m] = this.k;
      const m = this.m.mul(b1).add(grad.mul(c1m));
      const v = this.v.mul(b2).add(grad.square().mul(c2m));
      this.m.assign(m);
      this.v.assign(v);
      const p = this.net.params;
      p.assign(p.sub(m.div(v.sqrt().add(this.eps * Math.sqrt(c2))).mul((this.lr * Math.sqrt(c2)) / c1)));
    });
  }

  dispose(): void {
    this.m.dispose();
    this.v.dispose();
    for (const k of this.k) k.dispose();
  }
}
