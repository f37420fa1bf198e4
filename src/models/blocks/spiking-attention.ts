/**
 * Spiking self-attention (SSA) with direct encoding over T steps. q, k, v come from one fused Linear d -> 3d
 * (no bias) computed ONCE on the real input; each gets its own LIF fed the same input at every step
 * (`forwardRepeated`, identical to repeating the input T times).
 *
 * kind "strl" (the paper's): scores_t = scale · q_t k_tᵀ per head -> LIF (binary) -> softmax over the allowed
 *   keys -> · v_t -> concatenate heads -> mean over T. No output projection.
 * kind "spike-driven" (Spikformer / DSFormer): y_t = (scale · q_t k_tᵀ ⊙ mask) · v_t -> LIF -> mean over T.
 *
 * The allowed keys of position i: real steps j (not padding), and j <= i when causal.
 */
import { LIF, type LIFOptions } from "../../snn/index.js";
import { Linear, Module, tf, type Rng, type Tensor } from "../../tensor/index.js";
import type { AttentionKind } from "../config/strl-config.js";
import { spikeScoreValue, spikeScores, spikeSoftmaxValue, type SpikeAttnGeom } from "./spike-attention-kernels.js";

export interface SpikingAttentionOptions {
  dModel: number;
  nHeads: number;
  T: number;
  scale: number;
  kind: AttentionKind;
  causal: boolean;
  neuron: LIFOptions;
}

export class SpikingSelfAttention extends Module {
  readonly qkv: Linear;
  readonly qLif: LIF;
  readonly kLif: LIF;
  readonly vLif: LIF;
  /** LIF on the scores ("strl") or on the attention output ("spike-driven"). */
  readonly attnLif: LIF;

  constructor(rng: Rng, readonly opts: SpikingAttentionOptions, readonly name: string) {
    super();
    const d = opts.dModel;
    this.qkv = this.addModule("qkv", new Linear(rng, d, 3 * d, { bias: false }));
    this.qLif = new LIF(opts.neuron, `${name}.q_lif`);
    this.kLif = new LIF(opts.neuron, `${name}.k_lif`);
    this.vLif = new LIF(opts.neuron, `${name}.v_lif`);
    this.attnLif = new LIF(opts.neuron, `${name}.${opts.kind === "strl" ? "score_lif" : "out_lif"}`);
  }

  lifs(): Array<[string, LIF]> {
    return [this.qLif, this.kLif, this.vLif, this.attnLif].map((l) => [l.name, l]);
  }

  /** x [B, K, d] (real), keyMask [B, K] -> [B, K, d] (spike-attention output, mean over T) */
  apply(x: Tensor, keyMask: Uint8Array): Tensor {
    const [B, K, d] = x.shape as [number, number, number];
    const { T, nHeads: H, scale, causal } = this.opts;
    const qkv = this.qkv.apply(x); // [B, K, 3d]
    const q = tf.slice(qkv, [0, 0, 0], [B, K, d]); // [B, K, d]
    const k = tf.slice(qkv, [0, 0, d], [B, K, d]); // [B, K, d]
    const v = tf.slice(qkv, [0, 0, 2 * d], [B, K, d]); // [B, K, d]
    const qs = this.qLif.forwardRepeated(q, T); // [T, B, K, d]
    const ks = this.kLif.forwardRepeated(k, T); // [T, B, K, d]
    const vs = this.vLif.forwardRepeated(v, T); // [T, B, K, d]
    const g: SpikeAttnGeom = { T, B, K, H, d, causal, keyMask };
    const scores = spikeScores(qs, ks, g, scale); // [T, B, H, K, K]
    if (this.opts.kind === "strl") {
      const ss = this.attnLif.forward(scores); // [T, B, H, K, K] binary
      return spikeSoftmaxValue(ss, vs, g); // [B, K, d]
    }
    const y = spikeScoreValue(scores, vs, g); // [T, B, K, d]
    return this.attnLif.forward(y, { mean: true }); // [B, K, d]
  }
}
