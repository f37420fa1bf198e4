/** Real-valued layers shared by every model: Linear, Embedding, LayerNorm, Dropout. */
import { tf, type Tensor, type Variable } from "./tf.js";
import { Module, init } from "./module.js";
import { embeddingLookup, linear, linearAct, spikeLinear, type Activation } from "./ops.js";
import { nativeEngine } from "./backend.js";
import { layerNormFused } from "./native/fused.js";
import type { Rng } from "./rng.js";

function positiveInt(name: string, v: number): number {
  if (!Number.isInteger(v) || v < 1) throw new RangeError(`${name} must be a positive integer, got ${v}`);
  return v;
}

export interface LinearOptions {
  /** Add a bias (default true). */
  bias?: boolean;
  /** Weight init: "uniform" = U(-1/√in, 1/√in) (PyTorch's default), or a normal std such as 0.02 (GPT-2). */
  init?: "uniform" | { std: number };
}

/**
 * y = x·W + b. The weight is stored [in, out] (so the forward matmul needs no transpose); checkpoints written
 * for PyTorch transpose it to [out, in].
 */
export class Linear extends Module {
  readonly weight: Variable; // [in, out]
  readonly bias: Variable | undefined; // [out]

  constructor(rng: Rng, readonly inFeatures: number, readonly outFeatures: number, opts: LinearOptions = {}) {
    super();
    positiveInt("Linear inFeatures", inFeatures);
    positiveInt("Linear outFeatures", outFeatures);
    const size = inFeatures * outFeatures;
    const bound = 1 / Math.sqrt(inFeatures);
    const w = opts.init && opts.init !== "uniform" ? init.normal(rng, size, opts.init.std) : init.uniform(rng, size, bound);
    this.weight = this.addParam("weight", w, [inFeatures, outFeatures]);
    if (opts.bias ?? true) {
      const b = opts.init && opts.init !== "uniform" ? init.constant(outFeatures, 0) : init.uniform(rng, outFeatures, bound);
      this.bias = this.addParam("bias", b, [outFeatures]);
    }
  }

  /** [..., in] -> [..., out] */
  apply(x: Tensor): Tensor {
    return linear(x, this.weight, this.bias);
  }

  /** act(x·W + b), one fused op on the native engine: [..., in] -> [..., out] */
  applyAct(x: Tensor, act: Activation): Tensor {
    return linearAct(x, this.weight, this.bias, act);
  }

  /**
   * The same for an input holding only spikes (0 or 1): event-driven on the native engine below a firing rate of
   * EVENT_LINEAR_MAX_RATE (`spikeLinear`), else exactly `apply`. [..., in] -> [..., out]
   */
  applySpikes(x: Tensor): Tensor {
    return spikeLinear(x, this.weight, this.bias);
  }
}

/** A lookup table [num, dim]; `apply` takes integer indices in a typed array with their shape. */
export class Embedding extends Module {
  readonly weight: Variable; // [num, dim]

  constructor(rng: Rng, readonly num: number, readonly dim: number, opts: { std?: number } = {}) {
    super();
    positiveInt("Embedding num", num);
    positiveInt("Embedding dim", dim);
    this.weight = this.addParam("weight", init.normal(rng, num * dim, opts.std ?? 1), [num, dim]);
  }

  /** indices [...shape] -> [...shape, dim] */
  apply(indices: Int32Array, shape: number[]): Tensor {
    return embeddingLookup(this.weight, indices, shape);
  }
}

/** LayerNorm over the last axis with learned gain and bias (eps 1e-5, as PyTorch). */
export class LayerNorm extends Module {
  readonly gamma: Variable; // [dim]
  readonly beta: Variable; // [dim]

  constructor(readonly dim: number, readonly eps = 1e-5) {
    super();
    positiveInt("LayerNorm dim", dim);
    this.gamma = this.addParam("weight", init.constant(dim, 1), [dim]);
    this.beta = this.addParam("bias", init.constant(dim, 0), [dim]);
  }

  /** [..., D] -> [..., D] */
  apply(x: Tensor): Tensor {
    const engine = nativeEngine();
    if (engine) return layerNormFused(engine, x, this.gamma, this.beta, this.eps); // one fused op on the native engine
    return tf.tidy(() => {
      const { mean, variance } = tf.moments(x, -1, true); // [..., 1]
      const xhat = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, this.eps)));
      return tf.add(tf.mul(xhat, this.gamma), this.beta);
    });
  }
}

/**
 * Inverted dropout with a seeded mask: in training, zero each element with probability p and scale the rest
 * by 1/(1-p); identity in eval mode or when p = 0.
 */
export function dropout(x: Tensor, p: number, rng: Rng, training: boolean): Tensor {
  if (!(p >= 0 && p < 1)) throw new RangeError(`dropout p must be in [0, 1), got ${p}`);
  if (!training || p === 0) return x;
  const mask = new Float32Array(x.size);
  const keep = 1 / (1 - p);
  const engine = nativeEngine();
  if (engine) {
    // the same draws of the same stream in C++ (bit-identical masks), then the stream's state moves on
    const state = Uint32Array.from(rng.getState());
    engine.dropoutMask({ state, p, keep, mask });
    rng.setState([state[0]!, state[1]!, state[2]!, state[3]!]);
  } else {
    for (let i = 0; i < mask.length; i++) mask[i] = rng.float() < p ? 0 : keep;
  }
  return tf.tidy(() => tf.mul(x, tf.tensor(mask, x.shape)));
}
