/**
 * ANN-STRL's sub-layers: STRL's attention and MLP with every LIF replaced by a real activation and T = 1.
 * "strl": q, k, v = act(Linear(x)); softmax(act(scale · q kᵀ) + mask) · v.
 * "spike-driven": act((scale · q kᵀ ⊙ mask) · v).
 * MLP: act(Linear(act(Linear(x)))).
 */
import { Linear, Module, activation, slice, type Rng, type Tensor } from "../../tensor/index.js";
import type { AttentionKind } from "../config/strl-config.js";
import type { ActivationName } from "./activation.js";
import { attentionMask, multiplicativeMask, realAttention, softmaxAttention } from "./real-attention.js";

export interface AnnAttentionOptions {
  dModel: number;
  nHeads: number;
  scale: number;
  attention: AttentionKind;
  causal: boolean;
  activation: ActivationName;
}

export class AnnSelfAttention extends Module {
  readonly qkv: Linear;

  constructor(rng: Rng, readonly opts: AnnAttentionOptions) {
    super();
    this.qkv = this.addModule("qkv", new Linear(rng, opts.dModel, 3 * opts.dModel, { bias: false }));
  }

  /** x [B, K, d], keyMask [B, K] -> [B, K, d] */
  apply(x: Tensor, keyMask: Uint8Array): Tensor {
    const [B, K, d] = x.shape as [number, number, number];
    const { activation: act, attention, nHeads, scale } = this.opts;
    const qkv = this.qkv.applyAct(x, act); // [B, K, 3d]
    if (attention === "strl") {
      const mask = attentionMask(keyMask, B, K, this.opts.causal); // [B, K] keys
      return softmaxAttention(qkv, { nHeads, scale, scoreAct: act, mask }); // [B, K, d]
    }
    const q = slice(qkv, [0, 0, 0], [B, K, d]); // [B, K, d]
    const k = slice(qkv, [0, 0, d], [B, K, d]); // [B, K, d]
    const v = slice(qkv, [0, 0, 2 * d], [B, K, d]); // [B, K, d]
    const mask = multiplicativeMask(keyMask, B, K, this.opts.causal); // [B, 1, K, K]
    return activation(realAttention(q, k, v, { nHeads, scale, weights: "linear", mask }), act); // [B, K, d]
  }
}

export class AnnMlp extends Module {
  readonly fc1: Linear;
  readonly fc2: Linear;

  constructor(rng: Rng, dModel: number, mlpRatio: number, readonly activation: ActivationName) {
    super();
    this.fc1 = this.addModule("fc1", new Linear(rng, dModel, mlpRatio * dModel));
    this.fc2 = this.addModule("fc2", new Linear(rng, mlpRatio * dModel, dModel));
  }

  /** x [B, K, d] -> [B, K, d] */
  apply(x: Tensor): Tensor {
    return this.fc2.applyAct(this.fc1.applyAct(x, this.activation), this.activation);
  }
}
